"""The stock ledger's vocabulary (进销存): products, batches, boxes and their life cycle, without SQL or Qt.

A box is known by its trace code (追溯码; a GS1 DataMatrix box by its canonical bracketed form, so the raw and the
printed form of one scan are the same box). Its life cycle:

    (scanned into a receiving draft: received) → in_stock → opened (拆零: units sold from it)
        → sold → returned (customer return: on the shelf again)
        → supplier_returned (采购退货) | written_off (报损, 过期, 调拨 out, missing at a count)

Boxes on hand are in_stock or returned (a whole box each) and opened (their remaining units). A batch's quantity
(in the smallest unit) always equals whole boxes on hand × pack size + the remainders of its opened boxes:
core.store.stock keeps that count with every move and the hypothesis state machine in tests/core proves it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from core.i18n import Message


class StockError(ValueError):
    """Bad stock input: one clear message naming the row and the field (Chinese first). Nothing was written."""

    def __init__(self, zh: str, en: str = "", *, row: int | None = None, field: str | None = None) -> None:
        where_zh = f"第 {row} 行" if row is not None else ""
        where_en = f"row {row}" if row is not None else ""
        if field:
            where_zh = f"{where_zh}【{FIELD_NAMES.get(field, field)}】" if where_zh else f"【{FIELD_NAMES.get(field, field)}】"
            where_en = f"{where_en} {field}".strip()
        self.zh = f"{where_zh}：{zh}" if where_zh else zh
        self.en = f"{where_en}: {en}" if where_en and en else en
        self.row, self.field = row, field
        super().__init__(f"{self.zh} / {self.en}" if self.en else self.zh)

    @property
    def message(self) -> Message:
        """Both languages, as the shells' worker shows a refusal (desktop.common.worker)."""
        return Message("stock.error", self.zh, self.en or self.zh)


class NotInStock(StockError):
    """A box that the ledger does not hold on hand (never received, already sold, gone back …)."""

    def __init__(self, code: str, state: str | None) -> None:
        zh = "未入库的药品" if state is None else f"该盒不在库（{STATE_NAMES.get(state, state)}）"
        super().__init__(f"{zh}：{code}", f"box {code} is not in stock ({state or 'never received'})", field="code")
        self.code, self.state = code, state


FIELD_NAMES = {
    "code": "追溯码", "drug_key": "药品编码", "manu_lotnum": "批号", "manu_date": "生产日期", "expy_end": "有效期至",
    "price": "进价", "supplier": "供应商", "invoice_no": "发票号", "gtin": "GTIN", "units": "数量", "supervisor": "主管",
}


class BoxState(StrEnum):
    RECEIVED = "received"
    IN_STOCK = "in_stock"
    OPENED = "opened"
    SOLD = "sold"
    RETURNED = "returned"
    SUPPLIER_RETURNED = "supplier_returned"
    WRITTEN_OFF = "written_off"


STATE_NAMES = {
    "received": "已扫描待入库", "in_stock": "在库", "opened": "已拆零", "sold": "已售出", "returned": "退货在库",
    "supplier_returned": "已退供应商", "written_off": "已报损/调出",
}
WHOLE = frozenset({BoxState.IN_STOCK, BoxState.RETURNED})  # a whole box on the shelf
ON_HAND = WHOLE | {BoxState.OPENED}
TRANSITIONS: dict[BoxState, frozenset[BoxState]] = {
    BoxState.RECEIVED: frozenset({BoxState.IN_STOCK}),
    BoxState.IN_STOCK: frozenset({BoxState.OPENED, BoxState.SOLD, BoxState.SUPPLIER_RETURNED, BoxState.WRITTEN_OFF}),
    BoxState.RETURNED: frozenset({BoxState.OPENED, BoxState.SOLD, BoxState.SUPPLIER_RETURNED, BoxState.WRITTEN_OFF}),
    BoxState.OPENED: frozenset({BoxState.OPENED, BoxState.SOLD, BoxState.WRITTEN_OFF}),
    BoxState.SOLD: frozenset({BoxState.RETURNED, BoxState.OPENED}),  # a split return puts units back in an open box
    BoxState.SUPPLIER_RETURNED: frozenset({BoxState.IN_STOCK}),  # the supplier delivers the same box again
    BoxState.WRITTEN_OFF: frozenset(),
}

# 3502 库存变更类型 (inv_chg_type) of the changes this client makes
CHANGE_KINDS = {"loss": ("报损", "101"), "expired": ("过期", "102"), "transfer_out": ("调拨出库", "103"),
                "count_loss": ("盘亏", "104"), "other": ("其他出库", "199"),
                # a receipt from another branch of the chain (its 调拨出库 3502 named), uploaded as an inbound 3502
                "transfer_in": ("调拨入库", "201")}
INBOUND_KINDS = frozenset({"transfer_in"})


