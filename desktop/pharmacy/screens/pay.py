"""Step 4 and 5: payment (personal account, cash, change) and the receipt."""
from __future__ import annotations

from decimal import Decimal

from core.domain import fmt
from desktop.common import theme
from desktop.pharmacy.screens.common import message_label, money_edit, parse_money, set_tone, title_label
from desktop.pharmacy.screens.tenders import TenderPanel
from desktop.qt import Qt, QtGui, QtWidgets, Signal


def amount_pixels(screen_height: int) -> int:
    """The height of the amount to collect and the change, in pixels: read from across the counter, never under
    48 px, larger on a larger screen (768 → 48, 1080 → 60)."""
    return max(48, screen_height // 18)


class PayScreen(QtWidgets.QWidget):
    confirmed = Signal(object, object)  # account, tendered (Decimal)

    def __init__(self) -> None:
        super().__init__(objectName="payScreen")
        self.summary = QtWidgets.QLabel(objectName="paySummary")
        self.summary.setFont(theme.font(4, bold=True))
        self.summary.setWordWrap(True)
        self.account = money_edit("accountEdit")
        self.cash = money_edit("cashEdit")
        for w in (self.account, self.cash):
            w.setFont(theme.font(6))
            w.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.balance_label = QtWidgets.QLabel(objectName="accountBalance")  # before → after this payment
        self.family_label = QtWidgets.QLabel(objectName="familyAccount")  # 共济: the holder (masked) and what it pays
        self.family = None  # core.services.desk.accounts.FamilyHolder chosen with F6
        self.due = QtWidgets.QLabel(objectName="cashDue")
        self.change = QtWidgets.QLabel(objectName="changeLabel")
        self.scale_amounts()
        self.message = message_label("payMessage")
        self.ok = QtWidgets.QPushButton(self.tr("确认收款并结算 (Enter)"), objectName="primary")
        self.ok.setFont(theme.font(3, bold=True))
        self.ok.clicked.connect(self._confirm)
        self.setFont(theme.font(3))
        form = QtWidgets.QFormLayout()
        form.addRow(self.tr("个人账户支付 (F8 全额)"), self.account)
        form.addRow(self.tr("账户余额 支付前→支付后"), self.balance_label)
        form.addRow(self.tr("共济账户 (F6)"), self.family_label)
        self.tender_panel = TenderPanel()
        self.tender_panel.changed.connect(lambda: self.recompute())
        form.addRow(self.tender_panel)
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
        self._short = False  # the message says the cash does not cover what is due
        self.setFocusProxy(self.cash)

    def show_amounts(self, total: Decimal, fund: Decimal, personal: Decimal, balance: Decimal) -> None:
        self.personal, self.balance = personal, balance
        t1, t2, t3, t4 = self.tr("医疗费总额"), self.tr("统筹基金支付"), self.tr("个人负担"), self.tr("个人账户余额")
        self.summary.setText(f"{t1} {fmt(total)}    {t2} {fmt(fund)}\n{t3} {fmt(personal)}    {t4} {fmt(balance)}")
        self.account.setText("0.00")
        self.account.setEnabled(balance > 0)
        self.family = None
        self.family_label.setText("-")
        self.cash.setText("")
        self.message.clear()
        self._short = False
        self.tender_panel.clear()
        self.recompute()

    def scale_amounts(self) -> None:
        """The amount due and the change sized for the screen this window is on."""
        screen = self.screen() or QtWidgets.QApplication.primaryScreen()
        px = amount_pixels(screen.geometry().height() if screen is not None else 768)
        for w in (self.due, self.change):
            f = theme.font(6, bold=True)
            f.setPixelSize(px)
            w.setFont(f)
            w.setMinimumHeight(int(px * 1.3))

    def showEvent(self, event) -> None:  # noqa: N802
        self.scale_amounts()  # the window may have moved to another screen
        super().showEvent(event)

    def clear(self) -> None:
        self.show_amounts(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
        self.summary.clear()

    def recompute(self) -> tuple[Decimal, Decimal, Decimal | None] | None:
        from core.services.pharmacy_sale import cash_due, change_for

        account = parse_money(self.account.text())
        tendered = parse_money(self.cash.text())
        if account is None or tendered is None:
            self.change.setText("-")
            return None
        used, due = cash_due(self.personal, account, self.balance)
        self.balance_label.setText(f"{fmt(self.balance)} → {fmt(self.balance - used)}")
        if self.family is not None:  # what the holder's account would pay; the centre's answer is the final word
            share = min(due, self.family.balance or Decimal("0.00"))
            due -= share
            self.family_label.setText(f"{self.family.name_masked}（{self.family.relation}） {fmt(share)}  "
                                      f"{self.tr('余额')} {fmt(self.family.balance or Decimal('0.00'))}")
        due = max(Decimal("0.00"), due + self.tender_panel.goods_total - self.tender_panel.external())
        self.due.setText(fmt(due))
        change = change_for(due, tendered if self.cash.text().strip() else due)
        self.change.setText("-" if change is None else fmt(change))
        if self._short and change is not None:  # "现金不足" said while it was true, and no longer
            self._short = False
            set_tone(self.message, "", "")
        return used, due, change

    def use_account(self) -> None:
        """F8: pay as much of the personal share as the account's balance allows (the centre has the last word:
        offline an account payment is refused and the message says to take cash)."""
        if self.balance <= 0:
            set_tone(self.message, "warn", self.tr("无个人账户余额，请收取现金"))
            return
        self.account.setText(fmt(min(self.personal, self.balance)))
        self.cash.setFocus()

    def set_family(self, holders: list) -> None:
        """F6's answer: the first bound holder pays what the own account does not (none: say so, cash then)."""
        if not holders:
            set_tone(self.message, "warn", self.tr("该参保人无家庭共济绑定，请收取现金"))
            return
        self.family = holders[0]
        self.recompute()
        self.cash.setFocus()

    def _confirm(self) -> None:
        got = self.recompute()
        if got is None:
            set_tone(self.message, "bad", self.tr("金额格式不正确"))
            return
        used, due, change = got
        tendered = parse_money(self.cash.text()) if self.cash.text().strip() else due
        if change is None:
            self._short = True
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

    def clear(self) -> None:
        set_tone(self.message, "", "")
        self.receipt.clear()
        self.path.clear()
        self.show_printer("", "")
