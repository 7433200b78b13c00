"""Personal account and 家庭共济 at the pharmacy desk, end to end against the real centre over HTTP, on SQLite
and PostgreSQL (issue 17): the desk's services as the shell builds them, through the sync layer.

- T0011 (employee, 2000.00 opening balance) buys with 10.00 from the account and the rest in cash; the record
  carries the centre's acct_pay, 1101 shows the balance after; the return gives the 10.00 back to the account.
- T0001 (resident, no account), bound at the agency's counter to T0011, pays the personal share from T0011's
  account (acct_mulaid_pay); the holder's balance goes down by exactly that, and back on the return.
- Offline, an account payment is refused with the reason and the cash alternative; cash alone still settles.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.services.pharmacy_sale import apply_check
from core.services.ports import DeskError, Payment
from tests.server.helpers import AGY, Client, LiveServer, RequestsHttp, trace_codes
from tests.ui.pharmacy.fixtures import P01_CERTNO, P11_CERTNO, PH1, Centre, close_desks, d01, make_desk

pytestmark = [pytest.mark.slow]


@pytest.fixture
def live(centre_db, centre_engine):
    from server.app import create_app

    with LiveServer(create_app(engine=centre_engine)) as server:
        yield Centre(server.url, dict(centre_db.secrets), Client(RequestsHttp(server.url), dict(centre_db.secrets)),
                     centre_engine), server


def _balc(centre, certno: str) -> str:
    r = centre.client.call("1101", {"data": {"certno": certno, "psn_cert_type": "01"}})
    assert r["infcode"] == 0, r
    return r["output"]["insuinfo"][0]["balc"]


def _ready_sale(desk, centre, certno: str, psn_no: str, prefix_no: int):
    rx = centre.upload_rx(psn_no, [d01(1, 28)])
    card = desk.identify(certno)
    sale = desk.open_sale(card, rx["hi_rxno"])
    sale = apply_check(sale, desk.check_scan(sale, trace_codes("8100011", prefix_no)[-1]))
    assert sale.complete
    view = desk.pre_settle(sale, card)
    assert view.source == "centre", view
    return sale, card, view


def test_account_and_family_sharing_at_the_desk(live, tmp_path):
    centre, server = live
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1])
    try:
        d.desk.start()
        d.desk.set_operator(d.auth.login("li", pin="2468"))
        shift = d.shifts.open(d.desk.operator, Decimal("100"))

        # own account: 10.00 of the 14.00 share, the rest in cash
        assert _balc(centre, P11_CERTNO) == "2000.00"
        sale, card, view = _ready_sale(d.desk, centre, P11_CERTNO, "T0011", 1)
        assert card.balance == Decimal("2000.00")
        personal = view.figures.personal
        record = d.desk.settle(sale, card, Payment(account=Decimal("10.00"), cash_tendered=Decimal("10")), shift)
        assert record.status == "settled", record
        answer = record.answer["setlinfo"]
        assert (answer["acct_pay"], answer["balc"]) == ("10.00", "1990.00")
        assert record.account_pay == Decimal("10.00") and record.cash_pay == personal - Decimal("10.00")
        assert record.change == Decimal("10") - record.cash_pay
        assert _balc(centre, P11_CERTNO) == "1990.00"
        d.desk.terminal.sender.drain(timeout_s=30)
        ok, recon = d.shifts.reconcile(shift, "li")  # 3201 with acct_pay: the account payment is counted on both sides
        assert ok is True, recon
        back, _ = d.desk.return_sale(record, [l["line"] for l in record.lines], shift)
        assert back.account_pay == Decimal("-10.00")
        d.desk.terminal.sender.drain(timeout_s=30)
        assert _balc(centre, P11_CERTNO) == "2000.00"

        # 共济: T0001 (resident) bound to T0011 at the agency's counter, pays from the holder's account
        bound = centre.client.call("2594", {"data": {
            "holder_psn_no": "T0011", "relative_psn_no": "T0001", "relation": "1",
            "holder_cert_type": "02", "holder_cert_no": P11_CERTNO}}, code=AGY)
        assert bound["infcode"] == 0, bound
        holders = d.desk.family_holders("T0001")
        assert [(h.psn_no, h.name_masked, h.relation, h.balance) for h in holders] == [
            ("T0011", "钱*****", "配偶", Decimal("2000.00"))]
        assert d.desk.family_holders("T0011") == []  # the holder is nobody's relative
        sale, card, view = _ready_sale(d.desk, centre, P01_CERTNO, "T0001", 2)
        record = d.desk.settle(sale, card, Payment(mulaid_psn_no=holders[0].psn_no), shift)
        answer = record.answer["setlinfo"]
        share = view.figures.personal
        assert (answer["acct_pay"], answer["acct_mulaid_pay"]) == ("0.00", f"{share:.2f}")
        assert record.account_pay == share and record.cash_pay == Decimal("0.00")
        assert _balc(centre, P11_CERTNO) == f"{Decimal('2000.00') - share:.2f}"
        d.desk.return_sale(record, [l["line"] for l in record.lines], shift)
        d.desk.terminal.sender.drain(timeout_s=30)
        assert _balc(centre, P11_CERTNO) == "2000.00"

        # offline: the account is refused with the reason, cash still settles (provisionally)
        sale, card, view = _ready_sale(d.desk, centre, P11_CERTNO, "T0011", 3)
        server.__exit__(None, None, None)
        with pytest.raises(DeskError) as refused:
            d.desk.settle(sale, card, Payment(account=Decimal("5.00")), shift)
        assert "个人账户" in str(refused.value.message.zh) and "现金" in str(refused.value.message.zh), refused.value
        with pytest.raises(DeskError):
            d.desk.family_holders("T0001")
        cash = d.desk.settle(sale, card, Payment(cash_tendered=Decimal("20")), shift)
        assert cash.status == "provisional" and cash.account_pay == Decimal("0.00"), cash
    finally:
        close_desks()
