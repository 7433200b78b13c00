"""Stock reports (进销存报表): stock on hand by product and batch, the near-expiry list, the movement ledger of a
period as XLSX (openpyxl, already a dependency for the reports) or PDF (reportlab, likewise), and the
reconciliation of the local ledger against the centre's 3508 (stock by batch) and 3511 (sale uploads).

    rows = on_hand_rows(svc); write_xlsx(path, "库存", HEAD_ON_HAND, rows)
    diff = reconcile(terminal)         # one row per batch where the ledger and the centre differ
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from core.stock.domain import STATE_NAMES, BatchView
from core.store import stock as ledger

if TYPE_CHECKING:
    from core.services.stock import StockService
    from core.sync.terminal import Terminal

KIND_NAMES = {"receive": "采购入库", "sell": "销售", "sale_return": "销售退货", "supplier_return": "采购退货",
              "loss": "报损", "expired": "过期", "transfer_out": "调拨出库", "count_loss": "盘亏", "other": "其他出库",
              "undo": "撤销上传（3507）", "transfer_in": "调拨入库"}
HEAD_ON_HAND = ("药品编码", "批次号", "批号", "生产日期", "有效期至", "整盒+拆零（最小单位）", "在库盒数", "供应商")
HEAD_MOVES = ("时间", "类型", "单据号", "药品编码", "批次号", "批号", "追溯码", "数量变动（最小单位）", "变动后状态")


def batch_row(b: BatchView) -> tuple:
    return (b.drug_key, b.bchno, b.lot, b.manu_date.isoformat(), b.expiry.isoformat(), b.units, b.boxes, b.supplier)


def on_hand_rows(svc: "StockService") -> list[tuple]:
    return [batch_row(b) for b in svc.on_hand()]


def near_expiry_rows(svc: "StockService", days: int | None = None) -> list[tuple]:
    return [batch_row(b) for b in svc.near_expiry(days)]


def movement_rows(moves: Sequence[ledger.Movement]) -> list[tuple]:
    return [(m.at.strftime("%Y-%m-%d %H:%M:%S"), KIND_NAMES.get(m.kind, m.kind), m.doc_no, m.drug_key, m.bchno, m.lot,
             m.code, m.units, STATE_NAMES.get(m.state, m.state)) for m in moves]


def write_xlsx(path: str | Path, title: str, head: Sequence[str], rows: Sequence[Sequence]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(head))
    for r in rows:
        ws.append(list(r))
    for i, h in enumerate(head, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(str(h)) * 2 + 2)
    p = Path(path)
    wb.save(p)
    return p


def write_pdf(path: str | Path, title: str, head: Sequence[str], rows: Sequence[Sequence]) -> Path:
    """A landscape A4 table in a CJK font reportlab ships (STSong-Light), so no font file is needed."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    p = Path(path)
    doc = SimpleDocTemplate(str(p), pagesize=landscape(A4), title=title)
    style = ParagraphStyle("t", fontName="STSong-Light", fontSize=14)
    table = Table([list(head)] + [[str(c) for c in r] for r in rows], repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 7),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
    doc.build([Paragraph(title, style), table])
    return p


def movement_ledger(svc: "StockService", since: dt.date, until: dt.date, path: str | Path) -> Path:
    """进销存台账 of a period, as XLSX or PDF by the file's suffix."""
    rows = movement_rows(svc.movements(since, until))
    title = f"进销存台账 {since} 至 {until}"
    writer = write_pdf if str(path).lower().endswith(".pdf") else write_xlsx
    return writer(path, title, HEAD_MOVES, rows)


# ---- reconciliation with the centre (3508 stock by batch, 3511 sale uploads) ---------------------------------
@dataclass(frozen=True)
class StockDiff:
    bchno: str
    drug_key: str
    local_boxes: int
    centre_qty: str  # as the centre answered ("" when the centre does not know the batch)
    note: str
    local_units: int = 0  # whole boxes × pack + opened boxes' remainders
    centre_units: str = ""  # the centre's inv_units ("" from a centre that keeps whole boxes only)


class ReconcileError(RuntimeError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _query_all(t: "Terminal", infno: str, data: dict, operator: str) -> list[dict]:
    rows: list[dict] = []
    page = 1
    while True:
        reply = t.transport.call(infno, {"data": {**data, "page_num": page, "page_size": 1000}}, operator=operator)
        if not reply.ok:
            raise ReconcileError(f"对账查询({infno})失败：{reply.err_msg or reply.error}",
                                 f"the reconciliation query ({infno}) failed: {reply.describe()}")
        got = reply.output.get("data") or []
        rows += [r for r in got if isinstance(r, dict)]
        if len(rows) >= int(reply.output.get("total") or 0) or not got:
            return rows
        page += 1


def reconcile(t: "Terminal", *, operator: str = "SYS") -> tuple[list[StockDiff], dict]:
    """Batches whose boxes on hand differ from the centre's stock (3508), and the sale uploads' count (3511).
    Batches with uploads still waiting in the outbox are named so ("待上传"), not counted as differences."""
    from sqlalchemy import func, select

    from core.sync import outbox as ob
    from core.sync.models import SyncOutbox

    centre = {r.get("fixmedins_bchno", ""): r for r in _query_all(t, t.config.infno["stock_query"], {}, operator)}
    with t.read() as s:
        local = {b.bchno: b for b in ledger.batches(s, with_stock_only=False)}
        waiting = {lane.split(":", 1)[1] for lane in s.scalars(
            select(SyncOutbox.lane).where(SyncOutbox.status == ob.PENDING, SyncOutbox.lane.like("stock:%")))}
        uploads_done = s.scalar(select(func.count()).select_from(SyncOutbox).where(
            SyncOutbox.kind == "sale_upload", SyncOutbox.status == ob.DONE)) or 0
    diffs = []
    for bchno in sorted(set(centre) | set(local)):
        b, c = local.get(bchno), centre.get(bchno)
        boxes = b.boxes if b is not None else 0
        units = b.units if b is not None else 0
        qty = str(c.get("inv_cnt", "")) if c is not None else ""
        c_units = str(c.get("inv_units", "")) if c is not None else ""
        # a split sale leaves the opened box on hand with fewer units: boxes agree, units must too
        same_units = not c_units or _num(c_units) == units
        same = c is not None and _num(qty) == boxes and same_units
        if same or (c is None and boxes == 0):
            continue
        note = "待上传" if bchno in waiting else ("中心无此批次" if c is None else
                                                 "数量不符" if _num(qty) != boxes else "拆零数量不符")
        drug = b.drug_key if b is not None else str((c or {}).get("fixmedins_hilist_id", ""))
        diffs.append(StockDiff(bchno, drug, boxes, qty, note, units, c_units))
    sales = _query_all(t, t.config.infno["sale_query"], {}, operator)
    return diffs, {"centre_sale_uploads": len(sales), "local_sale_uploads": int(uploads_done),
                   "centre_batches": len(centre), "local_batches": len(local)}


def _num(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


__all__ = ["HEAD_MOVES", "HEAD_ON_HAND", "KIND_NAMES", "ReconcileError", "StockDiff", "movement_ledger",
           "movement_rows", "near_expiry_rows", "on_hand_rows", "reconcile", "write_pdf", "write_xlsx"]
