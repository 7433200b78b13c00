"""The printable sheet of demo codes: e-voucher QR codes (qrcode) and barcodes of ID numbers, box trace codes
and a commodity barcode (zxing-cpp's writer), with their text, as a PDF (A4) and a PNG. Print it, or show it
on a second screen, and scan it with a real scanner or the camera."""
from __future__ import annotations

from pathlib import Path

from core.services.pharmacy_demo import SheetItem
from desktop.fonts import ui_font
from desktop.qt import QtCore, QtGui


def _qr_image(text: str) -> QtGui.QImage:
    import qrcode

    qr = qrcode.QRCode(border=4, box_size=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    img = QtGui.QImage(n, n, QtGui.QImage.Format.Format_Grayscale8)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            img.setPixel(x, y, 0xFF000000 if dark else 0xFFFFFFFF)
    return img


def _barcode_image(text: str, symbology: str) -> QtGui.QImage:
    import numpy as np
    import zxingcpp

    fmt = {"code128": zxingcpp.BarcodeFormat.Code128, "ean13": zxingcpp.BarcodeFormat.EAN13}[symbology]
    array = np.ascontiguousarray(np.asarray(zxingcpp.create_barcode(text, fmt).to_image(scale=2, add_quiet_zones=True)))
    h, w = array.shape
    return QtGui.QImage(array.data, w, h, w, QtGui.QImage.Format.Format_Grayscale8).copy()


def image_for(item: SheetItem) -> QtGui.QImage:
    return _qr_image(item.text) if item.symbology == "qr" else _barcode_image(item.text, item.symbology)


def paint_sheet(painter: QtGui.QPainter, items: list[SheetItem], width: int, height: int) -> None:
    painter.fillRect(0, 0, width, height, QtGui.QColor("white"))
    margin = width // 20
    cols = 2
    cell_w = (width - 2 * margin) // cols
    rows = (len(items) + cols - 1) // cols
    cell_h = (height - 2 * margin - width // 12) // max(rows, 1)
    title = ui_font(14, bold=True)
    title.setPixelSize(max(12, width // 45))
    painter.setFont(title)
    painter.setPen(QtGui.QColor("black"))
    painter.drawText(QtCore.QRect(margin, margin // 2, width - 2 * margin, width // 14),
                     int(QtCore.Qt.AlignmentFlag.AlignCenter),
                     "一窗通 演示扫码单 · OneWindow demo codes（扫码枪或摄像头可读）")
    label_font = ui_font(10)
    label_font.setPixelSize(max(10, width // 75))
    top = margin + width // 12
    for i, item in enumerate(items):
        x = margin + (i % cols) * cell_w
        y = top + (i // cols) * cell_h
        img = image_for(item)
        box_h = int(cell_h * 0.68)
        box_w = cell_w - 20
        if item.symbology == "qr":
            side = min(box_h, box_w)
            target = QtCore.QRect(x + (cell_w - side) // 2, y, side, side)
        else:
            bw = min(box_w, int(box_h * img.width() / max(img.height(), 1) * 1.0))
            target = QtCore.QRect(x + (cell_w - bw) // 2, y + box_h // 6, bw, box_h * 2 // 3)
        painter.drawImage(target, img)
        painter.setFont(label_font)
        shown = item.text if len(item.text) <= 40 else item.text[:18] + "…" + item.text[-8:]
        painter.drawText(QtCore.QRect(x, y + box_h + 2, cell_w, cell_h - box_h - 4),
                         int(QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop),
                         f"{item.title}\n{shown}")


def write_sheet(items: list[SheetItem], folder: Path) -> tuple[Path, Path]:
    """demo-codes.pdf (A4) and demo-codes.png in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "demo-codes.pdf"
    writer = QtGui.QPdfWriter(str(pdf))
    writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
    writer.setResolution(300)
    writer.setPageMargins(QtCore.QMarginsF(0, 0, 0, 0))
    painter = QtGui.QPainter(writer)
    paint_sheet(painter, items, writer.width(), writer.height())
    painter.end()
    png = folder / "demo-codes.png"
    image = QtGui.QImage(1654, 2339, QtGui.QImage.Format.Format_RGB32)  # A4 at 200 dpi
    painter = QtGui.QPainter(image)
    paint_sheet(painter, items, image.width(), image.height())
    painter.end()
    image.save(str(png))
    return pdf, png


__all__ = ["image_for", "paint_sheet", "write_sheet"]