def can_move(state: BoxState | str | None, to: BoxState) -> bool:
    if state is None:
        return to is BoxState.IN_STOCK
    return to in TRANSITIONS[BoxState(state)]


@dataclass(frozen=True)
class Product:
    """A drug as the stock sees it (from the catalogue): GTIN and trace prefix decide whether a box belongs to it."""

    drug_key: str
    name: str
    pack_size: int
    nhsa_code: str = ""
    gtin: str = ""  # GTIN-14 (an EAN-13 barcode is the GTIN with a leading 0)
    trace_prefix: str = ""  # 7-digit 药品标识码 of 20-digit codes
    spec: str = ""


@dataclass(frozen=True)
class Box:
    """One box read from a scan: its key in the ledger and what the code itself says."""

    code: str
    kind: str  # trace_code | gs1
    gtin: str = ""
    batch: str = ""
    expiry: str = ""  # ISO date
    serial: str = ""
    manu_date: str = ""
    prefix: str = ""


def read_box(text: str, today: dt.date | None = None) -> Box:
    """A scan as a box, or StockError saying why it is not one (a commodity barcode, a case label …)."""
    from core.codes import classify

    r = classify(text, today=today)
    if not r.valid:
        why = r.error.zh if r.error is not None else r.kind.value
        why_en = r.error.en if r.error is not None else r.kind.value
        raise StockError(f"不是有效的药品追溯码（{why}）", f"not a valid trace code ({why_en})", field="code")
    if r.kind == "trace_code":
        return Box(str(r.fields.get("code") or text.strip()), "trace_code", prefix=str(r.fields.get("product_prefix", "")))
    if r.kind == "gs1":
        f = r.fields
        if not f.get("gtin") or not f.get("serial"):
            raise StockError("GS1 码缺少 GTIN 或序列号，不是单盒码（请扫描盒上的码）",
                             "the GS1 code lacks a GTIN or serial: not one box's code", field="code")
        ais = f.get("ais") or {}
        made = str(ais.get("11", ""))
        return Box(str(f.get("hri") or text.strip()), "gs1", gtin=str(f["gtin"]), batch=str(f.get("batch") or ""),
                   expiry=str(f.get("expiry") or "")[:10], serial=str(f["serial"]),
                   manu_date=f"20{made[:2]}-{made[2:4]}-{made[4:6]}" if len(made) == 6 else "")
    raise StockError(f"这不是药品追溯码（{r.kind}）", f"not a trace code ({r.kind})", field="code")


def box_key(text: str) -> str:
    """The ledger key of a scanned code (the sale uses it to find the box); the text itself when unreadable."""
    try:
        return read_box(text).code
    except StockError:
        return text.strip()


def gtin_matches(gtin: str, barcode: str) -> bool:
    return bool(gtin) and bool(barcode) and gtin.lstrip("0") == barcode.lstrip("0")


@dataclass(frozen=True)
class DeliveryLine:
    """One box of a delivery (from a scan or a row of the supplier's file)."""

    code: str
    drug_key: str
    manu_lotnum: str = ""
    manu_date: str = ""
    expy_end: str = ""
    price: Decimal | None = None  # purchase price per box
    row: int | None = None  # the file's row (for messages), else the scan's position


@dataclass(frozen=True)
class Delivery:
    supplier: str
    invoice_no: str
    lines: tuple[DeliveryLine, ...]
    invoice_code: str = ""
    supplier_licence: str = ""  # spler_pmtno 供应商许可证号
    note: str = ""


@dataclass(frozen=True)
class ReceiptBox:
    code: str
    drug_key: str
    lot: str
    manu_date: dt.date
    expiry: dt.date
    price: Decimal


def _date(value: str, row: int | None, name: str) -> dt.date:
    text = (value or "").strip()
    if not text:
        raise StockError("不能为空", "is empty", row=row, field=name)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text[:10] if "-" in text or "/" in text else text[:8], fmt).date()
        except ValueError:
            continue
    raise StockError(f"不是日期：{text}", f"not a date: {text}", row=row, field=name)


