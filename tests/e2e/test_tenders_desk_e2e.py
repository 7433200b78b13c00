"""Tenders at the pharmacy desk, end to end against the real centre over HTTP, on SQLite and PostgreSQL (issue 17):
a mixed basket (an insured drug settled with the centre and a non-insured good, quick-added by a supervisor and
scanned by its commodity barcode) paid with WeChat (the slip's reference) and cash with change; tenders that do not match the
amount due are refused with the reason and nothing is written; a return gives every amount back to its tender;
the shift's X totals per tender."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.pos.tenders import Kind, Tender
from core.services.ports import DeskError, Payment
from core.services.pharmacy_shift import z_text_lines
from core.services.receipts import build_receipt
from core.store import desk as t
from core.store import pos
from core.store.models_pos import PosTenderRow
from tests.e2e.test_account_desk_e2e import _ready_sale, live  # noqa: F401
from tests.ui.pharmacy.fixtures import P11_CERTNO, PH1, close_desks, make_desk

pytestmark = [pytest.mark.slow]
WX = "4200009876543210123456789012"
MASK = "6901234567892"


def _counts(desk) -> tuple[int, int]:  # noqa: ANN001
    with desk.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(t.sale)).scalar(),
                conn.execute(select(func.count()).select_from(PosTenderRow)).scalar())


def test_wechat_and_cash_then_the_return_gives_each_back(live, tmp_path) -> None:  # noqa: ANN001, F811
    centre, _server = live
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1])
    try:
        d.desk.start()
        d.desk.set_operator(d.auth.login("li", pin="2468"))
        shift = d.shifts.open(d.desk.operator, Decimal("100"))
        sale, card, view = _ready_sale(d.desk, centre, P11_CERTNO, "T0011", 4)
        personal = view.figures.personal
        assert personal > Decimal("4.00"), view
        with pytest.raises(DeskError) as unknown:
            d.desk.scan_goods(sale, MASK)
        assert unknown.value.message.key == "desk.goods.unknown" and "主管" in unknown.value.message.zh
        with pytest.raises(DeskError) as bad:
            d.desk.quick_add_goods("6901234567893", "医用口罩", "12.50", approver="zhang")
        assert "校验位" in bad.value.message.zh
        d.desk.quick_add_goods(MASK, "医用口罩", "12.50", approver="zhang")
        sale = d.desk.scan_goods(d.desk.scan_goods(sale, MASK), "0" + MASK)  # EAN-13 or GTIN-14: one line, 2
        assert [(g.good.name, g.qty, g.amount) for g in sale.goods] == [("医用口罩", 2, Decimal("25.00"))]
        wechat = personal + Decimal("25.00") - Decimal("4.00")

        before = _counts(d.desk)
        for bad, why in (((Tender.of("wechat", wechat, WX), Tender.of("cash", "3.00")), "不足应收"),
                         ((Tender.of("wechat", personal + 26, WX),), "只有现金可以找零"),
                         ((Tender.of("alipay", personal, "12"),), "支付凭证号")):
            with pytest.raises(DeskError) as refused:
                d.desk.settle(sale, card, Payment(tenders=bad), shift)
            assert why in refused.value.message.zh, refused.value
            assert _counts(d.desk) == before  # nothing written

        record = d.desk.settle(sale, card, Payment(tenders=(Tender.of("wechat", wechat, WX),
                                                            Tender.of("cash", "10.00"))), shift)
        assert record.status == "settled", record
        assert [(p["kind"], p["kept"], p["reference"]) for p in record.tenders] == [
            ("wechat", f"{wechat:.2f}", WX), ("cash", "4.00", "")]
        assert record.cash_pay == Decimal("4.00") and record.change == Decimal("6.00")
        assert record.personal == personal  # the centre settled the insured part only
        assert [(g["name"], g["qty"], g["amount"]) for g in record.goods] == [("医用口罩", 2, "25.00")]
        text = "\n".join(build_receipt(record, pharmacy="康济大药房", institution=PH1, terminal="T01",
                                       operator="李药师").text_lines(42))
        for part in ("【医保部分】", "追溯码 ", "【非医保部分（自费）】", "医用口罩", "非医保合计", "25.00",
                     f"{personal + Decimal('25.00'):.2f}", "微信支付", f"凭证号 {WX[:4]}****{WX[-6:]}", "现金"):
            assert part in text, (part, text)
        assert WX not in text  # the slip's long reference is masked on the customer's receipt

        back, _ = d.desk.return_sale(record, [l["line"] for l in record.lines], shift)
        assert sorted((p["kind"], p["kept"], p["reference"]) for p in back.tenders) == [
            ("cash", "4.00", ""), ("wechat", f"{wechat:.2f}", WX)]
        assert [g["returned"] for g in d.desk.find_sale(record.receipt_no).goods] == [True]
        with d.desk.Session() as s:
            x = pos.shift_totals(s, shift)
        assert (x[Kind.WECHAT].paid, x[Kind.WECHAT].refunded) == (wechat, wechat)
        assert (x[Kind.CASH].paid, x[Kind.CASH].net) == (Decimal("4.00"), Decimal("0.00"))
        report = d.shifts.report(shift)  # X per tender, and the drawer counts only the cash
        assert report.tenders == (("cash", "现金", 1, Decimal("4.00"), Decimal("4.00")),
                                  ("wechat", "微信支付", 1, wechat, wechat))
        assert (report.cash_in, report.cash_out, report.expected_cash) == (Decimal("4.00"), Decimal("4.00"),
                                                                          Decimal("100.00"))
        d.desk.terminal.sender.drain(timeout_s=30)
        z = d.shifts.close(shift, Decimal("100.00"), d.desk.operator, allow_pending=True)
        assert z.tenders == report.tenders and z.variance == Decimal("0.00")
        assert f"  微信支付 1 笔 收 {wechat:.2f} 退 {wechat:.2f} 净 0.00" in z_text_lines(z)
    finally:
        close_desks()



def test_a_partial_return_gives_every_amount_back_to_where_it_came_from(live, tmp_path) -> None:  # noqa: ANN001, F811
    """A mixed basket (D01 + D03 insured, 2 masks) paid with the personal account (5.00), WeChat and cash with
    change. Returning D03: the kept D01 and the masks are paid on by the same tenders — the cash goes back
    first, then WeChat (its reference), the account keeps its 5.00 (taken again by the centre, asked for exactly);
    then returning the kept sale gives the rest back, the account through the centre (balance as before)."""
    from tests.e2e.test_account_desk_e2e import _balc
    from tests.server.helpers import trace_codes
    from tests.ui.pharmacy.fixtures import d01, d03
    from core.services.desk.rules import refund_for
    from core.services.pharmacy_sale import apply_check

    centre, _server = live
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1])
    try:
        d.desk.start()
        d.desk.set_operator(d.auth.login("li", pin="2468"))
        shift = d.shifts.open(d.desk.operator, Decimal("100"))
        rx = centre.upload_rx("T0011", [d01(1, 28), d03(1, 28)])
        card = d.desk.identify(P11_CERTNO)
        sale = d.desk.open_sale(card, rx["hi_rxno"])
        for prefix in ("8100011", "8100033"):
            sale = apply_check(sale, d.desk.check_scan(sale, trace_codes(prefix, 1)[0]))
        assert sale.complete and len(sale.lines) == 2
        d.desk.quick_add_goods(MASK, "医用口罩", "12.50", approver="zhang")
        sale = d.desk.scan_goods(d.desk.scan_goods(sale, MASK), MASK)
        view = d.desk.pre_settle(sale, card)
        assert view.source == "centre" and not view.offline, view
        personal = view.figures.personal
        balance = Decimal(_balc(centre, P11_CERTNO))
        wechat = personal - Decimal("5.00") + Decimal("25.00") - Decimal("3.00")  # cash keeps 3.00 of 10
        record = d.desk.settle(sale, card, Payment(account=Decimal("5.00"), tenders=(
            Tender.of("wechat", wechat, WX), Tender.of("cash", "10.00"))), shift)
        assert record.status == "settled", record
        assert [(p["kind"], p["kept"]) for p in record.tenders] == [
            ("account", "5.00"), ("wechat", f"{wechat:.2f}"), ("cash", "3.00")]
        assert Decimal(_balc(centre, P11_CERTNO)) == balance - Decimal("5.00")

        d03_line = next(l["line"] for l in record.lines if l["drug_key"] == "D03")
        shown = refund_for(record, [d03_line])  # what the confirmation shows (estimated for a partial return)
        assert [p.kind.value for p in shown.tenders][:1] == ["cash"] and "预计应退" in shown.text().zh

        back, kept = d.desk.return_sale(record, [d03_line], shift)
        assert kept is not None and kept.status == "settled" and len(kept.lines) == 1
        assert [g["name"] for g in kept.goods] == ["医用口罩"]
        insured_back = personal - kept.personal  # what the customer no longer pays for D03
        assert insured_back > Decimal("3.00"), (personal, kept.personal)
        wx_back = insured_back - Decimal("3.00")
        assert [(p["kind"], p["kept"], p["reference"]) for p in back.tenders] == [
            ("cash", "3.00", ""), ("wechat", f"{wx_back:.2f}", WX)]
        assert [(p["kind"], p["kept"], p["reference"]) for p in kept.tenders] == [
            ("account", "5.00", ""), ("wechat", f"{wechat - wx_back:.2f}", WX)]
        assert kept.answer["setlinfo"]["acct_pay"] == "5.00"  # the centre took exactly the kept 5.00 again
        assert Decimal(_balc(centre, P11_CERTNO)) == balance - Decimal("5.00")
        lines = "\n".join(build_receipt(back, pharmacy="康济大药房", institution=PH1, terminal="T01",
                                        operator="李药师").text_lines(42))
        assert "【退回原付款方式】" in lines and f"-{wx_back:.2f}" in lines, lines
        with d.desk.Session() as s:
            x = pos.shift_totals(s, shift)
        assert (x[Kind.WECHAT].paid, x[Kind.WECHAT].refunded) == (wechat, wx_back)  # real money only
        assert (x[Kind.CASH].paid, x[Kind.CASH].refunded) == (Decimal("3.00"), Decimal("3.00"))

        again, _ = d.desk.return_sale(kept, [l["line"] for l in kept.lines], shift)  # the rest back
        assert sorted((p["kind"], p["kept"]) for p in again.tenders) == [
            ("account", "5.00"), ("wechat", f"{wechat - wx_back:.2f}")]
        assert Decimal(_balc(centre, P11_CERTNO)) == balance  # the account's money is back at the centre
        with d.desk.Session() as s:
            x = pos.shift_totals(s, shift)
        assert all(t.net == Decimal("0.00") for t in x.values()), x
    finally:
        close_desks()
