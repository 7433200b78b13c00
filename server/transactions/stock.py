"""3501 盘存, 3502 库存变更, 3503 采购, 3504 采购退货, 3507 信息删除 — the pharmacies' stock as the centre keeps it.

Each accepted document is kept (centre_stock_doc) with what it changed: the batch's stock (centre_stock_level)
and the state of each box code at that pharmacy (centre_stock_code). 3507 undoes the live documents of a batch
and data type, newest first, when nothing later depends on their boxes. The sale uploads (3505/3506,
server/transactions/trace.py) move the same stock through `on_sale` / `on_sale_return`; with the centre setting
`stock.require_receipt` ("1" for all, or `stock.require_receipt.<code>` per pharmacy) a sale of a box the
pharmacy never reported received (3503) is refused. 调拨 between branches of one chain (3502 103 out, 201 in) is
checked against where each box's code chain says it is: server/transactions/stock_transfer.py.

Quantities are in the node's own unit (boxes, or units for a split change, trdn_flag 1); the client sends boxes
for whole boxes, as the national lists do. Like the client's ledger (core.store.stock), the centre keeps each
batch's boxes on hand (whole and opened, qty) and its units (whole boxes × pack size + the opened boxes'
remainders, units), and each opened box's remainder (centre_stock_code.units_left), so that a split sale and a
split write-off reduce the stock by what left the shelf; 3508 answers both (inv_cnt, inv_units).
"""
from __future__ import annotations

import json
from decimal import Decimal

from pydantic import Field
from sqlalchemy import select, update

from server import db, reference
from server.envelope import PlatformError
from server.models import setting
from server.models_stock import stock_code, stock_doc, stock_level
from server.transactions import Input, transaction
from server.transactions import stock_transfer as transfer

IN_STOCK, OPENED, SOLD = "in_stock", "opened", "sold"
SUPPLIER_RETURNED, WRITTEN_OFF = "supplier_returned", "written_off"
ON_HAND = (IN_STOCK, OPENED)
# inv_chg_type of changes that bring boxes in (调拨入库, 盘盈, 其他入库); every other type takes them out
INBOUND_CHANGES = frozenset({"201", "202", "299"})
DATA_TYPES = {"1": ("3501",), "2": ("3502",), "3": ("3503", "3504"), "4": ("3505", "3506")}


class TraceNode(Input):
    drug_trac_codg: str = Field(min_length=1, max_length=100)


class _Goods(Input):
    med_list_codg: str = Field(min_length=1, max_length=50)
    fixmedins_hilist_id: str = Field(min_length=1, max_length=64)
    fixmedins_hilist_name: str = Field(default="", max_length=200)
    fixmedins_bchno: str = Field(min_length=1, max_length=40)
    rx_flag: str = Field(default="1", max_length=3)
    manu_lotnum: str = Field(default="", max_length=30)
    manu_date: str = Field(default="", max_length=10)
    expy_end: str = Field(default="", max_length=10)
    memo: str = Field(default="", max_length=500)
    drugtracinfo: list[TraceNode] = Field(default_factory=list, max_length=2000)

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(t.drug_trac_codg for t in self.drugtracinfo))


class CountNode(_Goods):
    invdate: str = Field(min_length=10, max_length=19)
    inv_cnt: Decimal = Field(ge=0)


class ChangeNode(_Goods):
    inv_chg_type: str = Field(min_length=1, max_length=6)
    pric: Decimal | None = None
    cnt: Decimal = Field(gt=0)
    inv_chg_time: str = Field(min_length=10, max_length=19)
    inv_chg_opter_name: str = Field(default="", max_length=50)
    trdn_flag: str = Field(default="0", pattern="^[01]$")


class PurchaseNode(_Goods):
    dynt_no: str = Field(default="", max_length=40)
    spler_name: str = Field(min_length=1, max_length=200)
    spler_pmtno: str = Field(default="", max_length=50)
    prodentp_name: str = Field(default="", max_length=200)
    aprvno: str = Field(default="", max_length=100)
    finl_trns_pric: Decimal | None = None
    purc_retn_cnt: Decimal = Field(gt=0)
    purc_invo_codg: str = Field(default="", max_length=50)
    purc_invo_no: str = Field(default="", max_length=50)
    purc_retn_stoin_time: str = Field(min_length=10, max_length=19)
    purc_retn_opter_name: str = Field(default="", max_length=50)
    prod_geay_flag: str = Field(default="", max_length=3)


