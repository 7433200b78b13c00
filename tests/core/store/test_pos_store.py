"""core.store.pos on SQLite and PostgreSQL: tenders recorded only when they match the amount due (nothing
written otherwise), refunds back to the tenders they came from, X/Z per tender, goods lines and the catalogue."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.pos.goods import GoodsError, GoodsLine
from core.pos.tenders import Kind, Tender, TenderError
from core.store import pos
from core.store.models_pos import PosGoodRow, PosGoodsLineRow, PosTenderRow

D = Decimal
WX = "4200001234567890123456789012"


@pytest.fixture
def s(engine) -> Iterator[Session]:  # noqa: ANN001
    with Session(engine, expire_on_commit=False) as session:
        yield session
    with engine.begin() as conn:  # the PostgreSQL store is shared by the session's tests
        for table in ("pos_goods_line", "pos_tender", "pos_good"):
            conn.execute(text(f"DELETE FROM {table}"))


def _rows(s: Session, model) -> int:  # noqa: ANN001
    return s.scalar(select(func.count()).select_from(model))


def test_tenders_recorded_with_change_and_references(s: Session) -> None:
    pay = pos.record_tenders(s, "S1", D("14.00"), D("25.50"),
                             [Tender.of("account", "4.00"), Tender.of("wechat", "30.00", WX), Tender.of("cash", "10")],
                             shift_id="SH1")
    assert pay.change == D("4.50")
    got = pos.sale_payment(s, "S1")
    assert [(p.kind, p.kept, p.reference) for p in got.paid] == [
        (Kind.ACCOUNT, D("4.00"), ""), (Kind.WECHAT, D("30.00"), WX), (Kind.CASH, D("5.50"), "")]
    assert got.paid[2].tendered == D("10.00") and got.change == D("4.50")


@pytest.mark.parametrize("tenders, why", [
    ([("wechat", "20.00", WX), ("cash", "10.00", "")], "不足应收"),         # 30.00 < 39.50
    ([("wechat", "45.00", WX)], "只有现金可以找零"),                        # non-cash beyond the amount due
    ([("alipay", "39.50", "")], "支付凭证号"),                               # no slip reference
    ([("account", "20.00", ""), ("cash", "19.50", "")], "非医保商品不能用医保账户"),
])
def test_a_mismatch_is_refused_with_the_reason_and_nothing_written(s: Session, tenders, why) -> None:  # noqa: ANN001
    with pytest.raises(TenderError, match=why):
        pos.record_tenders(s, "S2", D("14.00"), D("25.50"), [Tender.of(*t) for t in tenders])
    assert _rows(s, PosTenderRow) == 0


def test_a_sale_records_its_tenders_once(s: Session) -> None:
    pos.record_tenders(s, "S3", D("10.00"), D("0"), [Tender.of("cash", "10.00")])
    with pytest.raises(TenderError, match="已记录付款"):
        pos.record_tenders(s, "S3", D("10.00"), D("0"), [Tender.of("cash", "10.00")])
    assert _rows(s, PosTenderRow) == 1


def test_a_return_gives_every_amount_back_to_its_tender(s: Session) -> None:
    pos.record_tenders(s, "S4", D("14.00"), D("25.50"),
                       [Tender.of("account", "4.00"), Tender.of("wechat", "30.00", WX), Tender.of("cash", "10")],
                       shift_id="SH1")
    partial = pos.refund_tenders(s, "S4", "R1", D("31.00"), shift_id="SH1")  # cash first (last paid), then WeChat
    assert [(p.kind, p.kept) for p in partial] == [(Kind.CASH, D("5.50")), (Kind.WECHAT, D("25.50"))]
    rest = pos.refund_tenders(s, "S4", "R2", shift_id="SH1")  # what is left: WeChat 4.50, then the account
    assert [(p.kind, p.kept, p.reference) for p in rest] == [(Kind.WECHAT, D("4.50"), WX), (Kind.ACCOUNT, D("4.00"), "")]
    with pytest.raises(TenderError, match="超过原付款"):
        pos.refund_tenders(s, "S4", "R3", D("0.01"))
    assert pos.refunds_of(s, "R1") == partial
    net = pos.sale_payment(s, "S4", net_of_refunds=True)
    assert all(p.kept == 0 for p in net.paid)
    x = pos.shift_totals(s, "SH1")
    assert (x[Kind.WECHAT].count, x[Kind.WECHAT].paid, x[Kind.WECHAT].refunded) == (1, D("30.00"), D("30.00"))
    assert x[Kind.CASH].paid == D("5.50") and x[Kind.CASH].net == 0
    assert x[Kind.ALIPAY].count == 0


def test_goods_catalogue_quick_add_and_lines(s: Session) -> None:
    with pytest.raises(GoodsError, match="请主管快速新增"):
        pos.find_good(s, "6901234567892")
    with pytest.raises(GoodsError, match="须主管确认"):
        pos.quick_add_good(s, "6901234567892", "医用口罩", "12.50", approver="")
    with pytest.raises(GoodsError, match="校验位"):
        pos.quick_add_good(s, "6901234567893", "医用口罩", "12.50", approver="sup")
    assert _rows(s, PosGoodRow) == 0
    good = pos.quick_add_good(s, "6901234567892", "医用口罩", "12.50", approver="sup")
    with pytest.raises(GoodsError, match="已在目录中"):
        pos.quick_add_good(s, "6901234567892", "口罩", "1", approver="sup")
    assert pos.find_good(s, "06901234567892") == good
    with pytest.raises(GoodsError, match="折扣"):
        pos.record_goods_lines(s, "S5", [GoodsLine(good, 1), GoodsLine(good, 1, D("13.00"))])
    assert _rows(s, PosGoodsLineRow) == 0
    total = pos.record_goods_lines(s, "S5", [GoodsLine(good, 2, D("1.00"))])
    assert total == D("24.00")
    pos.mark_goods_returned(s, "S5")
    assert [r.returned for r in pos.goods_lines(s, "S5")] == [True]


def test_a_partial_return_carries_the_kept_part_and_refunds_the_rest(s: Session) -> None:
    """Account 4 + WeChat 20 + cash 10 for 14.00 insured + 11.60 goods (cash keeps 1.60). The kept sale owes
    6.00 + 11.60: the account carries 4, WeChat 13.60; back: cash 1.60, WeChat 6.40 (its reference). X/Z count
    only the real money: WeChat 20 in, 6.40 out; a later return of the kept sale gives back what it carried."""
    pos.record_tenders(s, "S5", D("14.00"), D("11.60"), [Tender.of("account", "4.00"), Tender.of("wechat", "20.00", WX),
                                                         Tender.of("cash", "10")], shift_id="SH5")
    pos.record_tenders(s, "K5", D("6.00"), D("11.60"), [Tender.of("account", "4.00"), Tender.of("wechat", "13.60", WX)],
                       shift_id="SH5")
    back = pos.carry_refund(s, "S5", "RS5", "K5", shift_id="SH5")
    assert [(p.kind, p.kept, p.reference) for p in back] == [(Kind.CASH, D("1.60"), ""), (Kind.WECHAT, D("6.40"), WX)]
    assert [(p.kind, p.kept) for p in pos.refunds_of(s, "RS5")] == [(Kind.CASH, D("1.60")), (Kind.WECHAT, D("6.40"))]
    assert sum((p.kept for p in pos.sale_payment(s, "S5", net_of_refunds=True).paid), D("0")) == D("0.00")
    x = pos.shift_totals(s, "SH5")
    assert (x[Kind.WECHAT].count, x[Kind.WECHAT].paid, x[Kind.WECHAT].refunded) == (1, D("20.00"), D("6.40"))
    assert (x[Kind.ACCOUNT].paid, x[Kind.ACCOUNT].net) == (D("4.00"), D("4.00"))
    assert x[Kind.CASH].net == D("0.00")
    later = pos.refund_tenders(s, "K5", "RK5", shift_id="SH5")  # the kept sale returned too: all of it back
    assert {(p.kind, p.kept) for p in later} == {(Kind.ACCOUNT, D("4.00")), (Kind.WECHAT, D("13.60"))}
    x = pos.shift_totals(s, "SH5")
    assert all(t.net == D("0.00") for t in x.values()) and x[Kind.WECHAT].refunded == D("20.00")
