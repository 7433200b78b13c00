"""3505 商品销售 (sale upload with trace codes) and 3506 销售退货.

"One box, one sale": a code with a live sale anywhere — a settlement that was not reversed, or an upload
that was not returned — is refused, as is the same sale uploaded a second time under a new msgid (the
duplicate-upload failure of the field). A split (拆零) box may recur until its units are used up.
"""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from pydantic import Field
from sqlalchemy import or_, select, update

from core.audit.rules.trace import code_form
from core.store.models import SettlementRow, TraceSaleRow
from server import db, reference
from server.envelope import PlatformError
from server.models import trace_upload
from server.transactions import Input, stock, transaction
from server.transactions.split import check_upload, lines_of, uploaded_units


class TraceNode(Input):
    drug_trac_codg: str = Field(min_length=1, max_length=100)


class SelInfo(Input):
    med_list_codg: str = Field(min_length=1, max_length=50)
    fixmedins_hilist_id: str = Field(min_length=1, max_length=64)
    fixmedins_hilist_name: str = Field(min_length=1, max_length=200)
    fixmedins_bchno: str = Field(min_length=1, max_length=40)
    prsc_dr_name: str = Field(default="", max_length=50)
    phar_name: str = Field(default="", max_length=50)
    phar_prac_cert_no: str = Field(default="", max_length=50)
    hi_feesetl_type: str = Field(default="1", max_length=3)
    setl_id: str = Field(default="", max_length=64)
    mdtrt_sn: str = Field(default="", max_length=64)
    psn_no: str = Field(default="", max_length=30)
    psn_cert_type: str = Field(default="", max_length=6)
    certno: str = Field(default="", max_length=50)
    psn_name: str = Field(default="", max_length=50)
    manu_lotnum: str = Field(default="", max_length=30)
    manu_date: str = Field(default="", max_length=10)
    expy_end: str = Field(default="", max_length=10)
    rx_flag: str = Field(default="1", max_length=3)
    trdn_flag: str = Field(pattern="^[01]$")
    finl_trns_pric: Decimal | None = None
    rxno: str = Field(default="", max_length=40)
    rx_circ_flag: str = Field(default="0", max_length=3)
    rtal_docno: str = Field(default="", max_length=40)
    stoout_no: str = Field(default="", max_length=40)
    drug_trac_codg: str = Field(default="", max_length=2000)
    sel_retn_cnt: Decimal = Field(gt=0)
    sel_retn_time: str = Field(min_length=10, max_length=19)
    sel_retn_opter_name: str = Field(min_length=1, max_length=50)
    mdtrt_setl_type: str = Field(default="", max_length=3)
    medins_prod_sel_no: str = Field(default="", max_length=40)
    memo: str = Field(default="", max_length=500)
    drugtracinfo: list[TraceNode] = Field(default_factory=list, max_length=500)

    @property
    def codes(self) -> list[str]:
        codes = [t.drug_trac_codg for t in self.drugtracinfo]
        codes += [c.strip() for c in self.drug_trac_codg.split(";") if c.strip()]
        return list(dict.fromkeys(codes))


class SaleInput(Input):
    selinfo: SelInfo


def _check_codes(ctx, sel: SelInfo):
    drug = reference.catalogue(ctx.centre, ctx.conn).resolve(sel.med_list_codg, sel.fixmedins_hilist_id)
    codes = sel.codes
    if not codes:
        raise PlatformError("drugtracinfo: at least one drug_trac_codg is required (无码不结算)")
    split = sel.trdn_flag == "1"
    if sel.sel_retn_cnt != sel.sel_retn_cnt.to_integral_value():
        raise PlatformError(f"sel_retn_cnt must be whole packs or whole units: {sel.sel_retn_cnt}")
    count = int(sel.sel_retn_cnt)
    if split and len(codes) != 1:
        raise PlatformError(f"a split (拆零, trdn_flag 1) sale carries the opened box's one code, got {len(codes)}")
    if not split and len(codes) != count:
        raise PlatformError(f"{len(codes)} trace codes for {count} boxes: one code per box (一盒一码)")
    for code in codes:
        form, key = code_form(code)
        if form == "bad":
            raise PlatformError(f"malformed trace code {code!r}: 20 digits starting with 8, or a GS1 element string")
        if form == "trace" and drug.trace_prefix and key != drug.trace_prefix:
            raise PlatformError(f"trace code {code} belongs to another product than {drug.name} (码品不符)")
    return drug, codes, split, count


