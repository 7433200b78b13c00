"""Returns: find a sale by receipt number or a box's code, tick the lines to return."""
from __future__ import annotations

from core.domain import fmt
from core.services.ports import SaleRecord
from desktop.common import theme
from desktop.pharmacy.screens.common import ScanBox, message_label, set_tone, title_label
from desktop.qt import Qt, QtWidgets, Signal


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
