"""Logs of child processes started by tests (the centre, a terminal's sender driver) are read at the end of each
test: an ERROR or CRITICAL line or a Python traceback in what the child wrote during the test fails it, as a
WARNING logged in-process does (tests/conftest.py). A test that provokes errors on purpose says which it
expects with `@pytest.mark.allow_child_errors("regex", ...)` (no argument: any).

    watch(path)   # after starting a process that writes to `path`

Logs keep masking (#15): a line of any watched log, or of any *.log file in the session's log folders (the
centre's and the shells' rotating files under <ONEWINDOW_HOME>/logs), holding a full identity number (18 digits
with a valid check digit) or a seeded person's name fails the test whatever it allows.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

BAD = re.compile(r"\b(ERROR|CRITICAL)\b|^Traceback \(most recent call last\)")
_watched: dict[Path, int] = {}  # path -> bytes already checked by an earlier test


ID18 = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9])")
NAME = re.compile(r"[\u4e00-\u9fff]某\(测试\)")  # the seeded people of the shared and demo worlds: 王某(测试) …
_WEIGHTS, _CHECK = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), "10X98765432"
_dirs: set[Path] = set()  # log folders whose *.log files are all read (for identities)
_scanned: dict[Path, int] = {}  # their files -> bytes already read


def identity_in(line: str) -> str | None:
    """A full identity number (valid check digit) or a seeded person's name in `line`, else None."""
    for m in ID18.finditer(line):
        n = m.group()
        if _CHECK[sum(int(d) * w for d, w in zip(n[:17], _WEIGHTS, strict=False)) % 11] == n[17].upper():
            return n
    m = NAME.search(line)
    return m.group() if m else None


def watch_dir(path: Path | str) -> None:
    """Read every *.log file in `path` (and below) from its start, files made later too."""
    _dirs.add(Path(path))


def _log_dirs() -> set[Path]:
    home = os.environ.get("ONEWINDOW_HOME")  # tests and fixtures move it: the folder of the moment too
    return _dirs | ({Path(home) / "logs"} if home else set())


def watch(path: Path | str) -> Path:
    path = Path(path)
    _watched.setdefault(path, path.stat().st_size if path.exists() else 0)
    return path


def unwatch_all() -> None:
    _watched.clear()


def new_bad_lines(allowed: list[str] | None) -> list[str]:
    """Bad lines written since the last call, less those matching an allowed pattern (None: allow all)."""
    found, exposed = [], []
    for folder in _log_dirs():  # read for identities only: their errors belong to the tests that expect them
        if folder.is_dir():
            for f in folder.rglob("*.log*"):
                if f not in _watched:
                    _scanned.setdefault(f, 0)
    for path, offset in list(_scanned.items()):
        if not path.exists():
            continue
        with open(path, "rb") as fh:
            fh.seek(offset)
            text = fh.read()
        _scanned[path] = offset + len(text)
        exposed += [f"{path.name}: identity in a log line (mask it): {line}"
                    for line in text.decode("utf-8", "replace").splitlines() if identity_in(line)]
    for path, offset in list(_watched.items()):
        if not path.exists():
            continue
        with open(path, "rb") as f:
            f.seek(offset)
            text = f.read()
        _watched[path] = offset + len(text)
        for line in text.decode("utf-8", "replace").splitlines():
            if identity_in(line):
                exposed.append(f"{path.name}: identity in a log line (mask it): {line}")
            if BAD.search(line) and not (allowed is not None and any(re.search(p, line) for p in allowed)):
                found.append(f"{path.name}: {line}")
    if allowed is not None and not allowed:
        return exposed
    return exposed + found
