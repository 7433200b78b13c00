"""Goods (non-insured) lines returned on their own at the desk, against the real centre (issue 17): the insured
line stays settled (nothing to the centre), the goods' amount goes back to the tenders that paid it (cash first:
the last paid), the drawer and the X/Z count it; a line given back twice or not sold is refused and nothing is
written; the rest of the sale can still be returned whole afterwards."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.pos.tenders import Kind, Tender
from core.services.ports import DeskError, Payment
from core.services.receipts import build_receipt
from core.store import pos
from tests.e2e.test_account_desk_e2e import _ready_sale, live  # noqa: F401
from tests.e2e.test_tenders_desk_e2e import WX, _counts
from tests.ui.pharmacy.fixtures import P11_CERTNO, PH1, close_desks, make_desk

pytestmark = [pytest.mark.slow]
MASK, GEL = "6901234567892", "6901234567885"


def test_one_goods_line_back_alone_then_the_rest(live, tmp_path) -> None:  # noqa: ANN001, F811
    centre, _server = live
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1])
    try:
        d.desk.start()
        d.desk.set_operator(d.auth.login("li", pin="2468"))
        shift = d.shifts.open(d.desk.operator, Decimal("100"))
        sale, card, view = _ready_sale(d.desk, centre, P11_CERTNO, "T0011", 5)
        personal = view.figures.personal
        d.desk.quick_add_goods(MASK, "医用口罩", "12.50", approver="zhang")
        d.desk.quick_add_goods(GEL, "免洗洗手液", "8.00", approver="zhang")
        sale = d.desk.scan_goods(d.desk.scan_goods(sale, MASK), GEL)
        wechat = personal + Decimal("20.50") - Decimal("5.00")  # cash keeps 5.00 (10 tendered, 5 change)
        record = d.desk.settle(sale, card, Payment(tenders=(Tender.of("wechat", wechat, WX),
                                                            Tender.of("cash", "10.00"))), shift)
        assert record.status == "settled" and [g["line"] for g in record.goods] == [1, 2]

        back = d.desk.return_goods(record, [1], shift)  # the mask (12.50): cash 5.00 first, then WeChat 7.50
        assert [(p["kind"], p["kept"]) for p in back.tenders] == [("cash", "5.00"), ("wechat", "7.50")]
        assert back.kind == "return" and back.cash_pay == Decimal("-5.00")
        assert [g["name"] for g in back.goods] == ["医用口罩"]  # its receipt lists the mask only
        text = "\n".join(build_receipt(back, pharmacy="康济大药房", institution=PH1, terminal="T01",
                                      operator="李药师").text_lines(42))
        assert "医用口罩" in text and "-12.50" in text and "免洗洗手液" not in text, text
        after = d.desk.find_sale(record.receipt_no)
        assert after.status == "settled"  # the insured line stays settled at the centre
        assert [(g["line"], g["returned"]) for g in after.goods] == [(1, True), (2, False)]
        report = d.shifts.report(shift)
        assert (report.cash_in, report.cash_out, report.expected_cash) == (Decimal("5.00"), Decimal("5.00"),
                                                                          Decimal("100.00"))
        assert ("wechat", "微信支付", 1, wechat, Decimal("7.50")) in report.tenders

        before = _counts(d.desk)
        for lines, why in (([1], "已经退过"), ([3], "没有第 3 行"), ([], "未选择")):
            with pytest.raises(DeskError) as refused:
                d.desk.return_goods(after, lines, shift)
            assert why in refused.value.message.zh, refused.value
            assert _counts(d.desk) == before  # nothing written, no receipt number used up for nothing

        whole, kept = d.desk.return_sale(after, [l["line"] for l in after.lines], shift)  # the rest back
        assert kept is None
        assert sorted((p["kind"], p["kept"]) for p in whole.tenders) == [("wechat", f"{wechat - Decimal('7.50'):.2f}")]
        with d.desk.Session() as s:
            x = pos.shift_totals(s, shift)
        assert (x[Kind.WECHAT].net, x[Kind.CASH].net) == (Decimal("0.00"), Decimal("0.00"))
    finally:
        close_desks()


def test_a_drug_line_and_a_goods_line_back_together(live, tmp_path) -> None:  # noqa: ANN001, F811
    """D01 + D03 insured, a mask (12.50) and a gel (8.00), WeChat and cash. Returning D03 and the gel: the kept
    sale is D01 and the mask only, and what goes back is D03's personal share plus the gel's 8.00, cash first.
    Returning every drug line but keeping a goods line is refused (the goods would have no sale left) and
    nothing is written."""
    from core.services.pharmacy_sale import apply_check
    from tests.server.helpers import trace_codes
    from tests.ui.pharmacy.fixtures import d01, d03

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
            sale = apply_check(sale, d.desk.check_scan(sale, trace_codes(prefix, 2)[0]))
        d.desk.quick_add_goods(MASK, "医用口罩", "12.50", approver="zhang")
        d.desk.quick_add_goods(GEL, "免洗洗手液", "8.00", approver="zhang")
        sale = d.desk.scan_goods(d.desk.scan_goods(sale, MASK), GEL)
        view = d.desk.pre_settle(sale, card)
        personal = view.figures.personal
        wechat = personal + Decimal("20.50") - Decimal("3.00")  # cash keeps 3.00 of 10
        record = d.desk.settle(sale, card, Payment(tenders=(Tender.of("wechat", wechat, WX),
                                                            Tender.of("cash", "10.00"))), shift)
        assert record.status == "settled", record

        before = _counts(d.desk)
        with pytest.raises(DeskError) as refused:
            d.desk.return_sale(record, [l["line"] for l in record.lines], shift, goods=[2])
        assert refused.value.message.key == "desk.ret.goods_kept" and _counts(d.desk) == before
        with pytest.raises(DeskError) as refused:
            d.desk.return_sale(record, [record.lines[0]["line"]], shift, goods=[3])
        assert "第 3 行商品" in refused.value.message.zh and _counts(d.desk) == before

        d03_line = next(l["line"] for l in record.lines if l["drug_key"] == "D03")
        back, kept = d.desk.return_sale(record, [d03_line], shift, goods=[2])
        assert kept is not None and [g["name"] for g in kept.goods] == ["医用口罩"]
        assert [g["name"] for g in back.goods] == ["免洗洗手液"]  # the return lists what it gave back
        total_back = personal - kept.personal + Decimal("8.00")
        assert [(p["kind"], p["kept"]) for p in back.tenders] == [
            ("cash", "3.00"), ("wechat", f"{total_back - Decimal('3.00'):.2f}")]
        with d.desk.Session() as s:
            x = pos.shift_totals(s, shift)
        assert x[Kind.WECHAT].net + x[Kind.CASH].net == wechat + Decimal("3.00") - total_back
    finally:
        close_desks()
