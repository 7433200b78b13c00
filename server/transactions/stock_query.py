"""Stock queries: 3508 库存, 3509 库存变更, 3510 采购, 3511 销售, 3512 入库追溯码, 3513 销售追溯码 — and our extension
3590 药品库存分布查询 ("which pharmacies have this drug and strength in stock", for prescribers).

A pharmacy sees its own data; the agency and the supervisor (per-pharmacy stock views for supervision) name the
pharmacy in `data.fixmedins_code`, or leave it empty for all. Every list is paged (page_num, page_size ≤ 1000)
and answered as {data: [...], page_num, page_size, total}.
"""
from __future__ import annotations

import json
from decimal import Decimal

from pydantic import Field
from sqlalchemy import case, func, or_, select

from server import reference
from server.envelope import PlatformError
from server.models import institution, trace_upload
from server.models_stock import stock_code, stock_doc, stock_level
from server.permissions import PHARMACY
from server.transactions import Input, transaction


class Query(Input):
    fixmedins_code: str = Field(default="", max_length=30)
    med_list_codg: str = Field(default="", max_length=50)
    fixmedins_hilist_id: str = Field(default="", max_length=64)
    fixmedins_bchno: str = Field(default="", max_length=40)
    drug_trac_codg: str = Field(default="", max_length=100)
    begndate: str = Field(default="", max_length=19)
    enddate: str = Field(default="", max_length=19)
    page_num: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=1000)


class QueryInput(Input):
    data: Query = Field(default_factory=Query)


def _whose(ctx, q: Query) -> str | None:
    """The pharmacy whose data is asked: the caller itself, or any (None: all) for the agency and supervisor."""
    kind = ctx.centre.kind_of(ctx.code)
    if kind == PHARMACY:
        if q.fixmedins_code and q.fixmedins_code != ctx.code:
            raise PlatformError(f"fixmedins_code {q.fixmedins_code}: 药店只能查询本机构 / a pharmacy sees only its own stock")
        return ctx.code
    return q.fixmedins_code or None


def _drug_key(ctx, q: Query) -> str | None:
    if not (q.med_list_codg or q.fixmedins_hilist_id):
        return None
    return reference.catalogue(ctx.centre, ctx.conn).resolve(q.med_list_codg, q.fixmedins_hilist_id).key


def _period(q: Query, column):
    where = []
    if q.begndate:
        where.append(column >= q.begndate[:10])
    if q.enddate:
        where.append(column <= q.enddate[:10] + " 23:59:59" if len(q.enddate) <= 10 else column <= q.enddate)
    return where


def _page(ctx, q: Query, stmt, row_fn) -> dict:
    total = ctx.conn.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar() or 0
    rows = ctx.conn.execute(stmt.limit(q.page_size).offset((q.page_num - 1) * q.page_size)).all()
    return {"data": [row_fn(r) for r in rows], "page_num": q.page_num, "page_size": q.page_size, "total": int(total)}


def _qty(v) -> str:
    d = Decimal(v).normalize()
    return f"{d:f}"


@transaction("3508", "商品库存信息查询", QueryInput)
def stock_query(ctx, inp: QueryInput) -> dict:
    q = inp.data
    who, key = _whose(ctx, q), _drug_key(ctx, q)
    stmt = select(stock_level)
    if who:
        stmt = stmt.where(stock_level.c.fixmedins_code == who)
    if key:
        stmt = stmt.where(stock_level.c.drug_key == key)
    if q.fixmedins_bchno:
        stmt = stmt.where(stock_level.c.fixmedins_bchno == q.fixmedins_bchno)
    stmt = stmt.order_by(stock_level.c.fixmedins_code, stock_level.c.drug_key, stock_level.c.expy_end,
                         stock_level.c.fixmedins_bchno)
    by_key = reference.catalogue(ctx.centre, ctx.conn).by_key

    def units(r) -> str:  # whole boxes × pack + opened boxes' remainders (a row from before c0302: qty × pack)
        if r.units is not None:
            return _qty(r.units)
        drug = by_key.get(r.drug_key)
        return _qty(Decimal(r.qty) * max(int(drug.pack_size or 1), 1)) if drug is not None else ""

    # inv_cnt: boxes on hand (whole and opened); inv_units (our extension): units on hand, as the client's ledger
    return _page(ctx, q, stmt, lambda r: {
        "fixmedins_code": r.fixmedins_code, "med_list_codg": r.med_list_codg, "fixmedins_hilist_id": r.drug_key,
        "fixmedins_hilist_name": r.drug_name, "fixmedins_bchno": r.fixmedins_bchno, "manu_lotnum": r.manu_lotnum,
        "manu_date": r.manu_date, "expy_end": r.expy_end, "inv_cnt": _qty(r.qty), "inv_units": units(r),
        "updt_time": r.updated_at})