class CountInput(Input):
    invinfo: CountNode


class ChangeInput(Input):
    invinfo: ChangeNode


class PurchaseInput(Input):
    purcinfo: PurchaseNode


class DeleteNode(Input):
    fixmedins_bchno: str = Field(min_length=1, max_length=40)
    inv_data_type: str = Field(pattern="^[1-4]$")


class DeleteInput(Input):
    data: DeleteNode


def _drug(ctx, node: _Goods):
    return reference.catalogue(ctx.centre, ctx.conn).resolve(node.med_list_codg, node.fixmedins_hilist_id)


def _level(ctx, bchno: str):
    return ctx.conn.execute(select(stock_level).where(stock_level.c.fixmedins_code == ctx.code,
                                                      stock_level.c.fixmedins_bchno == bchno)).first()


def _pack(drug) -> int:
    return max(int(drug.pack_size or 1), 1)


def _units_of(row, pack: int) -> Decimal:
    """A batch's units on hand (a row from before c0302 knew whole boxes only)."""
    return Decimal(row.units) if row.units is not None else Decimal(row.qty) * pack


def _boxes_for(units: Decimal, pack: int) -> Decimal:
    """The fewest boxes that hold these units (a split change without codes does not say which box it opened)."""
    return Decimal(-(-int(units) // pack)) if units > 0 else Decimal("0")


def _move_level(ctx, node: _Goods, drug, *, delta: Decimal | None = None, absolute: Decimal | None = None,
                units: Decimal | None = None, units_absolute: Decimal | None = None,
                fit: str = "") -> tuple[Decimal, Decimal]:
    """Apply a change to the batch's stock — boxes (whole and opened) and units (whole boxes × pack + the opened
    boxes' remainders); returns (boxes, units) before it. `fit` ("down"/"up"): the boxes follow the units (a split
    change without codes)."""
    pack = _pack(drug)
    row = _level(ctx, node.fixmedins_bchno)
    before = Decimal(row.qty) if row is not None else Decimal("0")
    units_before = _units_of(row, pack) if row is not None else Decimal("0")
    units_after = units_absolute if units_absolute is not None else units_before + (units or Decimal("0"))
    after = absolute if absolute is not None else before + (delta or Decimal("0"))
    if fit == "down":
        after = min(after, _boxes_for(units_after, pack))
    elif fit == "up":
        after = max(after, _boxes_for(units_after, pack))
    if after < 0 or units_after < 0:
        change = f"{(delta or 0):f}" if units is None else f"{units:f} 单位"
        raise PlatformError(f"fixmedins_bchno {node.fixmedins_bchno}: 库存不足（现有 {before.normalize():f} 盒 "
                            f"{units_before.normalize():f} 单位，变动 {change}）/ stock would go negative")
    values = dict(qty=after, units=units_after, updated_at=ctx.now_text)
    if row is None:
        ctx.conn.execute(stock_level.insert().values(
            fixmedins_code=ctx.code, fixmedins_bchno=node.fixmedins_bchno, drug_key=drug.key,
            med_list_codg=node.med_list_codg, drug_name=drug.name, manu_lotnum=node.manu_lotnum,
            manu_date=node.manu_date[:10], expy_end=node.expy_end[:10], **values))
    else:
        if row.drug_key != drug.key:
            raise PlatformError(f"fixmedins_bchno {node.fixmedins_bchno} 属于药品 {row.drug_key}，不是 {drug.key} / "
                                f"the batch belongs to another drug")
        if node.manu_lotnum:
            values.update(manu_lotnum=node.manu_lotnum)
        if node.expy_end:
            values.update(expy_end=node.expy_end[:10])
        ctx.conn.execute(update(stock_level).where(stock_level.c.fixmedins_code == ctx.code,
                                                   stock_level.c.fixmedins_bchno == node.fixmedins_bchno).values(**values))
    return before, units_before


def _code_rows(ctx, codes: list[str]) -> dict[str, tuple[str, int | None]]:
    """code -> (state, units left of an opened box or None) at this pharmacy."""
    out: dict[str, tuple[str, int | None]] = {}
    for i in range(0, len(codes), 500):
        part = codes[i:i + 500]
        out.update((c, (st, left)) for c, st, left in ctx.conn.execute(
            select(stock_code.c.code, stock_code.c.state, stock_code.c.units_left).where(
                stock_code.c.fixmedins_code == ctx.code, stock_code.c.code.in_(part))).all())
    return out


def _code_states(ctx, codes: list[str]) -> dict[str, str]:
    return {c: st for c, (st, _left) in _code_rows(ctx, codes).items()}


def _on_hand_units(state: str | None, left: int | None, pack: int) -> int:
    """Units a box holds at the centre: an opened box its remainder, any other a whole box."""
    return int(left) if state == OPENED and left is not None else pack


def _put_code(ctx, code: str, known: bool, state: str, left: int | None, node: _Goods, drug) -> None:
    if known:
        ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code, stock_code.c.code == code)
                         .values(state=state, units_left=left, fixmedins_bchno=node.fixmedins_bchno, drug_key=drug.key,
                                 at=ctx.now_text))
    else:
        ctx.conn.execute(stock_code.insert().values(fixmedins_code=ctx.code, code=code, state=state, units_left=left,
                                                    fixmedins_bchno=node.fixmedins_bchno, drug_key=drug.key,
                                                    at=ctx.now_text))


