"""结算: the outpatient chronic-disease settlement at the counter (med_type 14 when the prescription says so).

Not a second sale flow: this page embeds the pharmacy desk's window (desktop.pharmacy.window.PharmacyWindow
over core.services.pharmacy_desk.PharmacyDesk) configured for the counter's institution, so the counter gets
the same identify → prescription → trace codes → audit → settle → receipt → returns → shift, with the same
permissions (settling needs a pharmacist or above, or a supervisor's approval).
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
        return list(getattr(self.desk_window, "_shortcut_objs", []))

    def start(self) -> None:
        """What PharmacyWindow.start does, minus showing a top-level window and its own login."""
        if self._started:
            return
        self._started = True
        w = self.desk_window
        w.go("identify")
        w.runner.run(w.desk.start, lane="remote", done=lambda _: w.refresh_status(), failed=w._ignore)
        w.refresh_status()

    def set_operator(self, op) -> None:
        self.start()
        self.desk_window._logged_in(op)  # the desk's own login step (shift lookup, operator on the link)

    def close_desk(self) -> None:
        self.desk_window.status_timer.stop()
        self.desk_window.runner.wait(10000)


__all__ = ["SettlePage"]