def _docs(ctx, inp: QueryInput, infnos: tuple[str, ...]) -> dict:
    q = inp.data
    who, key = _whose(ctx, q), _drug_key(ctx, q)
    stmt = select(stock_doc).where(stock_doc.c.infno.in_(infnos), *_period(q, stock_doc.c.at))
    if who:
        stmt = stmt.where(stock_doc.c.fixmedins_code == who)
    if key:
        stmt = stmt.where(stock_doc.c.drug_key == key)
    if q.fixmedins_bchno:
        stmt = stmt.where(stock_doc.c.fixmedins_bchno == q.fixmedins_bchno)
    stmt = stmt.order_by(stock_doc.c.id)

    def row(r) -> dict:
        node = json.loads(r.node)
        node.pop("drugtracinfo", None)
        return {**node, "fixmedins_code": r.fixmedins_code, "infno": r.infno, "msgid": r.msgid,
                "delta": _qty(r.delta), "codes": len(json.loads(r.codes)), "upload_time": r.at,
                "vali_flag": "0" if r.deleted_at else "1"}

    return _page(ctx, q, stmt, row)


@transaction("3509", "库存变更信息查询", QueryInput)
def change_query(ctx, inp: QueryInput) -> dict:
    return _docs(ctx, inp, ("3501", "3502"))


@transaction("3510", "商品采购信息查询", QueryInput)
def purchase_query(ctx, inp: QueryInput) -> dict:
    return _docs(ctx, inp, ("3503", "3504"))


def _sales(ctx, q: Query):
    who, key = _whose(ctx, q), _drug_key(ctx, q)
    t = trace_upload.c
    stmt = select(trace_upload).where(*_period(q, t.sold_at))
    if who:
        stmt = stmt.where(t.fixmedins_code == who)
    if key:
        stmt = stmt.where(t.drug_key == key)
    if q.drug_trac_codg:
        stmt = stmt.where(t.code == q.drug_trac_codg)
    return stmt


@transaction("3511", "商品销售信息查询", QueryInput)
def sale_query(ctx, inp: QueryInput) -> dict:
    """One row per sale upload (3505): its codes counted, units summed, returned or not."""
    q = inp.data
    sub = _sales(ctx, q).subquery()
    stmt = (select(sub.c.msgid, sub.c.fixmedins_code, sub.c.rtal_docno, sub.c.med_list_codg, sub.c.drug_key,
                   sub.c.setl_id, func.min(sub.c.sold_at).label("sold_at"), func.count().label("codes"),
                   func.sum(sub.c.units).label("units"), func.max(case((sub.c.split, 1), else_=0)).label("split"),
                   func.max(sub.c.returned_at).label("returned_at"))
            .group_by(sub.c.msgid, sub.c.fixmedins_code, sub.c.rtal_docno, sub.c.med_list_codg, sub.c.drug_key,
                      sub.c.setl_id)
            .order_by(func.min(sub.c.sold_at), sub.c.msgid))
    return _page(ctx, q, stmt, lambda r: {
        "medins_prod_sel_no": r.msgid, "fixmedins_code": r.fixmedins_code, "rtal_docno": r.rtal_docno,
        "med_list_codg": r.med_list_codg, "fixmedins_hilist_id": r.drug_key, "setl_id": r.setl_id or "",
        "sel_retn_time": r.sold_at, "codes": int(r.codes), "units": int(r.units or 0),
        "trdn_flag": "1" if r.split else "0", "retn_flag": "1" if r.returned_at else "0"})


