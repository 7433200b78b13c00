"""`onewindow selftest`: check an installation, one line per check: OK, WARN or FAIL, with a fix.

Exit 0 when nothing FAILs. Qt is only ever started in a child process (`onewindow qt-probe`: desktop.selfcheck), because a
broken platform plugin aborts the process that loads it. opencv is imported last: the full opencv-python
wheel changes Qt's plugin path in the environment it is imported into.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

# The system libraries Qt needs on Debian, by soname (one list for selftest, .ci/run and the .deb's Depends).
QT_LIBS_FILE = Path(__file__).resolve().parent.parent.parent / "resources" / "config" / "debian-qt-libs.json"
_CONFLICTING_OPENCV = ("opencv-python", "opencv-contrib-python")


@dataclass(frozen=True)
class Check:
    status: str  # OK, WARN, FAIL
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4} {self.name}: {self.detail}"
        return f"{text} — fix: {self.fix}" if self.fix else text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("selftest", help="check this installation: Qt, fonts, decoders, database, PDF (自检)")
    p.add_argument("--json", action="store_true", help="print a JSON array of checks")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)  # before anything (opencv) can change it
    checks: list[Check] = []
    for step in _steps(env):
        try:
            checks.extend(step())
        except Exception as exc:  # a check that breaks is a failure to report, not a crash
            checks.append(Check("FAIL", step.__name__.removeprefix("check_"), f"{type(exc).__name__}: {exc}",
                                "report this to support with the line above"))
    if args.json:
        print(json.dumps([asdict(c) for c in checks], ensure_ascii=False))
    else:
        for check in checks:
            print(check.line())
    return 1 if any(c.status == "FAIL" for c in checks) else 0


def _steps(env: dict[str, str]) -> list[Callable[[], Iterable[Check]]]:
    return [
        check_python,
        check_system_libs,
        lambda: check_qt(env),
        check_sqlite,
        check_sqlalchemy,
        check_psycopg,
        check_zxing,
        check_pyzbar,
        check_kiosk_voice,
        check_opencv,
    ]


def check_python() -> list[Check]:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info >= (3, 11):
        return [Check("OK", "python", version)]
    return [Check("FAIL", "python", f"{version} is too old", "install Python 3.11 or newer and reinstall onewindow")]


def debian_qt_packages() -> dict[str, str]:
    """soname -> Debian package ("a | b" where trixie renamed it)."""
    data = json.loads(QT_LIBS_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def qt_binaries() -> list[Path]:
    """The Qt files whose system dependencies matter: the xcb screen plugin and the Qt libraries of the wheel."""
    import PySide6

    qt = Path(PySide6.__file__).resolve().parent / "Qt"
    found = [qt / "plugins" / "platforms" / "libqxcb.so"]
    found += sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1] + sorted((qt / "lib").glob("libQt6Widgets.so*"))[:1]
    return [p for p in found if p.exists()]


def missing_sonames(binaries: list[Path], ldd: str = "ldd") -> list[str]:
    missing: list[str] = []
    for binary in binaries:
        done = subprocess.run([ldd, str(binary)], capture_output=True, text=True, timeout=60)
        for line in done.stdout.splitlines():
            name, _, where = line.strip().partition(" => ")
            if where.strip() == "not found" and name not in missing:
                missing.append(name)
    return missing


def install_command(missing: list[str], packages: dict[str, str]) -> tuple[str, list[str]]:
    """The one apt-get line for every missing library, and the sonames no package is known for."""
    wanted: list[str] = []
    unknown: list[str] = []
    for soname in missing:
        package = packages.get(soname)
        if package is None:
            unknown.append(soname)
        elif package.split(" | ")[-1] not in wanted:
            wanted.append(package.split(" | ")[-1])  # the name apt resolves on bookworm and (as virtual) trixie
    sudo = "sudo " if hasattr(os, "geteuid") and os.geteuid() != 0 else ""
    return (f"{sudo}apt-get install -y " + " ".join(wanted)) if wanted else "", unknown


def _system_libs_fix() -> str:
    """The apt-get line for the missing system libraries ("" when none is missing or it cannot be told)."""
    import shutil

    ldd = shutil.which("ldd")
    try:
        binaries = qt_binaries() if sys.platform.startswith("linux") and ldd else []
    except ImportError:
        return ""
    missing = missing_sonames(binaries, ldd) if binaries and ldd else []
    return install_command(missing, debian_qt_packages())[0] if missing else ""


def check_system_libs() -> list[Check]:
    """Linux: every system library Qt's screen plugin cannot find, with the exact command that installs them
    (Qt itself only ever names the first one it trips over)."""
    import shutil

    if not sys.platform.startswith("linux"):
        return []
    ldd = shutil.which("ldd")
    try:
        binaries = qt_binaries()
    except ImportError:
        return []  # the pyside6 line says so
    if ldd is None or not binaries:
        return [Check("WARN", "system libraries", "cannot check (no ldd or no xcb plugin)")]
    missing = missing_sonames(binaries, ldd)
    if not missing:
        return [Check("OK", "system libraries", "every library of Qt's screen plugin is installed")]
    command, unknown = install_command(missing, debian_qt_packages())
    fix = command + (f"; find the package of {', '.join(unknown)} with apt-file search" if unknown else "")
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    # without those the shells cannot open a window (headless use: tests, --screenshot, demo --no-gui still work)
    return [Check("FAIL" if has_display else "WARN", "system libraries", "missing: " + ", ".join(missing), fix)]


def check_qt(env: dict[str, str]) -> list[Check]:
    try:
        import PySide6
        from PySide6 import QtCore
    except ImportError as exc:
        return [Check("FAIL", "pyside6", f"cannot import: {exc}", "pip install --force-reinstall PySide6-Essentials")]
    checks = [Check("OK", "pyside6", f"PySide6 {PySide6.__version__}, Qt {QtCore.qVersion()}")]
    offscreen = {**env, "QT_QPA_PLATFORM": "offscreen"}
    report, problem = _probe(offscreen)
    if report is None:
        libs = _system_libs_fix()
        checks.append(Check("FAIL", "qt platform plugin (offscreen)", problem,
                            (f"{libs}; then " if libs else "") + "pip install --force-reinstall PySide6-Essentials; "
                            "QT_DEBUG_PLUGINS=1 onewindow selftest shows the missing library"))
        return checks
    checks.append(Check("OK", "qt platform plugin (offscreen)", "a QGuiApplication starts"))
    checks.extend(_native_platform(env))
    families = report.get("cjk_families") or []
    if families:
        checks.append(Check("OK", "cjk font", ", ".join(families[:3])))
    else:
        checks.append(Check("WARN", "cjk font", "no font with Chinese glyphs: Chinese text shows as boxes",
                            "Debian: apt-get install fonts-noto-cjk; Windows has Microsoft YaHei built in"))
    if report.get("pdf_error") or not report.get("pdf_bytes"):
        checks.append(Check("FAIL", "printer fallback (PDF)", str(report.get("pdf_error") or "no PDF written"),
                            "pip install --force-reinstall PySide6-Essentials"))
    else:
        checks.append(Check("OK", "printer fallback (PDF)", f"QPdfWriter wrote {report['pdf_bytes']} bytes"))
    return checks


def _native_platform(env: dict[str, str]) -> list[Check]:
    """The plugin the shells will really use, when there is a screen to use it on."""
    has_display = sys.platform in ("win32", "darwin") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    if not has_display or env.get("QT_QPA_PLATFORM") == "offscreen":
        return []
    report, problem = _probe(env)
    if report is None:
        libs = _system_libs_fix()
        return [Check("FAIL", "qt platform plugin (screen)", problem,
                      (libs or "see the system-libraries line") + "; if opencv-python is installed, see the opencv line")]
    return [Check("OK", "qt platform plugin (screen)", str(report.get("platform")))]


def _probe(env: dict[str, str]) -> tuple[dict | None, str]:
    try:
        from onewindow import self_command

        done = subprocess.run(self_command("qt-probe"), env=env, capture_output=True,
                              text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "the Qt check did not finish in 120 s"
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"Qt could not start (exit {done.returncode}): {tail}"
    try:
        return json.loads(done.stdout.strip().splitlines()[-1]), ""
    except (ValueError, IndexError):
        return None, f"unexpected answer from the Qt check: {done.stdout[-200:]!r}"


def check_sqlite() -> list[Check]:
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(os.path.join(tmp, "selftest.db"))
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            db.execute("PRAGMA synchronous=FULL")
            db.execute("CREATE TABLE t (x)")
            db.execute("INSERT INTO t VALUES (1)")
            db.commit()
        finally:
            db.close()
    if mode.lower() != "wal":
        return [Check("FAIL", "sqlite", f"SQLite {sqlite3.sqlite_version} refused WAL (journal mode {mode})",
                      "keep the data folder on a local disk (WAL does not work on network shares)")]
    return [Check("OK", "sqlite", f"SQLite {sqlite3.sqlite_version}, WAL")]


def check_sqlalchemy() -> list[Check]:
    try:
        import sqlalchemy
    except ImportError as exc:
        return [Check("FAIL", "sqlalchemy", f"cannot import: {exc}", "pip install 'SQLAlchemy>=2.0'")]
    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        return [Check("FAIL", "sqlalchemy", f"{sqlalchemy.__version__} is older than 2.0", "pip install 'SQLAlchemy>=2.0'")]
    return [Check("OK", "sqlalchemy", sqlalchemy.__version__)]


def check_psycopg() -> list[Check]:
    try:
        import psycopg
    except ImportError as exc:
        return [Check("FAIL", "psycopg (PostgreSQL driver)", f"cannot import: {exc}", "pip install 'psycopg[binary]'")]
    return [Check("OK", "psycopg (PostgreSQL driver)",
                  f"{psycopg.__version__} ({psycopg.pq.__impl__}, libpq {psycopg.pq.version()})")]


def check_zxing() -> list[Check]:
    """Round trip: make a QR with qrcode, decode it with zxing-cpp, read it with core.codes."""
    try:
        import numpy as np
        import qrcode
        import zxingcpp
    except ImportError as exc:
        return [Check("FAIL", "zxing-cpp", f"cannot import: {exc}", "pip install zxing-cpp qrcode numpy")]
    from core.codes import Kind, classify

    payload = "NHSAEV1.c2VsZnRlc3Qtb25ld2luZG93LXFy"
    qr = qrcode.QRCode(border=4, box_size=1)
    qr.add_data(payload)
    qr.make(fit=True)
    pixels = np.where(np.array(qr.get_matrix(), dtype=bool), 0, 255).astype(np.uint8)
    image = np.ascontiguousarray(np.kron(pixels, np.ones((4, 4), dtype=np.uint8)))
    found = [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    if found != [payload]:
        return [Check("FAIL", "zxing-cpp", f"did not read back its own QR code (got {found!r})",
                      "pip install --force-reinstall zxing-cpp")]
    kind = classify(found[0]).kind
    if kind is not Kind.EVOUCHER:
        return [Check("FAIL", "zxing-cpp", f"QR read back, but classified as {kind}", "report this to support")]
    return [Check("OK", "zxing-cpp", "generated a QR with qrcode, decoded it, classified it as an e-voucher")]


def check_pyzbar() -> list[Check]:
    try:
        import pyzbar.pyzbar  # noqa: F401
    except ImportError as exc:
        if "zbar" in str(exc).lower() and "pyzbar" not in str(exc).lower():
            return [Check("WARN", "pyzbar", f"installed but its library is missing: {exc}; optional",
                          "apt-get install libzbar0, or pip uninstall pyzbar")]
        return [Check("WARN", "pyzbar", "not installed; optional; cannot read DataMatrix (zxing-cpp is the decoder)")]
    return [Check("OK", "pyzbar", "installed; optional; cannot read DataMatrix (zxing-cpp is the decoder)")]


def check_kiosk_voice() -> list[Check]:
    """Kiosk voice prompts (elderly users rely on them): which backend the kiosk's settings give here."""
    from core.services.kiosk import KioskConfig
    from desktop.kiosk.voice import voice_status

    try:
        cfg = KioskConfig.load()
    except (OSError, ValueError) as exc:
        return [Check("WARN", "kiosk voice", f"kiosk settings unreadable: {exc}", "fix or delete kiosk.json")]
    backend, note = voice_status(cfg.voice, cfg.voice_dir)
    if backend == "off" and cfg.voice != "off":
        return [Check("WARN", "kiosk voice", f"silent: {note}",
                      "pip install PySide6-Addons (Qt speech), or put prerecorded <key>.wav prompts in the voice "
                      "folder and install an audio player")]
    return [Check("OK", "kiosk voice", f"{backend}: {note}")]


def check_opencv() -> list[Check]:
    from importlib.metadata import distributions

    installed = {(d.metadata["Name"] or "").lower() for d in distributions()}
    conflicting = [name for name in _CONFLICTING_OPENCV if name in installed]
    if conflicting:
        return [Check("FAIL", "opencv", f"{', '.join(conflicting)} is installed: its bundled Qt plugins break PySide6",
                      f"pip uninstall -y {' '.join(conflicting)} && pip install --force-reinstall opencv-python-headless")]
    try:
        import cv2
    except ImportError as exc:
        return [Check("FAIL", "opencv", f"cannot import cv2: {exc}", "pip install opencv-python-headless")]
    return [Check("OK", "opencv", f"opencv-python-headless {cv2.__version__}")]
