"""The ordinary insured purchase at the desk (issue 17, med_type 41 定点药店购药), end to end against the real centre
over HTTP on SQLite and PostgreSQL: the desk's services as the shell builds them, through the sync layer.

- T0002 (employee 310, 500.00 in the personal account) has no prescription: the pharmacist opens an ordinary
  purchase and scans boxes; each new product becomes a line, another box of it one box more. The local engine
  (core.audit.ordinary) and the centre's 2101 agree (fund 0.00: 41 is account only); the settlement pays the whole
  personal share from the account; the 2102 answer's acct_pay and balc are the local figures; the return gives
  the account the money back.
- Bad input: an account payment the balance cannot make (it would go negative) is refused with the reason and
  nothing is written (no desk record, no sync sale, the balance as it was).
- 11 门诊统筹 (an outpatient prescription dispensed here, the profile's pooling): deductible and ratio, the
  local engine and the centre give the same fund.
- Offline: an account payment is refused with the cash alternative; the ordinary sale settles in cash,
  provisionally, on the local figures.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.services.pharmacy_sale import apply_check
from core.services.ports import DeskError, Payment
from core.store import desk as t
from core.sync.models import SyncSale
from tests.e2e.test_account_desk_e2e import _balc, live  # noqa: F401
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import PH1, close_desks, make_desk

pytestmark = [pytest.mark.slow]

P02_CERTNO = "420704196306301148"  # T0002, employee (310), 500.00 in the personal account
D13_3 = {"medins_list_codg": "D13", "cnt": 3, "prd_days": 21, "sin_dos_dscr": "100mg", "used_frqu_dscr": "每日两次",
         "expContent": {"dose": "100", "times_per_day": "2"}}  # 3 x 98.00 = 294.00


def scan(desk, sale, code: str):
    """One box scanned into the sale, as the desk's flow does it (the grown sale of an ordinary purchase)."""
    check = desk.check_scan(sale, code)
    assert check.accepted, check.reason
    return apply_check(check.extra.get("sale", sale), check)


def _counts(desk) -> tuple[int, int]:
    with desk.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(t.sale)).scalar(),
                conn.execute(select(func.count()).select_from(SyncSale)).scalar())