@transaction("3512", "采购入库追溯码信息查询", QueryInput)
def received_codes(ctx, inp: QueryInput) -> dict:
    q = inp.data
    who, key = _whose(ctx, q), _drug_key(ctx, q)
    c = stock_code.c
    stmt = select(stock_code)
    if who:
        stmt = stmt.where(c.fixmedins_code == who)
    if key:
        stmt = stmt.where(c.drug_key == key)
    if q.fixmedins_bchno:
        stmt = stmt.where(c.fixmedins_bchno == q.fixmedins_bchno)
    if q.drug_trac_codg:
        stmt = stmt.where(c.code == q.drug_trac_codg)
    stmt = stmt.order_by(c.fixmedins_code, c.code)
    return _page(ctx, q, stmt, lambda r: {
        "fixmedins_code": r.fixmedins_code, "drug_trac_codg": r.code, "fixmedins_bchno": r.fixmedins_bchno,
        "fixmedins_hilist_id": r.drug_key, "stas": r.state,
        "units_left": "" if r.units_left is None else str(r.units_left), "updt_time": r.at})


@transaction("3513", "销售追溯码信息查询", QueryInput)
def sold_codes(ctx, inp: QueryInput) -> dict:
    q = inp.data
    stmt = _sales(ctx, q).order_by(trace_upload.c.id)
    return _page(ctx, q, stmt, lambda r: {
        "fixmedins_code": r.fixmedins_code, "drug_trac_codg": r.code, "medins_prod_sel_no": r.msgid,
        "rtal_docno": r.rtal_docno, "fixmedins_hilist_id": r.drug_key, "units": r.units,
        "trdn_flag": "1" if r.split else "0", "sel_retn_time": r.sold_at, "retn_time": r.returned_at or ""})


# ---- 3590 (our extension): which pharmacies have this drug and strength in stock -----------------------------
class WhereQuery(Input):
    med_list_codg: str = Field(default="", max_length=50)
    fixmedins_hilist_id: str = Field(default="", max_length=64)
    atc: str = Field(default="", max_length=16)  # any product of this substance (ATC level 5) …
    strength: Decimal | None = None  # … in this strength (with strength_unit), e.g. 20 mg vs 25 mg
    strength_unit: str = Field(default="", max_length=16)
    min_cnt: Decimal = Field(default=Decimal("1"), gt=0)  # boxes at least
    page_num: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=1000)


class WhereInput(Input):
    data: WhereQuery


@transaction("3590", "药品库存分布查询（扩展）", WhereInput)
def where_in_stock(ctx, inp: WhereInput) -> dict:
    q = inp.data
    cat = reference.catalogue(ctx.centre, ctx.conn)
    if q.med_list_codg or q.fixmedins_hilist_id:
        drugs = [cat.resolve(q.med_list_codg, q.fixmedins_hilist_id)]
    elif q.atc:
        drugs = [d for d in cat.by_key.values() if (d.atc or "").upper() == q.atc.upper()]
    else:
        raise PlatformError("data: 请给出 med_list_codg、fixmedins_hilist_id 或 atc / name a drug or an ATC code")
    if q.strength is not None:
        unit = q.strength_unit.lower()
        drugs = [d for d in drugs if d.strength is not None and Decimal(d.strength) == q.strength
                 and (not unit or (d.strength_unit or "").lower() == unit)]
    by_key = {d.key: d for d in drugs}
    if not by_key:
        return {"data": [], "page_num": q.page_num, "page_size": q.page_size, "total": 0}
    lv = stock_level.c
    qty = func.sum(lv.qty).label("qty")
    stmt = (select(lv.fixmedins_code, lv.drug_key, qty, func.min(lv.expy_end).label("expy_end"),
                   func.max(lv.updated_at).label("updated_at"), institution.c.name)
            .outerjoin(institution, institution.c.code == lv.fixmedins_code)
            .where(lv.drug_key.in_(list(by_key)), lv.qty > 0,
                   or_(lv.expy_end == "", lv.expy_end >= ctx.today.isoformat()))
            .group_by(lv.fixmedins_code, lv.drug_key, institution.c.name)
            .having(func.sum(lv.qty) >= q.min_cnt)
            .order_by(qty.desc(), lv.fixmedins_code))
    page = _page(ctx, q, stmt, lambda r: {
        "fixmedins_code": r.fixmedins_code, "fixmedins_name": r.name or "", "fixmedins_hilist_id": r.drug_key,
        "med_list_codg": by_key[r.drug_key].nhsa_code or "", "fixmedins_hilist_name": by_key[r.drug_key].name,
        "spec": by_key[r.drug_key].spec, "strength": "" if by_key[r.drug_key].strength is None
        else _qty(by_key[r.drug_key].strength), "strength_unit": by_key[r.drug_key].strength_unit,
        "inv_cnt": _qty(r.qty), "expy_end_min": r.expy_end, "updt_time": r.updated_at})
    return page