def _live(ctx, codes: list[str], own_setl: str | None):
    """Live sales per code: [(where, units, split, setl_id, upload)]"""
    out: dict[str, list[tuple]] = {c: [] for c in codes}
    rows = ctx.session.execute(
        select(TraceSaleRow.code, TraceSaleRow.units, TraceSaleRow.split, TraceSaleRow.settlement_id,
               TraceSaleRow.facility_code, TraceSaleRow.date, SettlementRow.reversed_on)
        .join(SettlementRow, SettlementRow.settlement_id == TraceSaleRow.settlement_id)
        .where(TraceSaleRow.code.in_(codes))
    )
    for code, units, split, sid, fac, date, rev in rows:
        if rev is None:
            out[code].append(("settlement", units, bool(split), sid, fac, str(date)))
    ups = ctx.conn.execute(
        select(trace_upload.c.code, trace_upload.c.units, trace_upload.c.split, trace_upload.c.setl_id,
               trace_upload.c.fixmedins_code, trace_upload.c.sold_at, trace_upload.c.msgid)
        .where(trace_upload.c.code.in_(codes), trace_upload.c.returned_at.is_(None))
    )
    for code, units, split, sid, fac, at, msgid in ups:
        if sid is not None:
            rev = ctx.session.execute(select(SettlementRow.reversed_on).where(SettlementRow.settlement_id == sid)).scalar()
            if rev is not None:
                continue
        out[code].append(("upload", units, bool(split), sid, fac, at, msgid))
    return out


def _settlement_of(ctx, sel: SelInfo) -> str | None:
    """The settlement a 3505 belongs to: setl_id, else the visit id in mdtrt_sn (this centre's mdtrt_id is the
    settlement id), as national-shape clients send it."""
    if sel.setl_id:
        return sel.setl_id
    if sel.mdtrt_sn:
        row = ctx.session.get(SettlementRow, sel.mdtrt_sn)
        if row is not None and row.facility_code == ctx.code:
            return sel.mdtrt_sn
    if sel.mdtrt_setl_type == "1":
        raise PlatformError(
            f"selinfo.setl_id/mdtrt_sn: 医保结算（mdtrt_setl_type 1）须给出结算ID或就诊ID，{sel.mdtrt_sn or '（空）'} 不是本机构的结算 / "
            f"an insured sale (mdtrt_setl_type 1) needs setl_id or the visit id in mdtrt_sn; "
            f"{sel.mdtrt_sn or '(empty)'} is not a settlement of {ctx.code}")
    return None


