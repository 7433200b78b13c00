"""Where a OneWindow installation keeps its files: settings, data (store, keys, queues, receipts), logs.

``$ONEWINDOW_HOME`` puts all three in one folder (tests, portable installs, several terminals on one machine:
the logs go to ``$ONEWINDOW_HOME/logs``). Otherwise the platform's per-user folders through platformdirs:

- Windows: ``%LOCALAPPDATA%\\onewindow`` (data and settings), ``…\\onewindow\\Logs``
- macOS: ``~/Library/Application Support/onewindow``, ``~/Library/Logs/onewindow``
- Linux: ``$XDG_DATA_HOME/onewindow`` (``~/.local/share/onewindow``), ``$XDG_CONFIG_HOME/onewindow``,
  ``$XDG_STATE_HOME/onewindow/log``

Nothing here creates folders except ``ensure_app_home``.
"""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_ENV = "ONEWINDOW_HOME"
APP_NAME = "onewindow"
SITE_FILE = "onewindow.json"


def _explicit_home() -> Path | None:
    explicit = os.environ.get(HOME_ENV)
    return Path(explicit).expanduser() if explicit else None


def app_home() -> Path:
    """The data folder: the local store, its data key, print queues, receipts, forms."""
    return _explicit_home() or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The folder of the site settings file."""
    return _explicit_home() or Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    home = _explicit_home()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def site_file() -> Path:
    return config_dir() / SITE_FILE


def ensure_app_home() -> Path:
    home = app_home()
    home.mkdir(parents=True, exist_ok=True)
    return home


__all__ = ["APP_NAME", "HOME_ENV", "SITE_FILE", "app_home", "config_dir", "ensure_app_home", "log_dir", "site_file"]
