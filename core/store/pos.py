"""The one writer of the point-of-sale tables (core/store/models_pos.py): a sale's tenders, what a return gives
back to them, its non-insured goods lines, the local goods catalogue; and the X/Z totals per tender.

    pay = record_tenders(session, "S1", Decimal("12.00"), Decimal("30.00"), [Tender.of("wechat", 20, "WX1234567"),
                         Tender.of("cash", 50)], shift_id="…")          # refuses a total that does not match
    back = refund_tenders(session, "S1", "RS1", shift_id="…")            # each tender gets its money back

Every call checks first (core.pos.tenders / core.pos.goods: TenderError / GoodsError, Chinese first) and writes
in one `atomic` block, so a refusal leaves the tables as they were. Sessions are the store's write sessions (the
writer lane on a terminal's file).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.domain import ZERO
from core.pos.goods import Good, GoodsCatalogue, GoodsError, GoodsLine, gtin14
from core.pos.refunds import GoodsBack, goods_back
from core.pos.tenders import (
    ACCOUNTS, Kind, Paid, Payment, Tender, TenderError, TenderTotal, refund, settle_tenders,
    totals,
)
from core.store.base import utcnow
from core.store.models_pos import PosGoodRow, PosGoodsLineRow, PosTenderRow
from core.store.tx import atomic

SALE, REFUND = "sale", "refund"
# a kept sale's tender that carries on what the returned sale's tender paid (a partial return): no new money, no
# refund; `refund_of` names the original row, so the original holds nothing more and a later return of the kept
# sale gives it back from this row
CARRY = "carry"


def _paid(r: PosTenderRow) -> Paid:
    return Paid(Kind(r.kind), r.kept, r.reference, r.tendered, r.change)


def record_tenders(session: Session, sale_key: str, insured_personal: Decimal, local: Decimal,
                   tenders: Iterable[Tender], *, shift_id: str = "", now: dt.datetime | None = None) -> Payment:
    """Check `tenders` against what the sale owes and record them; a sale records its tenders once."""
    payment = settle_tenders(insured_personal, local, tenders)  # TenderError before anything is written
    with atomic(session):
        if session.scalar(select(func.count()).select_from(PosTenderRow).where(PosTenderRow.sale_key == sale_key)):
            raise TenderError(f"小票 {sale_key} 已记录付款", f"sale {sale_key} already has its tenders")
        at = now or utcnow()
        for i, p in enumerate(payment.paid, start=1):
            session.add(PosTenderRow(sale_key=sale_key, seq=i, direction=SALE, kind=p.kind.value, kept=p.kept,
                                     tendered=p.tendered, change=p.change, reference=p.reference, shift_id=shift_id,
                                     at=at))
    return payment


def _sale_rows(session: Session, sale_key: str) -> list[PosTenderRow]:
    return list(session.scalars(select(PosTenderRow).where(PosTenderRow.sale_key == sale_key,
                                                            PosTenderRow.direction.in_((SALE, CARRY)))
                                .order_by(PosTenderRow.seq)))


def _refunded(session: Session, ids: list[int]) -> dict[int, Decimal]:
    if not ids:
        return {}
    rows = session.execute(select(PosTenderRow.refund_of, func.sum(PosTenderRow.kept))
                           .where(PosTenderRow.refund_of.in_(ids)).group_by(PosTenderRow.refund_of)).all()
    return {r[0]: Decimal(r[1]) for r in rows if r[0] is not None}


def sale_payment(session: Session, sale_key: str, *, net_of_refunds: bool = False) -> Payment:
    """The tenders a sale recorded (with `net_of_refunds`, what each still holds after earlier refunds)."""
    rows = _sale_rows(session, sale_key)
    back = _refunded(session, [r.id for r in rows]) if net_of_refunds else {}
    paid = tuple(Paid(Kind(r.kind), r.kept - back.get(r.id, ZERO), r.reference, r.tendered, r.change) for r in rows)
    return Payment(paid, sum((r.change for r in rows), ZERO))


def refund_tenders(session: Session, sale_key: str, return_key: str, amount: Decimal | None = None, *,
                   shift_id: str = "", now: dt.datetime | None = None) -> tuple[Paid, ...]:
    """Give money back to the tenders the sale was paid with (core.pos.tenders.refund: all of what they still
    hold, or `amount` from the last tender first, accounts last) and record each refund against its tender."""
    rows = _sale_rows(session, sale_key)
    back = _refunded(session, [r.id for r in rows])
    holding = [(r, r.kept - back.get(r.id, ZERO)) for r in rows]
    payment = Payment(tuple(Paid(Kind(r.kind), left, r.reference) for r, left in holding), ZERO)
    out = refund(payment, amount)  # TenderError (more than the sale still holds) before anything is written
    # refund() walks the tenders non-accounts first, each in reverse order of payment: the same walk finds the rows
    order = [h for h in reversed(holding) if Kind(h[0].kind) not in ACCOUNTS] + \
            [h for h in reversed(holding) if Kind(h[0].kind) in ACCOUNTS]
    matched: list[tuple[PosTenderRow, Paid]] = []
    todo = list(out)
    for r, left in order:
        if todo and left > ZERO and todo[0].kind.value == r.kind and todo[0].reference == r.reference:
            matched.append((r, todo.pop(0)))
    if todo:  # cannot happen while refund() and the walk agree
        raise TenderError("退款无法对应原付款方式", "refund does not match the sale's tenders")
    with atomic(session):
        at = now or utcnow()
        for i, (r, p) in enumerate(matched, start=1):
            session.add(PosTenderRow(sale_key=return_key, seq=i, direction=REFUND, kind=r.kind, kept=p.kept,
                                     tendered=ZERO, change=ZERO, reference=r.reference, refund_of=r.id,
                                     shift_id=shift_id, at=at))
    return out


def carry_refund(session: Session, sale_key: str, return_key: str, kept_key: str, *, shift_id: str = "",
                 now: dt.datetime | None = None) -> tuple[Paid, ...]:
    """A partial return, once the kept sale recorded its tenders (core.pos.refunds.carry_over chose them out of
    the original's): each kept tender that matches an original one (kind and reference) carries it on (direction
    "carry"), and what an original tender holds beyond that goes back to it (a refund row under `return_key`).
    A kept tender with no original to carry (the centre's figures differed: cash for the rest) stays new money."""
    originals = _sale_rows(session, sale_key)
    back = _refunded(session, [r.id for r in originals])
    holding = {r.id: r.kept - back.get(r.id, ZERO) for r in originals}
    with atomic(session):
        for k in _sale_rows(session, kept_key):
            if k.direction != SALE:
                continue
            for r in originals:
                if r.kind == k.kind and r.reference == k.reference and holding[r.id] >= k.kept:
                    k.direction, k.refund_of = CARRY, r.id
                    holding[r.id] -= k.kept
                    break
        at = now or utcnow()
        order = [r for r in reversed(originals) if Kind(r.kind) not in ACCOUNTS] + \
                [r for r in reversed(originals) if Kind(r.kind) in ACCOUNTS]
        out = []
        for r in order:
            if holding[r.id] > ZERO:
                out.append(Paid(Kind(r.kind), holding[r.id], r.reference))
                session.add(PosTenderRow(sale_key=return_key, seq=len(out), direction=REFUND, kind=r.kind,
                                         kept=holding[r.id], tendered=ZERO, change=ZERO, reference=r.reference,
                                         refund_of=r.id, shift_id=shift_id, at=at))
    return tuple(out)


def refunds_of(session: Session, return_key: str) -> tuple[Paid, ...]:
    rows = session.scalars(select(PosTenderRow).where(PosTenderRow.sale_key == return_key,
                                                      PosTenderRow.direction == REFUND).order_by(PosTenderRow.seq))
    return tuple(_paid(r) for r in rows)


def shift_totals(session: Session, shift_id: str) -> dict[Kind, TenderTotal]:
    """X/Z per tender of one shift: sales (count and amount kept) and refunds, every tender kind."""
    rows = list(session.scalars(select(PosTenderRow).where(PosTenderRow.shift_id == shift_id)
                                .order_by(PosTenderRow.sale_key, PosTenderRow.seq)))
    sales: dict[str, list[Paid]] = {}
    refunds: dict[str, list[Paid]] = {}
    for r in rows:
        if r.direction == CARRY:  # carried on from a returned sale: neither new money nor a refund
            continue
        (sales if r.direction == SALE else refunds).setdefault(r.sale_key, []).append(_paid(r))
    return totals((tuple(v) for v in sales.values()), (tuple(v) for v in refunds.values()))


# ---------------------------------------------------------------------------------------------- goods
def record_goods_lines(session: Session, sale_key: str, lines: Iterable[GoodsLine]) -> Decimal:
    """The goods lines of a sale as sold (name and price of the moment); returns their total."""
    lines = list(lines)
    amounts = [g.amount for g in lines]  # GoodsError (a discount out of range) before anything is written
    for g in lines:
        if g.qty <= 0:
            raise GoodsError(f"{g.good.name} 数量必须大于 0", f"{g.good.name}: quantity must be > 0")
    with atomic(session):
        for i, (g, amount) in enumerate(zip(lines, amounts, strict=True), start=1):
            session.add(PosGoodsLineRow(sale_key=sale_key, line=i, gtin=g.good.gtin, name=g.good.name, qty=g.qty,
                                        price=g.good.price, discount=g.discount, amount=amount, returned=False))
    return sum(amounts, ZERO)


def goods_lines(session: Session, sale_key: str) -> list[PosGoodsLineRow]:
    return list(session.scalars(select(PosGoodsLineRow).where(PosGoodsLineRow.sale_key == sale_key)
                                .order_by(PosGoodsLineRow.line)))


def return_goods(session: Session, sale_key: str, return_key: str, lines: Iterable[int], *, shift_id: str = "",
                 now: dt.datetime | None = None) -> GoodsBack:
    """Goods lines of a sale brought back on their own: checked by core.pos.refunds.goods_back (TenderError
    before anything is written), then in one block the lines are marked returned and their amount goes back to
    the tenders (refund rows under `return_key`, counted by the shift's X/Z as refunds)."""
    rows = goods_lines(session, sale_key)
    chosen = list(lines)
    paid = sale_payment(session, sale_key, net_of_refunds=True).paid
    plan = goods_back(paid, [(r.line, r.amount, r.returned) for r in rows], chosen)
    with atomic(session):
        back = refund_tenders(session, sale_key, return_key, plan.amount, shift_id=shift_id, now=now)
        if back != plan.back:  # refund() walks the others before the accounts: the same split, or a bug
            raise TenderError("商品退款与原付款方式不符", "the goods refund does not match the tenders")
        for r in rows:
            if r.line in plan.lines:
                r.returned = True
    return plan


def mark_goods_returned(session: Session, sale_key: str) -> None:
    with atomic(session):
        for r in goods_lines(session, sale_key):
            r.returned = True


def goods_catalogue(session: Session) -> GoodsCatalogue:
    return GoodsCatalogue(Good(r.gtin, r.name, r.price, r.spec, r.unit) for r in session.scalars(select(PosGoodRow)))


def find_good(session: Session, barcode: str) -> Good:
    """The good of a scanned commodity barcode (GoodsError: bad barcode, or unknown → a supervisor may add it)."""
    r = session.get(PosGoodRow, gtin14(barcode))
    if r is None:
        return GoodsCatalogue().find(barcode)  # raises the "not in the catalogue" error
    return Good(r.gtin, r.name, r.price, r.spec, r.unit)


def quick_add_good(session: Session, barcode: str, name: str, price, *, approver: str, spec: str = "",
                   unit: str = "件", now: dt.datetime | None = None) -> Good:
    """A supervisor's quick-add of an unknown barcode (checks: approver, name, price > 0, check digit, new)."""
    known = session.get(PosGoodRow, gtin14(barcode)) if barcode.strip().isdigit() else None
    catalogue = GoodsCatalogue([Good(known.gtin, known.name, known.price)] if known is not None else [])
    good = catalogue.quick_add(barcode, name, price, approver=approver, spec=spec, unit=unit)
    with atomic(session):
        session.add(PosGoodRow(gtin=good.gtin, name=good.name, price=good.price, spec=good.spec, unit=good.unit,
                               approver=approver, added_at=now or utcnow()))
    return good


__all__ = ["carry_refund", "find_good", "goods_catalogue", "goods_lines", "mark_goods_returned", "quick_add_good",
           "record_goods_lines", "record_tenders", "refund_tenders", "refunds_of", "return_goods", "sale_payment", "shift_totals"]
