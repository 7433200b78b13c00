"""结算: the outpatient chronic-disease settlement at the counter (med_type 14 when the prescription says so).

Not a second sale flow: this page embeds the pharmacy desk's window (desktop.pharmacy.window.PharmacyWindow
over core.services.pharmacy_desk.PharmacyDesk) configured for the counter's institution, so the counter gets
the same identify → prescription → trace codes → audit → settle → receipt → returns → shift, with the same
permissions (settling needs a pharmacist or above, or a supervisor's approval), the same receipt printing
(PDF, plus the terminal's receipt printer through the print queue) and the same drug search (Ctrl+F). Only the
desk's public embedding API is used (PharmacyWindow: start_services, sign_in_as, shortcuts, stop).
"""
from __future__ import annotations

from desktop.qt import Qt, QtWidgets


class SettlePage(QtWidgets.QWidget):
    def __init__(self, desk_window, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settlePage")
        self.desk_window = desk_window
        desk_window.setWindowFlags(Qt.WindowType.Widget)
        desk_window.setMinimumSize(0, 0)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(desk_window)
        self.route = desk_window.route
        self._started = False

    def shortcuts(self) -> list:
        """The desk's function keys: the counter enables them only while this page is shown."""
        return self.desk_window.shortcuts()

    def start(self) -> None:
        """What PharmacyWindow.start does, minus showing a top-level window and its own login."""
        if self._started:
            return
        self._started = True
        self.desk_window.start_services()

    def set_operator(self, op) -> None:
        """The counter's clerk is the desk's operator: the desk's own login step (shift lookup, operator on the link)."""
        self.start()
        self.desk_window.sign_in_as(op)

    def close_desk(self) -> None:
        self.desk_window.stop()
        closer = getattr(self.desk_window.desk, "close", None)  # the sync terminal's sender thread
        if callable(closer):
            closer()


__all__ = ["SettlePage"]
