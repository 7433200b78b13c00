"""Stored sequences: message ids, sale numbers and offline numbers that survive restarts and are never reused.

msgid (nhsa-interface.md §1.2): institution code (12) + yyyyMMddHHmmss (14) + 4-digit sequence = 30 characters.
The 4 digits are the terminal number (one digit, so up to ten terminals can share an institution code) and the
last three digits of this terminal's message counter. The time stamp never goes backwards (the last stamp used
is stored) and at most 1,000 ids are issued per stamp — when a second is used up the stamp moves one second
ahead — so two ids of one terminal can never be equal, whatever the clock does, and terminals differ by their
digit. Allocation happens inside the caller's write transaction, together with the record that uses the id.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.sync.models import SyncCounter

PER_STAMP = 1000
STAMP = "%Y%m%d%H%M%S"


def _counter(session: Session, name: str) -> SyncCounter:
    # Called inside a write transaction (BEGIN IMMEDIATE on the terminal's SQLite: the write lock is held), so
    # the row cannot change under us; within the transaction the session's copy is current.
    row = session.get(SyncCounter, name)
    if row is None:
        row = SyncCounter(name=name, value=0, stamp="", stamp_count=0)
        session.add(row)
        session.flush()
    return row


def next_value(session: Session, name: str) -> int:
    """The next value of a plain counter (1, 2, 3 …)."""
    row = _counter(session, name)
    row.value += 1
    session.flush()
    return row.value


def next_msgid(session: Session, institution_code: str, terminal_no: int, now: dt.datetime) -> str:
    if not 0 <= terminal_no <= 9:
        raise ValueError("terminal_no must be a single digit")
    row = _counter(session, "msgid")
    stamp = now.strftime(STAMP)
    if row.stamp and stamp <= row.stamp:
        stamp = row.stamp
        if row.stamp_count >= PER_STAMP:
            stamp = (dt.datetime.strptime(row.stamp, STAMP) + dt.timedelta(seconds=1)).strftime(STAMP)
            row.stamp_count = 0
    else:
        row.stamp_count = 0
    row.stamp = stamp
    row.stamp_count += 1
    row.value += 1
    session.flush()
    return f"{institution_code}{stamp}{terminal_no}{row.value % PER_STAMP:03d}"


def peek(session: Session, name: str) -> int:
    return int(session.scalar(select(SyncCounter.value).where(SyncCounter.name == name)) or 0)


__all__ = ["next_msgid", "next_value", "peek"]
