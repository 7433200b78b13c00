"""Stock use cases the pharmacy's stock screens call (进销存): receiving by scan or file, returns to the supplier,
stock changes, counts, undoing an upload, the sale's stock check, reports and the reconciliation with the centre.

    svc = StockService(terminal)
    draft = svc.new_draft(); svc.scan_into(draft, text)        # each scan → its line (or a StockError)
    receipt = svc.post_receipt(draft, supplier=…, invoice_no=…, operator=…)   # ledger + 3503 in one transaction
    svc.write_off(codes, change_kind="loss", supervisor=…)                   # ledger + 3502
    result = svc.count(scans); svc.confirm_count(result, supervisor=…)        # ledger + 3501 per batch
    svc.check_sale_box(text) → SaleBoxCheck(level PASS/WARN/BLOCK …)         # the desk asks at each scan

Every write is one transaction of the terminal's writer: the ledger's change and its outbox items land together
or not at all (a crash between them cannot leave a movement that is never uploaded, or an upload of nothing).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.domain import Drug
from core.stock.domain import (
    ON_HAND, BatchView, CountResult, Delivery, DeliveryLine, Freshness, Product, StockError, box_key, fefo, freshness,
    read_box,
)
from core.store import stock as ledger
from core.store.catalogue import drugs_by_barcode, drugs_by_trace_prefix, get_drugs
from core.store.models_stock import StockDocRow
from core.sync import stock_uploads
from core.sync.sequence import next_value

if TYPE_CHECKING:
    from core.sync.terminal import Terminal


def product_of(drug: Drug) -> Product:
    barcode = drug.barcode or ""
    gtin = ("0" + barcode) if len(barcode) == 13 else barcode if len(barcode) == 14 else ""
    return Product(drug.key, drug.name, drug.pack_size, drug.nhsa_code or "", gtin, drug.trace_prefix or "",
                   drug.spec)


@dataclass
class DraftLine:
    code: str
    drug_key: str
    name: str
    lot: str = ""
    expiry: str = ""
    manu_date: str = ""


@dataclass
class ReceivingDraft:
    """The boxes scanned for one delivery, not yet in stock (state `received`): posted at once or not at all."""

    lines: list[DraftLine] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)  # code -> position (1-based)


@dataclass(frozen=True)
class SaleBoxCheck:
    level: str  # PASS | WARN | BLOCK
    code: str
    message_zh: str = ""
    message_en: str = ""
    facts: ledger.BoxFacts | None = None
    fefo_hint: str = ""  # another batch that should leave the shelf first
    # STK-001 not in stock (a supervisor overrides its WARN), STK-002 near expiry, STK-003 expired, STK-004 the box
    # is another drug
    rule: str = ""


@dataclass(frozen=True)
class StockSettings:
    not_in_stock: str = "warn"  # warn | block | off (core/settings: stock.not_in_stock)
    near_expiry_days: int = 90
    block_expired: bool = True

    @classmethod
    def from_site(cls, site: Any) -> "StockSettings":
        return cls(site.get("stock.not_in_stock", "pharmacy"), int(site.get("stock.near_expiry_days", "pharmacy")),
                   bool(site.get("stock.block_expired", "pharmacy")))


def product_for_box(s, text: str, today: dt.date) -> tuple[Product, Any]:
    """The catalogue product a scanned box belongs to (by its 7-digit prefix or its GTIN)."""
    box = read_box(text, today)
    if box.kind == "gs1":
        found = drugs_by_barcode(s, box.gtin[1:]) or drugs_by_barcode(s, box.gtin)
        if not found:
            raise StockError(f"目录中没有 GTIN 为 {box.gtin} 的药品", f"no drug with GTIN {box.gtin}", field="gtin")
    else:
        found = drugs_by_trace_prefix(s, box.prefix)
        if not found:
            raise StockError(f"目录中没有追溯码前 7 位为 {box.prefix} 的药品", f"no drug with prefix {box.prefix}",
                             field="code")
    return product_of(found[0]), box


def scan_box(s, draft: ReceivingDraft, text: str, today: dt.date, *, drug_key: str | None = None) -> DraftLine:
    """One scan into a receiving draft (what each scan costs on screen: `onewindow bench stock` measures it)."""
    row = len(draft.lines) + 1
    try:
        product, box = product_for_box(s, text, today)
    except StockError as exc:
        raise StockError(exc.zh.split("：", 1)[-1], exc.en.split(": ", 1)[-1], row=row, field=exc.field) from None
    if drug_key and product.drug_key != drug_key:
        raise StockError(f"扫描的药品是 {product.name}，不是所选药品", f"the box is {product.drug_key}", row=row,
                         field="code")
    if box.code in draft.codes:
        raise StockError(f"同一盒扫描了两次（与第 {draft.codes[box.code]} 盒相同）", "the same box twice", row=row,
                         field="code")
    state = ledger.existing_boxes(s, [box.code]).get(box.code)
    # a box sent back to the supplier may be delivered again; one that left by 调拨出库 may come back by 调拨入库
    # (receive() refuses it for a purchase)
    if state is not None and state not in ("supplier_returned", "written_off"):
        raise StockError(f"该盒已入库（{state}）：{box.code}", f"box {box.code} is already in the ledger", row=row,
                         field="code")
    line = DraftLine(box.code, product.drug_key, product.name, box.batch, box.expiry, box.manu_date)
    draft.lines.append(line)
    draft.codes[box.code] = row
    return line


class StockService:
    def __init__(self, t: "Terminal", settings: StockSettings | None = None) -> None:
        self.t = t
        self.settings = settings or StockSettings()

    # ---- numbering and catalogue ------------------------------------------------------------------------------
    def _doc_no(self, s, letter: str) -> str:
        return f"{self.t.config.terminal.terminal_id}-{letter}{next_value(s, 'stock_doc'):06d}"

    def _drugs(self, s, keys) -> dict[str, Drug]:
        return get_drugs(s, keys)

    # ---- receiving (入库, 3503) -----------------------------------------------------------------------------------
    def new_draft(self) -> ReceivingDraft:
        return ReceivingDraft()

    def scan_into(self, draft: ReceivingDraft, text: str, *, drug_key: str | None = None) -> DraftLine:
        """One scan of a delivery: the box, its product, and "not in stock, not scanned before" — or StockError."""
        with self.t.read() as s:
            return scan_box(s, draft, text, self.t.today(), drug_key=drug_key)

    def post_receipt(self, draft: ReceivingDraft, *, supplier: str, invoice_no: str, operator: str,
                     operator_name: str = "", lot: str = "", manu_date: str = "", expiry: str = "",
                     invoice_code: str = "") -> ledger.Receipt:
        """Post the scanned boxes; lot and dates typed on the screen fill what the codes do not carry."""
        lines = tuple(DeliveryLine(l.code, l.drug_key, l.lot or lot, l.manu_date or manu_date, l.expiry or expiry,
                                   None, i) for i, l in enumerate(draft.lines, start=1))
        return self.receive(Delivery(supplier, invoice_no, lines, invoice_code), operator=operator,
                            operator_name=operator_name)

    def transfer_in(self, draft: ReceivingDraft, *, from_branch: str, out_doc: str, supervisor: str,
                    operator: str, operator_name: str = "", lot: str = "", manu_date: str = "",
                    expiry: str = "") -> ledger.Receipt:
        """调拨入库: the scanned boxes come from another branch of the chain, named with its 调拨出库 document (the
        outgoing 3502); in stock here and uploaded as an inbound 3502 (inv_chg_type 201) with the same codes."""
        if not from_branch.strip():
            raise StockError("请填写调出门店（机构编码）", "the sending branch is empty", field="supplier")
        if not out_doc.strip():
            raise StockError("请填写调拨出库单号", "the outgoing transfer document is empty", field="invoice_no")
        if not supervisor:
            raise StockError("调拨入库须主管确认", "a transfer in needs a supervisor", field="supervisor")
        lines = tuple(DeliveryLine(l.code, l.drug_key, l.lot or lot, l.manu_date or manu_date, l.expiry or expiry,
                                   None, i) for i, l in enumerate(draft.lines, start=1))
        note = f"调拨入库：{from_branch.strip()} 调拨出库单 {out_doc.strip()}"
        return self.receive(Delivery(from_branch.strip(), out_doc.strip(), lines, note=note), operator=operator,
                            operator_name=operator_name, transfer=True, supervisor=supervisor)

    def receive(self, delivery: Delivery, *, operator: str, operator_name: str = "", transfer: bool = False,
                supervisor: str = "") -> ledger.Receipt:
        with self.t.write() as s, s.begin():
            drugs = self._drugs(s, {l.drug_key for l in delivery.lines})
            products = {k: product_of(d) for k, d in drugs.items()}
            doc_no = self._doc_no(s, "T" if transfer else "R")
            receipt = ledger.receive(s, delivery, products, doc_no=doc_no, now=self.t.utcnow(), today=self.t.today(),
                                     operator=operator, transfer=transfer, supervisor=supervisor)
            stock_uploads.queue_doc(s, self.t, doc_no, drugs, now_local=self.t.local_naive(), operator=operator,
                                    operator_name=operator_name)
        return receipt

    # ---- returns to the supplier (3504) and changes (3502) ----------------------------------------------------
    def _codes(self, texts: list[str]) -> list[str]:
        return [box_key(x) for x in texts]

    def return_to_supplier(self, texts: list[str], *, supplier: str, operator: str, operator_name: str = "",
                           note: str = "") -> str:
        with self.t.write() as s, s.begin():
            doc_no = self._doc_no(s, "B")
            boxes = ledger.supplier_return(s, self._codes(texts), doc_no=doc_no, supplier=supplier,
                                           now=self.t.utcnow(), operator=operator, note=note)
            stock_uploads.queue_doc(s, self.t, doc_no, self._drugs(s, {b.drug_key for b in boxes}),
                                    now_local=self.t.local_naive(), operator=operator, operator_name=operator_name)
        return doc_no

    def write_off(self, texts: list[str], *, change_kind: str, supervisor: str, operator: str,
                  operator_name: str = "", note: str = "") -> str:
        with self.t.write() as s, s.begin():
            doc_no = self._doc_no(s, "C")
            boxes = ledger.write_off(s, self._codes(texts), change_kind=change_kind, doc_no=doc_no,
                                     now=self.t.utcnow(), operator=operator, supervisor=supervisor, note=note)
            stock_uploads.queue_doc(s, self.t, doc_no, self._drugs(s, {b.drug_key for b in boxes}),
                                    now_local=self.t.local_naive(), operator=operator, operator_name=operator_name)
        return doc_no

    # ---- counts (盘点, 3501) ---------------------------------------------------------------------------------------
    def count(self, texts: list[str], drug_key: str | None = None) -> CountResult:
        with self.t.read() as s:
            return ledger.count(s, self._codes(texts), drug_key)

    def confirm_count(self, result: CountResult, *, supervisor: str, operator: str, operator_name: str = "") -> str:
        """Missing boxes are written off (盘亏) and every counted batch is uploaded with its boxes on hand."""
        with self.t.write() as s, s.begin():
            doc_no = self._doc_no(s, "K")
            touched = ledger.facts(s, list(result.matched) + list(result.missing))
            ledger.confirm_count(s, result, doc_no=doc_no, now=self.t.utcnow(), supervisor=supervisor,
                                 operator=operator)
            batches: dict[str, tuple[dict, list[str]]] = {}
            for f in touched.values():
                batches.setdefault(f.bchno, ({"drug_key": f.drug_key, "lot": f.lot, "manu_date": f.manu_date.isoformat(),
                                              "expiry": f.expiry.isoformat()}, []))
            after = ledger.facts(s, list(touched))
            for code, f in after.items():
                if f.state in ON_HAND:
                    batches[f.bchno][1].append(code)
            stock_uploads.queue_count(s, self.t, doc_no, batches, self._drugs(s, {f.drug_key for f in touched.values()}),
                                      now_local=self.t.local_naive(), operator=operator, operator_name=operator_name)
        return doc_no

    # ---- 3507: undo an upload made in error -------------------------------------------------------------------
    def undo_upload(self, doc_no: str, *, supervisor: str, operator: str) -> int:
        """Queue 3507 for each batch of a document (the supervisor decides). The centre undoes every live
        document of that data type on those batches; the ledger does the same here, by the opposite movement
        (core.store.stock.undo_docs, not uploaded: the 3507 is the upload), in the same transaction — so the
        ledger and the centre agree, and a box that moved since refuses both with nothing queued."""
        if not supervisor:
            raise StockError("删除上传须主管确认", "undoing an upload needs a supervisor", field="supervisor")
        with self.t.write() as s, s.begin():
            doc = s.get(StockDocRow, doc_no)
            if doc is None or doc.kind not in stock_uploads.DATA_TYPE:
                raise StockError(f"没有可删除的单据 {doc_no}", f"no stock document {doc_no}")
            if doc.deleted_at is not None:
                raise StockError(f"单据 {doc_no} 已删除", f"document {doc_no} was already deleted")
            bchnos = [l.bchno for l in ledger.doc_lines(s, doc_no)]
            kinds = tuple(k for k, t in stock_uploads.DATA_TYPE.items() if t == stock_uploads.DATA_TYPE[doc.kind])
            ledger.undo_docs(s, bchnos, kinds, doc_no=self._doc_no(s, "U"), now=self.t.utcnow(), operator=operator,
                             supervisor=supervisor)
            items = stock_uploads.queue_delete(s, self.t, doc_no, doc.kind, bchnos, operator=operator)
            doc.deleted_at = doc.deleted_at or self.t.utcnow()
            doc.supervisor = doc.supervisor or supervisor
        return len(items)

    # ---- the sale ---------------------------------------------------------------------------------------------
    def check_sale_box(self, text: str, drug_key: str | None = None) -> SaleBoxCheck:
        """At each scan of the sale: in stock? expired? near expiry? another batch first (FEFO)?"""
        code = box_key(text)
        today = self.t.today()
        with self.t.read() as s:
            f = ledger.facts(s, [code]).get(code)
            if f is None or f.state not in ON_HAND:
                mode = self.settings.not_in_stock
                if mode == "off":
                    return SaleBoxCheck("PASS", code, facts=f)
                zh = "未入库的药品" if f is None else f"该盒不在库（{f.state}）"
                return SaleBoxCheck("BLOCK" if mode == "block" else "WARN", code, f"{zh}：{code}",
                                    f"box not in stock ({f.state if f else 'never received'})", f, rule="STK-001")
            if drug_key and f.drug_key != drug_key:
                return SaleBoxCheck("BLOCK", code, f"该盒是 {f.drug_key}，与处方药品不符", "the box is another drug", f,
                                    rule="STK-004")
            fresh = freshness(f.expiry, today, self.settings.near_expiry_days)
            earlier = [b for b in fefo(ledger.batches(s, f.drug_key)) if b.expiry < f.expiry]
        hint = f"请先发批号 {earlier[0].lot}（有效期至 {earlier[0].expiry}）" if earlier else ""
        if fresh is Freshness.EXPIRED:
            level = "BLOCK" if self.settings.block_expired else "WARN"
            return SaleBoxCheck(level, code, f"药品已过期（有效期至 {f.expiry}）", f"expired on {f.expiry}", f, hint,
                                rule="STK-003")
        if fresh is Freshness.NEAR:
            return SaleBoxCheck("WARN", code, f"近效期药品（有效期至 {f.expiry}）", f"expires on {f.expiry}", f, hint,
                                rule="STK-002")
        return SaleBoxCheck("PASS", code, facts=f, fefo_hint=hint)

    # ---- reports ----------------------------------------------------------------------------------------------
    def on_hand(self, drug_key: str | None = None) -> list[BatchView]:
        with self.t.read() as s:
            return ledger.batches(s, drug_key)

    def near_expiry(self, days: int | None = None) -> list[BatchView]:
        with self.t.read() as s:
            return ledger.near_expiry(s, self.t.today(), self.settings.near_expiry_days if days is None else days)

    def movements(self, since: dt.date, until: dt.date) -> list[ledger.Movement]:
        """The movements of local calendar days since..until, with local times (the ledger stores UTC)."""
        from dataclasses import replace

        shift = dt.timedelta(hours=self.t.config.terminal.utc_offset_hours)
        with self.t.read() as s:
            moves = ledger.movements(s, dt.datetime.combine(since, dt.time()) - shift,
                                     dt.datetime.combine(until + dt.timedelta(days=1), dt.time()) - shift)
        return [replace(m, at=m.at + shift) for m in moves]


__all__ = ["DraftLine", "ReceivingDraft", "SaleBoxCheck", "StockService", "StockSettings", "product_for_box",
           "product_of", "scan_box"]
