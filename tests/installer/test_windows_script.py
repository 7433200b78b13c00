"""The Windows installer script (installer/windows/onewindow.iss), checked here without Windows.

Always: every file the script reads exists (its own messages file named beside it, the compiler's only from the
files Inno Setup ships), each Start-menu entry starts a shell or command the program has, the kiosk auto-start is
an unchecked task, nothing deletes the terminals' data on uninstall, and build.ps1 passes the program's version.
When Wine can run 32-bit programs (Debian: wine + wine32:i386) and npm is there: the real Inno Setup compiler
(npm package innosetup, ISCC.exe) compiles the script into a setup program (slow: Wine makes its prefix first).
Running that setup program is not tried: Inno Setup 6.4's wizard fails under Debian's Wine 8 ("Error reading
FPreparingMemo.Lines.Strings"), whatever the script."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from onewindow import __version__
from onewindow.commands.gui import SHELLS

REPO = Path(__file__).resolve().parents[2]
WIN = REPO / "installer" / "windows"
ISS = WIN / "onewindow.iss"
# what Inno Setup 6 ships that this script may read ("compiler:…"); there is no Chinese translation among them
SHIPPED = {"Default.isl"}
ISCC_PACKAGE = "innosetup@6.4.1"


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(";") or line.startswith("#"):
            continue
        if re.fullmatch(r"\[\w+\]", line):
            current = line[1:-1]
            out.setdefault(current, [])
        else:
            out.setdefault(current, []).append(line)
    return out


def _params(entry: str) -> dict[str, str]:
    """An entry's parameters: `Name: value; Name: "quoted, a "" inside"`."""
    out = {}
    for m in re.finditer(r'\s*(\w+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)', entry):
        value = m[2].strip()
        out[m[1]] = value[1:-1].replace('""', '"') if value.startswith('"') else value
    return out


def test_every_file_the_script_reads_is_there():
    sections = _sections(ISS.read_text(encoding="utf-8"))
    for entry in sections["Languages"]:
        for name in _params(entry)["MessagesFile"].split(","):
            if name.startswith("compiler:"):
                assert name.removeprefix("compiler:") in SHIPPED, f"Inno Setup does not ship {name}"
            else:
                assert (WIN / name).is_file(), f"{name} is not beside onewindow.iss"


def test_our_messages_file_is_utf8_with_the_language_it_names():
    raw = (WIN / "OneWindow-zh_CN.isl").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: read as UTF-8 by every Inno Setup 6
    sections = _sections(raw.decode("utf-8-sig"))
    assert "LanguageName=简体中文" in sections["LangOptions"] and "LanguageID=$0804" in sections["LangOptions"]
    names = [line.split("=", 1)[0] for line in sections["Messages"] + sections["CustomMessages"]]
    assert len(names) == len(set(names)) and {"ButtonNext", "ConfirmUninstall", "CreateDesktopIcon"} <= set(names)
    # the placeholders of each message are the ones its English text has (%1, [name] …): Setup fills them in
    for line in sections["Messages"]:
        if line.startswith(("WelcomeLabel2=", "ConfirmUninstall=", "SetupWindowTitle=")):
            assert re.search(r"%1|\[name(/ver)?\]", line), line


def test_start_menu_entries_start_what_the_program_has():
    sections = _sections(ISS.read_text(encoding="utf-8"))
    commands = []
    for entry in sections["Icons"]:
        p = _params(entry)
        if p.get("Filename") == "{app}\\onewindow.exe":
            commands.append(p["Parameters"])
    assert {f"gui --shell {s}" for s in ("pharmacy", "counter", "kiosk")} <= set(commands)
    for command in commands:
        shell = re.fullmatch(r"gui --shell (\w+)", command)
        assert shell is None or shell[1] in SHELLS, command
    autostart = [e for e in sections["Icons"] if "{commonstartup}" in e]
    assert len(autostart) == 1 and "Tasks: kioskautostart" in autostart[0] and "--shell kiosk" in autostart[0]
    tasks = {_params(t)["Name"]: t for t in sections["Tasks"]}
    assert "unchecked" in tasks["kioskautostart"]  # a desk PC does not become a kiosk by default
    assert "PrivilegesRequired=admin" in sections["Setup"]  # per machine
    assert not {"UninstallDelete", "InstallDelete", "UninstallRun"} & set(sections)
    assert "{localappdata}" not in ISS.read_text(encoding="utf-8")  # the terminals' data folder is left alone


def test_build_script_passes_the_program_s_version():
    ps1 = (WIN / "build.ps1").read_text(encoding="utf-8")
    assert 'import onewindow; print(onewindow.__version__)' in ps1 and '"/DAppVersion=$version"' in ps1
    assert "installer\\windows\\onewindow.iss" in ps1 and "installer\\onewindow.spec" in ps1
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def _wine_runs_32_bit() -> bool:
    return bool(shutil.which("wine")) and any(Path(p).is_dir() for p in (
        "/usr/lib/i386-linux-gnu/wine", "/usr/lib/wine/i386-windows", "/opt/wine-stable/lib/wine/i386-windows"))


@pytest.mark.slow
@pytest.mark.skipif(not (_wine_runs_32_bit() and shutil.which("npm")),
                    reason="needs Wine for 32-bit programs (Debian: wine wine32:i386) and npm for Inno Setup")
def test_inno_setup_compiles_the_script(tmp_path):
    cache = Path(os.environ.get("ONEWINDOW_INNO_CACHE", tmp_path / "inno"))
    iscc = cache / "package" / "bin" / "ISCC.exe"
    if not iscc.exists():
        cache.mkdir(parents=True, exist_ok=True)
        fetched = subprocess.run(["npm", "pack", ISCC_PACKAGE, "-q", "--pack-destination", str(cache)],
                                 capture_output=True, text=True, timeout=300)
        if fetched.returncode != 0:  # the registry, not the script: said as a skip with npm's words
            pytest.skip(f"npm could not fetch {ISCC_PACKAGE}: {fetched.stderr.strip()[-300:]}")
        with tarfile.open(next(cache.glob("innosetup-*.tgz"))) as tgz:
            tgz.extractall(cache, filter="data")
    source = tmp_path / "dist" / "onewindow"
    (source / "_internal").mkdir(parents=True)
    (source / "onewindow.exe").write_bytes(b"MZ")  # what is packed does not matter to the compiler
    (source / "_internal" / "base_library.zip").write_bytes(b"PK")
    env = {**os.environ, "WINEPREFIX": str(tmp_path / "wine"), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml="}

    def win(path: Path) -> str:
        return "Z:" + str(path).replace("/", "\\")

    done = subprocess.run(["wine", str(iscc), f"/DAppVersion={__version__}", f"/DSourceDir={win(source)}",
                           f"/O{win(tmp_path / 'out')}", win(ISS)], capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Successful compile" in done.stdout
    setup = tmp_path / "out" / f"OneWindow-{__version__}-setup.exe"
    assert setup.stat().st_size > 100_000 and setup.read_bytes()[:2] == b"MZ"
