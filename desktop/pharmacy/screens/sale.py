"""Step 3: the sale's lines, their codes and colours, the verdict panel and the settlement preview; 拆零 and 无码库."""
from __future__ import annotations

from core.domain import fmt
from core.services.pharmacy_sale import Sale, SaleLine
from desktop.common import theme
from desktop.common.i18n import text
from desktop.common.verdict_panel import VerdictPanel
from desktop.pharmacy.screens.common import ScanBox, message_label, set_tone, title_label, unclipped
from desktop.qt import Qt, QtGui, QtWidgets, Signal

STATE_TONE = {"complete": "ok", "partial": "warn", "waiting": "", "uncoded": "warn"}


class ToneDelegate(QtWidgets.QStyledItemDelegate):
    """Keeps a line's green/amber/red visible when it is the current line: a thick frame marks the current
    row instead of the selection colour."""

    def paint(self, painter: QtGui.QPainter, option: QtWidgets.QStyleOptionViewItem, index) -> None:
        opt = QtWidgets.QStyleOptionViewItem(option)
        selected = bool(opt.state & QtWidgets.QStyle.StateFlag.State_Selected)
        opt.state &= ~QtWidgets.QStyle.StateFlag.State_Selected
        opt.state &= ~QtWidgets.QStyle.StateFlag.State_HasFocus
        super().paint(painter, opt, index)
        if selected:
            painter.save()
            painter.setPen(QtGui.QPen(QtGui.QColor(theme.FOCUS), 3))
            r = opt.rect
            painter.drawLine(r.left(), r.top() + 1, r.right(), r.top() + 1)
            painter.drawLine(r.left(), r.bottom() - 1, r.right(), r.bottom() - 1)
            painter.restore()


