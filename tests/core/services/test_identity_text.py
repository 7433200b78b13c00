"""One classification of identity text for the desk and the kiosk (core.services.identity_text): e-voucher QR,
ID card number, social security card; another kind of code is refused with its kind named, a malformed one with
the reason — and both shells refuse alike, each in its own words."""
from __future__ import annotations

import pytest

from core.services.identity_text import (
    EVOUCHER, ID_CARD, SS_CARD, IdentityText, InvalidIdentity, NotIdentity, identity_text,
)

QR = "NHSAEV1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_"


@pytest.mark.parametrize("text,expected", [
    (QR, IdentityText(EVOUCHER, QR)),
    ("420704195703121015", IdentityText(ID_CARD, "420704195703121015")),
    ("11010519491231002x", IdentityText(ID_CARD, "11010519491231002X")),  # the check letter, upper case
    (" 420704195703121015\r\n", IdentityText(ID_CARD, "420704195703121015")),  # a scanner's suffix
    ("b7k334774", IdentityText(SS_CARD, "B7K334774")),  # the card's number
    ("639900D15600000500BF7C7A48FB4966", IdentityText(SS_CARD, "639900D15600000500BF7C7A48FB4966")),  # its serial
])
def test_identity_kinds(text, expected):
    who = identity_text(text)
    assert who == expected
    assert who.evoucher is (expected.cert_type == EVOUCHER)


def test_other_codes_are_refused_with_their_kind():
    with pytest.raises(NotIdentity) as exc:
        identity_text("81000110012345678901")  # a box's trace code
    assert exc.value.kind.zh == "药品追溯码"
    with pytest.raises(NotIdentity) as exc:
        identity_text("6901234567892")  # a commodity barcode
    assert exc.value.kind.en == "commodity barcode"


@pytest.mark.parametrize("text,reason", [("420704195703121016", "身份证号校验位错误"),
                                         ("NHSAEV1.short", "医保电子凭证内容格式错误")])
def test_malformed_identities_say_why(text, reason):
    with pytest.raises(InvalidIdentity) as exc:
        identity_text(text)
    assert exc.value.reason.zh.startswith(reason)


def test_the_desk_and_the_kiosk_refuse_alike():
    """The same texts refused by both shells for the same reason (the kiosk's and the desk's own wording)."""
    from core.services.desk.identify import Identify
    from core.services.kiosk import KioskError, KioskService
    from core.services.ports import DeskError

    desk = Identify.__new__(Identify)  # the classification needs no store and no centre
    kiosk = KioskService.__new__(KioskService)
    kiosk._need = lambda _what: None
    for text, desk_key, kiosk_key, why in (
            ("81000110012345678901", "desk.id.not_identity", "kiosk.id.not_identity", "药品追溯码"),
            ("420704195703121016", "desk.id.invalid", "kiosk.id.invalid", "身份证号校验位错误")):
        with pytest.raises(DeskError) as d:
            desk.identify(text)
        with pytest.raises(KioskError) as k:
            kiosk.identify(text)
        assert (d.value.message.key, k.value.message.key) == (desk_key, kiosk_key)
        assert why in d.value.message.zh and why in k.value.message.zh
