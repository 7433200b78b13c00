"""What a scanned or typed text says about who the patient is — the one classification the pharmacy desk and
the kiosk share (core.services.desk.identify, core.services.kiosk): an e-voucher QR (the centre exchanges it for
a token: certificate type 01), an ID card number (02) or a social security card (03). A text that is none of
them, or one of them with a bad check digit or date, is refused with the reason; each shell words the refusal
in its own message (desk.id.* / kiosk.id.*).

    who = identity_text("420704195703121015")   -> IdentityText(cert_type="02", value="420704195703121015")
    who.evoucher                                 -> False: ask the centre for the person by (cert_type, value)
"""
from __future__ import annotations

from dataclasses import dataclass

from core.codes import Kind, classify
from core.i18n import Message, message

EVOUCHER, ID_CARD, SS_CARD = "01", "02", "03"  # mdtrt_cert_type: how the patient proved who they are


class NotIdentity(ValueError):
    """The text is a code of another kind (a box's trace code, a barcode …): `kind` names it in both languages."""

    def __init__(self, kind: Message) -> None:
        super().__init__(kind.en)
        self.kind = kind


class InvalidIdentity(ValueError):
    """An identity code that is not well formed (an ID number's check digit, an e-voucher's shape): `reason`."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason.en)
        self.reason = reason


@dataclass(frozen=True)
class IdentityText:
    cert_type: str  # EVOUCHER (value: the QR payload, to be exchanged at the centre), ID_CARD or SS_CARD
    value: str  # the QR payload, the ID number, or the social security card's number

    @property
    def evoucher(self) -> bool:
        return self.cert_type == EVOUCHER


def identity_text(text: str) -> IdentityText:
    """The identity in `text`; NotIdentity when it is another kind of code, InvalidIdentity when it is malformed."""
    r = classify(text)
    if r.kind in (Kind.EVOUCHER, Kind.ID_CARD) and not r.valid:
        raise InvalidIdentity(r.error or message("codes.unrecognised"))  # classify always says why; a fallback
    if r.kind is Kind.EVOUCHER:
        return IdentityText(EVOUCHER, r.text)
    if r.kind is Kind.ID_CARD:
        return IdentityText(ID_CARD, r.fields["number"])
    if r.kind is Kind.SS_CARD:  # a card's number, else its serial, else the text as read
        return IdentityText(SS_CARD, r.fields.get("card_no") or r.fields.get("card_sn") or r.text)
    raise NotIdentity(r.kind_label)


__all__ = ["EVOUCHER", "ID_CARD", "SS_CARD", "IdentityText", "InvalidIdentity", "NotIdentity", "identity_text"]