class SaleScreen(QtWidgets.QWidget):
    split_requested = Signal(int, int)  # line, units (0 = back to whole boxes)
    uncoded_picked = Signal(int, str)  # line, batch

    COLUMNS = 8

    def __init__(self) -> None:
        super().__init__(objectName="saleScreen")
        self.header = QtWidgets.QLabel(objectName="saleHeader")
        self.header.setFont(theme.font(2, bold=True))
        self.header.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, self.COLUMNS, objectName="linesTable")
        self.table.setHorizontalHeaderLabels([self.tr("行"), self.tr("药品"), self.tr("规格"), self.tr("数量"),
                                              self.tr("天数"), self.tr("用法用量"), self.tr("追溯码"),
                                              self.tr("状态 / 原因")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setFont(theme.font(1))
        self.table.setItemDelegate(ToneDelegate(self.table))
        h = self.table.horizontalHeader()
        # Interactive, sized once per prescription: ResizeToContents would re-measure every cell on every
        # scan (quadratic in the lines), which is what the 50 ms scan-to-verdict budget cannot afford.
        for c in range(self.COLUMNS):
            h.setSectionResizeMode(c, QtWidgets.QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(7, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda *_: self._show_codes())
        self.codes = QtWidgets.QListWidget(objectName="codeList")
        self.codes.setFont(theme.font(1))
        self.codes.setMaximumHeight(int(theme.base_size() * 9))
        self.scan = ScanBox(self.tr("扫描药盒追溯码（一盒一码）"), "boxScanBox")
        self.message = message_label("scanMessage")
        self.split_box = QtWidgets.QSpinBox(objectName="splitUnits")
        self.split_box.setRange(0, 9999)
        self.split_box.setPrefix(self.tr("拆零数量 "))
        unclipped(self.split_box)
        self.split_box.setEnabled(False)
        self.split_box.editingFinished.connect(self._split_done)
        self.uncoded = QtWidgets.QListWidget(objectName="uncodedList")
        self.uncoded.setMaximumHeight(int(theme.base_size() * 6))
        self.uncoded.hide()
        self.uncoded.itemActivated.connect(self._uncoded_done)
        self.verdict = VerdictPanel()
        self.settle_button = QtWidgets.QPushButton(self.tr("结算 (F12)"), objectName="primary")
        self.settle_button.setEnabled(False)
        self.settle_button.setFont(theme.font(3, bold=True))
        self.blocker = QtWidgets.QLabel(objectName="settleBlocker")
        self.blocker.setWordWrap(True)
        self.blocker.setStyleSheet(f"color: {theme.TONES['bad']};")
        self.blocker.setFont(theme.font(1, bold=True))
        keys = QtWidgets.QLabel(self.tr("Del 删除该行最后一个码 · Ctrl+F 查药品 · F6 拆零 · F8 无码库 · F9 挂单 · F12 结算 · Esc 返回"))
        keys.setWordWrap(True)
        keys.setStyleSheet("color: #555;")
        left = QtWidgets.QVBoxLayout()
        left.addWidget(title_label(self.tr("第三步：逐盒扫码")))
        left.addWidget(self.header)
        left.addWidget(self.table, 3)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("本行已扫：")))
        row.addStretch(1)
        row.addWidget(self.split_box)
        left.addLayout(row)
        left.addWidget(self.codes)
        left.addWidget(self.uncoded)
        left.addWidget(self.scan)
        left.addWidget(self.message)
        left.addWidget(keys)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(self.verdict, 1)
        right.addWidget(self.blocker)
        right.addWidget(self.settle_button)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self.setFocusProxy(self.scan)
        self.sale: Sale | None = None
        self.line_verdicts: dict[int, str] = {}

    def clear(self) -> None:
        """No sale on screen (a new customer): lines, codes, verdict, messages."""
        self.sale = None
        self.line_verdicts = {}
        self.header.clear()
        self.table.setRowCount(0)
        self.codes.clear()
        self.uncoded.hide()
        self.split_box.setEnabled(False)
        self.verdict.show_view(None)
        self.show_message("", "")
        self.set_settle(False, "")

    # ---- rendering ----
    def show_sale(self, sale: Sale, line_verdicts: dict[int, str] | None = None) -> None:
        """Render the sale: every row for a new prescription, else only the rows that changed."""
        keep = self.current_line()
        previous = self.sale
        verdicts_changed = line_verdicts is not None and line_verdicts != self.line_verdicts
        self.sale = sale
        if line_verdicts is not None:
            self.line_verdicts = line_verdicts
        scheme = {"LB": self.tr("两病"), "MT": self.tr("门诊慢特病"),
                  "OP": f"{self.tr('普通购药')} {sale.med_type}"}.get(sale.scheme, sale.scheme)
        rx_, total = self.tr("处方"), self.tr("合计")
        rx_text = f"{rx_} {sale.rx_id} · {sale.issuer} {sale.doctor} · " if sale.rx_id or sale.scheme != "OP" else ""
        self.header.setText(f"{sale.person_name} · {scheme} · {rx_text}{total} {fmt(sale.total)}")
        full = (previous is None or previous.sale_id != sale.sale_id or len(previous.lines) != len(sale.lines)
                or self.table.rowCount() != len(sale.lines))
        if full:
            self.table.setRowCount(len(sale.lines))
        changed = []
        for r, line in enumerate(sale.lines):
            if full or verdicts_changed or previous.lines[r] != line:
                self._fill_row(r, line)
                changed.append(r)
        if full:
            for c in (0, 2, 3, 4, 5, 6):
                self.table.resizeColumnToContents(c)
            self.table.resizeRowsToContents()
        else:
            self._widen(changed)
            for r in changed:
                self.table.resizeRowToContents(r)
        row = next((i for i, l in enumerate(sale.lines) if l.no == keep), 0)
        if sale.lines and (full or self.table.currentRow() != row):
            self.table.setCurrentCell(row, 0)
        self._show_codes()

    NARROW = (0, 2, 3, 4, 5, 6)  # short values (行, 规格, 数量, 天数, 用法用量, 追溯码): never wrapped

    def _widen(self, rows: list[int]) -> None:
        """A changed row's short values ("14片 (拆零)", "无码库") get the width they need instead of wrapping
        one character per line; only the changed cells are measured (the scan-to-verdict budget)."""
        fm = self.table.fontMetrics()
        pad = 2 * self.table.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_FocusFrameHMargin) + 16
        for c in self.NARROW:
            need = max((fm.horizontalAdvance(self.table.item(r, c).text()) + pad for r in rows
                        if self.table.item(r, c) is not None), default=0)
            if need > self.table.columnWidth(c):
                self.table.setColumnWidth(c, need)

    def _fill_row(self, r: int, line: SaleLine) -> None:
        unit = line.drug.unit if line.split else (line.drug.pack_unit or self.tr("盒"))
        split = self.tr("拆零")
        qty = f"{line.qty}{unit}" + (f" ({split})" if line.split else "")
        scanned = (self.tr("无码库") if line.uncoded else f"{len(line.codes)}/{line.codes_wanted}")
        tone, status = self._status(line)
        values = [str(line.no), line.drug.name, line.drug.spec, qty, str(line.days), line.dose_text, scanned, status]
        bg, fg = QtGui.QColor(theme.TONE_BG[tone]), QtGui.QColor(theme.TONES[tone])
        black = QtGui.QColor("#000000")
        for c, value in enumerate(values):
            item = self.table.item(r, c)
            if item is None:
                item = QtWidgets.QTableWidgetItem()
                if c == 7:
                    item.setFont(theme.font(1, bold=True))
                self.table.setItem(r, c, item)
            item.setText(value)
            item.setBackground(bg)
            item.setForeground(fg if c in (6, 7) else black)

    def _status(self, line: SaleLine) -> tuple[str, str]:
        verdict = self.line_verdicts.get(line.no)
        if line.tone == "bad":
            return "bad", text(line.note)
        if verdict == "BLOCK":
            return "bad", self.tr("审核拦截（见右侧）")
        state = line.state
        if state == "waiting":
            return "", self.tr("待扫码")
        if state == "uncoded":
            return "warn", text(line.note)
        tone = STATE_TONE[state]
        if verdict == "WARN" and tone == "ok":
            tone = "warn"
        return tone, text(line.note) if line.note else ""

    def current_line(self) -> int | None:
        row = self.table.currentRow()
        if self.sale is None or not (0 <= row < len(self.sale.lines)):
            return None
        return self.sale.lines[row].no

    def _show_codes(self) -> None:
        self.codes.clear()
        no = self.current_line()
        if no is None:
            return
        line = self.sale.line(no)
        for c in line.codes:
            self.codes.addItem(c)
        if line.split:
            self.split_box.setValue(line.qty)

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)

    def set_settle(self, enabled: bool, why: str) -> None:
        self.settle_button.setEnabled(enabled)
        self.blocker.setText(why)

    # ---- 拆零 and 无码库 inline editors ----
    def ask_split(self) -> None:
        no = self.current_line()
        if no is None:
            return
        line = self.sale.line(no)
        self.split_box.setEnabled(True)
        self.split_box.setMaximum(line.drug.pack_size)
        self.split_box.setValue(line.qty if line.split else min(line.drug.pack_size, max(1, line.days)))
        self.split_box.setFocus()
        self.split_box.selectAll()

    def _split_done(self) -> None:
        if not self.split_box.isEnabled():
            return
        no = self.current_line()
        self.split_box.setEnabled(False)
        if no is not None:
            self.split_requested.emit(no, self.split_box.value())
        self.scan.setFocus()

    def ask_uncoded(self, batches: list[dict]) -> None:
        self.uncoded.clear()
        batch_, left, bought = self.tr("批号"), self.tr("剩余"), self.tr("购进")
        for b in batches:
            item = QtWidgets.QListWidgetItem(f"{batch_} {b['batch']} · {left} {b['boxes']} · "
                                             f"{bought} {b['bought_on']}")
            item.setData(Qt.ItemDataRole.UserRole, b["batch"])
            self.uncoded.addItem(item)
        self.uncoded.setVisible(bool(batches))
        if batches:
            self.uncoded.setCurrentRow(0)
            self.uncoded.setFocus()

    def _uncoded_done(self, item: QtWidgets.QListWidgetItem) -> None:
        no = self.current_line()
        self.uncoded.hide()
        if no is not None:
            self.uncoded_picked.emit(no, item.data(Qt.ItemDataRole.UserRole))
        self.scan.setFocus()
