"""月报: 附件4 (城乡居民) / 附件5 (职工) / 附件6 (管理人数) for a month, computed at the centre, shown as the form's
rows and exported as XLSX or PDF exactly as shown."""
from __future__ import annotations

import datetime as dt

from core.services.reports_monthly import rows_for_screen
from desktop.counter.screens.common import Notice, button, fill, title
from desktop.qt import QtWidgets, Signal


def last_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


class ReportsScreen(QtWidgets.QWidget):
    run_requested = Signal(str, str)  # month, form
    export_requested = Signal(str)  # xlsx / pdf

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsScreen")
        self.report: dict | None = None
        self.month = QtWidgets.QLineEdit(last_month(dt.date.today()), objectName="monthEdit")
        self.month.setInputMask("9999-99")
        self.month.setMaximumWidth(120)
        self.form = QtWidgets.QComboBox(objectName="formCombo")
        self.form.addItem(self.tr("附件4 城乡居民医保月报表"), "4")
        self.form.addItem(self.tr("附件5 职工医保月报表"), "5")
        self.form.addItem(self.tr("附件6 参保人员“两病”情况统计表"), "6")
        self.run = button(self.tr("生成"), "runButton", primary=True)
        self.run.clicked.connect(lambda: self.run_requested.emit(self.month.text(), self.form.currentData()))
        self.xlsx = button(self.tr("导出 Excel"), "xlsxButton")
        self.pdf = button(self.tr("导出 PDF"), "pdfButton")
        self.xlsx.clicked.connect(lambda: self.export_requested.emit("xlsx"))
        self.pdf.clicked.connect(lambda: self.export_requested.emit("pdf"))
        self.heading = QtWidgets.QLabel(objectName="reportHeading")
        self.heading.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 0, objectName="reportTable")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.notice = Notice("reportsNotice")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("统计月份")))
        row.addWidget(self.month)
        row.addWidget(self.form)
        row.addWidget(self.run)
        row.addStretch(1)
        row.addWidget(self.xlsx)
        row.addWidget(self.pdf)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title(self.tr("月报 · 两病门诊用药保障和健康管理")))
        layout.addLayout(row)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice)
        self.show_report(None)

    def show_report(self, report: dict | None) -> None:
        self.report = report
        self.xlsx.setEnabled(report is not None)
        self.pdf.setEnabled(report is not None)
        if report is None:
            self.heading.setText(self.tr("选择月份和报表后点“生成”"))
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        heads, rows = rows_for_screen(report)
        self.heading.setText(f"<b>{report['annex']}　{report['title']}</b>　{report['month']}")
        self.table.setColumnCount(len(heads))
        self.table.setHorizontalHeaderLabels([h.replace("医疗机构·", "·").replace("·", "\n") for h in heads])
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        # stretched columns never narrower than the widest header ("一级及以下 / 医疗费"): on a narrow screen the
        # table scrolls sideways rather than cutting the header (issue #21)
        head.setMinimumSectionSize(max(head.sectionSizeFromContents(c).width() for c in range(len(heads))))
        fill(self.table, rows)


__all__ = ["ReportsScreen", "last_month"]
