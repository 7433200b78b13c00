"""Pieces the counter's screens share: tables filled from rows of text, a message line, section titles."""
from __future__ import annotations

from desktop.common import theme
from desktop.qt import Qt, QtCore, QtWidgets


def table(headers: list[str], name: str, *, stretch_last: bool = True) -> QtWidgets.QTableWidget:
    t = QtWidgets.QTableWidget(0, len(headers), objectName=name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.setWordWrap(True)
    h = t.horizontalHeader()
    h.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
    if stretch_last:
        h.setStretchLastSection(True)
    t.setFont(theme.font(0))
    return t


def fill(t: QtWidgets.QTableWidget, rows: list[list[str]], tones: list[str] | None = None) -> None:
    from desktop.qt import QtGui

    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QtWidgets.QTableWidgetItem("" if value is None else str(value))
            if tones and tones[r]:
                item.setForeground(QtGui.QColor(theme.TONES.get(tones[r], "#000")))
            t.setItem(r, c, item)
    t.resizeRowsToContents()


def selected_row(t: QtWidgets.QTableWidget) -> int:
    rows = t.selectionModel().selectedRows() if t.selectionModel() else []
    return rows[0].row() if rows else -1


class Notice(QtWidgets.QLabel):
    """One line saying what just happened (ok / warn / bad). On a page that scrolls (随访 at 1366x768/820) the
    page scrolls to a new message once it is laid out: the clerk who pressed 保存 at the foot of a long form sees
    why a value was refused, not an unchanged screen."""

    def __init__(self, name: str = "notice") -> None:
        super().__init__(objectName=name)
        self.setWordWrap(True)
        self.setFont(theme.font(0, bold=True))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tone = ""

    def say(self, text: str, tone: str = "ok") -> None:
        self.tone = tone
        self.setText(text)
        self.setStyleSheet(f"color: {theme.TONES.get(tone, '#000')}; background: {theme.TONE_BG.get(tone, '#fff')};"
                           " padding: 4px;" if text else "")
        if text and self._scroll_area() is not None:
            QtCore.QTimer.singleShot(0, self, self._show_in_scroll_area)

    def _scroll_area(self) -> QtWidgets.QScrollArea | None:
        w = self.parentWidget()
        while w is not None and not isinstance(w, QtWidgets.QScrollArea):
            w = w.parentWidget()
        return w

    def _show_in_scroll_area(self) -> None:
        area = self._scroll_area()
        if area is not None and self.text():
            area.ensureWidgetVisible(self, 0, 0)


def title(text: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setFont(theme.font(3, bold=True))
    return label


def button(text: str, name: str, *, primary: bool = False) -> QtWidgets.QPushButton:
    b = QtWidgets.QPushButton(text, objectName="primary" if primary else name)
    if primary:
        b.setProperty("role", name)
    b.setAccessibleName(name)
    return b


__all__ = ["Notice", "button", "fill", "selected_row", "table", "title"]
