"""The supplier's delivery list (随货同行单) as a file: one row per box, CSV (UTF-8, with or without BOM, or GB18030)
or XLSX (first sheet; openpyxl is already a dependency of the reports).

Columns (header row; Chinese or English names, any order, extra columns ignored):

    追溯码 code | 药品编码 drug_key | 批号 manu_lotnum | 生产日期 manu_date | 有效期至 expy_end | 进价 price (optional)
    | 箱码 case_code (optional: the aggregate code the box came in, kept for the message only)

Dates as YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD. A GS1 box code may leave batch and expiry empty (read from the
code). A missing column or an unreadable file raises StockError naming it; rows are checked when received.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from core.stock.domain import DeliveryLine, StockError

COLUMNS = {
    "code": ("追溯码", "code", "drug_trac_codg"),
    "drug_key": ("药品编码", "drug_key", "fixmedins_hilist_id"),
    "manu_lotnum": ("批号", "manu_lotnum", "lot"),
    "manu_date": ("生产日期", "manu_date"),
    "expy_end": ("有效期至", "expy_end", "expiry"),
    "price": ("进价", "price", "purchase_price"),
    "case_code": ("箱码", "case_code"),
}
REQUIRED = ("code", "drug_key", "manu_lotnum", "manu_date", "expy_end")
HEADER_ZH = {k: v[0] for k, v in COLUMNS.items()}
MAX_ROWS = 100_000


def _index(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, aliases in COLUMNS.items():
        for a in aliases:
            if a.lower() in names:
                found[key] = names.index(a.lower())
                break
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        zh = "、".join(HEADER_ZH[k] for k in missing)
        raise StockError(f"入库文件缺少列：{zh}", f"the delivery file lacks column(s): {', '.join(missing)}", row=1)
    return found


def _lines(rows: list[list[str]]) -> list[DeliveryLine]:
    if not rows:
        raise StockError("入库文件是空的", "the delivery file is empty")
    idx = _index([str(h or "") for h in rows[0]])
    out: list[DeliveryLine] = []
    for n, raw in enumerate(rows[1:], start=2):
        cells = [("" if c is None else str(c)).strip() for c in raw]
        if not any(cells):
            continue
        if len(out) >= MAX_ROWS:
            raise StockError(f"入库文件超过 {MAX_ROWS} 行", f"more than {MAX_ROWS} rows", row=n)

        def get(key: str, cells: list[str] = cells) -> str:
            i = idx.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        price = None
        if get("price"):
            try:
                price = Decimal(get("price"))
            except InvalidOperation:
                raise StockError(f"不是金额：{get('price')}", f"not an amount: {get('price')}", row=n,
                                 field="price") from None
        if not get("code"):
            raise StockError("追溯码为空", "code is empty", row=n, field="code")
        out.append(DeliveryLine(code=get("code"), drug_key=get("drug_key"), manu_lotnum=get("manu_lotnum"),
                                manu_date=_cell_date(get("manu_date")), expy_end=_cell_date(get("expy_end")),
                                price=price, row=n))
    if not out:
        raise StockError("入库文件没有数据行", "the delivery file has no rows")
    return out


def _cell_date(text: str) -> str:
    return text[:10] if len(text) >= 10 and text[4] in "-/" else text  # XLSX datetimes arrive as "2026-01-31 00:00:00"


def read_csv_text(text: str) -> list[DeliveryLine]:
    return _lines([r for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))])


def read_delivery(path: str | Path) -> list[DeliveryLine]:
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        try:
            from openpyxl import load_workbook

            wb = load_workbook(p, read_only=True, data_only=True)
            rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            wb.close()
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file, not our bug
            raise StockError(f"无法读取 Excel 文件：{exc}", f"cannot read the workbook: {exc}") from None
        return _lines([[("" if c is None else str(c)) for c in r] for r in rows])
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise StockError(f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc}") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return read_csv_text(data.decode(enc))
        except UnicodeDecodeError:
            continue
    raise StockError("文件编码无法识别（请存为 UTF-8 CSV）", "unknown encoding (save as UTF-8 CSV)")


__all__ = ["COLUMNS", "REQUIRED", "read_csv_text", "read_delivery"]
