"""The stock screens (进销存): receiving, return to the supplier, count, changes and undo, reports.

Each screen only shows and asks: it emits what the user asked for, the window (desktop.pharmacy.stock.window)
runs the service off the UI thread and calls back `show_*` / `say`.
"""
from __future__ import annotations

from desktop.pharmacy.screens.common import message_label, title_label
from desktop.pharmacy.stock.widgets import ScanList, SupervisorBox, tone
from desktop.qt import QtWidgets, Signal


def _edit(name: str, placeholder: str) -> QtWidgets.QLineEdit:
    e = QtWidgets.QLineEdit(objectName=name)
    e.setPlaceholderText(placeholder)
    return e


class _Screen(QtWidgets.QWidget):
    def __init__(self, name: str, title: str) -> None:
        super().__init__(objectName=name)
        self.message = message_label(f"{name}Message")
        self.layout_ = QtWidgets.QVBoxLayout(self)
        self.layout_.addWidget(title_label(title))

    def say(self, level: str, text_: str) -> None:
        tone(self.message, level, text_)


class ReceivingScreen(_Screen):
    """入库: scan the boxes (trace codes or GS1 DataMatrix), or import the supplier's delivery file; then 3503. The
    same scans may instead come from another branch of the chain (调拨入库: its code and 调拨出库 document, a
    supervisor; then an inbound 3502)."""

    scan = Signal(str)
    import_requested = Signal()
    post_requested = Signal(dict)
    transfer_requested = Signal(dict)
    removed = Signal(int)

    def __init__(self) -> None:
        super().__init__("receivingScreen", self.tr("入库（扫码或导入随货同行单）"))
        self.list = ScanList(self.tr("扫描药盒追溯码或 GS1 码"), [self.tr("追溯码"), self.tr("药品"), self.tr("批号"),
                                                             self.tr("有效期至")], "receiving")
        self.supplier = _edit("supplier", self.tr("供应商"))
        self.invoice = _edit("invoiceNo", self.tr("发票号"))
        self.lot = _edit("lot", self.tr("批号（码上没有时）"))
        self.manu_date = _edit("manuDate", self.tr("生产日期 2026-01-31"))
        self.expiry = _edit("expiry", self.tr("有效期至 2028-01-30"))
        form = QtWidgets.QGridLayout()
        for i, w in enumerate((self.supplier, self.invoice, self.lot, self.manu_date, self.expiry)):
            form.addWidget(w, i // 3, i % 3)
        self.import_button = QtWidgets.QPushButton(self.tr("导入入库文件（CSV/XLSX）…"), objectName="importDelivery")
        self.post_button = QtWidgets.QPushButton(self.tr("入库并上传（3503）"), objectName="postReceipt")
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.post_button)
        # 调拨入库: from another branch of the chain, naming its outgoing 3502 document
        self.from_branch = _edit("fromBranch", self.tr("调出门店（机构编码）"))
        self.out_doc = _edit("outDoc", self.tr("调拨出库单号"))
        self.transfer_supervisor = SupervisorBox("transferSupervisor")
        self.transfer_button = QtWidgets.QPushButton(self.tr("调拨入库并上传（3502）"), objectName="postTransferIn")
        transfer = QtWidgets.QHBoxLayout()
        for w in (self.from_branch, self.out_doc, self.transfer_supervisor):
            transfer.addWidget(w, 1)
        transfer.addWidget(self.transfer_button)
        self.layout_.addWidget(self.list, 1)
        self.layout_.addLayout(form)
        self.layout_.addLayout(buttons)
        self.layout_.addLayout(transfer)
        self.layout_.addWidget(self.message)
        self.list.scanned.connect(self.scan.emit)
        self.list.removed.connect(self.removed.emit)
        self.import_button.clicked.connect(self.import_requested.emit)
        self.post_button.clicked.connect(lambda: self.post_requested.emit(self.fields()))
        self.transfer_button.clicked.connect(lambda: self.transfer_requested.emit(
            {**self.fields(), "from_branch": self.from_branch.text().strip(), "out_doc": self.out_doc.text().strip(),
             "supervisor": self.transfer_supervisor.values()}))

    def fields(self) -> dict:
        return {"supplier": self.supplier.text().strip(), "invoice_no": self.invoice.text().strip(),
                "lot": self.lot.text().strip(), "manu_date": self.manu_date.text().strip(),
                "expiry": self.expiry.text().strip()}

    def add_box(self, code: str, name: str, lot: str, expiry: str) -> None:
        self.list.add_row([code, name, lot or "-", expiry or "-"])

    def reset(self) -> None:
        self.list.clear()
        for w in (self.invoice, self.lot, self.manu_date, self.expiry):
            w.clear()


