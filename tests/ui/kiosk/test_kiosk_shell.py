"""The kiosk shell's parts, by touch: identify with a card on the reader, a code that is not an identity, the
centre down (the "go to window N" screen, nothing attempted, back when it returns), the idle countdown cancelled
by a touch, large text, touch target sizes, the keypad, the supervisor lock, the watchdog that restarts a
crashed shell. Screenshots of the screens the end-to-end test does not pass through, in both orientations."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from desktop.qt import QtWidgets
from hardware.cards import CardRead
from tests.ui.kiosk.fixtures import (  # noqa: F401
    KIOSK_INST, LANDSCAPE, P01_CERTNO, P01_NAME, PORTRAIT, _data_key, _templates, centre, close_kiosk, idle, kiosk,
    make_kiosk, shot, tap, visible_texts,
)

pytestmark = pytest.mark.ui


def both(win, name: str) -> None:
    shot(win, name, PORTRAIT)
    shot(win, name, LANDSCAPE)
    win.resize(*PORTRAIT)
    QtWidgets.QApplication.processEvents()


def test_identify_with_the_id_card_on_the_reader(qtbot, kiosk):
    win = kiosk.window
    tap(qtbot, win.pages["home"].card_button)
    assert win.page == "card" and win.card_timer.isActive()
    both(win, "card")
    kiosk.reader.present(CardRead("id_card", P01_CERTNO, P01_NAME, "1"))
    qtbot.waitUntil(lambda: win.page == "menu", timeout=10000)
    assert win.card.cert_type == "02" and win.pages["menu"].greeting.text().startswith(P01_NAME)
    assert not win.card_timer.isActive()
    tap(qtbot, win.restart_button)  # 完成，退出
    assert win.page == "home" and win.card is None


def test_scan_screen_with_live_preview_and_a_code_that_is_no_identity(qtbot, kiosk):
    win = kiosk.window
    tap(qtbot, win.pages["home"].scan_button)
    page = win.pages["scan"]
    qtbot.waitUntil(lambda: page.preview._frame is not None, timeout=10000)  # the live picture, nothing held up
    both(win, "scan")
    kiosk.camera["qr"] = "81000110000000000001"  # a drug box's trace code held to the camera
    qtbot.waitUntil(lambda: win.page == "message", timeout=15000)
    assert "不是医保电子凭证" in win.pages["message"].text.text()
    both(win, "message_error")
    kiosk.camera["qr"] = None  # the box is taken away: back at the camera, nothing is read again (a loaded
    # machine could otherwise decode the held code once more and be busy when 返回 is tapped)
    tap(qtbot, win.pages["message"].button)  # 返回: back to the camera
    assert win.page == "scan"
    tap(qtbot, win.back_button)
    assert win.page == "home" and win.camera is None


def test_busy_screen(qtbot, kiosk):
    win = kiosk.window
    win.go("busy", push=False)
    both(win, "busy")


def test_centre_down_shows_where_to_go_and_attempts_nothing(qtbot, tmp_path, dead_port):
    k = make_kiosk(qtbot, tmp_path, dead_port.url, "secret")
    try:
        win = k.window
        sent = []
        k.service.link.transport.listeners.append(sent.append)
        qtbot.waitUntil(lambda: win.page == "unavailable", timeout=10000)
        page = win.pages["unavailable"]
        assert page.where.text() == "请到 3 号窗口办理" and page.title.text() == "服务暂不可用"
        assert not win.back_button.isVisible() and not win.restart_button.isVisible()
        assert "unavailable" in k.voice.spoken
        both(win, "unavailable")
        win.on_scan(P01_CERTNO)  # a scan while down: nothing is sent, the screen stays
        idle(qtbot, k)
        assert win.page == "unavailable" and sent == []
        # a scanner read on the home screen while the centre is believed down: refused locally, not sent
        win.go("home", push=False)
        k.service.link.probe()
        win.on_scan(P01_CERTNO)
        idle(qtbot, k)
        assert win.page == "unavailable" and sent == []
        # the centre is back: the next probe returns the kiosk to its home screen
        k.service.link.probe = lambda: True
        win.check_centre()
        idle(qtbot, k)
        assert win.page == "home"
    finally:
        close_kiosk(k)


def test_idle_countdown_is_cancelled_by_a_touch(qtbot, centre, tmp_path):
    k = make_kiosk(qtbot, tmp_path, centre.url, centre.secrets[KIOSK_INST], idle_ms=600)
    try:
        win = k.window
        win.on_scan(P01_CERTNO)
        qtbot.waitUntil(lambda: win.page == "menu", timeout=10000)
        qtbot.waitUntil(lambda: win.overlay.isVisible(), timeout=5000)
        tap(qtbot, win.overlay.keep_button)
        assert not win.overlay.isVisible() and win.card is not None and win.page == "menu"
        qtbot.waitUntil(lambda: win.page == "home", timeout=8000)  # left alone again: wiped
        assert win.card is None
        assert P01_NAME not in " ".join(visible_texts(win))
    finally:
        close_kiosk(k)


def test_large_text_and_touch_targets(qtbot, kiosk):
    win = kiosk.window
    for name in ("home", "statement", "period", "supervisor"):
        win.go(name, push=False)
        QtWidgets.QApplication.processEvents()
        small = [b.objectName() for b in win.findChildren(QtWidgets.QPushButton)
                 if b.isVisible() and (b.width() < 48 or b.height() < 48)]
        assert small == [], f"{name}: touch targets under 48 px: {small}"
    win.go("home", push=False)
    before = win.pages["home"].hint.fontInfo().pixelSize()
    tap(qtbot, win.bigger)
    tap(qtbot, win.bigger)
    assert win.theme.scale == 1.5 and win.pages["home"].hint.fontInfo().pixelSize() > before
    both(win, "home_large_text")
    tap(qtbot, win.bigger)
    assert win.theme.scale == 1.0
    tap(qtbot, win.voice_button)
    assert not kiosk.voice.enabled and win.voice_button.text() == "语音 关"


def test_keypad_by_touch(qtbot):
    from desktop.kiosk.widgets import Keypad

    pad = Keypad(max_length=4, secret=True)
    qtbot.addWidget(pad)
    pad.resize(600, 600)
    pad.show()
    for key in "12345":
        tap(qtbot, pad.keys[key])
    assert pad.value == "1234" and pad.shown() == "●●●●"
    tap(qtbot, pad.keys["删除"])
    with qtbot.waitSignal(pad.submitted) as got:
        tap(qtbot, pad.keys["确定"])
    assert got.args == ["123"]


def test_supervisor_code_locks_after_five_wrong(qtbot, kiosk):
    win = kiosk.window
    for _ in range(5):
        tap(qtbot, win.corner)
    assert win.page == "supervisor"
    page = win.pages["supervisor"]
    for attempt in range(5):
        for d in "000000":
            tap(qtbot, page.keypad.keys[d])
        tap(qtbot, page.keypad.keys["确定"])
        idle(qtbot, kiosk)
    assert "分钟内不能再试" in page.error.text()
    for d in "24681357":  # even the right code, while locked
        tap(qtbot, page.keypad.keys[d])
    tap(qtbot, page.keypad.keys["确定"])
    idle(qtbot, kiosk)
    assert win.page == "supervisor" and "分钟内不能再试" in page.error.text()
    tap(qtbot, win.back_button)
    assert win.page == "home"


@pytest.mark.allow_warnings  # the watchdog logs each crash as an ERROR
def test_watchdog_restarts_a_crashed_shell(tmp_path):
    from desktop.kiosk.app import run_watchdog

    counter = tmp_path / "runs"
    child = textwrap.dedent(f"""
        import os, pathlib, sys
        p = pathlib.Path({str(counter)!r})
        n = int(p.read_text()) + 1 if p.exists() else 1
        p.write_text(str(n))
        if n < 3:
            os.abort()  # a crash
        sys.exit(0)     # the supervisor left
    """)
    sleeps = []
    assert run_watchdog([sys.executable, "-c", child], sleep=sleeps.append) == 0
    assert counter.read_text() == "3" and len(sleeps) == 2


@pytest.mark.allow_warnings
def test_watchdog_gives_up_on_bad_settings(tmp_path):
    from desktop.kiosk.app import run_watchdog

    assert run_watchdog([sys.executable, "-c", "import sys; sys.exit(2)"], sleep=lambda s: None) == 2


@pytest.mark.slow
def test_onewindow_gui_kiosk_runs_the_shell_under_the_watchdog(tmp_path):
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ONEWINDOW_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "onewindow", "gui", "--shell", "kiosk", "--quit-after", "300"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
