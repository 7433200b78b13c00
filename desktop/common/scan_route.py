"""The one application-wide scan route: every scan, whatever device and whatever has focus, ends here.

    route = ScanRoute(parent)
    route.attach_keyboard()          # hardware.wedge.ScannerEventFilter on the QApplication, when available
    route.scanned.connect(shell.on_scan)
    route.submit("81000110000000000001")          # a typed code (Enter in a scan box), a simulator, a test

Sources: the keyboard-wedge filter of hardware/ (it never types into a password field and never lets a scan
land in whichever field has focus), serial scanners and the camera (hardware's ScanEvent signals, connected
with `connect_source`), and the scan boxes of the screens (`submit`). While `paused` (a modal dialog such as
the login is up) scans are dropped with a log line, so a scan never reaches a password box.
"""
from __future__ import annotations

import logging
import time

from desktop.qt import QObject, QtWidgets, Signal

log = logging.getLogger("onewindow.gui.scan")


class ScanRoute(QObject):
    scanned = Signal(str, float)  # the scan's text, time.perf_counter() when it entered the route

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paused = False
        self.keyboard = None  # hardware.wedge.ScannerEventFilter when attached

    def submit(self, text: str, at: float | None = None) -> bool:
        at = time.perf_counter() if at is None else at
        text = (text or "").strip(" \r\n\t")
        if not text:
            return False
        if self.paused:
            log.info("scan dropped while a dialog is open (%d characters)", len(text))
            return False
        self.scanned.emit(text, at)
        return True

    def submit_event(self, event) -> bool:
        """A hardware.events.ScanEvent (the AIM symbology identifier kept, as core.codes wants it)."""
        return self.submit(getattr(event, "wire_text", None) or str(event))

    def connect_source(self, signal) -> None:
        signal.connect(self.submit_event)

    def attach_keyboard(self, app: QtWidgets.QApplication | None = None, keyboard=None) -> bool:
        """Install hardware's application-wide keyboard-wedge filter (or the given one, e.g. with a manual
        clock in tests). False when hardware/ does not have it."""
        if keyboard is None:
            try:
                from hardware.wedge import ScannerEventFilter
            except ImportError:
                log.info("hardware.wedge not available: scans come from the scan boxes only")
                return False
            keyboard = ScannerEventFilter(parent=self)
        self.keyboard = keyboard.install(app)
        self.keyboard.scanned.connect(self.submit_event)
        return True

    def detach_keyboard(self) -> None:
        if self.keyboard is not None:
            self.keyboard.uninstall()
            self.keyboard = None

    def mark(self, widget: QtWidgets.QWidget) -> None:
        """A box scans usually land in: no input method (a Chinese IME turns a token into candidates)."""
        from desktop.qt import Qt

        widget.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)


__all__ = ["ScanRoute"]
