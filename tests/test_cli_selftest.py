"""`onewindow selftest`: one line per check, a fix on every FAIL, exit 0 only without FAIL."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from onewindow.commands import selftest


@pytest.mark.slow
def test_selftest_runs_every_check():
    done = subprocess.run([sys.executable, "-m", "onewindow", "selftest", "--json"], capture_output=True, text=True,
                          timeout=300)
    checks = json.loads(done.stdout)
    names = [c["name"] for c in checks]
    for expected in ("python", "pyside6", "qt platform plugin (offscreen)", "cjk font", "printer fallback (PDF)",
                     "sqlite", "sqlalchemy", "psycopg (PostgreSQL driver)", "zxing-cpp", "pyzbar", "opencv"):
        assert expected in names
    assert all(c["status"] in ("OK", "WARN", "FAIL") for c in checks)
    assert all(c["fix"] for c in checks if c["status"] == "FAIL")
    assert done.returncode == (1 if any(c["status"] == "FAIL" for c in checks) else 0)
    by_name = {c["name"]: c for c in checks}
    # The project's own dependencies must pass here, or the installation (or CI machine) is broken.
    for name in ("python", "pyside6", "qt platform plugin (offscreen)", "sqlite", "zxing-cpp", "opencv"):
        assert by_name[name]["status"] == "OK", by_name[name]


def test_full_opencv_wheel_is_a_failure_with_a_fix(monkeypatch):
    fake = [SimpleNamespace(metadata={"Name": "opencv-python"}), SimpleNamespace(metadata={"Name": "numpy"})]
    monkeypatch.setattr("importlib.metadata.distributions", lambda: fake)
    [check] = selftest.check_opencv()
    assert check.status == "FAIL" and "opencv-python" in check.detail
    assert "pip uninstall -y opencv-python" in check.fix and "opencv-python-headless" in check.fix


def test_a_broken_qt_child_is_reported_not_crashed(monkeypatch):
    monkeypatch.setattr(selftest, "_probe", lambda env: (None, "Qt could not start (exit -6): xcb"))
    checks = selftest.check_qt({})
    failed = [c for c in checks if c.status == "FAIL"]
    assert failed and "apt-get install" in failed[0].fix


def test_missing_cjk_font_is_a_warning_with_the_install_command(monkeypatch):
    monkeypatch.setattr(selftest, "_probe", lambda env: ({"cjk_families": [], "pdf_bytes": 900, "pdf_error": ""}, ""))
    checks = {c.name: c for c in selftest.check_qt({"QT_QPA_PLATFORM": "offscreen"})}
    assert checks["cjk font"].status == "WARN" and "apt-get install fonts-noto-cjk" in checks["cjk font"].fix
    assert checks["printer fallback (PDF)"].status == "OK"


def test_a_check_that_raises_becomes_a_fail_line(monkeypatch, capsys):
    def broken():
        raise OSError("disk full")

    monkeypatch.setattr(selftest, "_steps", lambda env: [broken])
    assert selftest.run(argparse.Namespace(json=False)) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL broken: OSError: disk full — fix:")


def test_kiosk_voice_silent_is_a_warning_and_switched_off_is_ok(monkeypatch, tmp_path):
    from core.services.kiosk import KioskConfig

    monkeypatch.setattr("desktop.kiosk.voice._qt_speech", lambda: None)
    monkeypatch.setattr(KioskConfig, "load", classmethod(lambda cls, path=None: cls(voice="auto",
                                                                                      voice_dir=str(tmp_path))))
    [check] = selftest.check_kiosk_voice()
    assert check.status == "WARN" and "silent" in check.detail and "PySide6-Addons" in check.fix
    (tmp_path / "home.wav").write_bytes(b"RIFF")
    monkeypatch.setattr("desktop.kiosk.voice._player", lambda: "aplay")
    [check] = selftest.check_kiosk_voice()
    assert check.status == "OK" and "prerecorded" in check.detail
    monkeypatch.setattr(KioskConfig, "load", classmethod(lambda cls, path=None: cls(voice="off")))
    [check] = selftest.check_kiosk_voice()
    assert check.status == "OK" and check.detail.startswith("off")