class SaleAhead:
    """PostgreSQL, a 3505 with its setl_id (or a sale without settlement): the box-code locks and everything the
    sale reads after them, as two statements in the round trip of the nonce check (Tx.ahead; fastsql
    `lock_settlement` then `sale_ahead`), and its writes deferred to the commit (measured: 13.6 statements and
    8.3 ms of centre CPU per 3505 before, 7.4 and 2.5 ms with it). The reads run after the lock statement, each
    with its own snapshot, so they see what the previous holder of a code's lock committed — as the plain path's
    reads after db.lock_trace_codes do. The plain path (SQLite, an unsigned request, a sale naming its settlement
    by mdtrt_sn) reads one by one."""

    def __init__(self, ctx, inp: SaleInput) -> None:
        sel = inp.selinfo
        if not sel.rtal_docno or (not sel.setl_id and (sel.mdtrt_sn or sel.mdtrt_setl_type == "1")):
            raise PlatformError("no read-ahead")  # the handler refuses it or finds its settlement itself
        self.drug, self.codes, _split, _count = _check_codes(ctx, sel)
        self.own, self.bchno, self.code = sel.setl_id or None, sel.fixmedins_bchno, ctx.code
        self.ctx = ctx
        keys = sorted({db._key(c) for c in self.codes})
        self.steps = [("lock_settlement", {"c": [db.LOCK_TRACE] * len(keys), "k": keys}, False),
                      ("sale_ahead", {"own": self.own, "codes": self.codes, "drug": self.drug.key, "f": ctx.code,
                                      "b": self.bchno}, True)]
        self.states: list[tuple[str, str, int | None]] = []  # stock states to write (stock.on_sale)

    def fill(self, results: list) -> None:
        ((setl, trace, uploads, payload, uploaded, code_rows, level),) = results[1]
        self.settlement = _Settled(setl[0], setl[1]) if setl is not None else None
        self.live: dict[str, list[tuple]] = {c: [] for c in self.codes}  # as _live answers
        for code, units, split, sid, fac, date in trace:
            self.live[code].append(("settlement", units, bool(split), sid, fac, date))
        for code, units, split, sid, fac, at, msgid in uploads:
            self.live[code].append(("upload", units, bool(split), sid, fac, at, msgid))
        self.lines = lines_of(payload) if payload is not None else None
        self.uploaded = int(uploaded or 0)
        self.code_rows = {c: (st, left) for c, st, left in code_rows}
        self.level = _Level(Decimal(level[0]), Decimal(level[1]) if level[1] is not None else None) if level else None
        self.ctx.ahead = self

    def matches(self, ctx, sel: SelInfo, codes: list[str]) -> bool:
        return (self.ctx is ctx and self.own == (sel.setl_id or None) and self.codes == codes
                and self.bchno == sel.fixmedins_bchno and self.code == ctx.code)


class _Settled(NamedTuple):
    facility_code: str
    reversed_on: str | None


class _Level(NamedTuple):
    qty: Decimal
    units: Decimal | None


def _sale_ahead(ctx, inp: SaleInput) -> SaleAhead:
    return SaleAhead(ctx, inp)


