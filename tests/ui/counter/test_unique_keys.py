"""Every screen's keys are unique: on each page of the counter (the embedded desk's pages on 结算 included) and
of the pharmacy desk, no two enabled shortcuts or actions of the window bind the same key — Qt treats such a
key as ambiguous and does nothing (F10 on the counter's 结算 page did nothing)."""
from __future__ import annotations

from collections import Counter

import pytest

from desktop.qt import Qt, QtGui, QtWidgets
from tests.ui.counter.test_desk_embedding import counter  # noqa: F401 - the counter with the desk embedded
from tests.ui.pharmacy.fixtures import idle

pytestmark = pytest.mark.ui


def live_keys(top: QtWidgets.QWidget) -> list[str]:
    """The keys Qt would match in `top` now: enabled QShortcuts and QActions of widgets shown in it."""
    keys = []
    for s in top.findChildren(QtGui.QShortcut):
        parent = s.parent()
        if s.isEnabled() and isinstance(parent, QtWidgets.QWidget) and parent.window() is top and (
                parent.isVisible() or s.context() == Qt.ShortcutContext.ApplicationShortcut):
            keys += [k.toString() for k in s.keys() if not k.isEmpty()]
    for a in top.findChildren(QtGui.QAction):
        widgets = [w for w in a.associatedObjects() if isinstance(w, QtWidgets.QWidget)]
        if a.isEnabled() and any(w.window() is top and w.isVisible() for w in widgets):
            keys += [k.toString() for k in a.shortcuts() if not k.isEmpty()]
    return keys


def duplicates(top) -> list[str]:
    return sorted(k for k, n in Counter(live_keys(top)).items() if n > 1)


def test_every_screen_of_the_counter_and_its_desk_binds_each_key_once(qtbot, counter):  # noqa: F811
    from desktop.counter.window import PAGES

    win, desk_window, d = counter
    win.set_operator(d.auth.login("li", pin="2468"))
    idle(qtbot, desk_window)
    seen = {}
    for page, _label in PAGES:
        win.go(page)
        QtWidgets.QApplication.processEvents()
        if page != "settle":
            seen[page] = duplicates(win)
            continue
        for desk_page in ("identify", "rx", "sale", "pay", "done", "returns", "shift", "settings"):
            desk_window.go(desk_page)
            QtWidgets.QApplication.processEvents()
            seen[f"settle/{desk_page}"] = duplicates(win)
            if desk_page == "identify":
                assert "F10" in live_keys(win)  # the desk's 设置 is there, once
    assert {p: dup for p, dup in seen.items() if dup} == {}


def test_f10_on_the_counters_settle_page_opens_the_desks_settings(qtbot, counter):  # noqa: F811
    win, desk_window, d = counter
    win.set_operator(d.auth.login("zhang", pin="135790"))  # a supervisor may open the settings
    idle(qtbot, desk_window)
    win.go("settle")
    desk_window.go("identify")
    QtWidgets.QApplication.processEvents()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or desk_window, Qt.Key.Key_F10)
    assert desk_window.page() == "settings"


def test_every_screen_of_the_pharmacy_desk_binds_each_key_once(qtbot, counter):  # noqa: F811
    from desktop.pharmacy.window import PharmacyWindow

    _win, _embedded, d = counter
    desk = PharmacyWindow(d.desk, d.auth, d.shifts, d.config, status_interval_ms=60000)  # the desk on its own
    qtbot.addWidget(desk)
    desk.show()
    seen = {}
    for page in ("identify", "rx", "sale", "pay", "done", "returns", "shift", "settings"):
        desk.go(page)
        QtWidgets.QApplication.processEvents()
        seen[page] = duplicates(desk)
        # and each key of the screen's map is one shortcut of the window
        assert set(desk.keymap()[page]) - {"Esc", "Del"} <= set(live_keys(desk)) | {"Esc", "Del"}, page
    desk.status_timer.stop()
    desk.runner.wait()
    assert {p: dup for p, dup in seen.items() if dup} == {}


def test_keys_stay_unique_after_the_desk_rebuilds_on_the_settle_page(qtbot, counter):  # noqa: F811

    from desktop.common import i18n, theme

    win, desk_window, d = counter
    win.set_operator(d.auth.login("zhang", pin="135790"))
    idle(qtbot, desk_window)
    win.go("settle")
    desk_window.apply_settings(theme.base_size(), i18n.lang())  # a rebuild makes the desk's shortcuts anew
    QtWidgets.QApplication.processEvents()
    assert duplicates(win) == []
    win.go("apply")
    win.go("settle")
    assert duplicates(win) == [] and "F10" in live_keys(win)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or desk_window, Qt.Key.Key_F10)
    assert desk_window.page() == "settings"
