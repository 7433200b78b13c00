"""The Linux package end to end: installer/build makes the PyInstaller folder and the .deb, dpkg installs the .deb
into a temporary root (`dpkg --root`, its database in that root), and the installed program runs headless:
--version, selftest --json, and a screenshot of the pharmacy's login screen offscreen."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("dpkg-deb") or not shutil.which("objdump"),
    reason="needs Linux with dpkg-deb and objdump (binutils)")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    from onewindow import __version__

    work = tmp_path_factory.mktemp("build")
    env = {**os.environ, "PYTHON": sys.executable, "OUT": str(work / "dist"), "WORK": str(work / "pyi")}
    done = subprocess.run([str(REPO / "installer" / "build")], env=env, capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    debs = list((work / "dist").glob("onewindow_*.deb"))
    assert len(debs) == 1, list((work / "dist").iterdir())
    depends = subprocess.run(["dpkg-deb", "-f", str(debs[0]), "Depends"], capture_output=True, text=True).stdout
    for package in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0", "libegl1"):
        assert package in depends
    # installed by dpkg itself into an empty root of its own (its database there; the system libraries are this
    # machine's, so their Depends are not looked for in that root)
    root = work / "root"
    for folder in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log"):
        (root / folder).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    done = subprocess.run(["dpkg", f"--root={root}", "--force-depends", "--force-script-chrootless", "-i",
                           str(debs[0])], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    status = subprocess.run(["dpkg-query", f"--root={root}", "-W", "-f=${Status} ${Version}", "onewindow"],
                            capture_output=True, text=True)
    assert status.stdout == f"install ok installed {__version__}", status.stdout + status.stderr
    assert (root / "usr/share/applications/onewindow-counter.desktop").exists()
    assert os.readlink(root / "usr/bin/onewindow") == "/opt/onewindow/onewindow"
    shutil.rmtree(work / "dist" / "onewindow")  # the installed copy must stand on its own
    return root / "opt" / "onewindow" / "onewindow"


def _run(program: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(ONEWINDOW_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([str(program), *args], capture_output=True, text=True, env=env, timeout=300, cwd=home)


def test_installed_binary_runs_headless(installed, tmp_path):
    from onewindow import __version__

    home = tmp_path / "home"
    home.mkdir()
    version = _run(installed, "--version", home=home)
    assert version.returncode == 0 and version.stdout.strip() == f"onewindow {__version__}"
    selftest = _run(installed, "selftest", "--json", home=home)
    checks = {c["name"]: c for c in json.loads(selftest.stdout)}
    assert selftest.returncode == 0, [c for c in checks.values() if c["status"] == "FAIL"]
    for name in ("qt platform plugin (offscreen)", "printer fallback (PDF)", "sqlite", "zxing-cpp"):
        assert checks[name]["status"] == "OK", checks[name]
    shot = tmp_path / "login.png"
    env_free = _run(installed, "gui", "--shell", "pharmacy", "--screenshot", str(shot), home=home)
    assert env_free.returncode == 0, env_free.stderr[-2000:]
    assert shot.stat().st_size > 10_000
    assert json.loads(shot.with_name("login.png.fit.json").read_text())["problems"] == []
    assert (home / "logs" / "pharmacy.log").exists()
