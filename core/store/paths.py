"""Where the local store and its data key live: in the application data folder (core.settings.paths.app_home:
``$ONEWINDOW_HOME`` when set, else the platform's per-user data folder)."""
from __future__ import annotations

from pathlib import Path

from core.settings.paths import HOME_ENV, app_home

STORE_FILE = "onewindow.db"
DATA_KEY_FILE = "data.key"


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


__all__ = ["DATA_KEY_FILE", "HOME_ENV", "STORE_FILE", "data_key_path", "sqlite_url", "store_path", "store_url"]
