"""Paper prescription entry (纸质处方, issue 19): prescriber, institution, date, validity, diagnosis, the lines with
dose, frequency, way, boxes and days, and the photo or scan of the slip (F9's photo from the desk's camera, or a
file: a scanner's output or a phone's picture). The window (desktop.pharmacy.paper_flow) adds drugs with the desk's
pinyin search, checks the entry with core.rx.paper and opens the sale; a refusal is shown next to the field it is about (`show_error`)."""
from __future__ import annotations

import datetime as dt

from core.domain import Drug
from core.domain.clock import today_cst
from core.rx.paper import PaperLine, PaperRx
from desktop.common import theme
from desktop.pharmacy.screens.common import message_label, set_tone, title_label
from desktop.qt import QtCore, QtWidgets

FIELDS = ("prescriber", "institution", "date", "valid_days", "diagnosis", "image")
COLUMNS = ("drug", "dose", "frequency", "way", "boxes", "days")


class PaperScreen(QtWidgets.QWidget):
    def __init__(self) -> None:
        super().__init__(objectName="paperScreen")
        self.drugs: list[Drug] = []  # one per row of the lines table
        self.image = b""
        self.image_name = ""
        self.prescriber = QtWidgets.QLineEdit(objectName="paper_prescriber", placeholderText=self.tr("医师姓名"))
        self.institution = QtWidgets.QLineEdit(objectName="paper_institution", placeholderText=self.tr("开方医疗机构"))
        self.rx_date = QtWidgets.QDateEdit(objectName="paper_date", calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.valid_days = QtWidgets.QSpinBox(objectName="paper_valid_days", minimum=1, maximum=90, value=3)
        self.valid_days.setSuffix(self.tr(" 天"))
        self.diag_code = QtWidgets.QLineEdit(objectName="paper_diag_code", placeholderText=self.tr("诊断编码，如 I10.x00"))
        self.diag_name = QtWidgets.QLineEdit(objectName="paper_diag_name", placeholderText=self.tr("诊断名称"))
        self.long_rx = QtWidgets.QCheckBox(self.tr("长期处方（医师已评估）"), objectName="paper_long")
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS), objectName="paper_lines")
        self.table.setHorizontalHeaderLabels([self.tr("药品"), self.tr("单次剂量"), self.tr("频次"), self.tr("用法"),
                                              self.tr("数量（盒）"), self.tr("天数")])
        self.table.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        edit = QtWidgets.QAbstractItemView.EditTrigger
        # typing into a cell edits it; Tab then opens the next cell (not every current change: a drug added while
        # the search dialog is up must not open an editor behind it)
        self.table.setEditTriggers(edit.AnyKeyPressed | edit.EditKeyPressed | edit.DoubleClicked | edit.SelectedClicked)
        # Enter on a cell edits it (F2 is the desk's new-patient key); after the key event, not inside it
        self.table.activated.connect(lambda _index: QtCore.QTimer.singleShot(0, self.edit_current))
        self.photo = QtWidgets.QLabel(objectName="paper_photo")
        self.message = message_label("paper_message")
        self.errors = {f: self._error_label(f) for f in (*FIELDS, "lines")}
        form = QtWidgets.QFormLayout()
        diag = QtWidgets.QHBoxLayout()
        diag.addWidget(self.diag_code, 1)
        diag.addWidget(self.diag_name, 2)
        date = QtWidgets.QHBoxLayout()
        date.addWidget(self.rx_date)
        date.addWidget(QtWidgets.QLabel(self.tr("有效期")))
        date.addWidget(self.valid_days)
        date.addWidget(self.long_rx)
        date.addStretch(1)
        rows = ((self.tr("开方医师"), self.prescriber, "prescriber"), (self.tr("开方机构"), self.institution, "institution"),
                (self.tr("开方日期"), date, "date"), (self.tr("临床诊断"), diag, "diagnosis"),
                (self.tr("处方图片"), self.photo, "image"))
        for label, widget, key in rows:
            row = QtWidgets.QHBoxLayout()
            (row.addLayout if isinstance(widget, QtWidgets.QLayout) else row.addWidget)(widget, 3)
            row.addWidget(self.errors[key], 2)
            if key == "date":
                row.addWidget(self.errors["valid_days"], 1)
            form.addRow(label, row)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("纸质处方录入")))
        layout.addLayout(form)
        layout.addWidget(QtWidgets.QLabel(self.tr("药品（Ctrl+F 按拼音查药品加入，Ctrl+Del 删除所选行）")))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.errors["lines"])
        layout.addWidget(self.message)
        self.reset(today_cst())

    def _error_label(self, key: str) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel(objectName=f"paper_error_{key}")
        label.setWordWrap(True)
        label.setFont(theme.font(0, bold=True))
        label.setStyleSheet(f"color: {theme.TONES.get('bad', '#c62828')};")
        return label

    def reset(self, today: dt.date) -> None:
        """A blank entry dated today (the pharmacist changes the date to the slip's)."""
        for w in (self.prescriber, self.institution, self.diag_code, self.diag_name):
            w.clear()
        self.rx_date.setDate(QtCore.QDate(today.year, today.month, today.day))
        self.valid_days.setValue(3)
        self.long_rx.setChecked(False)
        self.table.setRowCount(0)
        self.drugs = []
        self.set_image(b"", "")
        self.clear_errors()
        self.show_message("", "")
        self.prescriber.setFocus()

    def add_drug(self, drug: Drug, days: int) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QtWidgets.QTableWidgetItem(f"{drug.name} {drug.spec or ''}".strip())
        name.setFlags(name.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, 0, name)
        for col, value in enumerate(("", "", "口服", "1", str(days)), start=1):
            self.table.setItem(row, col, QtWidgets.QTableWidgetItem(value))
        self.drugs.append(drug)
        self.table.setCurrentCell(row, 1)  # the dose next: the slip's 单次剂量 (edit_current once the search closed)

    def edit_current(self) -> None:
        """Type straight into the current cell (after a drug was added: its dose)."""
        self.table.setFocus()
        item = self.table.currentItem()
        if item is not None and item.column() > 0:
            self.table.editItem(item)

    def delete_line(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.drugs):
            self.table.removeRow(row)
            del self.drugs[row]

    def set_image(self, data: bytes, name: str) -> None:
        self.image, self.image_name = data, name
        self.photo.setText(f"{name}（{len(data) // 1024} KB）" if data else self.tr("未附图片（F9 拍照，Ctrl+O 选择扫描或拍照的文件）"))

    def _cell(self, row: int, col: int) -> str:
        item = self.table.item(row, col)
        return item.text().strip() if item is not None else ""

    def collect(self) -> PaperRx:
        """The entry as typed; numbers that are not numbers become 0 (refused by core.rx.paper with the line)."""
        def number(text_: str) -> int:
            return int(text_) if text_.isdigit() else 0

        lines = tuple(PaperLine(drug.key, number(self._cell(r, 4)), number(self._cell(r, 5)), self._cell(r, 1),
                                self._cell(r, 2), self._cell(r, 3)) for r, drug in enumerate(self.drugs))
        d = self.rx_date.date()
        return PaperRx(self.prescriber.text().strip(), self.institution.text().strip(),
                       dt.date(d.year(), d.month(), d.day()), self.diag_code.text().strip(),
                       self.diag_name.text().strip(), lines, self.image, self.valid_days.value(),
                       "long" if self.long_rx.isChecked() else "ordinary")

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.setText("")
        self.table.clearSelection()

    def show_error(self, field: str, text_: str) -> None:
        """The refusal next to its field (a line's under the table, the line selected); the rest as a message."""
        self.clear_errors()
        if field.startswith("line:"):
            row = int(field.split(":")[1]) - 1
            self.table.setCurrentCell(row, 1)
            self.table.selectRow(row)
            field = "lines"
        label = self.errors.get(field)
        if label is None:
            self.show_message("bad", text_)
        else:
            label.setText(text_)

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)
