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
    monkeypatch.setattr(selftest, "missing_sonames", lambda binaries, ldd: ["libxcb-cursor.so.0", "libxcb-icccm.so.4"])
    checks = selftest.check_qt({})
    failed = [c for c in checks if c.status == "FAIL"]
    assert failed and "apt-get install -y libxcb-cursor0 libxcb-icccm4" in failed[0].fix


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


def test_every_missing_system_library_named_with_one_install_command(tmp_path):
    from onewindow.commands import selftest

    fake_ldd = tmp_path / "ldd"
    fake_ldd.write_text("#!/bin/sh\ncat <<'EOF'\n\tlibxcb-cursor.so.0 => not found\n\tlibGL.so.1 => /lib/libGL.so.1 (0x1)\n"
                        "\tlibxcb-icccm.so.4 => not found\n\tlibxcb-keysyms.so.1 => not found\n"
                        "\tlibglib-2.0.so.0 => not found\n\tlibweird.so.9 => not found\nEOF\n")
    fake_ldd.chmod(0o755)
    missing = selftest.missing_sonames([tmp_path / "libqxcb.so", tmp_path / "libQt6Widgets.so.6"], str(fake_ldd))
    assert missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libglib-2.0.so.0",
                       "libweird.so.9"]  # each once, every one of them (Qt itself names only the first)
    command, unknown = selftest.install_command(missing, selftest.debian_qt_packages())
    assert command.endswith("apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libglib2.0-0")
    assert unknown == ["libweird.so.9"]


def test_the_qt_library_list_covers_what_the_xcb_plugin_loads():
    import shutil

    from onewindow.commands import selftest

    if shutil.which("ldd") is None or not selftest.qt_binaries():
        pytest.skip("no ldd or no xcb plugin here")
    import subprocess

    packages = selftest.debian_qt_packages()
    out = subprocess.run(["ldd", str(selftest.qt_binaries()[0])], capture_output=True, text=True).stdout
    direct = [line.split()[0] for line in out.splitlines() if "libxcb" in line or "libxkb" in line]
    assert direct and [name for name in direct if name not in packages] == []
