"""#21 (found by the day under a real X server): after the login dialog closed, every function key was dead on
every screen while typed text still arrived. Under X without a window manager, the focus had been moved to the
main window while the modal login dialog still blocked it; when the dialog closed, the window's activateWindow()
asked X for a focus it already had, X sent no FocusIn, and Qt kept "no active window" — and a window shortcut
(F1–F12, Esc) fires only in the active window. Here the silent X is played by an activateWindow that does
nothing and an application with no active window when the dialog closes."""
from __future__ import annotations

import warnings

import pytest

from desktop.qt import Qt, QtWidgets
from tests.ui.pharmacy.fixtures import close_desks, idle, login, make_desk

pytestmark = pytest.mark.ui


def no_active_window(*_) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        QtWidgets.QApplication.setActiveWindow(None)


@pytest.fixture
def local(tmp_path):
    d = make_desk(tmp_path, None, None)
    yield d
    close_desks()


def test_function_keys_work_after_login_when_the_focus_came_before_the_dialog_closed(qtbot, local, monkeypatch):
    from desktop.pharmacy.window import PharmacyWindow

    win = PharmacyWindow(local.desk, local.auth, local.shifts, local.config, status_interval_ms=60000)
    qtbot.addWidget(win)
    try:
        win.start()
        qtbot.waitExposed(win)
        qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
        # X's silence: the focus is already on the window (moved there while the dialog was up), so asking for it
        # changes nothing, and the dialog's closing leaves Qt with no active window
        monkeypatch.setattr(win, "activateWindow", lambda: None)
        win.dialog.finished.connect(no_active_window, Qt.ConnectionType.DirectConnection)
        login(qtbot, win)
        idle(qtbot, win)
        assert QtWidgets.QApplication.activeWindow() is win
        assert win.page() == "shift"
        qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, Qt.Key.Key_F1)  # the key list (a shortcut)
        qtbot.waitUntil(lambda: QtWidgets.QToolTip.isVisible())
    finally:
        win.status_timer.stop()
        win.runner.wait()
