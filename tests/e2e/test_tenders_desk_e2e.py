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
                     f"{personal + Decimal('25.00'):.2f}", "微信支付", f"凭证号 {WX}", "现金"):
            assert part in text, (part, text)

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

