"""Where the local store and its data key live.

The application data folder is ``$ONEWINDOW_HOME`` when set (tests, portable installs, several terminals on one
machine), else the platform's per-user data folder:

- Windows: ``%LOCALAPPDATA%\\OneWindow``
- macOS: ``~/Library/Application Support/OneWindow``
- Linux and others: ``$XDG_DATA_HOME/onewindow`` (default ``~/.local/share/onewindow``)

Nothing here creates folders except ``ensure_app_home``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HOME_ENV = "ONEWINDOW_HOME"
STORE_FILE = "onewindow.db"
DATA_KEY_FILE = "data.key"


def app_home() -> Path:
    explicit = os.environ.get(HOME_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA")
        return (Path(base) if base else Path.home() / "AppData" / "Local") / "OneWindow"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "OneWindow"
    base = os.environ.get("XDG_DATA_HOME")
    return (Path(base) if base else Path.home() / ".local" / "share") / "onewindow"


def ensure_app_home() -> Path:
    home = app_home()
    home.mkdir(parents=True, exist_ok=True)
    return home


def store_path(home: Path | None = None) -> Path:
    """The local SQLite store file."""
    return (home or app_home()) / STORE_FILE


def store_url(path: Path | None = None) -> str:
    """SQLAlchemy URL of a SQLite file (the local store by default)."""
    return sqlite_url(path or store_path())


def sqlite_url(path: Path | str) -> str:
    return "sqlite:///" + Path(path).expanduser().resolve().as_posix()


def data_key_path(home: Path | None = None) -> Path:
    """Key file protecting identity numbers at rest (see core.store.crypto)."""
    return (home or app_home()) / DATA_KEY_FILE


__all__ = [
    "DATA_KEY_FILE", "HOME_ENV", "STORE_FILE", "app_home", "data_key_path", "ensure_app_home", "sqlite_url",
    "store_path", "store_url",
]
