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
from server.sealed import REDUCED, open_text, seal
from server.envelope import dumps
from server.models import message, nonce


ANSWER = "answer"
# After this many days a stored answer is reduced to what idempotency needs (reduce_old_answers): its infno,
# digest and outcome stay, so a repeated msgid is still refused or recognised; the full answer is gone.
ANSWER_RETENTION_DAYS = 90


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
    elif fastsql.is_lite(conn):
        found = fastsql.lite(conn, "message_lookup", (code, msgid))
        row = found[0] if found else None
    else:
        row = conn.execute(_LOOKUP, {"code": code, "msgid": msgid}).first()
    if row is None:
        return None
    return Stored(row[0], row[1], json.loads(open_text(row[2], ANSWER)))


def claim_nonce_and_lookup(conn: Connection, code: str, value: str, ts: int, msgid: str,
                           ahead=None) -> tuple[bool, Stored | None]:
    """Record the nonce and look the msgid up; one round trip on PostgreSQL (BEGIN included: pipelined), which
    also carries `ahead.steps` (a transaction's first statements, server.transactions.Tx.ahead) whose results
    go to `ahead.fill`."""
    if fastsql.is_pg(conn):
        extra = list(ahead.steps) if ahead is not None else []
        results = fastsql.pipeline(conn, [("nonce_and_message", {"c": code, "n": value, "ts": ts, "m": msgid}, True),
                                          *extra])
        if ahead is not None:
            ahead.fill(results[1:])
        fresh, infno, dg, resp = results[0][0]
        return bool(fresh), (Stored(infno, dg, json.loads(open_text(resp, ANSWER))) if infno is not None else None)
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


def encode(resp: dict) -> str:
    """The answer as sent and as stored: the same text, so the first answer and every replay match byte for
    byte (a replay is sent re-encoded from the stored text with this function, whatever spacing older rows
    were stored with)."""
    return json.dumps(resp, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def params(*, code: str, msgid: str, infno: str, digest_: str, resp: dict, at: str, text: str | None = None) -> dict:
    # stored sealed (server.sealed): answers carry full ID numbers and names; the replay sends the opened text
    return {"c": code, "m": msgid, "i": infno, "d": digest_, "ic": int(resp["infcode"]),
            "r": seal(encode(resp) if text is None else text, ANSWER), "at": at}


def store(conn: Connection, *, code: str, msgid: str, infno: str, digest_: str, resp: dict, at: str,
          text: str | None = None) -> bool:
    """Insert the answer; False when another transaction stored one first (its answer wins)."""
    params_ = params(code=code, msgid=msgid, infno=infno, digest_=digest_, resp=resp, at=at, text=text)
    if fastsql.is_pg(conn):
        return bool(fastsql.fetch(conn, "message_store", params_))
    if fastsql.is_lite(conn):
        p = params_
        return bool(fastsql.lite(conn, "message_store", (p["c"], p["m"], p["i"], p["d"], p["ic"], p["r"], p["at"])))
    return conn.execute(_STORE(conn), params_).first() is not None


def claim_nonce(conn: Connection, code: str, value: str, ts: int) -> bool:
    """Record a nonce; False when it was seen before (a replay)."""
    if fastsql.is_lite(conn):
        return bool(fastsql.lite(conn, "nonce", (code, value, ts)))
    return conn.execute(_NONCE(conn), {"c": code, "n": value, "ts": ts}).first() is not None


def reduce_old_answers(conn: Connection, before: str, *, limit: int = 5000) -> int:
    """Answers received before `before` (ISO text, like received_at) reduced to their outcome: infcode, the
    settlement id when there was one, and a note; personal data (names, ID numbers, amounts per line) gone.
    A repeat of such a msgid gets the reduced answer. Returns how many rows were reduced (at most `limit`)."""
    rows = conn.execute(select(message.c.fixmedins_code, message.c.msgid, message.c.response, message.c.infcode)
                        .where(message.c.received_at < before, ~message.c.response.like(f"{REDUCED}%"))
                        .limit(limit)).all()
    for r in rows:
        try:
            full = json.loads(open_text(r.response, ANSWER))
        except ValueError:
            full = {}
        setl = ((full.get("output") or {}).get("setlinfo") or {}).get("setl_id") if isinstance(full, dict) else None
        small = {"infcode": r.infcode, "err_msg": full.get("err_msg", "") if isinstance(full, dict) else "",
                 "output": {"setlinfo": {"setl_id": setl}} if setl else {},
                 "warn_msg": "应答已过保存期，仅保留结果 / answer past its retention period: outcome only",
                 "respond_time": full.get("respond_time", "") if isinstance(full, dict) else ""}
        conn.execute(message.update().where(message.c.fixmedins_code == r.fixmedins_code, message.c.msgid == r.msgid)
                     .values(response=seal(encode(small), ANSWER, prefix=REDUCED)))
    return len(rows)



def purge_nonces(conn: Connection, older_than: int) -> int:
    return conn.execute(nonce.delete().where(nonce.c.ts < older_than)).rowcount
