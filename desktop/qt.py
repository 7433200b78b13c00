"""The one place desktop/ imports Qt from (a shim, as in qutebrowser): `from desktop.qt import QtWidgets`.

Keeping every Qt import here means a binding or version change touches one file, and tests can see at a
glance which Qt modules the shells need (PySide6-Essentials only; QtMultimedia/QtSerialPort live in the
160 MB Addons wheel and are imported by hardware/ only when a camera or serial scanner is configured).
"""
from __future__ import annotations

import sys

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot

__all__ = [
    "QEvent", "QObject", "Qt", "QTimer", "QtCore", "QtGui", "QtWidgets", "Signal", "Slot",
    "application",
]


def application(argv: list[str] | None = None) -> QtWidgets.QApplication:
    """The process's QApplication, created on first use: there must never be two."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication(argv if argv is not None else sys.argv[:1])
    if not isinstance(app, QtWidgets.QApplication):
        raise RuntimeError("a QGuiApplication already exists; widgets need a QApplication")
    return app