@transaction("3505", "商品销售", SaleInput, ahead=_sale_ahead)
def sale(ctx, inp: SaleInput) -> dict:
    sel = inp.selinfo
    if not sel.rtal_docno:
        raise PlatformError("selinfo.rtal_docno: 缺少零售单据号 / retail document number missing")
    drug, codes, split, count = _check_codes(ctx, sel)
    ahead = ctx.ahead if isinstance(ctx.ahead, SaleAhead) and ctx.ahead.matches(ctx, sel, codes) else None
    own = ahead.own if ahead is not None else _settlement_of(ctx, sel)
    if own is not None:
        row = ahead.settlement if ahead is not None else ctx.session.get(SettlementRow, own)
        if row is None or row.facility_code != ctx.code:
            raise PlatformError(f"setl_id {own} is not a settlement of {ctx.code}")
        if row.reversed_on is not None:
            raise PlatformError(f"settlement {own} was cancelled on {row.reversed_on}: nothing to upload")
    if ahead is None:
        db.lock_trace_codes(ctx.conn, codes)
    live = ahead.live if ahead is not None else _live(ctx, codes, own)
    units_now = count if split else drug.pack_size
    for code in codes:
        sales = live[code]
        dup = [s for s in sales if s[0] == "upload" and own is not None and s[3] == own]
        if dup:
            raise PlatformError(f"trace code {code} was already uploaded for settlement {own} (msgid {dup[0][6]}): 重复上传")
        others = [s for s in sales if not (s[0] == "settlement" and own is not None and s[3] == own)]
        if not others:
            continue
        if split and all(s[2] for s in others):
            used = sum(s[1] for s in others)
            if used + units_now <= drug.pack_size:
                continue
            raise PlatformError(f"split box {code}: {used} + {units_now} units exceed the box of {drug.pack_size} (拆零超量)")
        first = others[0]
        raise PlatformError(f"trace code {code} was already sold at {first[4]} on {first[5][:10]} (追溯码重复销售)")
    if own is not None:  # the upload must sell what the settlement charged (a split line is inferred there)
        if ahead is not None:
            check_upload(ctx, own, drug, split=split, units=units_now * len(codes), already=ahead.uploaded,
                         lines=ahead.lines)
        else:
            check_upload(ctx, own, drug, split=split, units=units_now * len(codes),
                         already=uploaded_units(ctx, own, drug.key))
    stock.on_sale(ctx, codes, bchno=sel.fixmedins_bchno, split=split, count=count, pack=drug.pack_size, ahead=ahead)
    if ahead is not None:
        ctx.defer("trace_uploads", {"codes": codes, "f": ctx.code, "msgid": ctx.env.msgid, "docno": sel.rtal_docno,
                                    "codg": sel.med_list_codg, "drug": drug.key, "setl": own, "psn": sel.psn_no or None,
                                    "units": units_now, "split": split, "at": ctx.now_text})
    for code in (codes if ahead is None else ()):
        ctx.conn.execute(trace_upload.insert().values(
            code=code, fixmedins_code=ctx.code, msgid=ctx.env.msgid, rtal_docno=sel.rtal_docno,
            med_list_codg=sel.med_list_codg, drug_key=drug.key, setl_id=own, psn_no=sel.psn_no or None,
            units=units_now, split=split, sold_at=ctx.now_text,
        ))
    # the pharmacist who answers for the sale and their licence (issue 19: traceable review and dispensing)
    ctx.journal("sale", {"rtal_docno": sel.rtal_docno, "setl_id": own, "drug": drug.key, "codes": codes,
                         "split": split, "phar": sel.phar_name, "phar_cert": sel.phar_prac_cert_no})
    return {"retRslt": "1", "msgRslt": "成功", "medins_prod_sel_no": ctx.env.msgid, "codes": len(codes)}


@transaction("3506", "销售退货", SaleInput)
def sale_return(ctx, inp: SaleInput) -> dict:
    sel = inp.selinfo
    drug, codes, split, count = _check_codes(ctx, sel)
    db.lock_trace_codes(ctx.conn, codes)
    returned = 0
    for code in codes:
        where = [trace_upload.c.code == code, trace_upload.c.fixmedins_code == ctx.code,
                 trace_upload.c.returned_at.is_(None)]
        if sel.medins_prod_sel_no:
            # our 3505 msgid, or the pharmacy's own sale number (its rtal_docno) as other vendors send it
            where.append(or_(trace_upload.c.msgid == sel.medins_prod_sel_no,
                             trace_upload.c.rtal_docno == sel.medins_prod_sel_no))
        row = ctx.conn.execute(select(trace_upload.c.id, trace_upload.c.setl_id).where(*where)
                               .order_by(trace_upload.c.id.desc()).limit(1)).first()
        if row is None:
            raise PlatformError(f"trace code {code} has no sale upload at {ctx.code} to return")
        if row.setl_id:
            rev = ctx.session.execute(select(SettlementRow.reversed_on)
                                      .where(SettlementRow.settlement_id == row.setl_id)).scalar()
            if rev is None:
                raise PlatformError(
                    f"trace code {code} was sold under settlement {row.setl_id}: cancel the settlement (2103) first")
        ctx.conn.execute(update(trace_upload).where(trace_upload.c.id == row.id)
                         .values(returned_at=ctx.now_text, return_msgid=ctx.env.msgid))
        returned += 1
    stock.on_sale_return(ctx, codes, bchno=sel.fixmedins_bchno, split=split, count=count, pack=drug.pack_size)
    ctx.journal("sale.return", {"rtal_docno": sel.rtal_docno, "drug": drug.key, "codes": codes})
    return {"retRslt": "1", "msgRslt": "成功", "medins_prod_sel_no": ctx.env.msgid, "codes": returned}
