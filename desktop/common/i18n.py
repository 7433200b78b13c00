"""Language of the shells: Qt translation files for the labels, core.i18n messages for what services say.

Labels are written in Chinese in the code (`self.tr("结算")`) and translated to English by
resources/translations/onewindow_en.ts, compiled to .qm with pyside6-lrelease at install time or on first
run (`ensure_compiled`). Messages from the services (core.i18n.Message) carry both languages; `text(m)`
picks the current one. Chinese is the default; English is selectable in the settings.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from core.i18n import Message
from desktop.qt import QtCore

log = logging.getLogger("onewindow.gui.i18n")

TS_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "translations"
LANGS = ("zh", "en")

_state = {"lang": "zh"}
_translators: list[QtCore.QTranslator] = []


def lang() -> str:
    return _state["lang"]


def text(m: Message | None) -> str:
    """A service message in the current language ("" for None)."""
    if m is None:
        return ""
    return m.get(_state["lang"])


def lrelease() -> str | None:
    """The pyside6-lrelease tool next to this Python, or on PATH."""
    here = Path(sys.executable).parent
    for name in ("pyside6-lrelease", "pyside6-lrelease.exe"):
        if (here / name).exists():
            return str(here / name)
    return shutil.which("pyside6-lrelease")


def qm_path(lang_: str) -> Path:
    return TS_DIR / f"onewindow_{lang_}.qm"


def ensure_compiled(force: bool = False) -> list[Path]:
    """Compile every .ts whose .qm is missing or older (the build/first-run step). Returns the .qm files."""
    out = []
    tool = None
    for ts in sorted(TS_DIR.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if force or not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            tool = tool or lrelease()
            if tool is None:
                log.warning("pyside6-lrelease not found: %s not compiled (labels stay Chinese)", ts.name)
                continue
            # into a file of this process, then renamed: a test worker (or a second instance) loading the .qm
            # meanwhile sees the old file or the whole new one, never a half-written one
            tmp = qm.with_name(f".{qm.name}.{os.getpid()}.tmp")
            done = subprocess.run([tool, str(ts), "-qm", str(tmp)], capture_output=True, text=True)
            if done.returncode != 0:
                tmp.unlink(missing_ok=True)
                log.warning("pyside6-lrelease failed on %s: %s", ts.name, done.stderr.strip()[:300])
                continue
            os.replace(tmp, qm)
        out.append(qm)
    return out


def set_language(lang_: str, app: QtCore.QCoreApplication | None = None) -> bool:
    """Switch the labels' language (installs or removes the translator). True when the language is in use."""
    lang_ = "en" if str(lang_).lower().startswith("en") else "zh"
    app = app or QtCore.QCoreApplication.instance()
    for tr_ in _translators:
        app.removeTranslator(tr_)
    _translators.clear()
    _state["lang"] = lang_
    if lang_ == "zh":
        return True
    ensure_compiled()
    translator = QtCore.QTranslator(app)
    if not translator.load(str(qm_path(lang_))):
        log.warning("no compiled translation for %s: labels stay Chinese", lang_)
        return False
    app.installTranslator(translator)
    _translators.append(translator)
    return True


__all__ = ["LANGS", "ensure_compiled", "lang", "lrelease", "qm_path", "set_language", "text"]
