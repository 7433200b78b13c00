"""Pieces the stock screens share: a scan list (scan box + table of the boxes scanned) and a supervisor box."""
from __future__ import annotations

from desktop.common import theme
from desktop.pharmacy.screens.common import ScanBox, message_label, set_tone
from desktop.qt import QtWidgets, Signal


class ScanList(QtWidgets.QWidget):
    """Scan box over a table; `add_row` appends a scanned box, Delete on an empty box takes the last one off."""

    scanned = Signal(str)
    removed = Signal(int)  # row index taken off

    def __init__(self, placeholder: str, columns: list[str], name: str) -> None:
        super().__init__(objectName=name)
        self.box = ScanBox(placeholder, f"{name}Scan")
        self.table = QtWidgets.QTableWidget(0, len(columns), objectName=f"{name}Table")
        self.table.setHorizontalHeaderLabels(columns)
        self.table.horizontalHeader().setStretchLastSection(True)
        for c in range(len(columns) - 1):  # a trace code is read whole, never elided
            self.table.horizontalHeader().setSectionResizeMode(c, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        # fitted to the rows on screen only: a delivery of 10,000 boxes would otherwise measure up to 1,000 rows
        # on every scan (Qt's default), and each scan's line come later the longer the list
        self.table.horizontalHeader().setResizeContentsPrecision(0)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(True)
        self.count = QtWidgets.QLabel(objectName=f"{name}Count")
        self.count.setFont(theme.font(2, bold=True))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.box.submitted.connect(self.scanned.emit)
        self.box.delete_requested.connect(self._remove_last)
        self._update()

    def add_row(self, values: list[str]) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, v in enumerate(values):
            self.table.setItem(r, c, QtWidgets.QTableWidgetItem(v))
        self.table.scrollToBottom()
        self._update()

    def set_rows(self, rows: list[list[str]]) -> None:
        self.table.setRowCount(0)
        for r in rows:
            self.add_row(r)
        self._update()

    def clear(self) -> None:
        self.table.setRowCount(0)
        self._update()

    def _remove_last(self) -> None:
        if self.table.rowCount():
            self.table.removeRow(self.table.rowCount() - 1)
            self.removed.emit(self.table.rowCount())
            self._update()

    def _update(self) -> None:
        self.count.setText(self.tr("已扫描 %n 盒", "", self.table.rowCount()))


class SupervisorBox(QtWidgets.QGroupBox):
    """主管确认: the supervisor's ID and password, checked by the shell's approver before the write."""

    def __init__(self, name: str) -> None:
        super().__init__(self.tr("主管确认"), objectName=name)
        self.user = QtWidgets.QLineEdit(objectName=f"{name}User")
        self.user.setPlaceholderText(self.tr("主管工号"))
        self.secret = QtWidgets.QLineEdit(objectName=f"{name}Secret")
        self.secret.setPlaceholderText(self.tr("密码"))
        self.secret.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(self.user)
        layout.addWidget(self.secret)

    def values(self) -> tuple[str, str]:
        return self.user.text().strip(), self.secret.text()

    def clear(self) -> None:
        self.user.clear()
        self.secret.clear()


def tone(label: QtWidgets.QLabel, level: str, text_: str) -> None:
    set_tone(label, {"ok": "ok", "warn": "warn", "error": "bad"}.get(level, ""), text_)


__all__ = ["ScanList", "SupervisorBox", "message_label", "tone"]
