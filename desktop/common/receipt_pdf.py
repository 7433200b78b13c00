"""A receipt as a PDF (80 mm roll width) in the receipts folder: the record of every receipt handed over. The
content comes from core.services.receipts; the receipt printer (ESC/POS through the print queue) is
desktop.common.receipt_printing, which writes this PDF first."""
from __future__ import annotations

import html
from pathlib import Path

from core.services.receipts import ReceiptContent
from desktop.fonts import pick_cjk_family
from desktop.qt import QtCore, QtGui

WIDTH_MM = 80
# Codes and amounts are set in a monospace face: they line up, and PDF text extraction (an insurer's audit
# tool, our tests) reads them back exactly.
MONO = ("Noto Sans Mono CJK SC", "DejaVu Sans Mono", "Consolas", "Courier New")


def _mono_family() -> str:
    families = set(QtGui.QFontDatabase.families())
    return next((f for f in MONO if f in families), "monospace")


def receipt_html(r: ReceiptContent) -> str:
    mono = _mono_family()

    def e(value: str) -> str:
        return html.escape(value)

    def n(value: str) -> str:
        return f"<span style=\"font-family:'{mono}'\">{html.escape(value)}</span>"
    rows = []
    for l in r.lines:
        rows.append(f"<tr><td colspan=2><b>{e(l.name)}</b> {e(l.spec)}</td></tr>")
        rows.append(f"<tr><td>&nbsp;&nbsp;{e(l.qty_text)}</td><td align=right>{n(l.amount)}</td></tr>")
        for c in l.codes:
            rows.append(f"<tr><td colspan=2>&nbsp;&nbsp;追溯码 {n(c)}</td></tr>")
        if l.note:
            rows.append(f"<tr><td colspan=2>&nbsp;&nbsp;{e(l.note)}</td></tr>")
    money = "".join(f"<tr><td>{e(k)}</td><td align=right>{n(v)}</td></tr>" for k, v in r.rows())
    copy = f"<p align=center><b>** 重打副本 第 {r.copy_no} 次 COPY **</b></p>" if r.is_copy else ""
    return (
        f"<h3 align=center>{e(r.title)}</h3>"
        f"<p align=center>{e(r.pharmacy)}<br>{n(r.institution)} {n(r.terminal)}</p>"
        f"<p>小票号 {n(r.receipt_no)}<br>时间 {n(r.time)}<br>收银 {e(r.operator)}<br>参保人 {e(r.person)}</p>"
        f"<hr><table width=100% cellspacing=0>{''.join(rows)}</table><hr>"
        f"<table width=100% cellspacing=0>{money}</table><hr>"
        f"<p>结算ID</p><p style=\"white-space:pre; font-size:7pt\">{n(r.setl_id)}</p>{copy}"
    )


def write_pdf(r: ReceiptContent, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = QtGui.QTextDocument()
    family = pick_cjk_family(QtGui.QFontDatabase.families())
    font = QtGui.QFont(family) if family else QtGui.QFont()
    font.setPointSizeF(8)
    doc.setDefaultFont(font)
    doc.setHtml(receipt_html(r))
    height_mm = max(120.0, 30 + 5.2 * len(r.text_lines(32)))
    writer = QtGui.QPdfWriter(str(path))
    writer.setPageSize(QtGui.QPageSize(QtCore.QSizeF(WIDTH_MM, height_mm), QtGui.QPageSize.Unit.Millimeter))
    writer.setPageMargins(QtCore.QMarginsF(3, 3, 3, 3), QtGui.QPageLayout.Unit.Millimeter)
    writer.setTitle(f"{r.title} {r.receipt_no}")
    writer.setCreator("OneWindow")
    doc.print_(writer)
    return path


def write_lines_pdf(lines: list[str], path: Path, *, title: str = "") -> Path:
    """A plain document of lines (X/Z reports) as a PDF of the receipt roll's width."""
    mono = _mono_family()
    body = "<br>".join(f"<span style=\"font-family:'{mono}'\">{html.escape(l)}</span>" for l in lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = QtGui.QTextDocument()
    family = pick_cjk_family(QtGui.QFontDatabase.families())
    font = QtGui.QFont(family) if family else QtGui.QFont()
    font.setPointSizeF(8)
    doc.setDefaultFont(font)
    doc.setHtml(f"<p>{body}</p>")
    writer = QtGui.QPdfWriter(str(path))
    height_mm = max(120.0, 30 + 5.2 * len(lines))
    writer.setPageSize(QtGui.QPageSize(QtCore.QSizeF(WIDTH_MM, height_mm), QtGui.QPageSize.Unit.Millimeter))
    writer.setPageMargins(QtCore.QMarginsF(3, 3, 3, 3), QtGui.QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    doc.print_(writer)
    return path


def write_receipt_pdf(r: ReceiptContent, folder: Path) -> Path:
    """The receipt's PDF in `folder` (<receipt no>.pdf, a copy <receipt no>-copy<n>.pdf): written for every
    receipt, printer or not, as the record of what was handed over. The receipt printer is
    desktop.common.receipt_printing's job."""
    suffix = f"-copy{r.copy_no}" if r.is_copy else ""
    return write_pdf(r, folder / f"{r.receipt_no}{suffix}.pdf")


__all__ = ["receipt_html", "write_lines_pdf", "write_pdf", "write_receipt_pdf"]
