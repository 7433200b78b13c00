"""The monthly 两病 reports (附件4/5/6 of seed 001) as files: XLSX (openpyxl) and PDF (reportlab), laid out like
the printed forms. The figures come from the centre (transaction 2550, or server.reports.monthly for the
command line); this module only lays them out, so what is exported is exactly what was shown.

    write_xlsx(report, path, footer)     write_pdf(report, path, footer)     rows_for_screen(report)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

LEVELS = ("level1", "level2", "level3", "pharmacy", "total")
LEVEL_HEADS = ("一级及以下医疗机构", "二级医疗机构", "三级医疗机构", "定点药店", "合计")
HEAD_45 = ["疾病病种", "参保人数", "备案人数"]
HEAD_6 = ["序号", "填报单位", "纳入“高血压”管理人员情况统计（人数）", "纳入“糖尿病”管理人员情况统计（人数）", "总计"]
FONT = "STSong-Light"


@dataclass(frozen=True)
class Footer:
    unit: str = ""  # 填报单位
    preparer: str = ""  # 填报人
    reviewer: str = ""  # 审核人
    date: str = ""  # 填报日期

    def text(self, gap: str = "    ") -> str:
        day = self.date or dt.date.today().isoformat()
        return gap.join((f"填报单位：{self.unit}", f"填报人：{self.preparer}", f"审核人：{self.reviewer}", f"填报日期：{day}"))


class ReportFormatError(ValueError):
    """A report object that is not one of the three forms."""


def _check(report: dict) -> str:
    form = str(report.get("form", ""))
    if form not in ("4", "5", "6") or not isinstance(report.get("rows"), list):
        raise ReportFormatError("not a monthly report (form 4, 5 or 6 with rows)")
    return form


def rows_for_screen(report: dict) -> tuple[list[str], list[list[str]]]:
    """Headers and text cells, one row per table row (the counter's table and the PDF use the same cells)."""
    form = _check(report)
    if form == "6":
        return list(HEAD_6), [[str(r["no"]), r["unit"], str(r["htn"]), str(r["dm"]), str(r["total"])] for r in report["rows"]]
    heads = list(HEAD_45)
    for h in LEVEL_HEADS:
        heads += [f"{h}·医疗费", f"{h}·报销额"]
    rows = []
    for r in report["rows"]:
        cells = [r["disease"], str(r["insured"]), str(r["registered"])]
        for lv in LEVELS:
            cells += [r[lv]["medfee"], r[lv]["reimbursed"]]
        rows.append(cells)
    return heads, rows


# ---- XLSX ------------------------------------------------------------------------------------------------------
def write_xlsx(report: dict, path: str | Path, footer: Footer | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    form = _check(report)
    footer = footer or Footer()
    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.get('annex', '')} {report.get('month', '')}".strip()
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ncols = 13 if form != "6" else 5
    last = get_column_letter(ncols)
    ws["A1"] = report.get("annex", "")
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = report.get("title", "")
    ws["A2"].font = Font(size=14, bold=True)
    ws["A2"].alignment = centre
    ws.row_dimensions[2].height = 36
    ws.merge_cells(f"A3:{last}3")
    ws["A3"] = f"统计月份：{report.get('month', '')}"
    if form == "6":
        for c, h in enumerate(HEAD_6, start=1):
            ws.cell(4, c, h)
        first_data = 5
        for i, r in enumerate(report["rows"]):
            values = [r["no"], r["unit"], r["htn"], r["dm"], r["total"]]
            for c, v in enumerate(values, start=1):
                ws.cell(first_data + i, c, v)
        widths = [8, 36, 22, 22, 12]
        head_rows: tuple[int, ...] = (4,)
    else:
        for c, h in enumerate(HEAD_45, start=1):
            ws.cell(4, c, h)
            ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
        for i, h in enumerate(LEVEL_HEADS):
            col = 4 + 2 * i
            ws.cell(4, col, h)
            ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + 1)
            ws.cell(5, col, "医疗费")
            ws.cell(5, col + 1, "报销额")
        first_data = 6
        for i, r in enumerate(report["rows"]):
            ws.cell(first_data + i, 1, r["disease"])
            ws.cell(first_data + i, 2, int(r["insured"]))
            ws.cell(first_data + i, 3, int(r["registered"]))
            for j, lv in enumerate(LEVELS):
                for k, key in enumerate(("medfee", "reimbursed")):
                    cell = ws.cell(first_data + i, 4 + 2 * j + k, Decimal(r[lv][key]))
                    cell.number_format = "0.00"
        widths = [10, 9, 9] + [12] * 10
        head_rows = (4, 5)
    end = first_data + len(report["rows"]) - 1
    for row in ws.iter_rows(min_row=head_rows[0], max_row=end, max_col=ncols):
        for cell in row:
            cell.border = box
            cell.alignment = centre
    for r in head_rows:
        for c in range(1, ncols + 1):
            ws.cell(r, c).font = Font(bold=True)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.row_dimensions[4].height = 30
    ws.merge_cells(start_row=end + 2, start_column=1, end_row=end + 2, end_column=ncols)
    ws.cell(end + 2, 1, footer.text())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ---- PDF -------------------------------------------------------------------------------------------------------
