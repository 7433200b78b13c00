"""A statement of settlements (core.services.kiosk.Statement) on paper: the receipt printer through
hardware.printing (Receipt model -> ESC/POS, or its simulator / PDF fallback), or an A4 page as a PDF
(QPdfWriter) that a configured system printer also gets. The ID number is already masked."""
from __future__ import annotations

import html
import logging
import time
from decimal import Decimal
from pathlib import Path

from core.domain import fmt
from core.services.kiosk import Statement
from desktop.fonts import pick_cjk_family
from desktop.qt import QtCore, QtGui

log = logging.getLogger("onewindow.gui.kiosk.print")

SCHEME = {"LB": "两病", "MT": "门诊慢特病"}
INSURANCE = {"310": "职工基本医疗保险", "390": "城乡居民基本医疗保险"}
TITLE = "门诊慢特病结算清单"


def period_text(st: Statement) -> str:
    return f"{st.since.isoformat()} 至 {st.until.isoformat()}"


def statement_receipt(st: Statement):
    """The statement as hardware.printing's Receipt (one item per settlement; cancelled ones marked and left
    out of the totals)."""
    from hardware.printing.receipt import Receipt, ReceiptItem, ReceiptTotal

    items = []
    for r in st.rows:
        note = "已撤销,不计入合计" if r.reversed else (
            f"{SCHEME.get(r.scheme, r.scheme)} 统筹{fmt(r.fund)} 个人{fmt(r.personal)}")
        items.append(ReceiptItem(
            name=f"{r.when:%Y-%m-%d} {r.facility_name or r.facility_code}", quantity=Decimal(1),
            unit_price=r.total, amount=r.total, unit="笔", spec="、".join(r.drugs), note=note))
    return Receipt(
        header_lines=(TITLE, st.institution_name, "自助机打印"),
        meta=(("参保人", st.person_name), ("证件号", st.masked_id),
              ("险种", INSURANCE.get(st.insurance_type, st.insurance_type or "-")), ("期间", period_text(st)),
              ("结算笔数", str(st.count)), ("打印时间", f"{st.printed_at:%Y-%m-%d %H:%M:%S}"), ("终端", st.terminal_id)),
        items=tuple(items),
        totals=(ReceiptTotal("医疗费总额", st.total), ReceiptTotal("统筹基金支付", st.fund),
                ReceiptTotal("个人支付", st.personal, emphasis=True)),
        settlement_id=st.statement_no,
        footer_lines=(*st.lifestyle, "本清单仅供个人查询核对", "以医保中心记录为准"),
    )


def statement_html(st: Statement) -> str:
    e = html.escape
    rows = []
    for r in st.rows:
        state = "已撤销" if r.reversed else "有效"
        rows.append(
            f"<tr><td>{r.when:%Y-%m-%d %H:%M}</td><td>{e(r.facility_name or r.facility_code)}</td>"
            f"<td>{e('、'.join(r.drugs))}</td><td>{e(SCHEME.get(r.scheme, r.scheme))}</td>"
            f"<td align=right>{fmt(r.total)}</td><td align=right>{fmt(r.fund)}</td>"
            f"<td align=right>{fmt(r.personal)}</td><td>{state}</td></tr>")
    if not rows:
        rows.append("<tr><td colspan=8 align=center>本期间没有结算记录</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("结算时间", "机构", "药品", "待遇", "总额", "统筹", "个人", "状态"))
    return (
        f"<h2 align=center>{TITLE}</h2><p align=center>{e(st.institution_name)}</p>"
        f"<p>参保人：{e(st.person_name)}　证件号：{e(st.masked_id)}　险种：{e(INSURANCE.get(st.insurance_type, st.insurance_type))}</p>"
        f"<p>期间：{period_text(st)}　结算笔数：{st.count}　打印时间：{st.printed_at:%Y-%m-%d %H:%M:%S}　"
        f"清单号：{e(st.statement_no)}</p>"
        f"<table width=100% border=1 cellspacing=0 cellpadding=4><tr>{head}</tr>{''.join(rows)}</table>"
        f"<p>合计：医疗费总额 {fmt(st.total)} 元；统筹基金支付 {fmt(st.fund)} 元；个人支付 {fmt(st.personal)} 元"
        f"（已撤销的结算不计入合计）</p>"
        + (f"<p><b>{e(st.lifestyle[0])}</b>：{e(' '.join(st.lifestyle[1:]))}</p>" if st.lifestyle else "")
        + "<p>本清单仅供个人查询核对，以医保中心记录为准。</p>"
    )


def _document(st: Statement) -> QtGui.QTextDocument:
    doc = QtGui.QTextDocument()
    family = pick_cjk_family(QtGui.QFontDatabase.families())
    font = QtGui.QFont(family) if family else QtGui.QFont()
    font.setPointSizeF(10)
    doc.setDefaultFont(font)
    doc.setHtml(statement_html(st))
    return doc


def write_a4_pdf(st: Statement, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"statement-{st.statement_no}.pdf"
    writer = QtGui.QPdfWriter(str(path))
    writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
    writer.setPageMargins(QtCore.QMarginsF(15, 15, 15, 15), QtGui.QPageLayout.Unit.Millimeter)
    writer.setTitle(f"{TITLE} {st.statement_no}")
    writer.setCreator("OneWindow kiosk")
    _document(st).print_(writer)
    del writer
    return path


def print_a4(st: Statement, printer_name: str) -> None:
    """To a system printer (QtPrintSupport, in PySide6-Essentials); raises OSError when it is not there."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    names = [p.printerName() for p in QPrinterInfo.availablePrinters()]
    if printer_name not in names:
        raise OSError(f"A4 printer {printer_name!r} not found (have: {', '.join(names) or 'none'})")
    printer = QPrinter(QPrinterInfo.printerInfo(printer_name))
    printer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
    _document(st).print_(printer)


def purge_old(folder: Path, keep_hours: int) -> int:
    """Statements are personal data: the PDFs left on the kiosk are deleted after keep_hours."""
    if not folder.is_dir():
        return 0
    limit = time.time() - keep_hours * 3600
    n = 0
    for p in folder.glob("statement-*.pdf"):
        try:
            if p.stat().st_mtime < limit:
                p.unlink()
                n += 1
        except OSError as exc:
            log.info("could not delete old statement %s: %s", p.name, exc)
    return n


__all__ = ["print_a4", "purge_old", "statement_html", "statement_receipt", "write_a4_pdf"]
