"""The one writer of the stock ledger: receive, sell, return, send back, write off and count boxes.

    receipt = receive(session, delivery, products, doc_no="T01-R000001", now=…, today=…)
    facts = sell(session, [SaleBox(code)], doc_no="T01-00000012-1", now=…)       # batch facts for the 3505
    return_sale / supplier_return / write_off / confirm_count …

Each call checks everything first and writes in one `atomic` block: bad input raises StockError (Chinese first,
naming the row and the field) and leaves the ledger as it was. A batch's `units` moves with each box, so that
units == whole boxes on hand × pack size + opened boxes' remainders holds after every call.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from core.stock.domain import (
    CHANGE_KINDS, INBOUND_KINDS, ON_HAND, STATE_NAMES, WHOLE, BatchView, BoxState, CountResult, Delivery, NotInStock, Product, StockError,
    check_delivery, compare_count,
)
from core.store.models_stock import StockBatchRow, StockBoxRow, StockDocRow, StockMoveRow, StockProductRow
from core.store.tx import atomic

CHUNK = 500  # codes per IN (…) query: SQLite's variable limit and PostgreSQL's plan size both stay small


@dataclass(frozen=True)
class SaleBox:
    code: str  # the ledger key (core.stock.domain.box_key)
    units: int | None = None  # None: the whole box; else units from an opened (拆零) box


@dataclass(frozen=True)
class BoxFacts:
    """What the ledger knows of a box: the batch facts a 3505/3506 carries."""

    code: str
    state: str
    drug_key: str
    bchno: str
    lot: str
    manu_date: dt.date
    expiry: dt.date
    units_left: int
    pack_size: int


@dataclass(frozen=True)
class Receipt:
    doc_no: str
    boxes: int
    batches: tuple[BatchView, ...]


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _ensure_products(session: Session, products: Iterable[Product]) -> None:
    for p in products:
        row = session.get(StockProductRow, p.drug_key)
        if row is None:
            session.add(StockProductRow(drug_key=p.drug_key, name=p.name, pack_size=p.pack_size, gtin=p.gtin,
                                        trace_prefix=p.trace_prefix))
        elif row.pack_size != p.pack_size:
            raise StockError(f"药品 {p.name} 的包装数量由 {row.pack_size} 变为 {p.pack_size}，请先盘点处理",
                             f"{p.drug_key}: pack size changed from {row.pack_size} to {p.pack_size}", field="drug_key")
    session.flush()


def _new_doc(session: Session, doc_no: str, kind: str, now: dt.datetime, **values) -> StockDocRow:
    if session.get(StockDocRow, doc_no) is not None:
        raise StockError(f"单据号 {doc_no} 已存在", f"document {doc_no} already exists")
    doc = StockDocRow(doc_no=doc_no, kind=kind, at=now, **{k: v for k, v in values.items() if v is not None})
    for k in ("supplier", "invoice_no", "invoice_code", "change_kind", "operator", "supervisor", "note"):
        if getattr(doc, k) is None:
            setattr(doc, k, "")
    session.add(doc)
    session.flush()
    return doc


def existing_boxes(session: Session, codes: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in _chunks(codes):
        out.update(session.execute(select(StockBoxRow.code, StockBoxRow.state).where(StockBoxRow.code.in_(part))).all())
    return out


def receive(session: Session, delivery: Delivery, products: dict[str, Product], *, doc_no: str, now: dt.datetime,
            today: dt.date, operator: str = "", transfer: bool = False, supervisor: str = "") -> Receipt:
    """入库: every box of the delivery in stock, one batch per (product, lot, dates, price), or nothing. With
    `transfer` the boxes come from another branch of the chain (调拨入库: a change document, uploaded as 3502)."""
    boxes = check_delivery(delivery, products, today)
    rows = {b.code: (i, b) for i, b in enumerate(boxes)}
    known = existing_boxes(session, list(rows))
    # a box sent back to the supplier may be delivered again; a box that left this branch (调拨出库, written off)
    # may come back by 调拨入库 only — the centre checks it is in transit to here (server stock_transfer)
    again = {BoxState.SUPPLIER_RETURNED} | ({BoxState.WRITTEN_OFF} if transfer else set())
    for code, state in known.items():
        if state not in again:
            pos = rows[code][0]
            line = delivery.lines[pos]
            shown = STATE_NAMES.get(state, state)
            raise StockError(f"该盒已入库（{shown}）：{code}", f"box {code} is already in the ledger ({state})",
                             row=line.row if line.row is not None else pos + 1, field="code")
    with atomic(session):
        _ensure_products(session, (products[k] for k in sorted({b.drug_key for b in boxes})))
        _new_doc(session, doc_no, "transfer_in" if transfer else "receipt", now, supplier=delivery.supplier,
                 invoice_no=delivery.invoice_no, invoice_code=delivery.invoice_code, operator=operator,
                 note=delivery.note, change_kind="transfer_in" if transfer else None, supervisor=supervisor or None)
        groups: dict[tuple, list] = defaultdict(list)
        for b in boxes:
            groups[(b.drug_key, b.lot, b.manu_date, b.expiry, b.price)].append(b)
        views = []
        box_rows, move_rows = [], []
        for n, ((drug, lot, made, expiry, price), members) in enumerate(groups.items(), start=1):
            pack = products[drug].pack_size
            batch = StockBatchRow(drug_key=drug, bchno=f"{doc_no}-{n:02d}"[:30], lot=lot, manu_date=made,
                                  expiry=expiry, supplier=delivery.supplier, price=price, doc_no=doc_no,
                                  units=pack * len(members), received_at=now)
            session.add(batch)
            session.flush()
            for b in members:
                if b.code in known:
                    session.execute(update(StockBoxRow).where(StockBoxRow.code == b.code).values(
                        batch_id=batch.id, state=BoxState.IN_STOCK.value, units_left=pack, updated_at=now))
                else:
                    box_rows.append({"code": b.code, "batch_id": batch.id, "state": BoxState.IN_STOCK.value,
                                     "units_left": pack, "updated_at": now})
                move_rows.append({"at": now, "kind": "transfer_in" if transfer else "receive", "code": b.code, "batch_id": batch.id, "units": pack,
                                  "state": BoxState.IN_STOCK.value, "doc_no": doc_no, "operator": operator})
            views.append(_view(batch, len(members)))
        if box_rows:
            session.execute(insert(StockBoxRow), box_rows)
        session.execute(insert(StockMoveRow), move_rows)
    return Receipt(doc_no, len(boxes), tuple(views))


def _view(b: StockBatchRow, boxes: int) -> BatchView:
    return BatchView(b.id, b.drug_key, b.bchno, b.lot, b.manu_date, b.expiry, b.units, boxes, b.supplier, b.price)


def facts(session: Session, codes: list[str]) -> dict[str, BoxFacts]:
    """The ledger's facts of these boxes (any state); a code the ledger never saw is absent."""
    out: dict[str, BoxFacts] = {}
    for part in _chunks(list(dict.fromkeys(codes))):
        q = (select(StockBoxRow.code, StockBoxRow.state, StockBoxRow.units_left, StockBatchRow.drug_key,
                    StockBatchRow.bchno, StockBatchRow.lot, StockBatchRow.manu_date, StockBatchRow.expiry,
                    StockProductRow.pack_size)
             .join(StockBatchRow, StockBatchRow.id == StockBoxRow.batch_id)
             .join(StockProductRow, StockProductRow.drug_key == StockBatchRow.drug_key)
             .where(StockBoxRow.code.in_(part)))
        for r in session.execute(q):
            out[r.code] = BoxFacts(r.code, r.state, r.drug_key, r.bchno, r.lot, r.manu_date, r.expiry, r.units_left,
                                   r.pack_size)
    return out