def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def write_pdf(report: dict, path: str | Path, footer: Footer | None = None) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    form = _check(report)
    footer = footer or Footer()
    _register_font()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page = landscape(A4) if form != "6" else A4
    doc = SimpleDocTemplate(str(path), pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=report.get("title", ""), author="OneWindow 一窗通")
    small = ParagraphStyle("small", fontName=FONT, fontSize=10, leading=13)
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11, alignment=1)
    story = [Paragraph(report.get("annex", ""), small), Spacer(1, 2 * mm), Paragraph(report.get("title", ""), title),
             Spacer(1, 2 * mm), Paragraph(f"统计月份：{report.get('month', '')}", small), Spacer(1, 3 * mm)]
    if form == "6":
        data = [[Paragraph(h, cell) for h in HEAD_6]]
        for r in report["rows"]:
            data.append([str(r["no"]), Paragraph(r["unit"], cell), str(r["htn"]), str(r["dm"]), str(r["total"])])
        widths = [14 * mm, 70 * mm, 36 * mm, 36 * mm, 24 * mm]
        style = [("SPAN", (0, 0), (0, 0))]
    else:
        head1 = [Paragraph(h, cell) for h in HEAD_45]
        head2 = ["", "", ""]
        for h in LEVEL_HEADS:
            head1 += [Paragraph(h, cell), ""]
            head2 += ["医疗费", "报销额"]
        data = [head1, head2]
        for r in report["rows"]:
            row = [r["disease"], str(r["insured"]), str(r["registered"])]
            for lv in LEVELS:
                row += [r[lv]["medfee"], r[lv]["reimbursed"]]
            data.append(row)
        widths = [22 * mm, 17 * mm, 17 * mm] + [22 * mm] * 10
        style = [("SPAN", (c, 0), (c, 1)) for c in range(3)]
        style += [("SPAN", (3 + 2 * i, 0), (4 + 2 * i, 0)) for i in range(5)]
    table = Table(data, colWidths=widths, repeatRows=2 if form != "6" else 1)
    table.setStyle(TableStyle(style + [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 1 if form != "6" else 0), colors.Color(0.93, 0.93, 0.93)),
        ("ROWBACKGROUNDS", (0, 2 if form != "6" else 1), (-1, -1), [colors.white]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4), ("TOPPADDING", (0, 0), (-1, -1), 4),
    ]))
    story += [table, Spacer(1, 6 * mm), Paragraph(footer.text('<font name="Helvetica">' + "&#160;" * 8 + "</font>"), small)]
    doc.build(story)
    return path


__all__ = ["Footer", "ReportFormatError", "rows_for_screen", "write_pdf", "write_xlsx"]
