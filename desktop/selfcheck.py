"""The Qt half of `onewindow selftest`, run as `python -m desktop.selfcheck` in a child process.

A broken Qt platform plugin aborts the process that loads it, so the parent only reads this script's one
line of JSON (or its exit status and stderr): platform name, CJK font families, whether a PDF was written.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile


def main() -> int:
    from desktop.fonts import cjk_families
    from desktop.qt import QtCore, QtGui

    app = QtGui.QGuiApplication(sys.argv[:1])
    report: dict[str, object] = {
        "platform": app.platformName(),
        "qt": QtCore.qVersion(),
        "cjk_families": cjk_families(QtGui.QFontDatabase.families())[:5],
    }
    report["pdf_bytes"], report["pdf_error"] = _write_pdf(report["cjk_families"])
    print(json.dumps(report, ensure_ascii=False))
    return 0


def _write_pdf(families: list) -> tuple[int, str]:
    """The printer fallback: a receipt written as PDF with Chinese text on it."""
    from desktop.qt import QtCore, QtGui

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "selftest.pdf")
        writer = QtGui.QPdfWriter(path)
        writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A6))
        painter = QtGui.QPainter()
        if not painter.begin(writer):
            return 0, "QPainter could not open the PDF writer"
        if families:
            painter.setFont(QtGui.QFont(str(families[0]), 10))
        painter.drawText(QtCore.QPointF(200, 400), "一窗通 自检 OneWindow selftest")
        painter.end()
        with open(path, "rb") as fh:
            data = fh.read()
    if not data.startswith(b"%PDF"):
        return len(data), "the file written is not a PDF"
    return len(data), ""


if __name__ == "__main__":
    raise SystemExit(main())
