"""`onewindow gui --shell pharmacy`, `onewindow staff`, `onewindow demo` (its code sheet is readable by a
decoder) and `onewindow bench ui --json` (its shape, on a small run)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.ui


def _run(*args, home, timeout=180):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ONEWINDOW_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "onewindow", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_pharmacy_shell_needs_staff_then_comes_up(tmp_path):
    done = _run("gui", "--shell", "pharmacy", "--quit-after", "200", home=tmp_path)
    assert done.returncode == 2 and "onewindow staff add" in done.stderr
    added = _run("staff", "add", "li", "--name", "李药师", "--role", "pharmacist", "--pin", "2468", home=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "li\t李药师\tpharmacist" in _run("staff", "list", home=tmp_path).stdout
    done = _run("gui", "--shell", "pharmacy", "--server", "http://127.0.0.1:9", "--quit-after", "300", home=tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_demo_prepares_centre_staff_prescriptions_and_a_readable_code_sheet(tmp_path):
    import numpy as np
    import zxingcpp

    from desktop.qt import QtGui

    done = _run("demo", "--home", str(tmp_path / "demo"), "--no-gui", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"supervision big screen 智慧监管大屏: http://127\.0\.0\.1:\d+/supervision/", done.stdout), done.stdout
    sheet = tmp_path / "demo" / "demo-codes.png"
    assert (tmp_path / "demo" / "demo-codes.pdf").stat().st_size > 10_000
    image = QtGui.QImage(str(sheet)).convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    array = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[:, :image.width()]
    found = {r.text: r.format for r in zxingcpp.read_barcodes(array)}
    assert any(t.startswith("NHSAEV1.") for t in found), found  # e-voucher QR codes
    assert "420704195703121015" in found and "6901234567892" in found
    traces = [t for t in found if len(t) == 20 and t.startswith("81000")]
    assert len(traces) >= 6
    again = _run("demo", "--home", str(tmp_path / "demo"), "--no-gui", home=tmp_path)
    assert again.returncode == 0, again.stderr  # idempotent


@pytest.mark.slow
def test_bench_ui_json_shape(tmp_path):
    done = _run("bench", "ui", "--json", "--drugs", "3000", "--sold", "2000", "--scans", "40", "--starts", "1",
                home=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["name"] == "ui" and figures["scans"] == 40
    assert 0 < figures["scan_to_verdict_p99_ms"] and 0 < figures["cold_start_s"] < 30
    assert isinstance(figures["within_budget"], bool)
