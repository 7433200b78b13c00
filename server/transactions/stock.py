"""3501 盘存, 3502 库存变更, 3503 采购, 3504 采购退货, 3507 信息删除 — the pharmacies' stock as the centre keeps it.

Each accepted document is kept (centre_stock_doc) with what it changed: the batch's stock (centre_stock_level)
and the state of each box code at that pharmacy (centre_stock_code). 3507 undoes the live documents of a batch
and data type, newest first, when nothing later depends on their boxes. The sale uploads (3505/3506,
server/transactions/trace.py) move the same stock through `on_sale` / `on_sale_return`; with the centre setting
`stock.require_receipt` ("1" for all, or `stock.require_receipt.<code>` per pharmacy) a sale of a box the
pharmacy never reported received (3503) is refused.

Quantities are in the node's own unit (boxes, or units for a split change); the client sends boxes for whole
boxes, as the national lists do.
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

IN_STOCK, SOLD, SUPPLIER_RETURNED, WRITTEN_OFF = "in_stock", "sold", "supplier_returned", "written_off"
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


def _move_level(ctx, node: _Goods, drug, *, delta: Decimal | None = None, absolute: Decimal | None = None) -> Decimal:
    """Apply a change to the batch's stock; returns the stock before it."""
    row = _level(ctx, node.fixmedins_bchno)
    before = Decimal(row.qty) if row is not None else Decimal("0")
    after = absolute if absolute is not None else before + (delta or Decimal("0"))
    if after < 0:
        raise PlatformError(f"fixmedins_bchno {node.fixmedins_bchno}: 库存不足（现有 {before.normalize():f}，变动 {(delta or 0):f}）/ "
                            f"stock would go negative")
    values = dict(qty=after, updated_at=ctx.now_text)
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
    return before


def _code_states(ctx, codes: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(codes), 500):
        part = codes[i:i + 500]
        out.update(ctx.conn.execute(select(stock_code.c.code, stock_code.c.state).where(
            stock_code.c.fixmedins_code == ctx.code, stock_code.c.code.in_(part))).all())
    return out


def _set_codes(ctx, codes: list[str], state: str, node: _Goods, drug, *, allowed_from: tuple, verb: str) -> dict:
    """Move the boxes to `state`; every box must come from one of `allowed_from` (None: unknown here)."""
    db.lock_trace_codes(ctx.conn, codes)
    known = _code_states(ctx, codes)
    for code in codes:
        if known.get(code) not in allowed_from:
            now = known.get(code) or "未入库 never received"
            raise PlatformError(f"drugtracinfo {code}: 不能{verb}（当前 {now}）/ box cannot be {state} from {now}")
    for code in codes:
        if code in known:
            ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code, stock_code.c.code == code)
                             .values(state=state, fixmedins_bchno=node.fixmedins_bchno, drug_key=drug.key,
                                     at=ctx.now_text))
        else:
            ctx.conn.execute(stock_code.insert().values(fixmedins_code=ctx.code, code=code, state=state,
                                                        fixmedins_bchno=node.fixmedins_bchno, drug_key=drug.key,
                                                        at=ctx.now_text))
    return {c: known.get(c) for c in codes}


def _record(ctx, node: _Goods, drug, *, delta: Decimal, prev_qty: Decimal | None, codes: dict) -> None:
    ctx.conn.execute(stock_doc.insert().values(
        fixmedins_code=ctx.code, infno=ctx.env.infno, msgid=ctx.env.msgid, fixmedins_bchno=node.fixmedins_bchno,
        drug_key=drug.key, med_list_codg=node.med_list_codg, delta=delta, prev_qty=prev_qty,
        codes=json.dumps(codes, ensure_ascii=False), node=node.model_dump_json(), at=ctx.now_text))
    ctx.journal(f"stock.{ctx.env.infno}", {"bchno": node.fixmedins_bchno, "drug": drug.key, "delta": str(delta),
                                           "codes": len(codes)})


def _dates(node: _Goods) -> None:
    if node.manu_date and node.expy_end and node.expy_end[:10] <= node.manu_date[:10]:
        raise PlatformError(f"expy_end {node.expy_end}: 有效期早于生产日期 {node.manu_date} / expiry before manufacture")


@transaction("3501", "盘存", CountInput)
def stock_count(ctx, inp: CountInput) -> dict:
    node = inp.invinfo
    drug = _drug(ctx, node)
    codes = node.codes
    if codes and Decimal(len(codes)) != node.inv_cnt:
        raise PlatformError(f"inv_cnt {node.inv_cnt:g} 与追溯码数 {len(codes)} 不符 / count and codes differ")
    before = _move_level(ctx, node, drug, absolute=node.inv_cnt)
    moved: dict = {}
    if codes:
        moved = {c: [prev, IN_STOCK] for c, prev in
                 _set_codes(ctx, codes, IN_STOCK, node, drug, allowed_from=(None, IN_STOCK), verb="盘存").items()}
        # a count that lists its boxes is the whole shelf of the batch: boxes in stock it does not list are gone (盘亏)
        gone = [c for c in ctx.conn.execute(select(stock_code.c.code).where(
            stock_code.c.fixmedins_code == ctx.code, stock_code.c.fixmedins_bchno == node.fixmedins_bchno,
            stock_code.c.state == IN_STOCK)).scalars() if c not in moved]
        for code in gone:
            ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code, stock_code.c.code == code)
                             .values(state=WRITTEN_OFF, at=ctx.now_text))
            moved[code] = [IN_STOCK, WRITTEN_OFF]
    _record(ctx, node, drug, delta=node.inv_cnt - before, prev_qty=before, codes=moved)
    return {"retRslt": "1", "msgRslt": "成功", "fixmedins_bchno": node.fixmedins_bchno, "inv_cnt": str(node.inv_cnt)}