def _set_codes(ctx, codes: list[str], state: str, node: _Goods, drug, *, allowed_from: tuple, verb: str) -> dict:
    """Move the boxes to `state` (as whole boxes); every box must come from one of `allowed_from` (None: unknown
    here). Returns {code: [previous state, state, previous units left]} for 3507."""
    db.lock_trace_codes(ctx.conn, codes)
    known = _code_rows(ctx, codes)
    for code in codes:
        now = known.get(code, (None, None))[0]
        if now not in allowed_from:
            shown = now or "未入库 never received"
            raise PlatformError(f"drugtracinfo {code}: 不能{verb}（当前 {shown}）/ box cannot be {state} from {shown}")
    for code in codes:
        _put_code(ctx, code, code in known, state, None, node, drug)
    return {c: [*known.get(c, (None, None))[:1], state, known.get(c, (None, None))[1]] for c in codes}


def _record(ctx, node: _Goods, drug, *, delta: Decimal, units: Decimal, prev_qty: Decimal | None,
            codes: dict) -> None:
    ctx.conn.execute(stock_doc.insert().values(
        fixmedins_code=ctx.code, infno=ctx.env.infno, msgid=ctx.env.msgid, fixmedins_bchno=node.fixmedins_bchno,
        drug_key=drug.key, med_list_codg=node.med_list_codg, delta=delta, units_delta=units, prev_qty=prev_qty,
        codes=json.dumps(codes, ensure_ascii=False), node=node.model_dump_json(), at=ctx.now_text))
    ctx.journal(f"stock.{ctx.env.infno}", {"bchno": node.fixmedins_bchno, "drug": drug.key, "delta": str(delta),
                                           "units": str(units), "codes": len(codes)})


def _dates(node: _Goods) -> None:
    if node.manu_date and node.expy_end and node.expy_end[:10] <= node.manu_date[:10]:
        raise PlatformError(f"expy_end {node.expy_end}: 有效期早于生产日期 {node.manu_date} / expiry before manufacture")


