"""The screens that take or give paper: the photo of a diagnosis for an application, and the statement
(preset or keypad period, receipt or A4)."""
from __future__ import annotations

import datetime as dt

from desktop.kiosk.screens.base import CENTER, Page, forget_frame
from desktop.kiosk.widgets import Keypad, button, label
from desktop.qt import QtWidgets, Qt, Signal


class PhotoPage(Page):
    """A photo of the diagnosis: the live camera, 拍照, then the still with 重拍 / 提交.

    Signals:
        take()     拍照
        retake()   重拍
        submit()   提交申请
    """

    name = "photo"
    personal = True
    take = Signal()
    retake = Signal()
    submit = Signal()

    def __init__(self, preview: QtWidgets.QWidget | None, parent=None) -> None:
        super().__init__(parent)
        self.title = label("拍摄诊断证明", "photoTitle", "title", align=CENTER)
        self.steps = label("把医生开具的诊断证明平放在摄像头下，文字朝上，然后点“拍照”", "photoSteps", "big",
                           align=CENTER)
        self.stage = QtWidgets.QStackedWidget()
        self.stage.setObjectName("photoStage")
        self.stage.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        self.preview = preview
        self.stage.addWidget(preview or label("摄像头未连接，请到窗口办理", "noPhotoCamera", "big", align=CENTER))
        self.still = QtWidgets.QLabel(objectName="photoStill")
        self.still.setAlignment(CENTER)
        self.still.setStyleSheet("background: #202020;")
        self.still.setMinimumSize(200, 200)
        self.still.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored)
        self.stage.addWidget(self.still)
        self.disease = label("", "photoDisease", "value", align=CENTER)
        row = QtWidgets.QHBoxLayout()
        row.setSpacing(16)
        self.take_button = button("拍照", "takePhoto", "primary")
        self.retake_button = button("重拍", "retakePhoto", "bar")
        self.submit_button = button("提交申请", "submitPhoto", "go")
        self.take_button.clicked.connect(self.take)
        self.retake_button.clicked.connect(self.retake)
        self.submit_button.clicked.connect(self.submit)
        for b in (self.take_button, self.retake_button, self.submit_button):
            row.addWidget(b)
        for w in (self.title, self.steps, self.disease):
            self.v.addWidget(w)
        self.v.addWidget(self.stage, 1)
        self.v.addLayout(row)
        self.show_live()

    def show_live(self) -> None:
        self.stage.setCurrentIndex(0)
        self.take_button.show()
        self.retake_button.hide()
        self.submit_button.hide()

    def show_still(self, image) -> None:
        from desktop.qt import QtGui

        pix = QtGui.QPixmap.fromImage(image)
        self.still.setPixmap(pix.scaled(max(200, self.stage.width()), max(200, self.stage.height()),
                                        Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.stage.setCurrentIndex(1)
        self.take_button.hide()
        self.retake_button.show()
        self.submit_button.show()

    def clear(self) -> None:
        self.still.clear()
        self.disease.clear()
        forget_frame(self.preview)
        self.show_live()


class StatementPage(Page):
    """Pick a period (presets, or 自定义 with the keypad), then how to print it.

    Signals:
        period(str)   a preset's index as text, or "custom"
        output(str)   "receipt" or "a4"
    """

    name = "statement"
    personal = True
    period = Signal(str)
    output = Signal(str)

    def __init__(self, presets: list[tuple[str, dt.date, dt.date]], formats: tuple[str, ...], parent=None) -> None:
        super().__init__(parent)
        self.title = label("打印结算清单", "statementTitle", "title")
        self.step1 = label("第一步：选择期间", "statementStep1", "big")
        self.grid = QtWidgets.QGridLayout()
        self.grid.setSpacing(16)
        self.preset_buttons = []
        for i, (text, _, _) in enumerate(presets):
            b = button(text, f"preset_{i}", "bar")
            b.clicked.connect(lambda _=False, k=str(i): self.period.emit(k))
            self.preset_buttons.append(b)
        self.custom_button = button("自定义期间", "preset_custom", "bar")
        self.custom_button.clicked.connect(lambda: self.period.emit("custom"))
        self.preset_buttons.append(self.custom_button)
        self.chosen = label("", "statementChosen", "value")
        self.step2 = label("第二步：选择打印方式", "statementStep2", "big")
        row = QtWidgets.QHBoxLayout()
        row.setSpacing(16)
        self.receipt_button = button("小票打印", "printReceipt", "go")
        self.a4_button = button("A4 纸打印", "printA4", "go")
        self.receipt_button.clicked.connect(lambda: self.output.emit("receipt"))
        self.a4_button.clicked.connect(lambda: self.output.emit("a4"))
        self.receipt_button.setVisible("receipt" in formats)
        self.a4_button.setVisible("a4" in formats)
        row.addWidget(self.receipt_button)
        row.addWidget(self.a4_button)
        for w in (self.title, self.step1):
            self.v.addWidget(w)
        self.v.addLayout(self.grid)
        self.v.addWidget(self.chosen)
        self.v.addWidget(self.step2)
        self.v.addLayout(row)
        self.v.addStretch(1)
        self.orient(True)
        self.set_period(None)

    def orient(self, portrait: bool) -> None:
        cols = 2 if portrait else 3
        for b in self.preset_buttons:
            self.grid.removeWidget(b)
        for i, b in enumerate(self.preset_buttons):
            self.grid.addWidget(b, i // cols, i % cols)

    def set_period(self, span: tuple[dt.date, dt.date] | None) -> None:
        self.chosen.setText(f"已选：{span[0]:%Y年%m月%d日} 至 {span[1]:%Y年%m月%d日}" if span else "尚未选择期间")
        for b in (self.receipt_button, self.a4_button):
            b.setEnabled(span is not None)

    def clear(self) -> None:
        self.set_period(None)


class PeriodPage(Page):
    """A custom period typed on the keypad as two months (YYYYMM).

    Signals:
        chosen(object)   (since, until) dates
    """

    name = "period"
    personal = True
    chosen = Signal(object)

    def __init__(self, today_fn, parent=None) -> None:
        super().__init__(parent)
        self.today_fn = today_fn
        self.title = label("自定义期间（按月）", "periodTitle", "title")
        self.hint = label("先点“开始月份”或“结束月份”，再用数字键输入 6 位年月，例如 202601", "periodHint", "big")
        self.start_button = button("开始月份：", "periodStart", "bar")
        self.end_button = button("结束月份：", "periodEnd", "bar")
        self.start_button.clicked.connect(lambda: self._pick("start"))
        self.end_button.clicked.connect(lambda: self._pick("end"))
        self.error = label("", "periodError", "bad")
        self.keypad = Keypad(max_length=6)
        self.keypad.changed.connect(self._typed)
        self.keypad.submitted.connect(self._submit)
        self.values = {"start": "", "end": ""}
        self.field = "start"
        self.fields = QtWidgets.QWidget()
        fv = QtWidgets.QVBoxLayout(self.fields)
        fv.setContentsMargins(0, 0, 0, 0)
        fv.setSpacing(24)
        for w in (self.title, self.hint, self.start_button, self.end_button, self.error):
            fv.addWidget(w)
        fv.addStretch(1)
        self.body = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(32)
        self.body.addWidget(self.fields)
        self.body.addWidget(self.keypad, 1)
        self.v.addLayout(self.body)
        self._render()

    def orient(self, portrait: bool) -> None:
        self.body.setDirection(QtWidgets.QBoxLayout.Direction.TopToBottom if portrait
                               else QtWidgets.QBoxLayout.Direction.LeftToRight)

    def _pick(self, which: str) -> None:
        self.field = which
        self.keypad.value = self.values[which]
        self._render()

    def _typed(self, value: str) -> None:
        self.values[self.field] = value
        if self.field == "start" and len(value) == 6:
            self.field = "end"
            self.keypad.value = self.values["end"]
        self._render()

    def _render(self) -> None:
        for key, b, text in (("start", self.start_button, "开始月份"), ("end", self.end_button, "结束月份")):
            mark = "  ◀ 正在输入" if self.field == key else ""
            b.setText(f"{text}：{self.values[key] or '______'}{mark}")

    def _month(self, text: str) -> dt.date | None:
        if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12 or int(text[:4]) < 2000:
            return None
        return dt.date(int(text[:4]), int(text[4:]), 1)

    def _submit(self, _value: str) -> None:
        a, b = self._month(self.values["start"]), self._month(self.values["end"])
        if a is None or b is None:
            self.error.setText("请输入 6 位年月，例如 202601")
            return
        if b < a:
            self.error.setText("结束月份不能早于开始月份")
            return
        nxt = dt.date(b.year + (b.month == 12), b.month % 12 + 1, 1)
        until = min(nxt - dt.timedelta(days=1), self.today_fn())
        if until < a:
            self.error.setText("开始月份不能晚于本月")
            return
        self.error.clear()
        self.chosen.emit((a, until))

    def clear(self) -> None:
        self.values = {"start": "", "end": ""}
        self.field = "start"
        self.keypad.value = ""
        self.error.clear()
        self._render()


__all__ = ["PeriodPage", "PhotoPage", "StatementPage"]
