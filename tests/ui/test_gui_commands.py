"""`onewindow gui` and `onewindow demo` open their window and leave (offscreen, --quit-after)."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.ui


def _run(*args):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "onewindow", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.parametrize("args", [("gui", "--shell", "counter"), ("gui", "--shell", "kiosk", "--server",
                                  "http://127.0.0.1:8700"), ("demo",)])
def test_window_comes_up_and_quits(args, tmp_path):
    if args == ("demo",):  # the demo keeps its centre, store and code sheet in a folder of its own
        args = ("demo", "--home", str(tmp_path))
    done = _run(*args, "--quit-after", "200")
    assert done.returncode == 0, done.stderr


def test_bad_server_url_and_shell():
    assert _run("gui", "--shell", "pharmacy", "--server", "localhost").returncode == 2
    assert _run("gui", "--shell", "bank").returncode == 2


def test_demo_without_a_display_or_a_platform_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "onewindow", "demo", "--home", str(tmp_path), "--no-gui"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]  # was: Qt's xcb plugin aborting the process (exit 134)
    assert (tmp_path / "demo-codes.pdf").exists()