def _apply(session: Session, moves: list[tuple[BoxFacts, str, int, int]], *, kind: str, doc_no: str,
           now: dt.datetime, operator: str) -> None:
    """moves: (box, new state, new units_left, batch units delta) — written with their movement rows."""
    batch_delta: dict[str, int] = defaultdict(int)
    move_rows = []
    ids = dict(session.execute(select(StockBatchRow.bchno, StockBatchRow.id)
                               .where(StockBatchRow.bchno.in_({m[0].bchno for m in moves}))).all())
    for box, state, left, delta in moves:
        session.execute(update(StockBoxRow).where(StockBoxRow.code == box.code)
                        .values(state=state, units_left=left, updated_at=now))
        batch_delta[box.bchno] += delta
        move_rows.append({"at": now, "kind": kind, "code": box.code, "batch_id": ids[box.bchno], "units": delta,
                          "state": state, "doc_no": doc_no, "operator": operator})
    for bchno, delta in batch_delta.items():
        if delta:
            session.execute(update(StockBatchRow).where(StockBatchRow.bchno == bchno)
                            .values(units=StockBatchRow.units + delta))
    if move_rows:
        session.execute(insert(StockMoveRow), move_rows)


def sell(session: Session, items: list[SaleBox], *, doc_no: str, now: dt.datetime, operator: str = "",
         allow_unknown: bool = False, skip_not_on_hand: bool = False) -> dict[str, BoxFacts]:
    """A sale takes its boxes (or units of an opened box) off the shelf. A box the ledger never received is
    allowed only with `allow_unknown` (the supervisor's override, "未入库的药品") and changes nothing; with
    `skip_not_on_hand` (a settled sale being recorded: the desk warned at the scan) neither does a box that is
    not on hand."""
    known = facts(session, [i.code for i in items])
    if skip_not_on_hand:
        items = [i for i in items if i.code in known and known[i.code].state in ON_HAND
                 and (i.units is not None or known[i.code].state in WHOLE)
                 and (i.units is None or i.units <= known[i.code].units_left)]
        allow_unknown = True
    moves = []
    seen: set[str] = set()
    for i in items:
        if i.code in seen:
            raise StockError(f"同一盒重复：{i.code}", f"the same box twice: {i.code}", field="code")
        seen.add(i.code)
        box = known.get(i.code)
        if box is None:
            if allow_unknown:
                continue
            raise NotInStock(i.code, None)
        state = BoxState(box.state)
        if i.units is None:
            if state not in WHOLE:
                raise NotInStock(i.code, box.state)
            moves.append((box, BoxState.SOLD.value, 0, -box.units_left))
            continue
        if state not in ON_HAND:
            raise NotInStock(i.code, box.state)
        if not isinstance(i.units, int) or i.units <= 0:
            raise StockError("拆零数量无效", "split units must be positive", field="units")
        if i.units > box.units_left:
            raise StockError(f"拆零数量 {i.units} 超过该盒剩余 {box.units_left}：{i.code}",
                             f"{i.units} units exceed the {box.units_left} left in {i.code}", field="units")
        left = box.units_left - i.units
        moves.append((box, BoxState.SOLD.value if left == 0 else BoxState.OPENED.value, left, -i.units))
    with atomic(session):
        _new_doc(session, doc_no, "sale", now, operator=operator)
        _apply(session, moves, kind="sell", doc_no=doc_no, now=now, operator=operator)
    return known


