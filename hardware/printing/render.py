"""Document -> pixels: a PNG (QImage), a PDF (QPdfWriter) or a system printer (QPrinter), one drawing routine.

The drawing mimics a thermal printer at 203 dpi: a grid of 12x24-dot cells (Font A), 48 columns on 80 mm
paper (576 dots) and 32 on 58 mm (384 dots); a Chinese character takes two cells; double size doubles both;
QR modules are `module` dots. Text is drawn cell by cell in a CJK monospace face, so the columns the layout
computed line up exactly as they do on paper. This is the fallback for counters without an ESC/POS printer
(an ordinary printer, or a PDF to print later) and the simulator's picture of what the printer would print.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from hardware.printing.layout import QR, Cut, Document, Drawer, Feed, Text, char_width

DPI = 203
CELL_W, CELL_H = 12, 24
LINE_GAP = 6
_FAMILIES = ("Noto Sans Mono CJK SC", "Sarasa Mono SC", "NSimSun", "SimSun", "Microsoft YaHei", "PingFang SC",
             "Noto Sans CJK SC", "WenQuanYi Micro Hei Mono", "WenQuanYi Zen Hei Mono")
_family_cache: list[str] = []
_CELL_FLAGS = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextDontClip)  # descenders may leave the cell


def receipt_family() -> str:
    """The monospace CJK face to draw receipts in ("" = Qt's default when none is installed)."""
    if not _family_cache:
        present = set(QFontDatabase.families())
        _family_cache.append(next((f for f in _FAMILIES if f in present), ""))
    return _family_cache[0]


def _font(bold: bool, scale: int) -> QFont:
    font = QFont(receipt_family()) if receipt_family() else QFont()
    font.setPixelSize(22 * scale)
    font.setBold(bold)
    return font


def _qr_matrix(data: str, ec: str) -> list[list[bool]]:
    import qrcode

    level = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
             "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}[ec]
    code = qrcode.QRCode(border=0, error_correction=level)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def _block_height(block, dots: int) -> int:
    if isinstance(block, Text):
        return CELL_H * block.size + LINE_GAP
    if isinstance(block, QR):
        return len(_qr_matrix(block.data, block.ec)) * block.module + 2 * CELL_H
    if isinstance(block, Feed):
        return block.lines * (CELL_H + LINE_GAP)
    if isinstance(block, Cut):
        return CELL_H
    return 0  # Drawer: nothing on paper


def document_height(document: Document, dots: int) -> int:
    return sum(_block_height(b, dots) for b in document.blocks) + CELL_H


def paint(painter: QPainter, document: Document, dots: int, origin: QPointF | None = None) -> int:
    """Draw `document` `dots` wide from `origin` (painter units = printer dots). Returns the height used."""
    x0 = origin.x() if origin else 0.0
    y = origin.y() if origin else 0.0
    y0 = y
    cell = dots / document.columns
    painter.setPen(QColor("black"))
    for block in document.blocks:
        h = _block_height(block, dots)
        if isinstance(block, Text):
            scale = block.size
            used = sum(char_width(c) for c in block.text) * scale
            free = max(0, document.columns - used)
            col = {"left": 0, "center": free // 2, "right": free}[block.align]
            painter.setFont(_font(block.bold, scale))
            for ch in block.text:
                w = char_width(ch) * scale
                if ch != " ":
                    painter.drawText(QRectF(x0 + col * cell, y, w * cell, CELL_H * scale),
                                     _CELL_FLAGS, ch)
                col += w
        elif isinstance(block, QR):
            matrix = _qr_matrix(block.data, block.ec)
            size = len(matrix) * block.module
            left = x0 + (dots - size) / 2
            top = y + CELL_H
            painter.save()
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("black"))
            for r, row in enumerate(matrix):
                for c, dark in enumerate(row):
                    if dark:
                        painter.drawRect(QRectF(left + c * block.module, top + r * block.module, block.module, block.module))
            painter.restore()
        elif isinstance(block, Cut):
            painter.save()
            pen = QPen(QColor("#888888"), 2, Qt.PenStyle.DashLine if block.partial else Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(x0, y + CELL_H / 2), QPointF(x0 + dots, y + CELL_H / 2))
            painter.restore()
        elif isinstance(block, (Feed, Drawer)):
            pass
        y += h
    return int(y - y0)


def render_image(document: Document, dots: int = 576) -> QImage:
    """The receipt as a picture, one pixel per printer dot, white paper."""
    image = QImage(dots, document_height(document, dots), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    paint(painter, document, dots)
    painter.end()
    return image


def write_pdf(document: Document, path: Path | str, *, paper_mm: int = 80, dots: int = 576) -> Path:
    """A PDF one receipt long, on roll-width paper, drawn at 203 dpi with the same routine as the PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    height_dots = document_height(document, dots)
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setCreator("OneWindow")
    writer.setTitle("receipt")
    page_h_mm = max(50.0, height_dots / DPI * 25.4 + 10)
    writer.setPageLayout(QPageLayout(QPageSize(QSizeF(paper_mm, page_h_mm), QPageSize.Unit.Millimeter),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write PDF {path}")
    page_w_dots = paper_mm / 25.4 * DPI
    paint(painter, document, dots, QPointF((page_w_dots - dots) / 2, DPI * 5 / 25.4))
    painter.end()
    return path


def print_to_printer(document: Document, printer_name: str = "", *, dots: int = 576) -> None:
    """An ordinary (driver) printer through QPrinter; "" = the system default. Raises OSError when Qt cannot
    open the printer."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if printer_name:
        if printer_name not in QPrinterInfo.availablePrinterNames():
            raise OSError(f"printer {printer_name!r} is not installed")
        printer.setPrinterName(printer_name)
    elif QPrinterInfo.defaultPrinter().isNull():
        raise OSError("no default printer is installed")
    printer.setDocName("OneWindow receipt")
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(f"cannot open printer {printer.printerName()!r}")
    scale = printer.resolution() / DPI
    painter.scale(scale, scale)
    paint(painter, document, dots, QPointF(0, 0))
    painter.end()
