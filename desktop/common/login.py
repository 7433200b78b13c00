"""Log in by user and password or PIN, and a supervisor's approval of one action (same dialog, two uses).

The secret is checked off the UI thread (scrypt costs ~50 ms on purpose) through the Runner. The password
box is a Password-mode QLineEdit: hardware's wedge filter never routes a scan into it, and the shell pauses
its scan route while the dialog is up.
"""
from __future__ import annotations

from collections.abc import Callable

from core.services.auth import Operator
from desktop.common import theme
from desktop.common.i18n import text
from desktop.common.worker import Failure, Runner
from desktop.qt import QtWidgets


class LoginDialog(QtWidgets.QDialog):
    def __init__(self, check: Callable[[str, str | None, str | None], Operator], runner: Runner, *,
                 title: str = "", prompt: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self._check = check
        self._runner = runner
        self.operator: Operator | None = None
        self.setWindowTitle(title or self.tr("登录 · 一窗通药房"))
        self.setFont(theme.font(2))
        head = QtWidgets.QLabel(prompt or self.tr("请登录（用户名 + 密码，或用户名 + PIN）"))
        head.setFont(theme.font(3, bold=True))
        head.setWordWrap(True)
        self.user = QtWidgets.QLineEdit(objectName="userEdit")
        self.user.setPlaceholderText(self.tr("用户名"))
        self.secret = QtWidgets.QLineEdit(objectName="secretEdit")
        self.secret.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText(self.tr("密码或 PIN"))
        self.pin_mode = QtWidgets.QCheckBox(self.tr("使用 PIN 登录"), objectName="pinMode")
        self.error = QtWidgets.QLabel(objectName="loginError")
        self.error.setStyleSheet(f"color: {theme.TONES['bad']}; font-weight: bold;")
        self.error.setWordWrap(True)
        self.ok = QtWidgets.QPushButton(self.tr("登录 (Enter)"), objectName="primary")
        self.ok.clicked.connect(self.submit)
        cancel = QtWidgets.QPushButton(self.tr("取消 (Esc)"))
        cancel.clicked.connect(self.reject)
        for button in (self.ok, cancel):  # Enter moves user -> secret -> submit; no default button jumps in
            button.setAutoDefault(False)
            button.setDefault(False)
        form = QtWidgets.QFormLayout()
        form.addRow(self.tr("用户名"), self.user)
        form.addRow(self.tr("密码/PIN"), self.secret)
        form.addRow("", self.pin_mode)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(head)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.user.returnPressed.connect(self.secret.setFocus)
        self.secret.returnPressed.connect(self.submit)
        self.setMinimumWidth(int(theme.base_size() * 34))
        self.user.setFocus()

    def submit(self) -> None:
        user, secret = self.user.text().strip(), self.secret.text()
        if not user or not secret:
            self.error.setText(self.tr("请输入用户名和密码/PIN"))
            return
        pin = secret if self.pin_mode.isChecked() or (secret.isdigit() and 4 <= len(secret) <= 8) else None
        self.ok.setEnabled(False)
        self.error.setText(self.tr("正在验证…"))
        self._runner.run(self._check, user, None if pin else secret, pin, done=self._done, failed=self._failed,
                         lane="local")

    def _done(self, op: Operator) -> None:
        self.operator = op
        self.secret.clear()
        self.accept()

    def _failed(self, failure: Failure) -> None:
        self.ok.setEnabled(True)
        self.secret.clear()
        self.secret.setFocus()
        self.error.setText(text(failure.message))


__all__ = ["LoginDialog"]