def check_delivery(delivery: Delivery, products: dict[str, Product], today: dt.date) -> list[ReceiptBox]:
    """Every box of a delivery checked (before anything is written): the first problem raises StockError."""
    if not delivery.supplier.strip():
        raise StockError("请填写供应商", "supplier is empty", field="supplier")
    if not delivery.invoice_no.strip():
        raise StockError("请填写发票号", "invoice number is empty", field="invoice_no")
    if not delivery.lines:
        raise StockError("入库单没有药品", "the delivery has no boxes")
    seen: dict[str, int] = {}
    out = []
    for pos, line in enumerate(delivery.lines, start=1):
        row = line.row if line.row is not None else pos
        product = products.get(line.drug_key)
        if product is None:
            raise StockError(f"药品编码不在目录中：{line.drug_key}", f"unknown drug {line.drug_key}", row=row,
                             field="drug_key")
        try:
            box = read_box(line.code, today)
        except StockError as exc:
            raise StockError(exc.zh.split("：", 1)[-1], exc.en.split(": ", 1)[-1], row=row, field="code") from None
        if box.code in seen:
            raise StockError(f"同一盒扫描了两次（与第 {seen[box.code]} 行相同）：{box.code}",
                             f"the same box twice (as row {seen[box.code]}): {box.code}", row=row, field="code")
        seen[box.code] = row
        if box.kind == "gs1" and product.gtin and not gtin_matches(box.gtin, product.gtin):
            raise StockError(f"GS1 码的 GTIN {box.gtin} 与药品 {product.name}（{product.gtin}）不符",
                             f"GTIN {box.gtin} does not match {product.drug_key} ({product.gtin})", row=row, field="gtin")
        if box.kind == "trace_code" and product.trace_prefix and box.prefix != product.trace_prefix:
            raise StockError(f"追溯码前 7 位 {box.prefix} 与药品 {product.name}（{product.trace_prefix}）不符（码品不符）",
                             f"code prefix {box.prefix} is not {product.drug_key}'s {product.trace_prefix}", row=row,
                             field="code")
        lot = (line.manu_lotnum or box.batch).strip()
        if not lot:
            raise StockError("批号不能为空", "batch number is empty", row=row, field="manu_lotnum")
        if box.batch and line.manu_lotnum and box.batch != line.manu_lotnum.strip():
            raise StockError(f"码上批号 {box.batch} 与填写的批号 {line.manu_lotnum} 不符",
                             f"batch {box.batch} in the code differs from {line.manu_lotnum}", row=row, field="manu_lotnum")
        made = _date(line.manu_date or box.manu_date, row, "manu_date")
        expiry = _date(line.expy_end or box.expiry, row, "expy_end")
        if box.expiry and line.expy_end and _date(box.expiry, row, "expy_end") != expiry:
            raise StockError(f"码上有效期 {box.expiry} 与填写的 {line.expy_end} 不符",
                             f"expiry {box.expiry} in the code differs from {line.expy_end}", row=row, field="expy_end")
        if expiry <= made:
            raise StockError(f"有效期 {expiry} 早于生产日期 {made}", f"expiry {expiry} is before manufacture {made}",
                             row=row, field="expy_end")
        if made > today:
            raise StockError(f"生产日期 {made} 在今天之后", f"manufacture date {made} is in the future", row=row,
                             field="manu_date")
        price = line.price if line.price is not None else Decimal("0")
        if price < 0:
            raise StockError("进价不能为负", "negative price", row=row, field="price")
        out.append(ReceiptBox(box.code, product.drug_key, lot, made, expiry, price))
    return out


@dataclass(frozen=True)
class CountResult:
    """A stock count (盘点): what the shelf showed against what the ledger holds."""

    matched: tuple[str, ...]
    missing: tuple[str, ...]  # in the ledger, not on the shelf
    extra: tuple[str, ...]  # on the shelf, not on hand in the ledger

    @property
    def clean(self) -> bool:
        return not self.missing and not self.extra


def compare_count(on_hand: set[str] | frozenset[str], scanned: list[str]) -> CountResult:
    seen = set(dict.fromkeys(scanned))
    return CountResult(tuple(sorted(seen & on_hand)), tuple(sorted(on_hand - seen)), tuple(sorted(seen - on_hand)))


class Freshness(StrEnum):
    OK = "ok"
    NEAR = "near"  # WARN at the sale
    EXPIRED = "expired"  # BLOCK at the sale


def freshness(expiry: dt.date, today: dt.date, near_days: int) -> Freshness:
    if expiry < today:
        return Freshness.EXPIRED
    if (expiry - today).days <= near_days:
        return Freshness.NEAR
    return Freshness.OK


@dataclass(frozen=True)
class BatchView:
    batch_id: int
    drug_key: str
    bchno: str
    lot: str
    manu_date: dt.date
    expiry: dt.date
    units: int
    boxes: int
    supplier: str = ""
    price: Decimal = Decimal("0")
    extra: dict = field(default_factory=dict)


def fefo(batches: list[BatchView]) -> list[BatchView]:
    """First expiry, first out: the batches with stock in the order they should leave the shelf."""
    return sorted((b for b in batches if b.units > 0), key=lambda b: (b.expiry, b.batch_id))


__all__ = [
    "CHANGE_KINDS", "INBOUND_KINDS", "ON_HAND", "STATE_NAMES", "TRANSITIONS", "WHOLE", "BatchView", "Box", "BoxState", "CountResult",
    "Delivery", "DeliveryLine", "Freshness", "NotInStock", "Product", "ReceiptBox", "StockError", "box_key",
    "can_move", "check_delivery", "compare_count", "fefo", "freshness", "gtin_matches", "read_box",
]
