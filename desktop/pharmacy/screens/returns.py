"""Returns: find a sale by receipt number or a box's code, tick the lines to return, see what goes back per
tender, confirm (F12 twice: the first press shows what will happen, Esc cancels)."""
from __future__ import annotations

from core.domain import fmt
from core.i18n import message
from core.services.desk.rules import refund_for
from core.services.ports import SaleRecord
from desktop.common import theme
from desktop.common.i18n import text
from desktop.pharmacy.screens.common import ScanBox, message_label, set_tone, title_label
from desktop.qt import Qt, QtWidgets, Signal


class ReturnScreen(QtWidgets.QWidget):
    return_requested = Signal(list, object)  # drug line numbers and goods lines (None: with the sale), confirmed

    def __init__(self) -> None:
        super().__init__(objectName="returnScreen")
        self.box = ScanBox(self.tr("输入小票号，或扫描所退药盒的追溯码，回车"), "returnBox")
        self.info = QtWidgets.QLabel(objectName="returnInfo")
        self.info.setFont(theme.font(2, bold=True))
        self.info.setWordWrap(True)
        self.lines = QtWidgets.QListWidget(objectName="returnLines")
        self.lines.setFont(theme.font(2))
        self.lines.setSpacing(3)
        self.lines.itemChanged.connect(lambda *_: self._ticks_changed())
        self.refund = QtWidgets.QLabel(objectName="returnRefund")  # what goes back, per tender
        self.refund.setFont(theme.font(3, bold=True))
        self.refund.setWordWrap(True)
        self.message = message_label("returnMessage")
        self.printer = message_label("returnPrinterStatus")
        self.printer.setFont(theme.font(1, bold=True))
        self.printer.hide()
        self.go = QtWidgets.QPushButton(self.tr("退货 (F12)"), objectName="primary")
        self.go.setEnabled(False)
        self.go.clicked.connect(self._go)
        keys = QtWidgets.QLabel(self.tr("空格 勾选/取消 · Ctrl+A 全选 · F12 退货（再按 F12 确认） · Esc 取消/返回"))
        keys.setStyleSheet("color: #555;")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("退货")))
        layout.addWidget(self.box)
        layout.addWidget(self.info)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.refund)
        layout.addWidget(self.message)
        layout.addWidget(self.printer)
        layout.addWidget(self.go)
        layout.addWidget(keys)
        self.record: SaleRecord | None = None
        self.armed: list | None = None  # the lines (drugs, goods) shown for confirmation (F12 once)
        self.setFocusProxy(self.box)

    def show_record(self, record: SaleRecord | None, ticked: list[int] | None = None) -> None:
        """A sale found (or None): its lines, ticked when in `ticked` (all of them when None)."""
        self.record = record
        self.armed = None
        self.lines.blockSignals(True)
        self.lines.clear()
        if record is None:
            self.lines.blockSignals(False)
            self.info.clear()
            self.refund.clear()
            self.go.setEnabled(False)
            return
        status = {"settled": self.tr("已结算"), "returned": self.tr("已退货")}.get(record.status, record.status)
        if record.kind == "return":
            status = self.tr("退货单")
        t1, t2, t3 = self.tr("小票"), self.tr("合计"), self.tr("统筹")
        self.info.setText(f"{t1} {record.receipt_no} · {record.person_name} · {status} · "
                          f"{t2} {fmt(record.total)} · {t3} {fmt(record.fund)}")
        for line in record.lines:
            codes = ", ".join(line["codes"]) or self.tr("无码库")
            item = QtWidgets.QListWidgetItem(f"{line['line']}. {line['drug_name']} {line['qty']}{line.get('unit', '')} "
                                             f"{line['amount']}\n    {codes}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            on = ticked is None or line["line"] in ticked
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, line["line"])
            self.lines.addItem(item)
        # the non-insured goods, unticked: they go with the sale (kept by a partial return, back with a whole
        # one) unless ticked — then they come back on their own or with the ticked drug lines. A return document
        # lists none: its sale's goods rows say what left that sale, kept ones included (moved to the kept sale)
        word, done = self.tr("商品"), self.tr("（已退）")
        for g in record.goods if record.kind == "sale" else ():
            mark = done if g.get("returned") else ""
            item = QtWidgets.QListWidgetItem(f"{word} {g.get('line', '')}. {g['name']} x{g['qty']} "
                                             f"{g['amount']}{mark}")
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not g.get("returned"):
                flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setCheckState(Qt.CheckState.Unchecked)
            item.setFlags(flags)
            item.setData(Qt.ItemDataRole.UserRole + 1, g.get("line"))
            self.lines.addItem(item)
        self.lines.blockSignals(False)
        self.lines.setCurrentRow(0)
        self.lines.setFocus()
        self._ticks_changed()

    def _ticks_changed(self) -> None:
        """What the ticked lines give back, at once; a confirmation shown for other lines no longer stands."""
        self.armed = None
        refund = refund_for(self.record, self.chosen(), self.goods_arg()) if self.record is not None else None
        self.refund.setText(text(refund.text()) if refund is not None else "")
        self.go.setEnabled(refund is not None)
        self.go.setText(self.tr("退货 (F12)"))

    def check_all(self) -> None:
        for i in range(self.lines.count()):
            self.lines.item(i).setCheckState(Qt.CheckState.Checked)

    def _ticked(self, role: int) -> list[int]:
        items = [self.lines.item(i) for i in range(self.lines.count())]
        return [it.data(role) for it in items
                if it.data(role) is not None and it.checkState() == Qt.CheckState.Checked]

    def chosen(self) -> list[int]:
        """The drug lines ticked."""
        return self._ticked(Qt.ItemDataRole.UserRole)

    def chosen_goods(self) -> list[int]:
        return self._ticked(Qt.ItemDataRole.UserRole + 1)

    def goods_arg(self) -> list[int] | None:
        """The goods lines to bring back, for Returns.return_sale: None (they go with the sale) when none is
        ticked or every drug line is (a whole return gives all back)."""
        goods = self.chosen_goods()
        every = self.record is not None and len(self.chosen()) == len(self.record.lines)
        return goods if goods and not every else None

    def _go(self) -> None:
        """F12 (or the button): the first press asks for confirmation, the second returns the lines shown."""
        if not self.go.isEnabled():
            return
        chosen = self.chosen()
        goods = self.goods_arg()
        if self.armed != [chosen, goods]:
            self.armed = [chosen, goods]
            self.go.setText(self.tr("确认退货 (F12)"))
            self.show_message("warn", text(message("desk.ret.confirm")))
            return
        self.armed = None
        self.go.setText(self.tr("退货 (F12)"))
        self.return_requested.emit(chosen, goods)

    def disarm(self) -> bool:
        """Esc while a confirmation is shown: cancel it (True), else nothing to cancel (False)."""
        if self.armed is None:
            return False
        self.armed = None
        self.go.setText(self.tr("退货 (F12)"))
        self.show_message("", "")
        return True

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)

    def show_printer(self, tone: str, text_: str) -> None:
        set_tone(self.printer, tone, text_)
        self.printer.setVisible(bool(text_))
