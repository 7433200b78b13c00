"""Fixtures for the hardware tests: an app data folder of their own, and a small counter form."""
from __future__ import annotations

import pytest

from desktop.qt import QtWidgets


@pytest.fixture(autouse=True)
def _app_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("ONEWINDOW_HOME", str(home))
    return home


class CounterForm(QtWidgets.QWidget):
    """A search box, a quantity field and a password field: where a scan may land at a counter."""

    def __init__(self) -> None:
        super().__init__()
        self.search = QtWidgets.QLineEdit(objectName="search")
        self.quantity = QtWidgets.QSpinBox(objectName="quantity")
        self.quantity.setRange(0, 9999)
        self.password = QtWidgets.QLineEdit(objectName="password")
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.returns: list[str] = []
        self.search.returnPressed.connect(lambda: self.returns.append(self.search.text()))
        layout = QtWidgets.QFormLayout(self)
        layout.addRow("检索 search", self.search)
        layout.addRow("数量 quantity", self.quantity)
        layout.addRow("密码 password", self.password)


@pytest.fixture
def form(qtbot):
    widget = CounterForm()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
