"""Logs of child processes started by tests (the centre, a terminal's sender driver) are read at the end of each
test: an ERROR or CRITICAL line or a Python traceback in what the child wrote during the test fails it, as a
WARNING logged in-process does (tests/conftest.py). A test that provokes errors on purpose says which it
expects with `@pytest.mark.allow_child_errors("regex", ...)` (no argument: any).

    watch(path)   # after starting a process that writes to `path`
"""
from __future__ import annotations

import re
from pathlib import Path

BAD = re.compile(r"\b(ERROR|CRITICAL)\b|^Traceback \(most recent call last\)")
_watched: dict[Path, int] = {}  # path -> bytes already checked by an earlier test


def watch(path: Path | str) -> Path:
    path = Path(path)
    _watched.setdefault(path, path.stat().st_size if path.exists() else 0)
    return path


def unwatch_all() -> None:
    _watched.clear()


def new_bad_lines(allowed: list[str] | None) -> list[str]:
    """Bad lines written since the last call, less those matching an allowed pattern (None: allow all)."""
    found = []
    for path, offset in list(_watched.items()):
        if not path.exists():
            continue
        with open(path, "rb") as f:
            f.seek(offset)
            text = f.read()
        _watched[path] = offset + len(text)
        for line in text.decode("utf-8", "replace").splitlines():
            if BAD.search(line) and not (allowed is not None and any(re.search(p, line) for p in allowed)):
                found.append(f"{path.name}: {line}")
    if allowed is not None and not allowed:
        return []
    return found
