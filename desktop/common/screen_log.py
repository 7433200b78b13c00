"""The desk's screen trail in the log (logger `onewindow.gui.screen`, INFO): which screen came up, what a
screen's message line says, which verdict the audit panel shows, how many prescriptions were listed, which
shift report is shown. One line per change, written on the UI thread when the widget is updated.

Why: support reads what the pharmacist saw and when (the log file, and the crash dialog's ring buffer of the
last lines, onewindow.logs); and the day under a real X server (tests/xday) drives the real process from
outside with key events and waits on these lines instead of sleeping. No personal data goes here: screens by
name, messages as shown (the desk's messages name no patient), verdicts by rule code.
"""
from __future__ import annotations

import logging

log = logging.getLogger("onewindow.gui.screen")


def shown(event: str, *parts: object) -> None:
    """`event` with its parts, space separated: `screen sale`, `verdict BLOCK local DUP-001`."""
    if log.isEnabledFor(logging.INFO):
        log.info("%s", " ".join(str(p) for p in (event, *parts)))


def message(name: str, tone: str, text: str) -> None:
    """A screen's message line `name` now says `text` in `tone` (ok/warn/bad, "" plain): `message scanMessage bad:
    …`; an emptied line: `message scanMessage cleared`."""
    if text.strip():
        shown("message", name or "-", f"{tone or 'plain'}:", " ".join(text.split()))
    else:
        shown("message", name or "-", "cleared")


__all__ = ["message", "shown"]
