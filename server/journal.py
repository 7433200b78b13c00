"""The centre's append-only, hash-chained journal.

Each entry carries the hash of the one before: hash = sha256(seq | at | kind | institution | msgid |
payload | prev_hash). Entries are appended inside the transaction that makes the change (so a change
and its journal entry commit or vanish together), under the journal lock, which is always the last lock
a transaction takes. `verify` walks the chain and reports the first broken entry.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from server import fastsql
from server.db import lock_journal
from server.envelope import dumps
from server.models import journal

GENESIS = "0" * 64


def entry_hash(seq: int, at: str, kind: str, code: str, msgid: str, payload: str, prev_hash: str) -> str:
    text = "|".join((str(seq), at, kind, code, msgid, payload, prev_hash))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_LAST = select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1)
_INSERT = journal.insert()


def append(conn: Connection, kind: str, payload: dict, *, at: str, code: str = "", msgid: str = "") -> int:
    lock_journal(conn)
    pg = fastsql.is_pg(conn)
    if pg:
        found = fastsql.fetch(conn, "journal_last", {})
        last = found[0] if found else None
    else:
        last = conn.execute(_LAST).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    body = dumps(payload)
    row = {"seq": seq, "at": at, "kind": kind, "fixmedins_code": code, "msgid": msgid, "payload": body,
           "prev_hash": prev, "hash": entry_hash(seq, at, kind, code, msgid, body, prev)}
    fastsql.run(conn, "journal_insert", row) if pg else conn.execute(_INSERT, row)
    return seq


def pipeline_steps(entries, *, at: str, code: str = "", msgid: str = "") -> list:
    """PostgreSQL: the journal lock and one `journal_append` per (kind, payload), for server.fastsql.pipeline
    (the database computes each hash with entry_hash's formula; `verify` checks it like any other)."""
    if not entries:
        return []
    steps: list = [("journal_lock", {}, False)]
    for kind, payload in entries:
        steps.append(("journal_append", {"genesis": GENESIS, "at": at, "kind": kind, "code": code, "msgid": msgid,
                                         "payload": dumps(payload)}, False))
    return steps


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""
    head: str = ""

    def describe(self) -> str:
        if self.ok:
            # The head hash is what an operator writes down (or prints on the daily statement): a chain cannot
            # show that its newest entries were cut off, a recorded head can.
            return f"OK: {self.entries} entries, chain intact; head {self.head or GENESIS}"
        return f"BROKEN at entry {self.first_bad_seq}: {self.problem} ({self.entries} entries checked before it)"


def verify(engine: Engine, batch: int = 5000) -> Verification:
    prev_hash, expected_seq, count = GENESIS, 1, 0
    with engine.connect() as conn:
        last_seq = 0
        while True:
            rows = conn.execute(
                select(journal).where(journal.c.seq > last_seq).order_by(journal.c.seq).limit(batch)
            ).all()
            if not rows:
                break
            for r in rows:
                if r.seq != expected_seq:
                    return Verification(False, count, expected_seq, f"entry {expected_seq} is missing (next is {r.seq})")
                if r.prev_hash != prev_hash:
                    return Verification(False, count, r.seq, "prev_hash does not match the previous entry's hash")
                if entry_hash(r.seq, r.at, r.kind, r.fixmedins_code, r.msgid, r.payload, r.prev_hash) != r.hash:
                    return Verification(False, count, r.seq, "content does not match its hash (altered)")
                prev_hash, expected_seq, count = r.hash, expected_seq + 1, count + 1
                last_seq = r.seq
        conn.rollback()
    return Verification(True, count, head=prev_hash)
