"""Step 4 and 5: payment (personal account, cash, change) and the receipt."""
from __future__ import annotations

from decimal import Decimal

from core.domain import fmt
from core.pos.due import PayDue, pay_due
from core.pos.tenders import TenderError, check_tender
from desktop.common import theme
from desktop.pharmacy.screens.common import message_label, money_edit, parse_money, set_tone, title_label
from desktop.pharmacy.screens.tenders import TenderPanel
from desktop.qt import Qt, QtGui, QtWidgets, Signal


def amount_pixels(screen_height: int) -> int:
    """The height of the amount to collect and the change, in pixels: read from across the counter, never under
    48 px, larger on a larger screen (768 → 48, 1080 → 60)."""
    return max(48, screen_height // 18)


class PayScreen(QtWidgets.QWidget):
    """What the customer owes and how it is paid. The arithmetic is core.pos.due.pay_due (the widget only shows
    it): 合计应收 (personal share + goods) large at the top of the right column, what each tender takes off it,
    the cash due and the change large below; a payment that does not match is refused here with the reason."""

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
        self.total = QtWidgets.QLabel(objectName="totalDue")  # 合计应收
        self.parts = QtWidgets.QLabel(objectName="dueParts")  # how 合计应收 is paid: − account − 共济 − external
        self.parts.setFont(theme.font(2))
        self.parts.setWordWrap(True)
        self.due = QtWidgets.QLabel(objectName="cashDue")
        self.change = QtWidgets.QLabel(objectName="changeLabel")
        for w in (self.total, self.due, self.change):
            w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
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
        self.tender_panel.refused.connect(self._tender_refused)
        self.tender_panel.added.connect(self.cash.setFocus)
        form.addRow(self.tender_panel)
        form.addRow(self.tr("实收现金"), self.cash)
        amounts = QtWidgets.QFormLayout()
        amounts.addRow(self.tr("合计应收"), self.total)
        amounts.addRow(self.parts)
        amounts.addRow(self.tr("应收现金"), self.due)
        amounts.addRow(self.tr("找零"), self.change)
        columns = QtWidgets.QHBoxLayout()
        columns.addLayout(form, 5)
        columns.addSpacing(24)
        columns.addLayout(amounts, 3)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("第四步：收款")))
        layout.addWidget(self.summary)
        layout.addLayout(columns)
        layout.addWidget(self.message)
        layout.addWidget(self.ok)
        layout.addStretch(1)
        hint = QtWidgets.QLabel(self.tr("Tab 切换 · F7 其他付款（凭证号后 Enter 加入，可多笔） · Enter 确认 · Esc 返回扫码"))
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        self.account.textChanged.connect(lambda *_: self.recompute())
        self.cash.textChanged.connect(lambda *_: self.recompute())
        self.account.returnPressed.connect(self.cash.setFocus)
        self.cash.returnPressed.connect(self._confirm)
        self.personal = Decimal("0.00")
        self.balance = Decimal("0.00")
        self._refused = False  # the message says why the payment was refused
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
        self._refused = False
        self.tender_panel.clear()
        self.recompute()

    def scale_amounts(self) -> None:
        """合计应收, the cash due and the change sized for the screen this window is on."""
        screen = self.screen() or QtWidgets.QApplication.primaryScreen()
        px = amount_pixels(screen.geometry().height() if screen is not None else 768)
        for w in (self.total, self.due, self.change):
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

    def _tender_refused(self, why: str) -> None:
        self._refused = True
        set_tone(self.message, "bad", why)

    def figures(self) -> PayDue | None:
        """The pay step's figures as typed (None: an amount field holds no amount)."""
        account = parse_money(self.account.text())
        tendered = parse_money(self.cash.text())
        if account is None or tendered is None:
            return None
        holder = None if self.family is None else (self.family.balance or Decimal("0.00"))
        return pay_due(self.personal, self.tender_panel.goods_total, account=account, balance=self.balance,
                       family_balance=holder, external=self.tender_panel.external_amounts(),
                       cash=tendered if self.cash.text().strip() else None)

    def recompute(self) -> tuple[Decimal, Decimal, Decimal | None] | None:
        """Show the figures; (account used, cash due, change or None) or None when an amount is not one."""
        got = self.figures()
        if got is None:
            self.change.setText("-")
            return None
        self.balance_label.setText(f"{fmt(self.balance)} → {fmt(got.balance_after)}")
        if self.family is not None:  # what the holder's account would pay; the centre's answer is the final word
            self.family_label.setText(f"{self.family.name_masked}（{self.family.relation}） {fmt(got.family)}  "
                                      f"{self.tr('余额')} {fmt(self.family.balance or Decimal('0.00'))}")
        self.total.setText(fmt(got.total))
        parts = [f"{self.tr('个人负担')} {fmt(got.personal)}"]
        if got.goods:
            parts.append(f"+ {self.tr('非医保')} {fmt(got.goods)}")
        for name, value in ((self.tr("个人账户"), got.account), (self.tr("共济"), got.family),
                            (self.tr("其他付款"), got.external)):
            if value:
                parts.append(f"− {name} {fmt(value)}")
        self.parts.setText(" ".join(parts))
        self.due.setText(fmt(got.cash_due))
        change = got.change
        self.change.setText("-" if change is None else fmt(change))
        if self._refused and got.problem() is None:  # the refusal said while it was true, and no longer
            self._refused = False
            set_tone(self.message, "", "")
        return got.account, got.cash_due, change

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
        """Enter/F12: refused here, with the reason, when the tenders do not match what is due (nothing is sent);
        a row of an external tender being typed must be a whole tender (amount and reference) to count."""
        try:
            got = self.figures()
            if got is None:
                set_tone(self.message, "bad", self.tr("金额格式不正确"))
                return
            if self.tender_panel.kind.currentData():
                check_tender(self.tender_panel.tenders(Decimal("0"))[-1],
                             [t.reference for t in self.tender_panel.entries])
            got.check()
        except TenderError as exc:
            self._refused = True
            set_tone(self.message, "bad", f"{exc.zh} / {exc.en}")
            return
        self.confirmed.emit(got.account, got.tendered)


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
