"""The kiosk's devices come through DeviceHub (issue 16/21): a USB keyboard-wedge QR scan head (fast keys + Return,
the usual built-in kiosk scanner) identifies the person as the camera does; and the shell goes with its watchdog."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ui.kiosk.fixtures import KIOSK_INST, kiosk_config


def _kiosk_with_hub(qtbot, centre, tmp_path, clock):
    from hardware.factory import DeviceHub
    from hardware.settings import CardReaderSettings, DeviceSettings
    from hardware.wedge import ScannerEventFilter
    from onewindow.root import build_kiosk, kiosk_devices

    hub = DeviceHub(DeviceSettings(card_reader=CardReaderSettings(kind="simulator")),
                    wedge=ScannerEventFilter(clock=clock, device="keyboard"))
    devices = kiosk_devices(None, hub=hub)
    win, link = build_kiosk(kiosk_config(tmp_path, centre.url, centre.secrets[KIOSK_INST]), devices=devices,
                            fullscreen=False)
    qtbot.addWidget(win)
    win.start()
    return win, link, hub, devices


@pytest.mark.ui
def test_a_keyboard_wedge_scan_head_identifies_through_the_device_hub(qtbot, centre, tmp_path):
    from hardware.sim.scanner import ScannerSimulator
    from hardware.wedge import ManualClock

    clock = ManualClock()
    win, link, hub, devices = _kiosk_with_hub(qtbot, centre, tmp_path, clock)
    try:
        assert devices.card_reader is hub.card_reader is not None  # the reader is the hub's too
        assert hub.camera is None and devices.camera_source is None  # the camera stays the kiosk's own
        assert win.page == "home"
        code = centre.evoucher()
        ScannerSimulator().type_now(code, clock=clock, gap_ms=200, target=win)  # typed by a person: no scan
        assert win.page == "home" and not win.identifying
        ScannerSimulator().type_now(code, clock=clock, target=win)  # the scan head: fast keys and Return
        qtbot.waitUntil(lambda: win.page == "menu", timeout=20000)
        assert win.pages["menu"].greeting.text().startswith("王某")
    finally:
        win.lockdown.unlock()
        win.stop()
        hub.stop()
        link.close()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")  # a zombie has exited (a container's init may not reap it)


def _wait(cond, what: str, limit_s: float = 120.0) -> None:
    deadline = time.monotonic() + limit_s  # a guard against a hang, not a measure of speed
    while not cond():
        assert time.monotonic() < deadline, f"waited {limit_s:.0f} s for {what}"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_the_kiosk_window_goes_with_its_watchdog(tmp_path, monkeypatch, sig):
    from core.services.kiosk import hash_code
    from core.settings import SiteSettings

    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    SiteSettings.load().set("kiosk.supervisor_code_hash", hash_code("24681357"), "kiosk").save()  # no wizard
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ONEWINDOW_HOME": str(tmp_path)}
    watchdog = subprocess.Popen([sys.executable, "-m", "onewindow", "gui", "--shell", "kiosk", "--windowed"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shell = 0
    try:
        _wait(lambda: _children(watchdog.pid), "the watchdog to start the shell")
        shell = _children(watchdog.pid)[0]
        os.kill(watchdog.pid, sig)
        watchdog.wait(timeout=60)
        _wait(lambda: _gone(shell), "the shell to close after its watchdog")
    finally:
        if watchdog.poll() is None:
            watchdog.kill()
        if shell and not _gone(shell):  # never leave a kiosk window behind, even when the test fails
            os.kill(shell, signal.SIGKILL)
