"""The shift (float, X report, Z report with a blind count) and the settings screen."""
from __future__ import annotations

from core.domain import fmt
from core.services.ports import ShiftReport
from desktop.common import screen_log, theme
from desktop.pharmacy.screens.common import message_label, money_edit, parse_money, set_tone, title_label, unclipped
from desktop.qt import Qt, QtGui, QtWidgets, Signal


class ShiftScreen(QtWidgets.QWidget):
    open_requested = Signal(object)  # float
    x_requested = Signal()
    close_requested = Signal(object)  # counted cash

    def __init__(self) -> None:
        super().__init__(objectName="shiftScreen")
        self.state = QtWidgets.QLabel(objectName="shiftState")
        self.state.setFont(theme.font(3, bold=True))
        self.float_edit = money_edit("floatEdit")
        self.float_edit.setFont(theme.font(4))
        self.float_edit.setPlaceholderText(self.tr("备用金，如 200.00"))
        self.open_button = QtWidgets.QPushButton(self.tr("开班 (Enter)"), objectName="openShift")
        self.x_button = QtWidgets.QPushButton(self.tr("X 报表（F6，不关班）"), objectName="xReport")
        self.count_edit = money_edit("countEdit")
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
        # the field the next keystrokes belong to: the float before opening, the blind count after
        field = self.float_edit if shift is None else self.count_edit
        self.setFocusProxy(field)
        field.setFocus()

    def show_report(self, report: ShiftReport, lines: list[str]) -> None:
        self.report.setPlainText("\n".join(lines))
        screen_log.shown("report", "X" if report.z_no is None else "Z")

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
        unclipped(self.size)
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
