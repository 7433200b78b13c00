"""msgid is the idempotency key: the first answer to (institution, msgid) is stored and given again.

The key includes the institution so one institution can never read another's answers by guessing a
msgid. A repeated msgid whose content differs from the first message is refused rather than answered.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from server import fastsql
from server.envelope import dumps
from server.models import message, nonce


def digest(infno: str, payload: dict) -> str:
    return hashlib.sha256(dumps({"infno": infno, "input": payload}).encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    infno: str
    digest: str
    response: dict


_LOOKUP = select(message.c.infno, message.c.digest, message.c.response).where(
    message.c.fixmedins_code == bindparam("code"), message.c.msgid == bindparam("msgid"))


def lookup(conn: Connection, code: str, msgid: str) -> Stored | None:
    if fastsql.is_pg(conn):
        found = fastsql.fetch(conn, "message_lookup", {"code": code, "msgid": msgid})
        row = found[0] if found else None
    else:
        row = conn.execute(_LOOKUP, {"code": code, "msgid": msgid}).first()
    if row is None:
        return None
    return Stored(row[0], row[1], json.loads(row[2]))


def claim_nonce_and_lookup(conn: Connection, code: str, value: str, ts: int, msgid: str) -> tuple[bool, Stored | None]:
    """Record the nonce and look the msgid up; one round trip on PostgreSQL."""
    if fastsql.is_pg(conn):
        fresh, infno, dg, resp = fastsql.fetch(conn, "nonce_and_message", {"c": code, "n": value, "ts": ts, "m": msgid})[0]
        return bool(fresh), (Stored(infno, dg, json.loads(resp)) if infno is not None else None)
    return claim_nonce(conn, code, value, ts), lookup(conn, code, msgid)


def _insert(conn: Connection, table):
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _prebuilt(make):
    """One statement object per dialect, built once (building a statement costs more than running it)."""
    built = {d: make(mod.insert) for d, mod in (("postgresql", postgresql), ("sqlite", sqlite))}
    return lambda conn: built[conn.dialect.name]


_STORE = _prebuilt(lambda ins: ins(message).values(
    fixmedins_code=bindparam("c"), msgid=bindparam("m"), infno=bindparam("i"), digest=bindparam("d"),
    infcode=bindparam("ic"), response=bindparam("r"), received_at=bindparam("at"),
).on_conflict_do_nothing().returning(message.c.msgid))
_NONCE = _prebuilt(lambda ins: ins(nonce).values(
    fixmedins_code=bindparam("c"), nonce=bindparam("n"), ts=bindparam("ts"),
).on_conflict_do_nothing().returning(nonce.c.nonce))


def store(conn: Connection, *, code: str, msgid: str, infno: str, digest_: str, resp: dict, at: str) -> bool:
    """Insert the answer; False when another transaction stored one first (its answer wins)."""
    params = {"c": code, "m": msgid, "i": infno, "d": digest_, "ic": int(resp["infcode"]),
              "r": json.dumps(resp, ensure_ascii=False), "at": at}
    if fastsql.is_pg(conn):
        return bool(fastsql.fetch(conn, "message_store", params))
    return conn.execute(_STORE(conn), params).first() is not None


def claim_nonce(conn: Connection, code: str, value: str, ts: int) -> bool:
    """Record a nonce; False when it was seen before (a replay)."""
    return conn.execute(_NONCE(conn), {"c": code, "n": value, "ts": ts}).first() is not None


def purge_nonces(conn: Connection, older_than: int) -> int:
    return conn.execute(nonce.delete().where(nonce.c.ts < older_than)).rowcount