@transaction("3501", "盘存", CountInput)
def stock_count(ctx, inp: CountInput) -> dict:
    node = inp.invinfo
    drug = _drug(ctx, node)
    pack = _pack(drug)
    codes = node.codes
    if codes and Decimal(len(codes)) != node.inv_cnt:
        raise PlatformError(f"inv_cnt {node.inv_cnt:g} 与追溯码数 {len(codes)} 不符 / count and codes differ")
    moved: dict = {}
    units_abs = node.inv_cnt * pack
    if codes:
        db.lock_trace_codes(ctx.conn, codes)
        known = _code_rows(ctx, codes)
        for code in codes:
            if known.get(code, (None,))[0] not in (None, *ON_HAND):
                raise PlatformError(f"drugtracinfo {code}: 不能盘存（当前 {known[code][0]}）/ box cannot be counted in")
        units_abs = Decimal("0")
        for code in codes:
            state, left = known.get(code, (None, None))
            # an opened box counted on the shelf keeps its remainder
            after, after_left = (OPENED, left) if state == OPENED else (IN_STOCK, None)
            _put_code(ctx, code, code in known, after, after_left, node, drug)
            moved[code] = [state, after, left]
            units_abs += _on_hand_units(after, after_left, pack)
        # a count that lists its boxes is the whole shelf of the batch: boxes on hand it does not list are gone (盘亏)
        gone = [(c, st, left) for c, st, left in ctx.conn.execute(
            select(stock_code.c.code, stock_code.c.state, stock_code.c.units_left).where(
                stock_code.c.fixmedins_code == ctx.code, stock_code.c.fixmedins_bchno == node.fixmedins_bchno,
                stock_code.c.state.in_(ON_HAND))) if c not in moved]
        for code, state, left in gone:
            ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code, stock_code.c.code == code)
                             .values(state=WRITTEN_OFF, units_left=None, at=ctx.now_text))
            moved[code] = [state, WRITTEN_OFF, left]
    before, units_before = _move_level(ctx, node, drug, absolute=node.inv_cnt, units_absolute=units_abs)
    _record(ctx, node, drug, delta=node.inv_cnt - before, units=units_abs - units_before, prev_qty=before, codes=moved)
    return {"retRslt": "1", "msgRslt": "成功", "fixmedins_bchno": node.fixmedins_bchno, "inv_cnt": str(node.inv_cnt)}


@transaction("3502", "库存变更", ChangeInput)
def stock_change(ctx, inp: ChangeInput) -> dict:
    """Whole boxes (trdn_flag 0: cnt boxes, one code each) or units (拆零, trdn_flag 1: cnt units, with the codes
    of the boxes they leave in — an opened box's remainder and any whole boxes beside it)."""
    node = inp.invinfo
    drug = _drug(ctx, node)
    pack = _pack(drug)
    inbound = node.inv_chg_type in INBOUND_CHANGES
    split = node.trdn_flag == "1"
    sign = 1 if inbound else -1
    codes = node.codes
    if codes and not split and Decimal(len(codes)) != node.cnt:
        raise PlatformError(f"cnt {node.cnt:g} 与追溯码数 {len(codes)} 不符（一盒一码）/ one code per box")
    if split and node.cnt != int(node.cnt):
        raise PlatformError(f"cnt {node.cnt:g}: 拆零数量须为整数个最小单位 / split units must be whole")
    moved: dict = {}
    units = node.cnt if split else node.cnt * pack
    sent: dict[str, str] = {}
    if inbound and node.inv_chg_type == transfer.TRANSFER_IN:  # each box in transit from a branch of the chain
        db.lock_trace_codes(ctx.conn, codes)
        sent = transfer.senders(ctx, node.memo, codes)
    if codes and inbound:
        back = (transfer.TRANSFERRED,) if sent else ()  # a box that once left this branch may come back
        moved = _set_codes(ctx, codes, IN_STOCK, node, drug,
                           allowed_from=(None, WRITTEN_OFF, SUPPLIER_RETURNED, *back), verb="调入")
        transfer.arrived(ctx, sent)
        for code, sender in sent.items():
            moved[code].append(sender)  # [previous, after, units left, the sender] for 3507
    elif codes:
        known = _code_rows(ctx, codes)
        held = sum(_on_hand_units(*known[c], pack) for c in codes if known.get(c, (None,))[0] in ON_HAND)
        if split and all(known.get(c, (None,))[0] in ON_HAND for c in codes) and held != node.cnt:
            raise PlatformError(f"cnt {node.cnt:g}: 拆零数量与这些盒的剩余 {held} 不符 / the boxes hold {held} units")
        if not split:
            units = Decimal(held + pack * sum(1 for c in codes if known.get(c, (None,))[0] not in ON_HAND))
        gone = transfer.TRANSFERRED_OUT if node.inv_chg_type == transfer.TRANSFER_OUT else WRITTEN_OFF
        moved = _set_codes(ctx, codes, gone, node, drug, allowed_from=ON_HAND, verb="出库")
    boxes = Decimal(len(codes)) if split else node.cnt
    before, units_before = _move_level(ctx, node, drug, delta=sign * boxes, units=sign * units,
                                       fit=("up" if inbound else "down") if split and not codes else "")
    after = _level(ctx, node.fixmedins_bchno)
    _record(ctx, node, drug, delta=Decimal(after.qty) - before, units=Decimal(after.units) - units_before,
            prev_qty=None, codes=moved)
    return {"retRslt": "1", "msgRslt": "成功", "fixmedins_bchno": node.fixmedins_bchno}


