"""The counter embeds the pharmacy desk through the desk window's public API only (start_services, sign_in_as,
shortcuts, stop): the clerk who logs in at the counter is the desk's operator, and on 结算 the function keys are
the desk's own while the counter's come back on every other page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.qt import Qt, QtWidgets
from tests.ui.pharmacy.fixtures import close_desks, make_desk

pytestmark = pytest.mark.ui

COUNTER = Path(__file__).resolve().parents[3] / "desktop" / "counter"


def test_the_counter_uses_no_private_member_of_the_desk_window():
    private = re.compile(r"desk_window\._|\._(shortcut_objs|logged_in|ignore)\b|\bw\._")
    offenders = [f"{p.name}:{n}: {line.strip()}" for p in sorted(COUNTER.rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if private.search(line) and "self._shortcut_objs" not in line]
    assert offenders == []


@pytest.fixture
def counter(qtbot, tmp_path):
    from core.services.registration import CounterService
    from desktop.counter.screens.settle import SettlePage
    from desktop.counter.window import CounterWindow
    from desktop.pharmacy.window import PharmacyWindow

    d = make_desk(tmp_path, None, None)  # standalone desk on its own store: no centre needed here
    desk_window = PharmacyWindow(d.desk, d.auth, d.shifts, d.config, status_interval_ms=60000)
    win = CounterWindow(CounterService(None, forms_dir=tmp_path), d.auth, settle_widget=SettlePage(desk_window))
    qtbot.addWidget(win)
    win.show()
    yield win, desk_window, d
    win.runner.wait()
    win.desk_page.close_desk()
    close_desks()


def test_sign_in_and_function_keys_go_through_the_public_api(qtbot, counter):
    win, desk_window, d = counter
    op = d.auth.login("li", pin="2468")
    win.set_operator(op)  # the counter's login is the desk's: no second login dialog
    qtbot.waitUntil(lambda: desk_window.runner.busy == 0)
    assert desk_window.state.operator == op and desk_window.dialog is None
    assert desk_window.page() == "shift"  # no shift open yet: the desk's own next step
    desk_keys = {s.key().toString(): s for s in desk_window.shortcuts()}
    assert {"F3", "F12", "Ctrl+F", "Ctrl+R", "Ctrl+P"} <= set(desk_keys)
    assert not any(s.isEnabled() for s in desk_window.shortcuts())  # 办理 is shown: the counter's keys
    qtbot.keyClick(win, Qt.Key.Key_F3)
    assert win.page() == "review"
    qtbot.keyClick(win, Qt.Key.Key_7, Qt.KeyboardModifier.AltModifier)  # 结算
    assert win.page() == "settle" and all(s.isEnabled() for s in desk_window.shortcuts())
    QtWidgets.QApplication.processEvents()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or desk_window, Qt.Key.Key_F3)
    assert win.page() == "settle" and desk_window.page() == "returns"  # F3 is the desk's 退货 here
    qtbot.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert win.page() == "review" and not any(s.isEnabled() for s in desk_window.shortcuts())


def test_on_the_settlement_page_the_sidebar_names_keys_that_work(qtbot, counter):
    """#21: on 结算 F4 opened the desk's 班次 while the sidebar said F4 is 提醒."""
    win, desk_window, d = counter
    win.set_operator(d.auth.login("li", pin="2468"))
    qtbot.waitUntil(lambda: desk_window.runner.busy == 0)
    nav = [win.nav.item(i).text() for i in range(win.nav.count())]
    assert nav[2].startswith("F4") and "提醒" in nav[2]
    win.go("settle")
    nav = [win.nav.item(i).text() for i in range(win.nav.count())]
    desk_keys = set(desk_window.keymap()[desk_window.page()])
    assert not [t for t in nav if t.split()[0] in desk_keys], nav  # no sidebar key the desk owns here
    assert nav[2].startswith("Alt+3") and "提醒" in nav[2]
    win.go("apply")
    assert win.nav.item(2).text().startswith("F4")
