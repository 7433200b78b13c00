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
    rows = ["<tr><td colspan=2><b>【医保部分】</b></td></tr>"] if r.goods else []
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
        f"<table width=100% cellspacing=0>{money}</table><hr>{_mixed_html(r, e, n)}{_lifestyle_html(r, e)}"
        f"<p>结算ID</p><p style=\"white-space:pre; font-size:7pt\">{n(r.setl_id)}</p>{copy}"
    )


def _lifestyle_html(r: ReceiptContent, e) -> str:  # noqa: ANN001
    """The lifestyle prescription's short form (双处方, issue 24): its heading and advice, as on the printed roll."""
    if not r.lifestyle:
        return ""
    head, *advice = r.lifestyle
    return f"<p><b>{e(head)}</b><br>{'<br>'.join(e(a) for a in advice)}</p><hr>"


def _mixed_html(r: ReceiptContent, e, n) -> str:  # noqa: ANN001
    """The mixed basket (issue 17): the non-insured goods with their total, the split (合计应收 = the insured
    personal share + the goods), and every tender with its slip's reference (masked by build_receipt)."""
    out = []
    if r.goods:
        rows = []
        for name, qty, amount in r.goods:
            rows.append(f"<tr><td colspan=2><b>{e(name)}</b></td></tr>")
            rows.append(f"<tr><td>&nbsp;&nbsp;{e(qty)}</td><td align=right>{n(amount)}</td></tr>")
        rows.append(f"<tr><td>非医保合计</td><td align=right>{n(r.goods_total)}</td></tr>")
        rows.append(f"<tr><td>医保个人负担</td><td align=right>{n(r.personal)}</td></tr>")
        rows.append(f"<tr><td><b>合计应收</b></td><td align=right><b>{n(r.due)}</b></td></tr>")
        out.append(f"<p><b>【非医保部分（自费）】</b></p><table width=100% cellspacing=0>{''.join(rows)}</table><hr>")
    if r.tenders:
        head = "【付款方式】" if r.kind == "sale" else "【退回原付款方式】"
        rows = []
        for name, amount, ref in r.tenders:
            rows.append(f"<tr><td>&nbsp;&nbsp;{e(name)}</td><td align=right>{n(amount)}</td></tr>")
            if ref:
                rows.append(f"<tr><td colspan=2>&nbsp;&nbsp;&nbsp;&nbsp;凭证号 {n(ref)}</td></tr>")
        out.append(f"<p><b>{head}</b></p><table width=100% cellspacing=0>{''.join(rows)}</table><hr>")
    return "".join(out)


MARGIN_MM = 3.0
_PT_PER_MM = 72 / 25.4


def _document(html_text: str) -> QtGui.QTextDocument:
    doc = QtGui.QTextDocument()
    family = pick_cjk_family(QtGui.QFontDatabase.families())
    font = QtGui.QFont(family) if family else QtGui.QFont()
    font.setPointSizeF(8)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setHtml(html_text)
    return doc


def write_continuous(doc: QtGui.QTextDocument, path: Path, *, title: str = "") -> Path:
    """One page of the roll's width whose height follows the content, as the roll is cut: a receipt is never
    split over pages (a fixed page height split the totals from their lines).

    The writer works at 72 dpi so that one layout unit is one point; the document is laid out with the
    writer's font metrics, measured, and drawn once onto a page of that height."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QtGui.QPdfWriter(str(path))
    writer.setResolution(72)
    writer.setTitle(title)
    writer.setCreator("OneWindow")
    doc.documentLayout().setPaintDevice(writer)
    doc.setTextWidth((WIDTH_MM - 2 * MARGIN_MM) * _PT_PER_MM)
    height_mm = doc.size().height() / _PT_PER_MM + 2 * MARGIN_MM + 1  # 1 mm: rounding of the last line
    writer.setPageSize(QtGui.QPageSize(QtCore.QSizeF(WIDTH_MM, height_mm), QtGui.QPageSize.Unit.Millimeter,
                                       "", QtGui.QPageSize.SizeMatchPolicy.ExactMatch))
    writer.setPageMargins(QtCore.QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                          QtGui.QPageLayout.Unit.Millimeter)
    painter = QtGui.QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        doc.drawContents(painter)
    finally:
        painter.end()
    return path


def write_pdf(r: ReceiptContent, path: Path) -> Path:
    return write_continuous(_document(receipt_html(r)), path, title=f"{r.title} {r.receipt_no}")


def write_lines_pdf(lines: list[str], path: Path, *, title: str = "") -> Path:
    """A plain document of lines (X/Z reports) as a PDF of the receipt roll's width, on one page."""
    mono = _mono_family()
    body = "<br>".join(f"<span style=\"font-family:'{mono}'\">{html.escape(l)}</span>" for l in lines)
    return write_continuous(_document(f"<p>{body}</p>"), path, title=title)


def write_receipt_pdf(r: ReceiptContent, folder: Path) -> Path:
    """The receipt's PDF in `folder` (<receipt no>.pdf, a copy <receipt no>-copy<n>.pdf): written for every
    receipt, printer or not, as the record of what was handed over. The receipt printer is
    desktop.common.receipt_printing's job."""
    suffix = f"-copy{r.copy_no}" if r.is_copy else ""
    return write_pdf(r, folder / f"{r.receipt_no}{suffix}.pdf")


__all__ = ["receipt_html", "write_continuous", "write_lines_pdf", "write_pdf", "write_receipt_pdf"]