def _purchase(ctx, inp: PurchaseInput, *, back: bool) -> dict:
    node = inp.purcinfo
    drug = _drug(ctx, node)
    _dates(node)
    codes = node.codes
    if codes and Decimal(len(codes)) != node.purc_retn_cnt:
        raise PlatformError(f"purc_retn_cnt {node.purc_retn_cnt:g} 与追溯码数 {len(codes)} 不符（一盒一码）/ one code per box")
    if drug.trace_prefix:
        for code in codes:
            if len(code) == 20 and code.isdigit() and code[:7] != drug.trace_prefix:
                raise PlatformError(f"drugtracinfo {code}: 码品不符（{drug.name}）/ the code belongs to another product")
    delta = -node.purc_retn_cnt if back else node.purc_retn_cnt
    units = delta * _pack(drug)
    _move_level(ctx, node, drug, delta=delta, units=units)
    if back:  # whole boxes only: an opened box cannot go back to the supplier
        moved = _set_codes(ctx, codes, SUPPLIER_RETURNED, node, drug, allowed_from=(IN_STOCK,), verb="退货")
    else:
        moved = _set_codes(ctx, codes, IN_STOCK, node, drug, allowed_from=(None, SUPPLIER_RETURNED), verb="重复入库")
    _record(ctx, node, drug, delta=delta, units=units, prev_qty=None, codes=moved)
    return {"retRslt": "1", "msgRslt": "成功", "fixmedins_bchno": node.fixmedins_bchno, "codes": len(codes)}


@transaction("3503", "商品采购", PurchaseInput)
def purchase(ctx, inp: PurchaseInput) -> dict:
    return _purchase(ctx, inp, back=False)


@transaction("3504", "商品采购退货", PurchaseInput)
def purchase_return(ctx, inp: PurchaseInput) -> dict:
    return _purchase(ctx, inp, back=True)


