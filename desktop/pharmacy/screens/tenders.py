"""The pay step's mixed basket and tenders (issue 17): non-insured goods scanned by commodity barcode into the
same sale, and external tenders (WeChat Pay, Alipay, UnionPay card), several per sale, each with its payment slip's
reference typed or scanned: F7 picks the kind, the amount, Enter, the reference, Enter adds it to the list (the row
being typed counts too, so one tender needs no Enter); cash pays the rest, with change. A tender is checked on its
own when added (core.pos.tenders.check_tender); the desk checks them all again before settling
(core.services.desk.tenders: refused with the reason, nothing written)."""
from __future__ import annotations

from decimal import Decimal

from core.domain import fmt
from core.pos.tenders import NAME_ZH, Kind, Tender, TenderError, check_tender, mask_reference
from desktop.pharmacy.screens.common import money_edit, parse_money
from desktop.qt import QtWidgets, Signal

EXTERNAL_KINDS = (Kind.WECHAT, Kind.ALIPAY, Kind.UNIONPAY)


class TenderPanel(QtWidgets.QWidget):
    goods_scanned = Signal(str)  # a commodity barcode typed or scanned into the goods box
    quick_add = Signal(str, str, str)  # barcode, name, price: a supervisor's quick-add of an unknown barcode
    changed = Signal()
    refused = Signal(str)  # a tender that cannot be added, the reason (Chinese first)
    added = Signal()  # a tender joined the list: the pay step moves on to the cash

    def __init__(self) -> None:
        super().__init__(objectName="tenderPanel")
        self.goods_edit = QtWidgets.QLineEdit(objectName="goodsEdit")
        self.goods_edit.setPlaceholderText(self.tr("扫描非医保商品条码后回车"))
        self.goods_edit.returnPressed.connect(self._goods_entered)
        self.goods_list = QtWidgets.QLabel("-", objectName="goodsList")
        self.goods_list.setWordWrap(True)
        self.kind = QtWidgets.QComboBox(objectName="tenderKind")
        # wide enough for its longest name in the font it ends up with (it is sized before it gets the screen's)
        self.kind.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(9)
        self.kind.addItem(self.tr("仅现金"), "")
        for k in EXTERNAL_KINDS:
            self.kind.addItem(NAME_ZH[k], k.value)
        self.amount = money_edit("externalAmount")
        self.reference = QtWidgets.QLineEdit(objectName="slipReference")
        self.reference.setPlaceholderText(self.tr("支付凭证号（输入或扫码）"))
        self.add_tender_button = QtWidgets.QPushButton(self.tr("加入 (Enter)"), objectName="addTender")
        self.add_tender_button.clicked.connect(self.add_pending)
        self.amount.returnPressed.connect(self.reference.setFocus)
        self.reference.returnPressed.connect(self.add_pending)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.amount)
        row.addWidget(self.reference, 1)
        self.amount.setMaximumWidth(120)  # the slip's reference (up to 28 digits) needs the room
        # the external tenders added so far, one a line (reference masked), and the key to take the last one off
        self.entries: list[Tender] = []
        self.entry_list = QtWidgets.QLabel("-", objectName="tenderList")
        self.remove_button = QtWidgets.QPushButton(self.tr("删除最后一笔"), objectName="removeTender")
        self.remove_button.clicked.connect(self.remove_last)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.add_tender_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        form = QtWidgets.QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("非医保商品条码"), self.goods_edit)
        form.addRow(self.tr("非医保商品"), self.goods_list)
        form.addRow(self.tr("其他付款方式 (F7)"), row)
        form.addRow(self.tr("已加入"), self.entry_list)
        form.addRow("", buttons)
        # an unknown barcode: the quick-add row (name, price; a supervisor approves "goods.add")
        self.add_box = QtWidgets.QWidget(objectName="goodsQuickAdd")
        self.add_code = QtWidgets.QLabel(objectName="quickAddCode")
        self.add_name = QtWidgets.QLineEdit(objectName="quickAddName")
        self.add_name.setPlaceholderText(self.tr("商品名称"))
        self.add_price = money_edit("quickAddPrice")
        self.add_price.setPlaceholderText(self.tr("价格"))
        self.add_button = QtWidgets.QPushButton(self.tr("新增商品（需主管）"), objectName="quickAddButton")
        self.add_button.clicked.connect(self._quick_add)
        self.add_price.returnPressed.connect(self._quick_add)
        add_row = QtWidgets.QHBoxLayout(self.add_box)
        add_row.setContentsMargins(0, 0, 0, 0)
        for w in (self.add_code, self.add_name, self.add_price, self.add_button):
            add_row.addWidget(w, 1 if w is self.add_name else 0)
        form.addRow(self.add_box)
        self.add_box.hide()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.amount.textChanged.connect(lambda *_: self.changed.emit())
        self.goods_total = Decimal("0.00")
        self.remove_button.setEnabled(False)
        self._kind_changed()

    def _goods_entered(self) -> None:
        code = self.goods_edit.text().strip()
        self.goods_edit.clear()
        if code:
            self.goods_scanned.emit(code)

    def offer_quick_add(self, code: str) -> None:
        """The barcode is not in the catalogue: show the quick-add row for it."""
        self.add_code.setText(code)
        self.add_name.clear()
        self.add_price.clear()
        self.add_box.show()
        self.add_name.setFocus()

    def _quick_add(self) -> None:
        self.quick_add.emit(self.add_code.text(), self.add_name.text().strip(), self.add_price.text().strip())

    def _kind_changed(self) -> None:
        on = bool(self.kind.currentData())
        self.amount.setEnabled(on)
        self.reference.setEnabled(on)
        if not on:
            self.amount.setText("")
            self.reference.setText("")
        self.changed.emit()

    def next_kind(self) -> None:
        """F7: the next external tender (none → WeChat → Alipay → UnionPay → none); the amount box takes focus."""
        self.kind.setCurrentIndex((self.kind.currentIndex() + 1) % self.kind.count())
        if self.kind.currentData():
            self.amount.setFocus()

    def set_goods(self, goods) -> None:  # noqa: ANN001  # tuple[core.pos.goods.GoodsLine, ...]
        self.goods_total = sum((g.amount for g in goods), Decimal("0.00"))
        if not goods:
            self.goods_list.setText("-")
        else:
            rows = [f"{g.good.name} x{g.qty}  {fmt(g.amount)}" for g in goods]
            self.goods_list.setText("\n".join(rows) + f"\n{self.tr('非医保合计')} {fmt(self.goods_total)}")
        self.changed.emit()

    def _pending_amount(self) -> Decimal | None:
        """The amount of the row being typed (None when no kind is chosen or it is not a positive number yet)."""
        if not self.kind.currentData():
            return None
        value = parse_money(self.amount.text())
        return value if value is not None and value > 0 else None

    def external_amounts(self) -> list[Decimal]:
        """The amounts of the external tenders: those added, and the row being typed once it has an amount."""
        pending = self._pending_amount()
        return [t.amount for t in self.entries] + ([pending] if pending is not None else [])

    def external(self) -> Decimal:
        return sum(self.external_amounts(), Decimal("0.00"))

    def _pending(self) -> Tender:
        return Tender.of(self.kind.currentData(), parse_money(self.amount.text()) or Decimal("0"), self.reference.text())

    def add_pending(self) -> bool:
        """Enter on the reference (or 加入): the row being typed joins the list once it is a tender on its own
        (amount > 0, the slip's reference, not one already added); else `refused` says why and it stays."""
        if not self.kind.currentData():
            return False
        try:
            tender = check_tender(self._pending(), [t.reference for t in self.entries])
        except TenderError as exc:
            self.refused.emit(f"{exc.zh} / {exc.en}")
            return False
        self.entries.append(tender)
        self.kind.setCurrentIndex(0)  # clears the row and says changed
        self._show_entries()
        self.added.emit()
        return True

    def remove_last(self) -> None:
        if self.entries:
            self.entries.pop()
            self._show_entries()

    def _show_entries(self) -> None:
        rows = [f"{NAME_ZH[t.kind]} {fmt(t.amount)}  {self.tr('凭证号')} {mask_reference(t.reference)}"
                for t in self.entries]
        self.entry_list.setText("\n".join(rows) or "-")
        self.remove_button.setEnabled(bool(self.entries))
        self.changed.emit()

    def tenders(self, cash: Decimal) -> tuple[Tender, ...]:
        """The desk's tenders: the external ones in the order added (the row being typed last), then the cash
        handed over (if any)."""
        out = list(self.entries)
        if self.kind.currentData():
            out.append(self._pending())
        if cash > 0:
            out.append(Tender(Kind.CASH, cash))
        return tuple(out)

    def used(self) -> bool:
        """Whether the sale needs tenders (goods in it, or an external tender) rather than the cash form."""
        return bool(self.entries) or bool(self.kind.currentData()) or self.goods_total > 0

    def clear(self) -> None:
        self.add_box.hide()
        self.kind.setCurrentIndex(0)
        self.entries.clear()
        self._show_entries()
        self.goods_edit.clear()
        self.set_goods(())
