"""The client's journal of staff actions: desk_event, hash-chained.

Every staff action a desk or counter records — logins and failed logins, supervisor overrides (reprints, closing
a shift with messages waiting, restricted warnings), acknowledgements, returns, settings changes, shift close —
is a desk_event row written by core.services.auth (the one writer). Each row carries the keyed hash of the row
before:

    hash = HMAC-SHA256(key, prev_hash | id | at | kind | user_id | approver_id | ref | detail)

with a key derived from the installation's data key ($ONEWINDOW_DATA_KEY or data.key, never in the store), as the
centre's journal is keyed: someone with only the database file can edit a row and recompute a plain hash chain
(12 lines did it), not this one. SQLite triggers refuse UPDATE and DELETE on the table. `verify(engine)` walks the
chain and names the first broken row; `onewindow journal verify --client HOME` runs it on every store in a folder.
Chains written before the key (plain SHA-256, before December 2026) verify BROKEN at their first row.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, select

GENESIS = "0" * 64
PURPOSE = "onewindow client staff journal v1"


def chain_key() -> bytes:
    """This installation's key of the chain (HKDF of the data key, core.store.crypto)."""
    from core.store.persons import default_cipher  # late: persons imports the store's tables

    return default_cipher().derive_key(PURPOSE)


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="microseconds")
    return str(value)


def event_hash(prev: str, row_id: int, at, kind: str, user_id, approver_id, ref, detail: str,
               key: bytes | None = None) -> str:
    text = "|".join((prev, str(row_id), _text(at), kind, _text(user_id), _text(approver_id), _text(ref), detail))
    return hmac.new(chain_key() if key is None else key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def append(conn: Connection, table, values: dict) -> None:
    """Insert one event chained to the newest (call inside the writer's transaction)."""
    last = conn.execute(select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)).first()
    row_id, prev = ((last.id + 1), (last.hash or GENESIS)) if last else (1, GENESIS)
    values = {**values, "id": row_id, "prev_hash": prev}
    values["hash"] = event_hash(prev, row_id, values["at"], values["kind"], values.get("user_id"),
                                values.get("approver_id"), values.get("ref"), values.get("detail", "{}"))
    conn.execute(table.insert().values(**values))


@dataclass(frozen=True)
class ClientVerification:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    problem: str = ""
    head: str = GENESIS

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.entries} staff actions, chain intact; head {self.head}"
        return f"BROKEN at staff action {self.first_bad_id}: {self.problem} ({self.entries} checked before it)"


def verify(engine: Engine) -> ClientVerification:
    from core.store.desk import event

    prev, count, expected = GENESIS, 0, None
    key = chain_key()
    with engine.connect() as conn:
        for r in conn.execute(select(event).order_by(event.c.id)):
            if expected is not None and r.id != expected:
                return ClientVerification(False, count, expected, f"action {expected} is missing (next is {r.id})")
            if r.prev_hash != prev:
                return ClientVerification(False, count, r.id, "prev_hash does not match the action before")
            if not hmac.compare_digest(
                    event_hash(prev, r.id, r.at, r.kind, r.user_id, r.approver_id, r.ref, r.detail, key), r.hash or ""):
                return ClientVerification(False, count, r.id, "content does not match its hash (altered)")
            prev, count, expected = r.hash, count + 1, r.id + 1
    return ClientVerification(True, count, head=prev)


def verify_home(home: Path) -> list[tuple[Path, ClientVerification]]:
    """Every SQLite store in `home` (not recursing) that has a staff journal, verified."""
    out = []
    for path in sorted(home.glob("*.db")):
        engine = create_engine(f"sqlite:///{path}")
        try:
            if inspect(engine).has_table("desk_event"):
                out.append((path, verify(engine)))
        finally:
            engine.dispose()
    return out


__all__ = ["GENESIS", "ClientVerification", "append", "chain_key", "event_hash", "verify", "verify_home"]