@transaction("3507", "商品信息删除", DeleteInput)
def delete(ctx, inp: DeleteInput) -> dict:
    """Undo the live documents of one batch and data type, newest first. A box moved since (sold after its
    receipt) keeps the documents: the later movement must be undone first."""
    d = inp.data
    if d.inv_data_type == "4":
        raise PlatformError("inv_data_type 4: 销售请以 3506 销售退货冲回 / sales are taken back with 3506")
    docs = ctx.conn.execute(select(stock_doc).where(
        stock_doc.c.fixmedins_code == ctx.code, stock_doc.c.fixmedins_bchno == d.fixmedins_bchno,
        stock_doc.c.infno.in_(DATA_TYPES[d.inv_data_type]), stock_doc.c.deleted_at.is_(None))
        .order_by(stock_doc.c.id.desc())).all()
    if not docs:
        raise PlatformError(f"fixmedins_bchno {d.fixmedins_bchno}: 没有可删除的记录（类型 {d.inv_data_type}）/ nothing to delete")
    for doc in docs:
        codes: dict = json.loads(doc.codes)
        db.lock_trace_codes(ctx.conn, list(codes))
        after = _code_states(ctx, list(codes))
        for code, states in codes.items():
            # {code: [previous, after, previous units left(, the sender of a transfer in)]}; before c0302
            # {code: previous} or [previous, after]
            if not isinstance(states, list):
                states = [states, _state_after(doc.infno, doc.node)]
            before, expected, left, sender = (states + [None, None])[:4]
            if after.get(code) != expected:
                raise PlatformError(f"drugtracinfo {code}: 该盒此后已有变动（{after.get(code)}），不能删除 / "
                                    f"the box moved since; undo that first")
            if before is None:
                ctx.conn.execute(stock_code.delete().where(stock_code.c.fixmedins_code == ctx.code,
                                                           stock_code.c.code == code))
            else:
                ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code,
                                                          stock_code.c.code == code)
                                 .values(state=before, units_left=left if before == OPENED else None, at=ctx.now_text))
            if sender:  # a transfer in undone: the box is in transit from its sender again
                transfer.undo_arrival(ctx, code, sender)
        # every document is undone by its change (a count's too: inv_cnt - the stock before it), so undoing
        # documents in any order leaves what the others did
        row = _level(ctx, d.fixmedins_bchno)
        drug = reference.catalogue(ctx.centre, ctx.conn).by_key.get(doc.drug_key)
        pack = _pack(drug) if drug is not None else 1
        units_delta = Decimal(doc.units_delta) if doc.units_delta is not None else Decimal(doc.delta) * pack
        new_qty = (Decimal(row.qty) if row is not None else Decimal("0")) - Decimal(doc.delta)
        new_units = (_units_of(row, pack) if row is not None else Decimal("0")) - units_delta
        if new_qty < 0 or new_units < 0:
            raise PlatformError(f"fixmedins_bchno {d.fixmedins_bchno}: 删除后库存为负，请先冲回后续销售 / stock would go negative")
        ctx.conn.execute(update(stock_level).where(stock_level.c.fixmedins_code == ctx.code,
                                                   stock_level.c.fixmedins_bchno == d.fixmedins_bchno)
                         .values(qty=new_qty, units=new_units, updated_at=ctx.now_text))
        ctx.conn.execute(update(stock_doc).where(stock_doc.c.id == doc.id)
                         .values(deleted_at=ctx.now_text, delete_msgid=ctx.env.msgid))
    ctx.journal("stock.3507", {"bchno": d.fixmedins_bchno, "type": d.inv_data_type, "docs": len(docs)})
    return {"retRslt": "1", "msgRslt": "成功", "deleted": len(docs)}


def _state_after(infno: str, node_json: str) -> str:
    if infno in ("3501", "3503"):
        return IN_STOCK
    if infno == "3504":
        return SUPPLIER_RETURNED
    node = json.loads(node_json)
    return IN_STOCK if node.get("inv_chg_type") in INBOUND_CHANGES else WRITTEN_OFF


# ---- the sale uploads' side (called by server/transactions/trace.py) ------------------------------------------
def require_receipt(ctx) -> bool:
    values = ctx.centre.cached("ref.settings.stock", lambda: dict(ctx.conn.execute(
        select(setting.c.key, setting.c.value).where(setting.c.key.like("stock.%"))).all()))
    flag = values.get(f"stock.require_receipt.{ctx.code}", values.get("stock.require_receipt", "0"))
    return flag.strip() in ("1", "true", "yes")


def _shift_level(ctx, bchno: str, pack: int, *, boxes: int, units: int, fit: str = "", ahead=None) -> None:
    """A sale's or a return's change of the batch (the sale path never refuses on the centre's stock view: the
    settlement is done; the reconciliation shows any difference). `ahead` (PostgreSQL, a 3505 read ahead by
    server.transactions.trace.SaleAhead): the batch as read after the locks, and the write deferred to the commit."""
    if ahead is not None:
        row = ahead.level
    else:
        row = _level(ctx, bchno) if bchno else None
    if row is None:
        return
    units_after = _units_of(row, pack) + units
    qty = Decimal(row.qty) + boxes
    if fit == "down":
        qty = min(qty, _boxes_for(units_after, pack))
    elif fit == "up":
        qty = max(qty, _boxes_for(units_after, pack))
    if ahead is not None:
        ctx.defer("stock_level_set", {"qty": qty, "units": units_after, "at": ctx.now_text, "f": ctx.code, "b": bchno})
        return
    ctx.conn.execute(update(stock_level).where(stock_level.c.fixmedins_code == ctx.code,
                                               stock_level.c.fixmedins_bchno == bchno)
                     .values(qty=qty, units=units_after, updated_at=ctx.now_text))


