"""The drug search popup of the sale screen (Ctrl+F): type pinyin initials, a name, a national or local code, or
scan a commodity barcode or a box's trace code; arrows pick, Enter adds the drug to the sale, Esc closes.

It only renders and asks: PharmacyWindow runs the searches (core.services.drug_lookup, on the Runner's `search`
lane) and adds the chosen drug as a new line (core.services.drug_lookup.add_line), after which the line is
scanned and audited like any other.

    query_changed(str)        the text to search for (every keystroke; the window keeps only the newest)
    chosen(DrugChoice, int)   Enter on a result: the drug and the days for the new line
"""
from __future__ import annotations

from core.domain import fmt
from core.services.drug_lookup import MAX_DAYS, DrugChoice, no_match_reason
from desktop.common import theme
from desktop.common.i18n import text
from desktop.pharmacy.screens.common import unclipped
from desktop.qt import QEvent, QObject, Qt, QtGui, QtWidgets, Signal

COLUMNS = 6
STRETCH = (0, 4)  # name / code, restriction text
NAVIGATION = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


class DrugSearchDialog(QtWidgets.QDialog):
    query_changed = Signal(str)
    chosen = Signal(object, int)  # DrugChoice, days

    def __init__(self, days: int, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drugSearch")
        self.setWindowTitle(self.tr("查药品 (Ctrl+F)"))
        self.setFont(theme.font(1))
        self.choices: list[DrugChoice] = []
        self.query = ""
        self.status_tone = ""
        self._bold = theme.font(1, bold=True)  # made once: theme.font looks the CJK family up every call
        self.box = QtWidgets.QLineEdit(objectName="drugSearchBox")
        self.box.setPlaceholderText(self.tr("拼音首字母、药名、国家编码，或扫商品条码"))
        self.box.setFont(theme.font(4))
        self.box.setClearButtonEnabled(True)
        self.days = QtWidgets.QSpinBox(objectName="drugSearchDays")
        self.days.setRange(1, MAX_DAYS)
        self.days.setValue(max(1, min(MAX_DAYS, days)))
        self.days.setSuffix(self.tr(" 天"))
        self.days.setFont(theme.font(3))
        unclipped(self.days)
        self.table = QtWidgets.QTableWidget(0, COLUMNS, objectName="drugSearchResults")
        self.table.setHorizontalHeaderLabels([self.tr("药品 / 编码"), self.tr("规格"), self.tr("单价"), self.tr("医保类别"),
                                              self.tr("限定支付范围"), self.tr("追溯码")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Name and restriction share the width; the short columns are measured once per answer (show_results),
        # not on every cell set (ResizeToContents would re-measure the whole table per item: 50-200 ms a keystroke)
        h = self.table.horizontalHeader()
        for c in range(COLUMNS):
            h.setSectionResizeMode(c, QtWidgets.QHeaderView.ResizeMode.Stretch if c in STRETCH
                                   else QtWidgets.QHeaderView.ResizeMode.Interactive)
        h.sectionResized.connect(self._rewrap)
        self.table.itemActivated.connect(lambda *_: self.choose())
        self.status = QtWidgets.QLabel(objectName="drugSearchStatus")
        self.status.setWordWrap(True)
        self.status.setFont(theme.font(1, bold=True))
        keys = QtWidgets.QLabel(self.tr("输入即查 · ↑↓ 选择 · Enter 加入本单（数量 1） · Tab 改天数 · Esc 关闭"))
        keys.setStyleSheet("color: #555;")
        keys.setWordWrap(True)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.box, 1)
        top.addWidget(QtWidgets.QLabel(self.tr("用药天数")))
        top.addWidget(self.days)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(keys)
        self.box.textChanged.connect(self._typed)
        for w in (self.box, self.days):
            w.installEventFilter(self)
        self.setTabOrder(self.box, self.days)
        self.setTabOrder(self.days, self.table)
        self.show_status("", self.tr("输入拼音首字母（如 bhsald）、药名、编码或条码"))
        if parent is not None:
            top_ = parent.window()
            self.resize(max(900, int(top_.width() * 0.8)), max(480, int(top_.height() * 0.7)))

    # ---- keys ----
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose()
                return True
            if key in NAVIGATION and obj is self.box:
                self._move(key)
                return True
        return super().eventFilter(obj, event)

    def _move(self, key) -> None:
        n = self.table.rowCount()
        if not n:
            return
        row = max(0, self.table.currentRow())
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -10, Qt.Key.Key_PageDown: 10}[key]
        row = min(n - 1, max(0, row + step))
        self.table.setCurrentCell(row, 0)
        self.table.scrollToItem(self.table.item(row, 0))

    # ---- what the window calls ----
    def set_query(self, value: str) -> None:
        """A scan while the popup is up: search for it."""
        self.box.setText(value.strip())
        self.box.setFocus()

    def show_status(self, tone: str, text_: str) -> None:
        self.status_tone = tone
        self.status.setText(text_)
        self.status.setStyleSheet(f"color: {theme.TONES.get(tone, '#444')};")

    def show_results(self, query: str, choices: list[DrugChoice]) -> None:
        self.query, self.choices = query, list(choices)
        header = self.table.horizontalHeader()
        self.table.setUpdatesEnabled(False)
        header.blockSignals(True)
        self.table.setRowCount(len(self.choices))
        for r, c in enumerate(self.choices):
            d = c.drug
            code = d.nhsa_code or d.key
            spec = f"{d.spec}\n{c.stock}" if c.stock else d.spec  # stock and batches, when the ledger is kept
            values = [f"{d.name}\n{code}", spec, f"{fmt(d.price)}/{d.pack_unit or self.tr('盒')}", text(c.coverage),
                      c.restriction or "-", self.tr("需扫码") if c.needs_codes else self.tr("不需要")]
            for col, value in enumerate(values):
                item = QtWidgets.QTableWidgetItem(value)
                if col == 0:
                    item.setFont(self._bold)
                if col == 3 and c.self_pay:
                    item.setForeground(QtGui.QColor(theme.TONES["bad"]))
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, col, item)
        for col in range(COLUMNS):
            if col not in STRETCH:
                self.table.resizeColumnToContents(col)
        header.blockSignals(False)
        self.table.resizeRowsToContents()
        self.table.setUpdatesEnabled(True)
        if self.choices:
            self.table.setCurrentCell(0, 0)
            self.show_status("", self.tr("找到 {0} 种；↑↓ 选择，Enter 加入本单").replace("{0}", str(len(self.choices))))
        elif query.strip():
            self.show_status("warn", text(no_match_reason(query)))
        else:
            self.show_status("", "")

    def _rewrap(self, *_) -> None:
        if self.table.rowCount():
            self.table.resizeRowsToContents()

    def current(self) -> DrugChoice | None:
        row = self.table.currentRow()
        return self.choices[row] if 0 <= row < len(self.choices) else None

    def choose(self) -> None:
        """Enter: the selected drug goes into the sale (only a result of the text now in the box)."""
        choice = self.current()
        if choice is None or self.query != self.box.text():
            return
        self.chosen.emit(choice, self.days.value())
        self.accept()

    def _typed(self, value: str) -> None:
        if not value.strip():
            self.show_results("", [])
        self.query_changed.emit(value)


__all__ = ["DrugSearchDialog"]
