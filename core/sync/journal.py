"""The terminal's append-only, hash-chained journal of sync decisions and sale transitions.

Each entry carries the hash of the one before (sha256 over the previous hash and the entry's canonical JSON),
so an edited or deleted entry breaks the chain at that point; `verify` names the first broken link. Appends
happen inside the caller's transaction (SQLite has one writer at a time, so the chain is linear).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.store.base import utcnow
from core.sync.models import SyncJournal

GENESIS = "0" * 64
_TAIL = "onewindow.journal_tail"
_HELD = "onewindow.journal_held"
_LAST = select(SyncJournal.hash).order_by(SyncJournal.seq.desc()).limit(1)
_INSERT = insert(SyncJournal.__table__)


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (dt.date, dt.datetime, dt.time)):
        return obj.isoformat()
    if hasattr(obj, "value"):
        return obj.value
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default)


def entry_hash(prev: str, at: dt.datetime, kind: str, sale_id: str | None, from_state: str | None,
               to_state: str | None, data: str) -> str:
    body = canonical([at.isoformat(timespec="microseconds"), kind, sale_id, from_state, to_state, data])
    return hashlib.sha256((prev + body).encode()).hexdigest()


def append(session: Session, kind: str, *, sale_id: str | None = None, from_state: str | None = None,
           to_state: str | None = None, data: dict | None = None, at: dt.datetime | None = None) -> str:
    at = at or utcnow()
    text = canonical(data or {})
    root = session.get_transaction()
    # Straight on the transaction's connection: a journal row needs no ORM flush of whatever else is pending.
    conn = session.connection()
    tail = session.info.get(_TAIL)
    if tail is not None and root is not None and tail[0] is root:
        prev = tail[1]  # this transaction appended last (it holds the write lock: nobody else can)
    else:
        prev = conn.execute(_LAST).scalar() or GENESIS
    digest = entry_hash(prev, at, kind, sale_id, from_state, to_state, text)
    row = {"at": at, "kind": kind, "sale_id": sale_id, "from_state": from_state, "to_state": to_state,
           "data": text, "prev_hash": prev, "hash": digest}
    held = session.info.get(_HELD)
    if held is not None and held[0] is root:
        held[1].append(row)
    else:
        conn.execute(_INSERT, row)
    session.info[_TAIL] = (root, digest)
    return digest


@contextlib.contextmanager
def held(session: Session) -> Iterator[None]:
    """Entries appended inside the block are inserted together at its end (one statement instead of one per
    entry), still inside the caller's transaction, in chain order. For a loop that appends many entries and
    does not read the journal back before the block ends (the sender recording a group of answers)."""
    root = session.get_transaction()
    assert root is not None, "journal.held needs a transaction"
    rows: list[dict] = []
    session.info[_HELD] = (root, rows)
    try:
        yield
        if rows:
            session.connection().execute(_INSERT, rows)
    finally:
        session.info.pop(_HELD, None)


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken_at: int | None  # seq of the first entry that does not match
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> ChainCheck:
    prev = GENESIS
    n = 0
    for row in session.execute(select(SyncJournal).order_by(SyncJournal.seq)).scalars():
        n += 1
        if row.prev_hash != prev:
            return ChainCheck(n, row.seq, "previous hash does not match (an entry before it was removed or changed)")
        expected = entry_hash(prev, row.at, row.kind, row.sale_id, row.from_state, row.to_state, row.data)
        if expected != row.hash:
            return ChainCheck(n, row.seq, "entry content does not match its hash (edited)")
        prev = row.hash
    return ChainCheck(n, None)


def entries(session: Session, sale_id: str) -> list[dict]:
    rows = session.execute(select(SyncJournal).where(SyncJournal.sale_id == sale_id).order_by(SyncJournal.seq)).scalars()
    return [{"seq": r.seq, "at": r.at.isoformat(), "kind": r.kind, "from": r.from_state, "to": r.to_state,
             "data": json.loads(r.data)} for r in rows]


__all__ = ["ChainCheck", "append", "canonical", "entries", "held", "verify"]