def return_sale(session: Session, items: list[SaleBox], *, doc_no: str, now: dt.datetime, operator: str = "",
                lenient: bool = False) -> None:
    """销售退货: sold boxes (or units of a split box) back on the shelf; boxes the ledger never had are skipped
    (with `lenient`, so is a box in another state: the sale's return must not fail on the ledger)."""
    known = facts(session, [i.code for i in items])
    moves = []
    for i in items:
        box = known.get(i.code)
        if box is None:
            continue
        if lenient and (box.state not in (BoxState.SOLD, BoxState.OPENED)
                        or box.units_left + (i.units or box.pack_size) > box.pack_size):
            continue
        if i.units is None:
            if box.state != BoxState.SOLD:
                raise StockError(f"该盒未售出，不能退货：{i.code}", f"box {i.code} was not sold", field="code")
            moves.append((box, BoxState.RETURNED.value, box.pack_size, box.pack_size))
            continue
        if box.state not in (BoxState.SOLD, BoxState.OPENED) or box.units_left + i.units > box.pack_size:
            raise StockError(f"拆零退货数量无效：{i.code}", f"split return does not fit box {i.code}", field="units")
        left = box.units_left + i.units
        moves.append((box, BoxState.RETURNED.value if left == box.pack_size else BoxState.OPENED.value, left, i.units))
    with atomic(session):
        _new_doc(session, doc_no, "sale_return", now, operator=operator)
        _apply(session, moves, kind="sale_return", doc_no=doc_no, now=now, operator=operator)


def _take_whole_or_open(session: Session, codes: list[str], *, whole_only: bool) -> list[BoxFacts]:
    known = facts(session, codes)
    out = []
    if len(set(codes)) != len(codes):
        dup = next(c for c in codes if codes.count(c) > 1)
        raise StockError(f"同一盒扫描了两次：{dup}", f"the same box twice: {dup}", field="code")
    for pos, code in enumerate(codes, start=1):
        box = known.get(code)
        if box is None:
            raise StockError(f"未入库的药品：{code}", f"box {code} was never received", row=pos, field="code")
        allowed = WHOLE if whole_only else ON_HAND
        if BoxState(box.state) not in allowed:
            raise StockError(f"该盒不在库或已拆零（{box.state}）：{code}", f"box {code} is {box.state}", row=pos,
                             field="code")
        out.append(box)
    if not out:
        raise StockError("没有扫描任何药品", "no boxes")
    return out


