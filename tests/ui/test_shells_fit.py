"""Every shell's first screen at a 1366×768 counter monitor and at 1920×1080: `onewindow gui --screenshot`
renders it offscreen at that screen size in a fresh process; nothing may be off the screen, outside the window
or narrower than its text (the status line and F-key rows included)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.common.fit import problems

pytestmark = pytest.mark.ui


def _shoot(shell: str, screen: str, tmp_path) -> dict:
    env = {**os.environ, "ONEWINDOW_HOME": str(tmp_path / "home")}
    env.pop("QT_QPA_PLATFORM", None)  # --screenshot chooses the offscreen platform with that screen itself
    png = tmp_path / f"{shell}-{screen}.png"
    done = subprocess.run([sys.executable, "-m", "onewindow", "gui", "--shell", shell, "--screenshot", str(png),
                           "--screen", screen], capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    assert png.stat().st_size > 10_000  # something was drawn
    return json.loads(png.with_name(png.name + ".fit.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("shell", ["pharmacy", "counter", "kiosk", "scan"])
def test_first_screen_fits_a_1366x768_counter_monitor(shell, tmp_path):
    report = _shoot(shell, "1366x768", tmp_path)
    assert report["screen"] == [1366, 768] and report["maximized"]
    assert report["window"][0] <= 1366 and report["window"][1] <= 768
    assert report["problems"] == []


@pytest.mark.slow
@pytest.mark.parametrize("shell", ["pharmacy", "counter", "kiosk", "scan"])
def test_first_screen_on_a_1920x1080_screen(shell, tmp_path):
    report = _shoot(shell, "1920x1080", tmp_path)
    assert not report["maximized"] and report["window"] == [1366, 820]
    assert report["problems"] == []


def test_every_page_and_dialog_of_every_shell_fits_a_1366x768_screen(tmp_path):
    """Not only the first screens: every page of the pharmacy, the counter (结算 with its desk) and the kiosk, and
    the dialogs and windows each opens (login, drug search, settings with the device panel, first-run wizard,
    stock, customer display), at their opening sizes on a 1366x768 screen (tests/ui/fit_every_window.py)."""
    from desktop.counter.window import PAGES as COUNTER_PAGES
    from desktop.pharmacy.window import PAGES

    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # the probe sets the screen itself
    out = tmp_path / "fit.json"
    done = subprocess.run([sys.executable, "-m", "tests.ui.fit_every_window", "1366x768", str(out)],
                          capture_output=True, text=True, env=env, timeout=300, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["screen"] == [1366, 768]
    windows = report["windows"]
    expected = {f"pharmacy/{p}" for p in PAGES} | {f"counter/{p}" for p, _ in COUNTER_PAGES} | {
        "pharmacy/dialog/loginDialog", "pharmacy/dialog/drugSearch", "pharmacy/dialog/settingsDialog",
        "pharmacy/dialog/firstRunWizard", "pharmacy/stockWindow", "pharmacy/customerDisplay",
        "counter/dialog/loginDialog", "counter/dialog/settingsDialog", "kiosk/home", "kiosk/menu", "kiosk/admin",
        "kiosk/dialog/settingsDialog", "kiosk/dialog/firstRunWizard"}
    assert expected <= set(windows), sorted(expected - set(windows))
    too_big = {name: w for name, w in windows.items()
               if w["size"][0] > 1366 or w["size"][1] > 768 or w["needs"][0] > 1366 or w["needs"][1] > 768
               or not w["on_screen"] or w["problems"]}
    assert too_big == {}


def test_too_small_a_screen_is_reported(tmp_path):
    report = _shoot("counter", "1024x600", tmp_path)  # the counter's layout needs more than this
    assert any("larger than the screen" in p for p in report["problems"])


def test_clipped_text_and_widgets_outside_are_named(qtbot):
    from desktop.qt import QtWidgets

    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    window.resize(780, 200)  # room for the label's own width in a CJK font (Noto CJK: about 645 px); screen 800
    label = QtWidgets.QLabel("这是一段很长很长的文字，放不下 · a label far too long for its place", window,
                             objectName="longLabel")
    label.setGeometry(10, 10, 60, 20)
    button = QtWidgets.QPushButton("登记申请", window, objectName="applyButton")
    button.setGeometry(730, 180, 120, 40)  # hangs off the bottom right
    window.show()
    found = problems(window)
    assert any(p.startswith("longLabel") and "its text needs" in p for p in found)
    assert any(p.startswith("applyButton") and "outside the window" in p for p in found)
    hint = label.minimumSizeHint()  # its own size in whatever font and size the session set
    label.setGeometry(10, 10, hint.width(), hint.height())
    button.setGeometry(10, 100, 120, 40)
    assert problems(window) == []