class SupplierReturnScreen(_Screen):
    """采购退货: scan the boxes going back, name the supplier; then 3504."""

    scan = Signal(str)
    post_requested = Signal(dict)

    def __init__(self) -> None:
        super().__init__("supplierReturnScreen", self.tr("退供应商"))
        self.list = ScanList(self.tr("扫描退回的药盒"), [self.tr("追溯码"), self.tr("药品"), self.tr("批号")], "supplierReturn")
        self.supplier = _edit("returnSupplier", self.tr("供应商"))
        self.note = _edit("returnNote", self.tr("退货原因"))
        self.post_button = QtWidgets.QPushButton(self.tr("退货并上传（3504）"), objectName="postSupplierReturn")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.supplier)
        row.addWidget(self.note, 1)
        row.addWidget(self.post_button)
        self.layout_.addWidget(self.list, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.message)
        self.list.scanned.connect(self.scan.emit)
        self.post_button.clicked.connect(lambda: self.post_requested.emit(
            {"supplier": self.supplier.text().strip(), "note": self.note.text().strip()}))


class CountScreen(_Screen):
    """盘点: scan the shelf, compare with the ledger (missing / extra), a supervisor confirms; then 3501."""

    scan = Signal(str)
    compare_requested = Signal()
    confirm_requested = Signal(str, str)

    def __init__(self) -> None:
        super().__init__("countScreen", self.tr("盘点"))
        self.list = ScanList(self.tr("逐盒扫描货架"), [self.tr("追溯码")], "count")
        self.missing = QtWidgets.QListWidget(objectName="countMissing")
        self.extra = QtWidgets.QListWidget(objectName="countExtra")
        diff = QtWidgets.QHBoxLayout()
        for label, w in ((self.tr("盘亏（账上有、货架无）"), self.missing), (self.tr("盘盈（货架有、账上无）"), self.extra)):
            box = QtWidgets.QGroupBox(label)
            QtWidgets.QVBoxLayout(box).addWidget(w)
            diff.addWidget(box)
        self.compare_button = QtWidgets.QPushButton(self.tr("与账面比对"), objectName="compareCount")
        self.supervisor = SupervisorBox("countSupervisor")
        self.confirm_button = QtWidgets.QPushButton(self.tr("确认盘点并上传（3501）"), objectName="confirmCount")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.compare_button)
        row.addWidget(self.supervisor, 1)
        row.addWidget(self.confirm_button)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(diff, 1)
        self.layout_.addLayout(top, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.message)
        self.list.scanned.connect(self.scan.emit)
        self.compare_button.clicked.connect(self.compare_requested.emit)
        self.confirm_button.clicked.connect(lambda: self.confirm_requested.emit(*self.supervisor.values()))

    def show_result(self, missing: list[str], extra: list[str], matched: int) -> None:
        self.missing.clear()
        self.missing.addItems(missing)
        self.extra.clear()
        self.extra.addItems(extra)
        level = "ok" if not missing and not extra else "warn"
        self.say(level, self.tr("相符 %1 盒，盘亏 %2 盒，盘盈 %3 盒").replace("%1", str(matched))
                 .replace("%2", str(len(missing))).replace("%3", str(len(extra))))


CHANGE_KINDS = (("loss", "报损"), ("expired", "过期"), ("transfer_out", "调拨出库"))