def supplier_return(session: Session, codes: list[str], *, doc_no: str, supplier: str, now: dt.datetime,
                    operator: str = "", invoice_no: str = "", note: str = "") -> list[BoxFacts]:
    """采购退货: whole boxes back to the supplier (an opened box cannot go back)."""
    boxes = _take_whole_or_open(session, codes, whole_only=True)
    if not supplier.strip():
        raise StockError("请填写供应商", "supplier is empty", field="supplier")
    with atomic(session):
        _new_doc(session, doc_no, "supplier_return", now, supplier=supplier, invoice_no=invoice_no, operator=operator,
                 note=note)
        _apply(session, [(b, BoxState.SUPPLIER_RETURNED.value, 0, -b.units_left) for b in boxes],
               kind="supplier_return", doc_no=doc_no, now=now, operator=operator)
    return boxes


def write_off(session: Session, codes: list[str], *, change_kind: str, doc_no: str, now: dt.datetime,
              operator: str = "", supervisor: str = "", note: str = "") -> list[BoxFacts]:
    """库存变更 (报损, 过期, 调拨出库, 盘亏): boxes on hand leave the ledger; the supervisor is named on the document."""
    if change_kind not in CHANGE_KINDS or change_kind in INBOUND_KINDS:
        raise StockError(f"未知的变更类型：{change_kind}", f"unknown change kind {change_kind}")
    if not supervisor:
        raise StockError("库存变更须主管确认", "a stock change needs a supervisor", field="supervisor")
    boxes = _take_whole_or_open(session, codes, whole_only=False)
    with atomic(session):
        _new_doc(session, doc_no, "change", now, change_kind=change_kind, operator=operator, supervisor=supervisor,
                 note=note)
        _apply(session, [(b, BoxState.WRITTEN_OFF.value, 0, -b.units_left) for b in boxes], kind=change_kind,
               doc_no=doc_no, now=now, operator=operator)
    return boxes


