"""core.store.pos.return_goods on SQLite and PostgreSQL: goods lines brought back on their own go back to the
tenders that paid them (the last paid first, never the accounts), are marked returned, and the shift's X/Z counts
the refund; a bad choice (a line not sold, given back already, more than the tenders hold) writes nothing."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.pos.goods import Good, GoodsLine
from core.pos.tenders import Kind, Tender, TenderError
from core.store import pos
from core.store.models_pos import PosTenderRow

D = Decimal
WX = "4200001234567890123456789012"
MASK = Good("06901234567892", "医用口罩", D("12.00"))
GEL = Good("06901234567885", "免洗洗手液", D("11.50"))


@pytest.fixture
def s(engine) -> Iterator[Session]:  # noqa: ANN001
    with Session(engine, expire_on_commit=False) as session:
        yield session
    with engine.begin() as conn:  # the PostgreSQL store is shared by the session's tests
        for table in ("pos_goods_line", "pos_tender", "pos_good"):
            conn.execute(text(f"DELETE FROM {table}"))


def _sale(s: Session) -> None:
    pos.record_goods_lines(s, "S1", [GoodsLine(MASK, 1), GoodsLine(GEL, 1)])
    pos.record_tenders(s, "S1", D("14.00"), D("23.50"), [Tender.of("account", "4.00"),
                                                         Tender.of("wechat", "28.00", WX), Tender.of("cash", "10")],
                       shift_id="SH1")


def _refund_rows(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(PosTenderRow).where(PosTenderRow.direction == "refund"))


def test_one_goods_line_back_cash_first_then_wechat_and_counted_by_x(s: Session) -> None:
    _sale(s)
    plan = pos.return_goods(s, "S1", "G1", [1], shift_id="SH2")
    assert [(p.kind, p.kept) for p in plan.back] == [(Kind.CASH, D("5.50")), (Kind.WECHAT, D("6.50"))]
    assert pos.refunds_of(s, "G1") == plan.back
    assert [(r.line, r.returned) for r in pos.goods_lines(s, "S1")] == [(1, True), (2, False)]
    net = pos.sale_payment(s, "S1", net_of_refunds=True)
    assert [(p.kind, p.kept) for p in net.paid] == [(Kind.ACCOUNT, D("4.00")), (Kind.WECHAT, D("21.50")),
                                                     (Kind.CASH, D("0.00"))]
    x = pos.shift_totals(s, "SH2")  # the shift the goods came back in counts the refund, per tender
    assert x[Kind.CASH].refunded == D("5.50") and x[Kind.WECHAT].refunded == D("6.50")
    assert x[Kind.ACCOUNT].refunded == 0
    # the other line later: from WeChat (the cash holds nothing more)
    second = pos.return_goods(s, "S1", "G2", [2], shift_id="SH2")
    assert [(p.kind, p.kept, p.reference) for p in second.back] == [(Kind.WECHAT, D("11.50"), WX)]


@pytest.mark.parametrize("lines, why", [([3], "没有第 3 行"), ([1, 1], "不能退两次"), ([], "未选择")])
def test_bad_choice_refused_and_nothing_written(s: Session, lines, why) -> None:  # noqa: ANN001
    _sale(s)
    with pytest.raises(TenderError, match=why):
        pos.return_goods(s, "S1", "G1", lines)
    assert _refund_rows(s) == 0 and not any(r.returned for r in pos.goods_lines(s, "S1"))


def test_a_line_given_back_twice_is_refused_the_second_time(s: Session) -> None:
    _sale(s)
    pos.return_goods(s, "S1", "G1", [2])
    with pytest.raises(TenderError, match="已经退过"):
        pos.return_goods(s, "S1", "G2", [2])
    assert _refund_rows(s) == 2 and pos.refunds_of(s, "G2") == ()  # cash 5.50 and WeChat 6.00 for line 2 only


def test_more_than_the_tenders_still_hold_is_refused(s: Session) -> None:
    """The tenders other than the account already gave most back (an earlier refund): the goods cannot be paid
    back out of the account — refused, nothing written."""
    _sale(s)
    pos.refund_tenders(s, "S1", "R1", D("30.00"))  # cash 5.50 + WeChat 24.50: WeChat holds 3.50 now
    with pytest.raises(TenderError, match="超过非医保账户付款"):
        pos.return_goods(s, "S1", "G1", [1])
    assert _refund_rows(s) == 2 and not any(r.returned for r in pos.goods_lines(s, "S1"))
