"""The scan panel: scan or type a code, see what it is. Embeddable (ScanPanel is a plain QWidget); ScanWindow
wraps it as a main window for `onewindow demo` / `onewindow gui` until the real shells exist.

The panel decides nothing itself: it hands the text to core.codes.classify (injectable) and renders
desktop.scan_presenter's view of the result. Keyboard only: the scanner is a keyboard wedge that types the
code and Enter; Esc clears; Tab reaches the history, whose entries show again when selected.
"""
from __future__ import annotations

from collections.abc import Callable

from core.codes import ScanResult, classify
from core.i18n import tr
from desktop.fonts import ui_font
from desktop.qt import QEvent, QObject, Qt, QtGui, QtWidgets, Signal
from desktop.scan_presenter import ScanView, present

HISTORY_SIZE = 20
_TONE_COLOURS = {"ok": "#1b7f3b", "warn": "#8a5a00", "bad": "#b3261e"}


def _both(key: str, sep: str = " · ", **kw: object) -> str:
    return f"{tr(key, **kw)}{sep}{tr(key, 'en', **kw)}"


class GroupSeparatorKeeper(QObject):
    """Keeps the GS1 separator a keyboard-wedge scanner types as Ctrl+] (or Alt+029).

    QLineEdit drops non-printable text, which would merge a GS1 batch with the serial after it. The
    separator is written as `<GS>` instead: visible to the operator, and turned back into GS by
    core.codes' normalisation.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.KeyPress and isinstance(watched, QtWidgets.QLineEdit):
            ctrl_bracket = (event.key() == Qt.Key.Key_BracketRight
                            and event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if event.text() == "\x1d" or ctrl_bracket:
                watched.insert("<GS>")
                return True
        return super().eventFilter(watched, event)


class ScanPanel(QtWidgets.QWidget):
    """Line edit + result (kind, validity, hint, fields) + history of the last HISTORY_SIZE scans."""

    scanned = Signal(object)  # ScanResult, after it is shown

    def __init__(
        self,
        parent: QtWidgets.QWidget | None = None,
        *,
        classifier: Callable[[str], ScanResult] = classify,
    ) -> None:
        super().__init__(parent)
        self._classify = classifier
        self._results: list[ScanResult] = []  # newest first, parallel to the history list

        self.setFont(ui_font(14))
        self.scan_input = QtWidgets.QLineEdit(objectName="scanInput")
        self.scan_input.setFont(ui_font(20))
        self.scan_input.setPlaceholderText(_both("ui.scan.prompt", " / "))
        self.scan_input.setClearButtonEnabled(True)
        # A Chinese IME in Chinese mode turns a scanned token into candidates (barcode.md, Pitfalls).
        self.scan_input.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.scan_input.returnPressed.connect(self._on_return)
        self._gs_keeper = GroupSeparatorKeeper(self)
        self.scan_input.installEventFilter(self._gs_keeper)

        self.kind_label = QtWidgets.QLabel(tr("ui.scan.waiting"), objectName="kindLabel")
        self.kind_label.setFont(ui_font(22, bold=True))
        self.kind_en_label = QtWidgets.QLabel(tr("ui.scan.waiting", "en"), objectName="kindEnLabel")
        self.kind_en_label.setFont(ui_font(14))
        self.status_label = QtWidgets.QLabel(objectName="statusLabel")
        self.status_label.setFont(ui_font(16))
        self.status_label.setWordWrap(True)
        self.hint_label = QtWidgets.QLabel(objectName="hintLabel")
        self.hint_label.setFont(ui_font(16, bold=True))
        self.hint_label.setStyleSheet(f"color: {_TONE_COLOURS['warn']};")
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()

        self.fields_table = QtWidgets.QTableWidget(0, 2, objectName="fieldsTable")
        self.fields_table.setHorizontalHeaderLabels([_both("ui.scan.field", " "), _both("ui.scan.value", " ")])
        self.fields_table.verticalHeader().hide()
        self.fields_table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.fields_table.setWordWrap(True)
        header = self.fields_table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)

        history_title = QtWidgets.QLabel(_both("ui.scan.history"))
        self.history_list = QtWidgets.QListWidget(objectName="historyList")
        self.history_list.currentRowChanged.connect(self._on_history_row)
        self.history_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        keys_label = QtWidgets.QLabel(_both("ui.scan.keys", "    "))
        keys_label.setStyleSheet("color: #555;")

        result_box = QtWidgets.QVBoxLayout()
        result_box.addWidget(self.kind_label)
        result_box.addWidget(self.kind_en_label)
        result_box.addWidget(self.status_label)
        result_box.addWidget(self.hint_label)
        result_box.addWidget(self.fields_table, 1)
        history_box = QtWidgets.QVBoxLayout()
        history_box.addWidget(history_title)
        history_box.addWidget(self.history_list, 1)
        body = QtWidgets.QHBoxLayout()
        body.addLayout(result_box, 3)
        body.addLayout(history_box, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.scan_input)
        layout.addLayout(body, 1)
        layout.addWidget(keys_label)

        QtGui.QShortcut(QtGui.QKeySequence(Qt.Key.Key_Escape), self, self.clear,
                        context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.setFocusProxy(self.scan_input)

    # --- public API: hardware scanner sources call submit() directly ---

    def submit(self, text: str) -> ScanResult:
        result = self._classify(text)
        self._results.insert(0, result)
        del self._results[HISTORY_SIZE:]
        view = present(result)
        self.history_list.blockSignals(True)
        self.history_list.insertItem(0, view.history_line)
        while self.history_list.count() > HISTORY_SIZE:
            self.history_list.takeItem(self.history_list.count() - 1)
        self.history_list.setCurrentRow(0)
        self.history_list.blockSignals(False)
        self._show(view)
        self.scanned.emit(result)
        return result

    def clear(self) -> None:
        """Esc: empty the line and the result, back to waiting for a scan."""
        self.scan_input.clear()
        self.kind_label.setText(tr("ui.scan.waiting"))
        self.kind_en_label.setText(tr("ui.scan.waiting", "en"))
        self.kind_label.setStyleSheet("")
        self.status_label.clear()
        self.hint_label.hide()
        self.fields_table.setRowCount(0)
        self.history_list.clearSelection()
        self.scan_input.setFocus()

    @property
    def results(self) -> tuple[ScanResult, ...]:
        return tuple(self._results)

    # --- internals ---

    def _on_return(self) -> None:
        text = self.scan_input.text()
        if not text.strip():
            return
        self.scan_input.clear()
        self.submit(text)

    def _on_history_row(self, row: int) -> None:
        if 0 <= row < len(self._results):
            self._show(present(self._results[row]))

    def _show(self, view: ScanView) -> None:
        colour = _TONE_COLOURS[view.tone]
        self.kind_label.setText(view.title)
        self.kind_en_label.setText(view.title_en)
        self.kind_label.setStyleSheet(f"color: {colour};")
        self.status_label.setText(view.status)
        self.status_label.setStyleSheet(f"color: {colour};")
        self.hint_label.setText(view.hint)
        self.hint_label.setVisible(bool(view.hint))
        self.fields_table.setRowCount(len(view.rows))
        for row, (label, value) in enumerate(view.rows):
            self.fields_table.setItem(row, 0, QtWidgets.QTableWidgetItem(label))
            self.fields_table.setItem(row, 1, QtWidgets.QTableWidgetItem(value))
        self.fields_table.resizeRowsToContents()


class ScanWindow(QtWidgets.QMainWindow):
    """A main window around one ScanPanel; `shell` names the window (counter, pharmacy, kiosk, demo)."""

    def __init__(self, shell: str = "demo", server_url: str | None = None) -> None:
        super().__init__()
        self.shell = shell
        self.setWindowTitle(f"{tr('ui.app')} · {tr(f'ui.shell.{shell}')} — {tr('ui.app', 'en')} · {tr(f'ui.shell.{shell}', 'en')}")
        self.panel = ScanPanel(self)
        self.setCentralWidget(self.panel)
        status = _both("ui.server.url", "  /  ", url=server_url) if server_url else _both("ui.server.none", "  /  ")
        self.statusBar().setFont(ui_font(12))
        self.statusBar().showMessage(status)
        self.resize(1100, 720)
        self.panel.setFocus()
