"""The staff's screens behind the supervisor corner: the code keypad and the admin menu."""
from __future__ import annotations

from desktop.kiosk.screens.base import CENTER, Page
from desktop.kiosk.widgets import Keypad, button, label
from desktop.qt import QtWidgets, Signal


class SupervisorPage(Page):
    """The supervisor code on the keypad (shown as dots).

    Signals:
        code(str)   确定 with what was typed
    """

    name = "supervisor"
    code = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = label("管理员验证", "supervisorTitle", "title", align=CENTER)
        self.hint = label("请输入管理码。工作人员专用。", "supervisorHint", "big", align=CENTER)
        self.dots = label("", "supervisorDots", "title", align=CENTER)
        self.error = label("", "supervisorError", "bad", align=CENTER)
        self.keypad = Keypad(max_length=12, secret=True)
        self.keypad.changed.connect(lambda _v: self.dots.setText(self.keypad.shown() or "　"))
        self.keypad.submitted.connect(self._submit)
        self.fields = QtWidgets.QWidget()
        fv = QtWidgets.QVBoxLayout(self.fields)
        fv.setContentsMargins(0, 0, 0, 0)
        fv.setSpacing(24)
        fv.addStretch(1)
        for w in (self.title, self.hint, self.dots, self.error):
            fv.addWidget(w)
        fv.addStretch(1)
        self.body = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(32)
        self.body.addWidget(self.fields)
        self.body.addWidget(self.keypad, 1)
        self.v.addLayout(self.body)

    def orient(self, portrait: bool) -> None:
        self.body.setDirection(QtWidgets.QBoxLayout.Direction.TopToBottom if portrait
                               else QtWidgets.QBoxLayout.Direction.LeftToRight)

    def _submit(self, value: str) -> None:
        self.keypad.clear()
        self.code.emit(value)

    def clear(self) -> None:
        self.keypad.clear()
        self.error.clear()


class AdminPage(Page):
    """After a correct supervisor code: leave the kiosk, or go back to serving."""

    name = "admin"
    leave = Signal()
    resume = Signal()
    settings = Signal()  # 设置: the composition root opens the settings dialog (kiosk's settings, log folder)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = label("管理员菜单", "adminTitle", "title", align=CENTER)
        self.info = label("", "adminInfo", "big")
        self.leave_button = button("退出自助机程序", "leaveButton", "stop")
        self.resume_button = button("返回自助服务", "resumeButton", "go")
        self.settings_button = button("设置与日志", "settingsButton", "go")
        self.leave_button.clicked.connect(self.leave)
        self.resume_button.clicked.connect(self.resume)
        self.settings_button.clicked.connect(self.settings)
        for w in (self.title, self.info, self.settings_button, self.leave_button, self.resume_button):
            self.v.addWidget(w)
        self.v.addStretch(1)


__all__ = ["AdminPage", "SupervisorPage"]