class ChangeScreen(_Screen):
    """库存变更 (报损, 过期, 调拨) with a supervisor → 3502; and undoing an upload made in error → 3507."""

    scan = Signal(str)
    post_requested = Signal(dict)
    undo_requested = Signal(dict)

    def __init__(self) -> None:
        super().__init__("changeScreen", self.tr("库存变更（报损 / 过期 / 调拨）"))
        self.list = ScanList(self.tr("扫描变更的药盒"), [self.tr("追溯码"), self.tr("药品"), self.tr("批号")], "change")
        self.kind = QtWidgets.QComboBox(objectName="changeKind")
        for key, label in CHANGE_KINDS:
            self.kind.addItem(self.tr(label), key)
        self.note = _edit("changeNote", self.tr("说明（如：破损、调往分店）"))
        self.supervisor = SupervisorBox("changeSupervisor")
        self.post_button = QtWidgets.QPushButton(self.tr("确认变更并上传（3502）"), objectName="postChange")
        self.undo_doc = _edit("undoDoc", self.tr("误传的单据号，如 T01-R000001"))
        self.undo_button = QtWidgets.QPushButton(self.tr("撤销该单据的上传（3507）"), objectName="undoUpload")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.note, 1)
        undo = QtWidgets.QHBoxLayout()
        undo.addWidget(self.undo_doc, 1)
        undo.addWidget(self.undo_button)
        self.layout_.addWidget(self.list, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.supervisor)
        self.layout_.addWidget(self.post_button)
        self.layout_.addLayout(undo)
        self.layout_.addWidget(self.message)
        self.list.scanned.connect(self.scan.emit)
        self.post_button.clicked.connect(lambda: self.post_requested.emit(
            {"change_kind": self.kind.currentData(), "note": self.note.text().strip(),
             "supervisor": self.supervisor.values()}))
        self.undo_button.clicked.connect(lambda: self.undo_requested.emit(
            {"doc_no": self.undo_doc.text().strip(), "supervisor": self.supervisor.values()}))


class ReportsScreen(_Screen):
    """库存报表: on hand by batch, near expiry, the movement ledger of a period, reconciliation with the centre."""

    on_hand_requested = Signal()
    near_requested = Signal()
    export_requested = Signal(str, str, str)  # since, until, format (xlsx|pdf)
    reconcile_requested = Signal()

    def __init__(self) -> None:
        super().__init__("stockReports", self.tr("库存报表"))
        self.table = QtWidgets.QTableWidget(0, 0, objectName="stockReportTable")
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.since = _edit("ledgerSince", self.tr("起 2026-12-01"))
        self.until = _edit("ledgerUntil", self.tr("止 2026-12-31"))
        self.fmt = QtWidgets.QComboBox(objectName="ledgerFormat")
        self.fmt.addItem("XLSX", "xlsx")
        self.fmt.addItem("PDF", "pdf")
        buttons = QtWidgets.QHBoxLayout()
        for text_, name, sig in ((self.tr("在库（按批次）"), "showOnHand", self.on_hand_requested),
                                 (self.tr("近效期"), "showNearExpiry", self.near_requested),
                                 (self.tr("与中心对账（3508/3511）"), "reconcileStock", self.reconcile_requested)):
            b = QtWidgets.QPushButton(text_, objectName=name)
            b.clicked.connect(sig.emit)
            buttons.addWidget(b)
        export = QtWidgets.QHBoxLayout()
        export.addWidget(self.since)
        export.addWidget(self.until)
        export.addWidget(self.fmt)
        self.export_button = QtWidgets.QPushButton(self.tr("导出进销存台账"), objectName="exportLedger")
        export.addWidget(self.export_button)
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addLayout(export)
        self.layout_.addWidget(self.message)
        self.export_button.clicked.connect(lambda: self.export_requested.emit(
            self.since.text().strip(), self.until.text().strip(), self.fmt.currentData()))

    def show_table(self, head: list[str], rows: list[list]) -> None:
        self.table.clear()
        self.table.setColumnCount(len(head))
        self.table.setHorizontalHeaderLabels(head)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(str(v)))
        self.table.resizeColumnsToContents()


__all__ = ["CHANGE_KINDS", "ChangeScreen", "CountScreen", "ReceivingScreen", "ReportsScreen", "SupplierReturnScreen"]
