"""One logging setup for every process (shells, the centre, the CLI), as qutebrowser's utils/log.py: a rotating
file in the log folder (core.settings.paths.log_dir), a console handler, category loggers under `onewindow.*`
(gui, devices, sync, store, server, desk, kiosk, …), and a ring buffer of the last records that the crash dialog
shows beside the log file's name.

    log_file = setup("pharmacy")              # once, first thing in a process
    logging.getLogger("onewindow.gui.pharmacy").info("window up")
    recent_lines()                            # the ring buffer, for a crash report
"""
from __future__ import annotations

import collections
import logging
import logging.handlers
import sys
from pathlib import Path

from core.settings.paths import log_dir

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"
MAX_BYTES = 2_000_000
BACKUPS = 5
RING_SIZE = 200


class RingBuffer(logging.Handler):
    def __init__(self, size: int = RING_SIZE) -> None:
        super().__init__(logging.DEBUG)
        self.lines: collections.deque[str] = collections.deque(maxlen=size)
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a log line must never take the process down
            self.handleError(record)


_ring = RingBuffer()
_log_file: Path | None = None


def setup(process: str, *, level: int = logging.INFO, console: bool = True, folder: Path | None = None) -> Path | None:
    """Handlers on the root logger (so libraries' records are kept too). Returns the log file, or None when the
    folder cannot be written (then the console only, and a warning saying so). Calling it again is harmless."""
    global _log_file
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_onewindow", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    handlers: list[logging.Handler] = [_ring]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
        handlers[-1].setLevel(max(level, logging.INFO))
    folder = folder or log_dir()
    _log_file = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{process}.log"
        handlers.append(logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                             encoding="utf-8", delay=True))
        _log_file = path
    except OSError as exc:
        print(f"onewindow: cannot write logs to {folder}: {exc}", file=sys.stderr)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._onewindow = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    logging.getLogger("onewindow").info("%s started; log file %s", process, _log_file)
    return _log_file


def log_file() -> Path | None:
    return _log_file


def recent_lines() -> list[str]:
    return list(_ring.lines)


__all__ = ["log_file", "recent_lines", "setup"]
