"""Every scan goes through the one scan route, whatever has focus — and never into a password field."""
from __future__ import annotations

import pytest

from desktop.common.scan_route import ScanRoute
from desktop.qt import QtWidgets

pytestmark = pytest.mark.ui

wedge = pytest.importorskip("hardware.wedge")
sim = pytest.importorskip("hardware.sim.scanner")


@pytest.fixture
def keyboard(qtbot):
    from hardware.wedge import ManualClock, ScannerEventFilter

    clock = ManualClock()
    route = ScanRoute()
    route.attach_keyboard(keyboard=ScannerEventFilter(clock=clock))
    got: list[str] = []
    route.scanned.connect(lambda text, at: got.append(text))
    yield route, clock, got
    route.detach_keyboard()


def test_scan_reaches_the_route_whatever_has_focus(qtbot, keyboard):
    route, clock, got = keyboard
    box = QtWidgets.QWidget()
    qtbot.addWidget(box)
    search = QtWidgets.QLineEdit(box)
    amount = QtWidgets.QSpinBox(box)
    box.show()
    scanner = sim.ScannerSimulator()
    for widget in (search, amount):
        widget.setFocus()
        scanner.type_now("81000110000000000001", clock=clock, target=widget)
        clock.advance(500)
        route.keyboard.flush_due()
    assert got == ["81000110000000000001", "81000110000000000001"]
    assert search.text() == "" and amount.value() == 0


def test_never_into_a_password_field(qtbot, keyboard):
    route, clock, got = keyboard
    from desktop.common.login import LoginDialog
    from desktop.common.worker import Runner

    runner = Runner()
    dlg = LoginDialog(lambda *a: None, runner)
    qtbot.addWidget(dlg)
    dlg.show()
    route.paused = True  # the shell pauses its route while a dialog is up
    scanner = sim.ScannerSimulator()
    scanner.type_now("420704195703121015", clock=clock, target=dlg.secret, gap_ms=0)
    clock.advance(500)
    route.keyboard.flush_due()
    # the wedge filter leaves a password field alone: the keys are typed there, never made into a scan
    assert got == []