def undo_docs(session: Session, bchnos: list[str], kinds: tuple[str, ...], *, doc_no: str, now: dt.datetime,
              operator: str = "", supervisor: str = "") -> list[str]:
    """The local mirror of the centre's 3507 (信息删除): every live document of these kinds is undone on these
    batches, newest movement first, by the opposite movement — as the centre undoes the batch's documents of that
    data type — so that the ledger and the centre agree after the upload is deleted. A box that moved since (sold
    after its receipt) refuses the whole undo with nothing written, as the centre does. Returns the documents
    whose every movement is now undone (they are marked deleted)."""
    if not supervisor:
        raise StockError("删除上传须主管确认", "undoing an upload needs a supervisor", field="supervisor")
    ids = dict(session.execute(select(StockBatchRow.id, StockBatchRow.bchno)
                               .where(StockBatchRow.bchno.in_(bchnos))).all())
    live = list(session.execute(
        select(StockMoveRow).join(StockDocRow, StockDocRow.doc_no == StockMoveRow.doc_no)
        .where(StockDocRow.kind.in_(kinds), StockDocRow.deleted_at.is_(None), StockMoveRow.batch_id.in_(list(ids)))
        .order_by(StockMoveRow.id.desc())).scalars())
    if not live:
        raise StockError("没有可撤销的库存变动", "nothing to undo on these batches")
    # each box's effective movements: an "undo" movement cancels the latest one not yet cancelled
    stacks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for part in _chunks(list({m.code for m in live})):
        for mid, code, kind, after in session.execute(
                select(StockMoveRow.id, StockMoveRow.code, StockMoveRow.kind, StockMoveRow.state)
                .where(StockMoveRow.code.in_(part)).order_by(StockMoveRow.id)):
            if kind == "undo":
                if stacks[code]:
                    stacks[code].pop()
            else:
                stacks[code].append((mid, after))
    effective = {mid for st in stacks.values() for mid, _ in st}
    live = [m for m in live if m.id in effective]
    if not live:
        raise StockError("没有可撤销的库存变动", "nothing to undo on these batches")
    cur: dict[str, tuple[str | None, int]] = {c: (st, left) for c, st, left in session.execute(
        select(StockBoxRow.code, StockBoxRow.state, StockBoxRow.units_left)
        .where(StockBoxRow.code.in_(list(stacks))))}
    plan = []  # (move, previous state or None: the box was never received before, previous units left)
    for m in live:
        state, left = cur.get(m.code, (None, 0))
        stack = stacks[m.code]
        if stack[-1][0] != m.id or state != m.state:
            raise StockError(f"该盒此后已有变动（{STATE_NAMES.get(state or '', state or '无')}），请先撤销后续变动：{m.code}",
                             f"box {m.code} moved since; undo that first", field="code")
        stack.pop()  # an earlier move of the same box (a receipt after its return to the supplier) may follow
        before = stack[-1][1] if stack else None
        plan.append((m, before, left - m.units))
        cur[m.code] = (before, left - m.units)
    with atomic(session):
        _new_doc(session, doc_no, "undo", now, operator=operator, supervisor=supervisor,
                 note="撤销 " + ", ".join(dict.fromkeys(m.doc_no for m in live)))
        batch_delta: dict[int, int] = defaultdict(int)
        rows = []
        for m, prev, left in plan:
            if prev is None:  # undoing its receipt: the ledger never had the box
                session.execute(delete(StockBoxRow).where(StockBoxRow.code == m.code))
            else:
                session.execute(update(StockBoxRow).where(StockBoxRow.code == m.code)
                                .values(state=prev, units_left=left, updated_at=now))
            batch_delta[m.batch_id] -= m.units
            rows.append({"at": now, "kind": "undo", "code": m.code, "batch_id": m.batch_id, "units": -m.units,
                         "state": prev or BoxState.RECEIVED.value, "doc_no": doc_no, "operator": operator})
        for batch_id, delta in batch_delta.items():
            if delta:
                session.execute(update(StockBatchRow).where(StockBatchRow.id == batch_id)
                                .values(units=StockBatchRow.units + delta))
        session.execute(insert(StockMoveRow), rows)
        touched = list(dict.fromkeys(m.doc_no for m in live))
        remaining = effective - {m.id for m in live}
        done = [d for d in touched if not any(i in remaining for i in session.scalars(
            select(StockMoveRow.id).where(StockMoveRow.doc_no == d)))]
        if done:
            session.execute(update(StockDocRow).where(StockDocRow.doc_no.in_(done)).values(deleted_at=now))
    return done


def on_hand_codes(session: Session, drug_key: str | None = None) -> frozenset[str]:
    q = select(StockBoxRow.code).where(StockBoxRow.state.in_([s.value for s in ON_HAND]))
    if drug_key:
        q = q.join(StockBatchRow, StockBatchRow.id == StockBoxRow.batch_id).where(StockBatchRow.drug_key == drug_key)
    return frozenset(session.scalars(q))


def count(session: Session, scanned: list[str], drug_key: str | None = None) -> CountResult:
    """盘点: the shelf's scans against the ledger (read only; confirm_count writes the outcome)."""
    return compare_count(on_hand_codes(session, drug_key), scanned)


def confirm_count(session: Session, result: CountResult, *, doc_no: str, now: dt.datetime, supervisor: str,
                  operator: str = "") -> None:
    """The supervisor confirms a count: missing boxes are written off (盘亏); the count document records it."""
    if not supervisor:
        raise StockError("盘点结果须主管确认", "a count needs a supervisor", field="supervisor")
    boxes = _take_whole_or_open(session, list(result.missing), whole_only=False) if result.missing else []
    with atomic(session):
        _new_doc(session, doc_no, "count", now, operator=operator, supervisor=supervisor,
                 note=f"matched {len(result.matched)} missing {len(result.missing)} extra {len(result.extra)}")
        _apply(session, [(b, BoxState.WRITTEN_OFF.value, 0, -b.units_left) for b in boxes], kind="count_loss",
               doc_no=doc_no, now=now, operator=operator)


def batches(session: Session, drug_key: str | None = None, *, with_stock_only: bool = True) -> list[BatchView]:
    """Stock on hand by batch (with whole boxes counted), oldest expiry first."""
    whole = (select(StockBoxRow.batch_id, func.count().label("n"))
             .where(StockBoxRow.state.in_([s.value for s in ON_HAND])).group_by(StockBoxRow.batch_id).subquery())
    q = (select(StockBatchRow, func.coalesce(whole.c.n, 0)).outerjoin(whole, whole.c.batch_id == StockBatchRow.id)
         .order_by(StockBatchRow.expiry, StockBatchRow.id))
    if drug_key:
        q = q.where(StockBatchRow.drug_key == drug_key)
    if with_stock_only:
        q = q.where(StockBatchRow.units > 0)
    return [_view(b, int(n)) for b, n in session.execute(q)]