def test_ordinary_purchase_with_the_personal_account(live, tmp_path):
    centre, server = live
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1])
    try:
        d.desk.start()
        d.desk.set_operator(d.auth.login("li", pin="2468"))
        shift = d.shifts.open(d.desk.operator, Decimal("100"))
        card = d.desk.identify(P02_CERTNO)
        assert card.online and card.insurance_type == "310" and card.balance == Decimal("500.00")

        sale = d.desk.open_ordinary_sale(card)
        assert (sale.scheme, sale.med_type, sale.rx_id, sale.lines) == ("OP", "41", "", ())
        d01_codes, d06_codes = trace_codes("8100011", 2), trace_codes("8100066", 1)
        sale = scan(d.desk, sale, d01_codes[0])
        sale = scan(d.desk, sale, d01_codes[1])  # the same product again: one box more on its line
        sale = scan(d.desk, sale, d06_codes[0])  # another product: a new line
        assert [(l.drug.key, l.qty, len(l.codes)) for l in sale.lines] == [("D01", 2, 2), ("D06", 1, 1)]
        again = d.desk.check_scan(sale, d01_codes[0])
        assert not again.accepted and again.reason.key == "desk.scan.twice"
        unknown = d.desk.check_scan(sale, "81999990000000000001")
        assert not unknown.accepted and unknown.reason.key == "desk.ordinary.unknown_box"

        local = d.desk.audit(sale, card)  # the local engine, as offline
        assert local.verdict != "BLOCK", local.hits
        assert not any(h.rule.startswith("ELG-00") and h.rule != "ELG-001" for h in local.hits), local.hits
        total = Decimal("70.00")  # 2 x 28.00 + 14.00
        assert (local.figures.total, local.figures.fund, local.figures.personal) == (total, Decimal("0.00"), total)
        view = d.desk.pre_settle(sale, card)
        assert view.source == "centre", view
        assert (view.figures.total, view.figures.fund, view.figures.personal) == (total, Decimal("0.00"), total)

        # bad input: more than the balance -> refused with the reason, nothing written, balance unchanged
        before = _counts(d.desk)
        poorer = type(card)(**{**card.__dict__, "balance": Decimal("50.00")})
        with pytest.raises(DeskError) as refused:
            d.desk.settle(sale, poorer, Payment(account=total), shift)
        assert "余额不足" in refused.value.message.zh and "negative" in refused.value.message.en, refused.value
        assert _counts(d.desk) == before and _balc(centre, P02_CERTNO) == "500.00"

        record = d.desk.settle(sale, card, Payment(account=total), shift)
        assert record.status == "settled", record
        answer = record.answer["setlinfo"]
        assert (answer["fund_pay_sumamt"], answer["psn_part_amt"]) == ("0.00", f"{total:.2f}")
        assert (answer["acct_pay"], answer["balc"], answer["psn_cash_pay"]) == (
            f"{total:.2f}", f"{card.balance - total:.2f}", "0.00")
        assert (record.fund, record.personal, record.account_pay, record.cash_pay) == (
            local.figures.fund, local.figures.personal, total, Decimal("0.00"))
        assert _balc(centre, P02_CERTNO) == "430.00"
        d.desk.terminal.sender.drain(timeout_s=30)
        back, _ = d.desk.return_sale(record, [l["line"] for l in record.lines], shift)
        assert back.account_pay == -total
        d.desk.terminal.sender.drain(timeout_s=30)
        assert _balc(centre, P02_CERTNO) == "500.00"

        # 11 门诊统筹: an outpatient prescription of 3 boxes of D13 (294.00) dispensed here: deductible 200.00, then 60 %
        rx = centre.upload_rx("T0002", [D13_3], med_type="11")
        card = d.desk.identify(P02_CERTNO)
        sale = d.desk.open_sale(card, rx["hi_rxno"])
        assert (sale.scheme, sale.med_type) == ("OP", "11")
        for code in trace_codes("8100133", 3):
            sale = scan(d.desk, sale, code)
        local = d.desk.audit(sale, card)
        view = d.desk.pre_settle(sale, card)
        assert view.source == "centre", view
        want = (Decimal("294.00"), Decimal("56.40"), Decimal("237.60"))  # (294 - 200) x 0.60 = 56.40
        assert (local.figures.total, local.figures.fund, local.figures.personal) == want, local
        assert (view.figures.total, view.figures.fund, view.figures.personal) == want, view
        pooled = d.desk.settle(sale, card, Payment(account=Decimal("37.60"), cash_tendered=Decimal("200")), shift)
        assert (pooled.answer["setlinfo"]["acct_pay"], pooled.answer["setlinfo"]["balc"]) == ("37.60", "462.40")
        assert (pooled.fund, pooled.account_pay, pooled.cash_pay) == (Decimal("56.40"), Decimal("37.60"),
                                                                      Decimal("200.00"))

        # offline: the account is refused with the cash alternative; cash settles provisionally, local figures
        card = d.desk.identify(P02_CERTNO)
        sale = scan(d.desk, d.desk.open_ordinary_sale(card), trace_codes("8100066", 1)[0])
        server.__exit__(None, None, None)
        view = d.desk.pre_settle(sale, card)
        assert view.offline and (view.figures.fund, view.figures.personal) == (Decimal("0.00"), Decimal("14.00"))
        with pytest.raises(DeskError) as offline:
            d.desk.settle(sale, card, Payment(account=Decimal("14.00")), shift)
        assert "个人账户" in offline.value.message.zh and "现金" in offline.value.message.zh, offline.value
        assert "cash" in offline.value.message.en
        cash = d.desk.settle(sale, card, Payment(cash_tendered=Decimal("20")), shift)
        assert cash.status == "provisional" and (cash.fund, cash.account_pay, cash.change) == (
            Decimal("0.00"), Decimal("0.00"), Decimal("6.00")), cash
    finally:
        close_desks()
