"""The screens of the pharmacy shell, one small widget each. They render values and emit what the pharmacist
asked for; PharmacyWindow calls the services (through the Runner) and moves between them.

    IdentifyScreen   scan the e-voucher, read the ID / social security card (or type the number)
    RxScreen         the patient card and the e-prescriptions waiting; a pickup code
    SaleScreen       the lines, their codes and colours; the verdict panel and the settlement preview
    PayScreen        personal account and cash, the change
    DoneScreen       the receipt (PDF always; what the receipt printer did with it); reprint
    ReturnScreen     find a sale by receipt number or a box's code; return all or some lines
    ShiftScreen      open with a float, X report, Z report with a blind count
    SettingsScreen   font size and language
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core.domain import fmt
from core.services.pharmacy_sale import Sale, SaleLine
from core.services.ports import PatientCard, RxSummary, SaleRecord, ShiftReport
from desktop.common import theme
from desktop.common.i18n import text
from desktop.common.patient_card import PatientCardWidget
from desktop.common.verdict_panel import VerdictPanel
from desktop.qt import Qt, QtGui, QtWidgets, Signal


def title_label(text_: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text_)
    label.setFont(theme.font(6, bold=True))
    return label


def message_label(name: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(objectName=name)
    label.setWordWrap(True)
    label.setFont(theme.font(2, bold=True))
    return label


def set_tone(label: QtWidgets.QLabel, tone: str, text_: str) -> None:
    label.setText(text_)
    label.setStyleSheet(f"color: {theme.TONES.get(tone, '#333')}; background: {theme.TONE_BG.get(tone, '#fff')};"
                        " padding: 6px; border-radius: 4px;" if text_ else "")


def parse_money(value: str) -> Decimal | None:
    try:
        d = Decimal(value.strip() or "0")
    except InvalidOperation:
        return None
    if not d.is_finite() or d < 0:
        return None
    return d.quantize(Decimal("0.01"))


class ScanBox(QtWidgets.QLineEdit):
    """A box a scanner (or the keyboard) types into; Enter hands the text to the scan route."""

    submitted = Signal(str)
    delete_requested = Signal()  # Delete on an empty box: take the last code off the current line

    def __init__(self, placeholder: str, name: str) -> None:
        super().__init__(objectName=name)
        self.setPlaceholderText(placeholder)
        self.setFont(theme.font(6))
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.returnPressed.connect(self._enter)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Delete and not self.text():
            self.delete_requested.emit()
            return
        super().keyPressEvent(event)

    def _enter(self) -> None:
        value = self.text()
        self.clear()
        if value.strip():
            self.submitted.emit(value)


# ---------------------------------------------------------------------------------------------- identify
class IdentifyScreen(QtWidgets.QWidget):
    def __init__(self) -> None:
        super().__init__(objectName="identifyScreen")
        self.box = ScanBox(self.tr("扫描医保电子凭证，或读/输入身份证号、社保卡号，回车"), "identifyBox")
        self.message = message_label("identifyMessage")
        self.held = QtWidgets.QLabel(objectName="heldLabel")
        self.held.setFont(theme.font(1))
        hint = QtWidgets.QLabel(self.tr("F2 新顾客 · F3 退货 · F4 班次 · F9 取回挂单 · F10 设置 · Ctrl+L 退出登录"))
        hint.setStyleSheet("color: #555;")
        hint.setFont(theme.font(0))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title_label(self.tr("第一步：识别参保人")))
        layout.addWidget(self.box)
        layout.addWidget(self.message)
        layout.addWidget(self.held)
        layout.addStretch(2)
        layout.addWidget(hint)
        self.setFocusProxy(self.box)

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)


# ---------------------------------------------------------------------------------------------- prescriptions
class RxScreen(QtWidgets.QWidget):
    picked = Signal(str)  # rx_id

    def __init__(self) -> None:
        super().__init__(objectName="rxScreen")
        self.card = PatientCardWidget()
        self.list = QtWidgets.QListWidget(objectName="rxList")
        self.list.setFont(theme.font(2))
        self.list.setSpacing(4)
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._activated)
        self.pickup = ScanBox(self.tr("或输入取药码，回车"), "pickupBox")
        self.pickup.setFont(theme.font(3))
        self.message = message_label("rxMessage")
        right = QtWidgets.QVBoxLayout()
        right.addWidget(title_label(self.tr("第二步：选择处方")))
        right.addWidget(QtWidgets.QLabel(self.tr("待取电子处方（↑↓ 选择，回车下载）")))
        right.addWidget(self.list, 1)
        right.addWidget(self.pickup)
        right.addWidget(self.message)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(self.card, 5)
        layout.addLayout(right, 4)
        self.setFocusProxy(self.list)

    def show_card(self, card: PatientCard | None) -> None:
        self.card.show_card(card)

    def show_rxs(self, rxs: list[RxSummary]) -> None:
        self.list.clear()
        issuer, until, code = self.tr("开方机构"), self.tr("有效至"), self.tr("取药码")
        for rx in rxs:
            item = QtWidgets.QListWidgetItem(
                f"{rx.rx_id}\n{issuer} {rx.issuer} · {rx.issued_at[:16]} · "
                f"{until} {rx.valid_until} · {code} {rx.pickup_code}")
            item.setData(Qt.ItemDataRole.UserRole, rx.rx_id)
            self.list.addItem(item)
        if rxs:
            self.list.setCurrentRow(0)

    def _activated(self, item: QtWidgets.QListWidgetItem) -> None:
        self.picked.emit(item.data(Qt.ItemDataRole.UserRole))

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)


# ---------------------------------------------------------------------------------------------- sale
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

    # ---- rendering ----
    def show_sale(self, sale: Sale, line_verdicts: dict[int, str] | None = None) -> None:
        """Render the sale: every row for a new prescription, else only the rows that changed."""
        keep = self.current_line()
        previous = self.sale
        verdicts_changed = line_verdicts is not None and line_verdicts != self.line_verdicts
        self.sale = sale
        if line_verdicts is not None:
            self.line_verdicts = line_verdicts
        scheme = {"LB": self.tr("两病"), "MT": self.tr("门诊慢特病")}.get(sale.scheme, sale.scheme)
        rx_, total = self.tr("处方"), self.tr("合计")
        self.header.setText(f"{sale.person_name} · {scheme} · {rx_} {sale.rx_id} · {sale.issuer} "
                            f"{sale.doctor} · {total} {fmt(sale.total)}")
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
            for r in changed:
                self.table.resizeRowToContents(r)
        row = next((i for i, l in enumerate(sale.lines) if l.no == keep), 0)
        if sale.lines and (full or self.table.currentRow() != row):
            self.table.setCurrentCell(row, 0)
        self._show_codes()

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


# ---------------------------------------------------------------------------------------------- pay
class PayScreen(QtWidgets.QWidget):
    confirmed = Signal(object, object)  # account, tendered (Decimal)

    def __init__(self) -> None:
        super().__init__(objectName="payScreen")
        self.summary = QtWidgets.QLabel(objectName="paySummary")
        self.summary.setFont(theme.font(4, bold=True))
        self.summary.setWordWrap(True)
        self.account = QtWidgets.QLineEdit(objectName="accountEdit")
        self.cash = QtWidgets.QLineEdit(objectName="cashEdit")
        for w in (self.account, self.cash):
            w.setFont(theme.font(6))
            w.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.due = QtWidgets.QLabel(objectName="cashDue")
        self.change = QtWidgets.QLabel(objectName="changeLabel")
        for w in (self.due, self.change):
            w.setFont(theme.font(6, bold=True))
        self.message = message_label("payMessage")
        self.ok = QtWidgets.QPushButton(self.tr("确认收款并结算 (Enter)"), objectName="primary")
        self.ok.setFont(theme.font(3, bold=True))
        self.ok.clicked.connect(self._confirm)
        self.setFont(theme.font(3))
        form = QtWidgets.QFormLayout()
        form.addRow(self.tr("个人账户支付"), self.account)
        form.addRow(self.tr("应收现金"), self.due)
        form.addRow(self.tr("实收现金"), self.cash)
        form.addRow(self.tr("找零"), self.change)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("第四步：收款")))
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.ok)
        layout.addStretch(1)
        hint = QtWidgets.QLabel(self.tr("Tab 切换 · Enter 确认 · Esc 返回扫码"))
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        self.account.textChanged.connect(lambda *_: self.recompute())
        self.cash.textChanged.connect(lambda *_: self.recompute())
        self.account.returnPressed.connect(self.cash.setFocus)
        self.cash.returnPressed.connect(self._confirm)
        self.personal = Decimal("0.00")
        self.balance = Decimal("0.00")
        self.setFocusProxy(self.cash)

    def show_amounts(self, total: Decimal, fund: Decimal, personal: Decimal, balance: Decimal) -> None:
        self.personal, self.balance = personal, balance
        t1, t2, t3, t4 = self.tr("医疗费总额"), self.tr("统筹基金支付"), self.tr("个人负担"), self.tr("个人账户余额")
        self.summary.setText(f"{t1} {fmt(total)}    {t2} {fmt(fund)}\n{t3} {fmt(personal)}    {t4} {fmt(balance)}")
        self.account.setText("0.00")
        self.account.setEnabled(balance > 0)
        self.cash.setText("")
        self.message.clear()
        self.recompute()

    def recompute(self) -> tuple[Decimal, Decimal, Decimal | None] | None:
        from core.services.pharmacy_sale import cash_due, change_for

        account = parse_money(self.account.text())
        tendered = parse_money(self.cash.text())
        if account is None or tendered is None:
            self.change.setText("-")
            return None
        used, due = cash_due(self.personal, account, self.balance)
        self.due.setText(fmt(due))
        change = change_for(due, tendered if self.cash.text().strip() else due)
        self.change.setText("-" if change is None else fmt(change))
        return used, due, change

    def _confirm(self) -> None:
        got = self.recompute()
        if got is None:
            set_tone(self.message, "bad", self.tr("金额格式不正确"))
            return
        used, due, change = got
        tendered = parse_money(self.cash.text()) if self.cash.text().strip() else due
        if change is None:
            set_tone(self.message, "bad", self.tr("现金不足：应收 {0}，实收 {1}").replace("{0}", fmt(due)).replace("{1}", fmt(tendered)))
            return
        self.confirmed.emit(used, tendered)


# ---------------------------------------------------------------------------------------------- done
class DoneScreen(QtWidgets.QWidget):
    def __init__(self) -> None:
        super().__init__(objectName="doneScreen")
        self.message = message_label("doneMessage")
        self.printer = message_label("printerStatus")  # what the receipt printer did (desktop.common.receipt_printing)
        self.printer.setFont(theme.font(1, bold=True))
        self.printer.hide()
        self.receipt = QtWidgets.QPlainTextEdit(objectName="receiptText")
        self.receipt.setReadOnly(True)
        self.receipt.setFont(theme.mono_font(1))
        self.path = QtWidgets.QLabel(objectName="receiptPath")
        self.path.setWordWrap(True)
        self.path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_button = QtWidgets.QPushButton(self.tr("下一位顾客 (Enter)"), objectName="primary")
        self.next_button.setFont(theme.font(3, bold=True))
        self.reprint_button = QtWidgets.QPushButton(self.tr("重打小票 (Ctrl+P，需主管)"), objectName="reprintButton")
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.reprint_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("第五步：小票")))
        layout.addWidget(self.message)
        layout.addWidget(self.printer)
        layout.addWidget(self.receipt, 1)
        layout.addWidget(self.path)
        layout.addLayout(buttons)
        self.setFocusProxy(self.next_button)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QtGui.QShortcut(QtGui.QKeySequence(key), self, self.next_button.click,
                            context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def show_receipt(self, tone: str, message_: str, lines: list[str], path: str) -> None:
        set_tone(self.message, tone, message_)
        self.receipt.setPlainText("\n".join(lines))
        self.path.setText(self.tr("小票 PDF：") + path)

    def show_printer(self, tone: str, text_: str) -> None:
        set_tone(self.printer, tone, text_)
        self.printer.setVisible(bool(text_))


# ---------------------------------------------------------------------------------------------- returns
class ReturnScreen(QtWidgets.QWidget):
    return_requested = Signal(list)  # line numbers

    def __init__(self) -> None:
        super().__init__(objectName="returnScreen")
        self.box = ScanBox(self.tr("输入小票号，或扫描所退药盒的追溯码，回车"), "returnBox")
        self.info = QtWidgets.QLabel(objectName="returnInfo")
        self.info.setFont(theme.font(2, bold=True))
        self.info.setWordWrap(True)
        self.lines = QtWidgets.QListWidget(objectName="returnLines")
        self.lines.setFont(theme.font(2))
        self.lines.setSpacing(3)
        self.message = message_label("returnMessage")
        self.printer = message_label("returnPrinterStatus")
        self.printer.setFont(theme.font(1, bold=True))
        self.printer.hide()
        self.go = QtWidgets.QPushButton(self.tr("退货 (F12)"), objectName="primary")
        self.go.setEnabled(False)
        self.go.clicked.connect(self._go)
        keys = QtWidgets.QLabel(self.tr("空格 勾选/取消 · Ctrl+A 全选 · F12 退货 · Esc 返回"))
        keys.setStyleSheet("color: #555;")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("退货")))
        layout.addWidget(self.box)
        layout.addWidget(self.info)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.printer)
        layout.addWidget(self.go)
        layout.addWidget(keys)
        self.record: SaleRecord | None = None
        self.setFocusProxy(self.box)

    def show_record(self, record: SaleRecord | None) -> None:
        self.record = record
        self.lines.clear()
        if record is None:
            self.info.clear()
            self.go.setEnabled(False)
            return
        status = {"settled": self.tr("已结算"), "returned": self.tr("已退货")}.get(record.status, record.status)
        if record.kind == "return":
            status = self.tr("退货单")
        t1, t2, t3 = self.tr("小票"), self.tr("合计"), self.tr("统筹")
        self.info.setText(f"{t1} {record.receipt_no} · {record.person_name} · {status} · "
                          f"{t2} {fmt(record.total)} · {t3} {fmt(record.fund)}")
        for l in record.lines:
            codes = ", ".join(l["codes"]) or self.tr("无码库")
            item = QtWidgets.QListWidgetItem(f"{l['line']}. {l['drug_name']} {l['qty']}{l.get('unit', '')} "
                                             f"{l['amount']}\n    {codes}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, l["line"])
            self.lines.addItem(item)
        self.go.setEnabled(record.status == "settled" and record.kind == "sale")
        self.lines.setCurrentRow(0)
        self.lines.setFocus()

    def check_all(self) -> None:
        for i in range(self.lines.count()):
            self.lines.item(i).setCheckState(Qt.CheckState.Checked)

    def chosen(self) -> list[int]:
        return [self.lines.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.lines.count())
                if self.lines.item(i).checkState() == Qt.CheckState.Checked]

    def _go(self) -> None:
        if self.go.isEnabled():
            self.return_requested.emit(self.chosen())

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)

    def show_printer(self, tone: str, text_: str) -> None:
        set_tone(self.printer, tone, text_)
        self.printer.setVisible(bool(text_))


# ---------------------------------------------------------------------------------------------- shift
class ShiftScreen(QtWidgets.QWidget):
    open_requested = Signal(object)  # float
    x_requested = Signal()
    close_requested = Signal(object)  # counted cash

    def __init__(self) -> None:
        super().__init__(objectName="shiftScreen")
        self.state = QtWidgets.QLabel(objectName="shiftState")
        self.state.setFont(theme.font(3, bold=True))
        self.float_edit = QtWidgets.QLineEdit(objectName="floatEdit")
        self.float_edit.setFont(theme.font(4))
        self.float_edit.setPlaceholderText(self.tr("备用金，如 200.00"))
        self.open_button = QtWidgets.QPushButton(self.tr("开班 (Enter)"), objectName="openShift")
        self.x_button = QtWidgets.QPushButton(self.tr("X 报表（不关班）"), objectName="xReport")
        self.count_edit = QtWidgets.QLineEdit(objectName="countEdit")
        self.count_edit.setFont(theme.font(4))
        self.count_edit.setPlaceholderText(self.tr("盲点：输入钱箱实点现金"))
        self.close_button = QtWidgets.QPushButton(self.tr("关班并出 Z 报表"), objectName="closeShift")
        self.report = QtWidgets.QPlainTextEdit(objectName="shiftReport")
        self.report.setReadOnly(True)
        self.report.setFont(theme.mono_font(1))
        self.message = message_label("shiftMessage")
        self.open_box = QtWidgets.QGroupBox(self.tr("开班"))
        ob = QtWidgets.QHBoxLayout(self.open_box)
        ob.addWidget(self.float_edit, 1)
        ob.addWidget(self.open_button)
        self.close_box = QtWidgets.QGroupBox(self.tr("关班（盲点现金）"))
        cb = QtWidgets.QHBoxLayout(self.close_box)
        cb.addWidget(self.count_edit, 1)
        cb.addWidget(self.close_button)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(title_label(self.tr("班次")))
        left.addWidget(self.state)
        left.addWidget(self.open_box)
        left.addWidget(self.x_button)
        left.addWidget(self.close_box)
        left.addWidget(self.message)
        left.addStretch(1)
        self.state.setWordWrap(True)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(self.report, 2)
        self.open_button.clicked.connect(self._open)
        self.float_edit.returnPressed.connect(self._open)
        self.x_button.clicked.connect(self.x_requested.emit)
        self.close_button.clicked.connect(self._close)
        self.count_edit.returnPressed.connect(self._close)

    def show_shift(self, shift: dict | None) -> None:
        if shift is None:
            self.state.setText(self.tr("当前没有开班"))
        else:
            t1, t2, t3 = self.tr("当前班次"), self.tr("开班人"), self.tr("备用金")
            self.state.setText(f"{t1} {shift['shift_id']} · {t2} {shift['opened_by']} · "
                               f"{t3} {fmt(shift['float_amount'])}")
        self.float_edit.clear()
        self.count_edit.clear()
        self.open_box.setEnabled(shift is None)
        self.x_button.setEnabled(shift is not None)
        self.close_box.setEnabled(shift is not None)
        (self.float_edit if shift is None else self.count_edit).setFocus()

    def show_report(self, report: ShiftReport, lines: list[str]) -> None:
        self.report.setPlainText("\n".join(lines))

    def _open(self) -> None:
        value = parse_money(self.float_edit.text())
        if value is None:
            set_tone(self.message, "bad", self.tr("金额格式不正确"))
            return
        self.open_requested.emit(value)

    def _close(self) -> None:
        value = parse_money(self.count_edit.text())
        if value is None or not self.count_edit.text().strip():
            set_tone(self.message, "bad", self.tr("请输入实点现金"))
            return
        self.close_requested.emit(value)

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)


# ---------------------------------------------------------------------------------------------- settings
class SettingsScreen(QtWidgets.QWidget):
    applied = Signal(int, str)  # font size, language
    more = Signal()  # 设备与全部设置: the composition root opens the settings dialog (devices, offline limits, …)

    def __init__(self) -> None:
        super().__init__(objectName="settingsScreen")
        self.size = QtWidgets.QSpinBox(objectName="fontSize")
        self.size.setRange(8, 32)
        self.size.setFont(theme.font(3))
        self.lang = QtWidgets.QComboBox(objectName="language")
        self.lang.addItem("中文", "zh")
        self.lang.addItem("English", "en")
        self.lang.setFont(theme.font(3))
        apply_ = QtWidgets.QPushButton(self.tr("应用 (Enter)"), objectName="primary")
        apply_.clicked.connect(self._apply)
        more = QtWidgets.QPushButton(self.tr("设备与全部设置…"), objectName="moreSettings")
        more.clicked.connect(self.more)
        form = QtWidgets.QFormLayout()
        form.addRow(self.tr("字号"), self.size)
        form.addRow(self.tr("语言 Language"), self.lang)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("设置")))
        layout.addLayout(form)
        layout.addWidget(apply_)
        layout.addWidget(more)
        layout.addStretch(1)
        self.setFocusProxy(self.size)

    def show_values(self, size: int, lang: str) -> None:
        self.size.setValue(size)
        self.lang.setCurrentIndex(1 if lang == "en" else 0)

    def _apply(self) -> None:
        self.applied.emit(self.size.value(), self.lang.currentData())

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._apply()
            return
        super().keyPressEvent(event)


__all__ = ["DoneScreen", "IdentifyScreen", "PayScreen", "ReturnScreen", "RxScreen", "SaleScreen", "SettingsScreen",
           "ShiftScreen"]