def _set_state(ctx, code: str, state: str, left: int | None, ahead=None) -> None:
    if ahead is not None:  # written with the commit, all codes in one statement (on_sale)
        ahead.states.append((code, state, left))
        return
    ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code, stock_code.c.code == code)
                     .values(state=state, units_left=left, at=ctx.now_text))


def on_sale(ctx, codes: list[str], *, bchno: str, split: bool, count: int, pack: int, ahead=None) -> None:
    """A 3505: whole boxes leave the pharmacy's stock; a split sale (拆零) takes `count` units from the opened
    box, which stays on hand with its remainder until it is empty. `ahead`: see _shift_level."""
    _on_sale(ctx, codes, bchno=bchno, split=split, count=count, pack=pack, ahead=ahead)
    if ahead is not None and ahead.states:
        ctx.defer("stock_code_states", {"codes": [c for c, _, _ in ahead.states],
                                        "states": [st for _, st, _ in ahead.states],
                                        "lefts": [left for _, _, left in ahead.states], "at": ctx.now_text,
                                        "f": ctx.code})


def _on_sale(ctx, codes: list[str], *, bchno: str, split: bool, count: int, pack: int, ahead) -> None:
    known = ahead.code_rows if ahead is not None else _code_rows(ctx, codes)
    if require_receipt(ctx):
        for code in codes:
            if known.get(code, (None,))[0] not in ON_HAND:
                raise PlatformError(f"drugtracinfo {code}: 本机构没有该盒的入库记录（3503），不能销售 / "
                                    f"no receipt of this box at {ctx.code}")
    if not split:
        units = 0
        for code in codes:
            state, left = known.get(code, (None, None))
            units += _on_hand_units(state, left, pack) if state in ON_HAND else pack
            if state in ON_HAND:
                _set_state(ctx, code, SOLD, None, ahead)
        _shift_level(ctx, bchno, pack, boxes=-count, units=-units, ahead=ahead)
        return
    (code,) = codes
    state, left = known.get(code, (None, None))
    if state not in ON_HAND:  # a box the centre does not hold: the units still leave the batch
        _shift_level(ctx, bchno, pack, boxes=0, units=-count, fit="down", ahead=ahead)
        return
    remaining = max(_on_hand_units(state, left, pack) - count, 0)
    _set_state(ctx, code, OPENED if remaining else SOLD, remaining or None, ahead)
    _shift_level(ctx, bchno, pack, boxes=0 if remaining else -1, units=-count, ahead=ahead)


def on_sale_return(ctx, codes: list[str], *, bchno: str, split: bool, count: int, pack: int) -> None:
    """A 3506: whole boxes back in the pharmacy's stock; a split return puts its units back in the opened box."""
    known = _code_rows(ctx, codes)
    if not split:
        for code in codes:
            if known.get(code, (None,))[0] == SOLD:
                _set_state(ctx, code, IN_STOCK, None)
        _shift_level(ctx, bchno, pack, boxes=count, units=count * pack)
        return
    (code,) = codes
    state, left = known.get(code, (None, None))
    if state not in (SOLD, OPENED):
        _shift_level(ctx, bchno, pack, boxes=0, units=count, fit="up")
        return
    now = (int(left or 0) if state == OPENED else 0) + count
    whole = now >= pack
    _set_state(ctx, code, IN_STOCK if whole else OPENED, None if whole else now)
    _shift_level(ctx, bchno, pack, boxes=1 if state == SOLD else 0, units=count)