@transaction("3502", "库存变更", ChangeInput)
def stock_change(ctx, inp: ChangeInput) -> dict:
    node = inp.invinfo
    drug = _drug(ctx, node)
    inbound = node.inv_chg_type in INBOUND_CHANGES
    delta = node.cnt if inbound else -node.cnt
    codes = node.codes
    if codes and node.trdn_flag == "0" and Decimal(len(codes)) != node.cnt:
        raise PlatformError(f"cnt {node.cnt:g} 与追溯码数 {len(codes)} 不符（一盒一码）/ one code per box")
    _move_level(ctx, node, drug, delta=delta)
    moved = {}
    if codes and inbound:
        moved = _set_codes(ctx, codes, IN_STOCK, node, drug, allowed_from=(None, WRITTEN_OFF, SUPPLIER_RETURNED),
                           verb="调入")
    elif codes and node.trdn_flag == "0":
        moved = _set_codes(ctx, codes, WRITTEN_OFF, node, drug, allowed_from=(IN_STOCK,), verb="出库")
    _record(ctx, node, drug, delta=delta, prev_qty=None, codes=moved)
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
    _move_level(ctx, node, drug, delta=delta)
    if back:
        moved = _set_codes(ctx, codes, SUPPLIER_RETURNED, node, drug, allowed_from=(IN_STOCK,), verb="退货")
    else:
        moved = _set_codes(ctx, codes, IN_STOCK, node, drug, allowed_from=(None, SUPPLIER_RETURNED), verb="重复入库")
    _record(ctx, node, drug, delta=delta, prev_qty=None, codes=moved)
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
        after = _code_states(ctx, list(codes))
        db.lock_trace_codes(ctx.conn, list(codes))
        for code, states in codes.items():
            # {code: previous state} or, for a count, {code: [previous, after]}
            before, expected = states if isinstance(states, list) else (states, _state_after(doc.infno, doc.node))
            if after.get(code) != expected:
                raise PlatformError(f"drugtracinfo {code}: 该盒此后已有变动（{after.get(code)}），不能删除 / "
                                    f"the box moved since; undo that first")
            if before is None:
                ctx.conn.execute(stock_code.delete().where(stock_code.c.fixmedins_code == ctx.code,
                                                           stock_code.c.code == code))
            else:
                ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code,
                                                          stock_code.c.code == code).values(state=before,
                                                                                            at=ctx.now_text))
        # every document is undone by its change (a count's too: inv_cnt - the stock before it), so undoing
        # documents in any order leaves what the others did
        row = _level(ctx, d.fixmedins_bchno)
        new_qty = (Decimal(row.qty) if row is not None else Decimal("0")) - Decimal(doc.delta)
        if new_qty < 0:
            raise PlatformError(f"fixmedins_bchno {d.fixmedins_bchno}: 删除后库存为负，请先冲回后续销售 / stock would go negative")
        ctx.conn.execute(update(stock_level).where(stock_level.c.fixmedins_code == ctx.code,
                                                   stock_level.c.fixmedins_bchno == d.fixmedins_bchno)
                         .values(qty=new_qty, updated_at=ctx.now_text))
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


def on_sale(ctx, codes: list[str], *, bchno: str, split: bool, count: int) -> None:
    """A 3505: its boxes leave the pharmacy's stock (a split sale leaves the opened box in stock)."""
    known = _code_states(ctx, codes)
    if require_receipt(ctx):
        for code in codes:
            if known.get(code) != IN_STOCK:
                raise PlatformError(f"drugtracinfo {code}: 本机构没有该盒的入库记录（3503），不能销售 / "
                                    f"no receipt of this box at {ctx.code}")
    if not split:
        for code in codes:
            if known.get(code) == IN_STOCK:
                ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code,
                                                          stock_code.c.code == code).values(state=SOLD, at=ctx.now_text))
    if bchno and _level(ctx, bchno) is not None:
        ctx.conn.execute(update(stock_level).where(stock_level.c.fixmedins_code == ctx.code,
                                                   stock_level.c.fixmedins_bchno == bchno)
                         .values(qty=stock_level.c.qty - (0 if split else count), updated_at=ctx.now_text))


def on_sale_return(ctx, codes: list[str], *, bchno: str, split: bool, count: int) -> None:
    """A 3506: whole boxes back in the pharmacy's stock."""
    if split:
        return
    known = _code_states(ctx, codes)
    for code in codes:
        if known.get(code) == SOLD:
            ctx.conn.execute(update(stock_code).where(stock_code.c.fixmedins_code == ctx.code,
                                                      stock_code.c.code == code).values(state=IN_STOCK, at=ctx.now_text))
    if bchno and _level(ctx, bchno) is not None:
        ctx.conn.execute(update(stock_level).where(stock_level.c.fixmedins_code == ctx.code,
                                                   stock_level.c.fixmedins_bchno == bchno)
                         .values(qty=stock_level.c.qty + count, updated_at=ctx.now_text))
