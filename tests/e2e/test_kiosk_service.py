"""The kiosk's service (core.services.kiosk) against a real centre over HTTP: identify by e-voucher and by
card, the overview (registrations, quota, next refill), history with amounts (5205 + 5203), the statement,
role `kiosk`'s limits, and the offline rule (nothing is attempted while the centre is down)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.services.kiosk import (
    KIOSK_ACTIONS, KioskError, KioskForbidden, KioskLink, KioskOffline, KioskService,
)
from tests.ui.kiosk.fixtures import (  # noqa: F401
    P01_CERTNO, P01_NAME, P14_CERTNO, _data_key, _templates, centre, history, kiosk_config, kiosk_service, today,
)

pytestmark = pytest.mark.slow


def test_identify_by_evoucher_and_overview(kiosk_service, centre, history):
    card = kiosk_service.identify(centre.evoucher())
    assert card.name == P01_NAME and card.cert_type == "01"
    assert card.masked_id == "420704********1015"
    assert [(r.scheme, r.disease) for r in card.registrations] == [("LB", "HTN")]
    assert card.registrations[0].end is None and card.registrations[0].active
    (quota,) = card.quotas
    assert quota.cap_total == Decimal("400.00") and quota.used > 0 and quota.left == quota.cap_total - quota.used
    (refill,) = card.refills
    # the cancelled settlement's supply does not count: 56 days from today
    assert refill.supply_end == today() + dt.timedelta(days=56)
    assert refill.next_allowed == refill.supply_end - dt.timedelta(days=kiosk_service.profile.refill_window_days)


def test_identify_by_id_number_and_card(kiosk_service):
    card = kiosk_service.identify(P01_CERTNO)
    assert card.cert_type == "02" and card.name == P01_NAME

    class Read:
        kind, id_number, card_no = "id_card", P01_CERTNO, ""

    assert kiosk_service.identify_card(Read()).person.person_no == "T0001"


def test_history_and_statement_with_amounts(kiosk_service, history):
    card = kiosk_service.identify(P01_CERTNO)
    rows = kiosk_service.history(card, today() - dt.timedelta(days=30), today())
    assert [r.setl_id for r in rows] == [history[1]["setl_id"], history[0]["setl_id"]]  # newest first
    assert rows[0].total == Decimal(history[1]["medfee_sumamt"]) and rows[0].fund == Decimal(history[1]["fund_pay_sumamt"])
    assert rows[1].reversed and not rows[0].reversed
    assert rows[0].drugs == ("苯磺酸氨氯地平片",) and rows[0].facility_name.startswith("康济大药房")
    st = kiosk_service.statement(card, today() - dt.timedelta(days=30), today())
    assert st.count == 1 and st.total == rows[0].total and st.personal == rows[0].personal
    assert st.masked_id == "420704********1015"


def test_expired_qr_says_refresh(kiosk_service, centre):
    from server.evoucher import issue, key
    from server.db import transaction

    with transaction(centre.engine) as conn:
        old = issue(key(conn), "T0001", "420700", 1_000_000_000, 60)
    with pytest.raises(KioskError) as exc:
        kiosk_service.identify(old)
    assert exc.value.message.key == "kiosk.id.expired"


@pytest.mark.allow_warnings
def test_role_kiosk_can_do_only_its_list(kiosk_service):
    assert KIOSK_ACTIONS == {"identify", "overview", "history", "statement.print", "prescriptions", "pay.own_share",
                             "application.status", "application.start"}
    assert not KioskService.role_allows("sale.settle") and not KioskService.role_allows("settings")
    for infno in ("2102", "2103", "2601", "3505", "2503", "2504", "2512", "2513", "2515", "7101", "1301"):
        with pytest.raises(KioskForbidden):
            kiosk_service.link.call(infno, {})


def test_optional_transactions_probed(kiosk_service):
    caps = kiosk_service.capabilities()
    assert not caps.pay_own_share  # no centre offers a self-pay transaction yet: not configured, never sent
    assert caps.application_status and caps.application_submit and caps.application_evidence
    with pytest.raises(KioskError) as exc:
        kiosk_service.pay_own_share(kiosk_service.identify(P01_CERTNO), None)
    assert exc.value.message.key == "kiosk.pay.unsupported"


def test_start_a_two_disease_application_with_a_photo(kiosk_service, centre):
    card = kiosk_service.identify(P14_CERTNO)  # 卫某: no registration
    assert card.registrations == () and kiosk_service.applications(card) == []
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 300 + b"\xff\xd9"  # 77 KB: three 2511 parts
    view = kiosk_service.start_application(card, "HTN", photo)
    assert view.status == "draft" and view.status_name == "待提交" and view.evidence == 1 and view.scheme == "LB"
    assert view.steps[0].endswith("登记申请") and view.steps[-1].endswith("上传材料")
    got = centre.client.call("2514", {"data": {"app_no": view.application_no}}, code="A42070000001")
    (app,) = got["output"]["applications"]
    assert app["source"] == "kiosk" and app["diseases"][0]["diag_code"] == "I10"
    (ev,) = app["evidence"]
    assert ev["kind"] == "diagnosis" and ev["complete"] and ev["size"] == len(photo)
    with pytest.raises(KioskError):  # one open application at a time: the centre says so
        kiosk_service.start_application(card, "HTN", photo)
    with pytest.raises(KioskError) as exc:
        kiosk_service.start_application(card, "HTN", b"")
    assert exc.value.message.key == "kiosk.application.no_photo"


def test_offline_nothing_attempted(tmp_path, dead_port):
    config = kiosk_config(tmp_path, dead_port.url, "secret", recheck_seconds=60)  # nothing listens there
    link = KioskLink(config)
    kiosk = KioskService(link, config)
    sent = []
    link.transport.listeners.append(sent.append)
    with pytest.raises(KioskOffline) as exc:
        kiosk.identify(P01_CERTNO)
    assert exc.value.message.zh == "服务暂不可用，请到 3 号窗口办理"
    assert len(sent) == 1 and kiosk.online is False  # the 9001 that failed
    with pytest.raises(KioskOffline):
        kiosk.identify(P01_CERTNO)
    assert len(sent) == 1  # not even tried again while the centre is down
    assert kiosk.check_centre() is False
    link.close()