def summary(session: Session, drug_keys: Iterable[str]) -> dict[str, tuple[int, int, dt.date]]:
    """drug -> (whole boxes on hand, batches with stock, earliest expiry) for the drug search; absent: none."""
    keys = list(dict.fromkeys(drug_keys))
    if not keys:
        return {}
    q = (select(StockBatchRow.drug_key, func.count(StockBoxRow.code), func.count(func.distinct(StockBatchRow.id)),
                func.min(StockBatchRow.expiry))
         .join(StockBoxRow, StockBoxRow.batch_id == StockBatchRow.id)
         .where(StockBatchRow.drug_key.in_(keys), StockBoxRow.state.in_([s.value for s in ON_HAND]))
         .group_by(StockBatchRow.drug_key))
    return {k: (int(n), int(b), e) for k, n, b, e in session.execute(q)}


def near_expiry(session: Session, today: dt.date, days: int) -> list[BatchView]:
    return [b for b in batches(session) if b.expiry <= today + dt.timedelta(days=days)]


@dataclass(frozen=True)
class Movement:
    at: dt.datetime
    kind: str
    doc_no: str
    code: str
    drug_key: str
    bchno: str
    lot: str
    units: int
    state: str


def movements(session: Session, since: dt.datetime, until: dt.datetime) -> list[Movement]:
    """The movement ledger (进销存台账) of a period, oldest first."""
    q = (select(StockMoveRow, StockBatchRow.drug_key, StockBatchRow.bchno, StockBatchRow.lot)
         .join(StockBatchRow, StockBatchRow.id == StockMoveRow.batch_id)
         .where(StockMoveRow.at >= since, StockMoveRow.at < until).order_by(StockMoveRow.id))
    return [Movement(m.at, m.kind, m.doc_no, m.code, d, b, lot, m.units, m.state) for m, d, b, lot in session.execute(q)]


@dataclass(frozen=True)
class DocLine:
    """One batch of a document with its boxes: one upload node (3501–3504) each."""

    bchno: str
    drug_key: str
    lot: str
    manu_date: dt.date
    expiry: dt.date
    price: Decimal
    pack_size: int
    codes: tuple[str, ...]
    units: int  # sum of the moves (signed)


def doc_lines(session: Session, doc_no: str) -> list[DocLine]:
    q = (select(StockMoveRow.code, StockMoveRow.units, StockBatchRow, StockProductRow.pack_size)
         .join(StockBatchRow, StockBatchRow.id == StockMoveRow.batch_id)
         .join(StockProductRow, StockProductRow.drug_key == StockBatchRow.drug_key)
         .where(StockMoveRow.doc_no == doc_no).order_by(StockMoveRow.id))
    groups: dict[str, list] = {}
    for code, units, batch, pack in session.execute(q):
        g = groups.setdefault(batch.bchno, [batch, pack, [], 0])
        g[2].append(code)
        g[3] += units
    return [DocLine(b.bchno, b.drug_key, b.lot, b.manu_date, b.expiry, b.price, pack, tuple(codes), units)
            for b, pack, codes, units in groups.values()]


def check_invariant(session: Session) -> list[str]:
    """Batches whose units differ from whole boxes × pack + remainders (empty when the ledger is sound)."""
    sums = dict(session.execute(
        select(StockBoxRow.batch_id, func.sum(StockBoxRow.units_left))
        .where(StockBoxRow.state.in_([s.value for s in ON_HAND])).group_by(StockBoxRow.batch_id)).all())
    return [f"{b.bchno}: {b.units} != {int(sums.get(b.id) or 0)}" for b in session.scalars(select(StockBatchRow))
            if b.units != int(sums.get(b.id) or 0)]


__all__ = [
    "BoxFacts", "DocLine", "Movement", "Receipt", "SaleBox", "batches", "check_invariant", "confirm_count", "count",
    "doc_lines", "existing_boxes", "facts", "movements", "near_expiry", "on_hand_codes", "receive", "return_sale",
    "sell", "summary", "supplier_return", "undo_docs", "write_off",
]
