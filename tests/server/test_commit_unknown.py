"""A failure before COMMIT is sent says "nothing was changed"; from the moment it is sent, "outcome unknown" — and
both are true. Faults are injected into the real connection of the request, on SQLite and PostgreSQL:

- after COMMIT: the database commits, then the connection fails before the centre hears back (PostgreSQL: the
  pipelined COMMIT is synced, then the socket is shut down; SQLite: the commit call commits, then raises);
- before COMMIT: the last statement before it fails the same way (PostgreSQL: the journal entry of the pipeline;
  SQLite: the journal write).

Then the resolutions a client is told to use: the same msgid again gets the committed answer (no second
settlement), a 2601 reverses a settlement that did commit, and a message that did not commit settles once.
"""
from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time

import psycopg
import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import OperationalError

from core.store.models import SettlementRow
from server import fastsql, journal
from server.centre import NOTHING_CHANGED, OUTCOME_UNKNOWN
from server.models import message
from tests.server.helpers import PH1, envelope, settle_input


class _Armed:
    """Fires once, on the first statement that matches."""

    def __init__(self) -> None:
        self.fired = 0

    def take(self) -> bool:
        self.fired += 1
        return self.fired == 1


def _cut(dconn) -> None:
    """The connection dies: shut the socket down under libpq (the server sees the client go, libpq sees EOF)."""
    sock = socket.socket(fileno=os.dup(dconn.fileno()))
    try:
        sock.shutdown(socket.SHUT_RDWR)
    finally:
        sock.close()
    raise psycopg.OperationalError("server closed the connection unexpectedly (injected)")


@pytest.fixture
def fault(centre_db, centre_engine, monkeypatch):
    """fault(where): arm one failure of the next 2102's transaction, `where` = "after_commit" or "before_commit"."""
    armed = _Armed()

    def arm(where: str) -> _Armed:
        if centre_db.backend == "postgres":
            real = psycopg.Cursor.execute

            def execute(cur, query, *args, **kwargs):
                if where == "before_commit" and query == fastsql.PG["journal_append"] and armed.take():
                    _cut(cur.connection)
                result = real(cur, query, *args, **kwargs)
                if where == "after_commit" and query == "COMMIT" and armed.take():
                    with cur.connection.pipeline():  # nested: its exit syncs — the server runs COMMIT and answers
                        pass
                    _cut(cur.connection)
                return result

            monkeypatch.setattr(psycopg.Cursor, "execute", execute)
        elif where == "after_commit":
            real_commit = centre_engine.dialect.do_commit

            def do_commit(dbapi_conn):
                real_commit(dbapi_conn)
                if armed.take():
                    raise sqlite3.OperationalError("disk I/O error (injected, after the commit)")

            monkeypatch.setattr(centre_engine.dialect, "do_commit", do_commit)
        else:
            real_append = journal.append

            def append(conn, *args, **kwargs):
                if armed.take():
                    raise OperationalError("INSERT INTO centre_journal", {}, sqlite3.OperationalError("disk I/O error"))
                return real_append(conn, *args, **kwargs)

            monkeypatch.setattr(journal, "append", append)
        return armed

    return arm


def _settlements(engine, setl_id: str) -> list:
    with engine.connect() as conn:
        rows = conn.execute(select(SettlementRow.settlement_id, SettlementRow.reversed_on)
                            .where(SettlementRow.settlement_id == setl_id)).all()
        conn.rollback()
    return rows


def _count(engine) -> int:
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(SettlementRow)).scalar()
        conn.rollback()
    return n


@pytest.mark.allow_warnings  # the centre logs the failure it answers
def test_failure_after_commit_says_outcome_unknown_and_resend_or_2601_resolves_it(client, centre_engine, fault):
    env = envelope("2102", settle_input("T0001"), PH1, sign_no=client.sign_in(PH1))
    msgid = env["msgid"]
    armed = fault("after_commit")
    lost = client.send(env)
    assert armed.fired >= 1
    body = lost.json()
    assert lost.status_code == 503 and body["infcode"] == -1, body
    assert body["err_msg"].startswith(OUTCOME_UNKNOWN), body["err_msg"]
    assert f"2601 (omsgid {msgid}, oinfno 2102)" in body["err_msg"] and NOTHING_CHANGED not in body["err_msg"]
    assert len(_settlements(centre_engine, msgid)) == 1  # it did commit: "nothing was changed" would have lied

    again = client.send(env)  # resolution 1: the same msgid gets the committed answer, nothing settles twice
    assert again.status_code == 200 and again.headers.get("x-ow-replayed") == "1"
    assert again.json()["infcode"] == 0 and again.json()["output"]["setlinfo"]["setl_id"] == msgid
    assert _count(centre_engine) == 1

    reversal = client.call("2601", {"data": {"psn_no": "T0001", "omsgid": msgid, "oinfno": "2102"}})
    assert reversal["infcode"] == 0 and reversal["output"]["data"]["rslt"] == "1", reversal  # resolution 2
    assert [r.reversed_on is not None for r in _settlements(centre_engine, msgid)] == [True]
    assert client.send(env).content == again.content and _count(centre_engine) == 1


@pytest.mark.allow_warnings
def test_failure_before_commit_says_nothing_changed_and_it_is_true(client, centre_engine, fault):
    env = envelope("2102", settle_input("T0001"), PH1, sign_no=client.sign_in(PH1))
    armed = fault("before_commit")
    failed = client.send(env)
    assert armed.fired == 1
    body = failed.json()
    assert failed.status_code == 503 and body["infcode"] == -1 and body["err_msg"].endswith(NOTHING_CHANGED), body
    assert OUTCOME_UNKNOWN not in body["err_msg"]
    assert _count(centre_engine) == 0

    again = client.send(env)  # the retry the answer asks for: processed now, once
    assert again.status_code == 200 and again.json()["infcode"] == 0, again.json()
    assert again.headers.get("x-ow-replayed") is None
    assert len(_settlements(centre_engine, env["msgid"])) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("centre_db", ["postgres"], indirect=True)  # the pipelined commit is PostgreSQL's
def test_a_step_refused_after_commit_was_sent_is_still_known(client, centre_engine, monkeypatch):
    """PostgreSQL gets COMMIT in the same round trip as the stored answer. When the answer's INSERT is refused
    (a concurrent copy of the message stored its answer first) the server skips the COMMIT: not "outcome
    unknown" — the client gets the winner's answer. Made deterministic: the copy holds its uncommitted row, so
    our INSERT waits on it; the copy commits only once our COMMIT is sent and our INSERT is seen waiting."""
    from server import context, idempotency

    env = envelope("2102", settle_input("T0001"), PH1, sign_no=client.sign_in(PH1))
    winner = {"infcode": 0, "output": {"won": True}, "err_msg": ""}
    commit_sent = threading.Event()
    real_execute, real_commit_pg = psycopg.Cursor.execute, context.Ctx.commit_pg

    def execute(cur, query, *args, **kwargs):
        result = real_execute(cur, query, *args, **kwargs)
        if query == "COMMIT":
            commit_sent.set()
        return result

    def commit_pg(ctx, answer):
        copy = centre_engine.connect()
        tx = copy.begin()
        copy.execute(insert(message).values(
            fixmedins_code=PH1, msgid=env["msgid"], infno="2102", digest=answer["d"], infcode=0,
            response=idempotency.encode(winner), received_at=answer["at"]))
        waited = []

        def release():
            try:
                waited.append(commit_sent.wait(10) and _until_a_backend_waits_on_a_lock(centre_engine))
            finally:
                tx.commit()
                copy.close()

        t = threading.Thread(target=release)
        t.start()
        try:
            return real_commit_pg(ctx, answer)
        finally:
            t.join(15)
            assert waited == [True]

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    monkeypatch.setattr(context.Ctx, "commit_pg", commit_pg)
    raced = client.send(env)
    assert raced.status_code == 200 and raced.json()["output"] == {"won": True}, raced.json()
    assert _count(centre_engine) == 0


def _until_a_backend_waits_on_a_lock(engine, bound_s: float = 10.0) -> bool:
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND wait_event_type = 'Lock'")).scalar()
            conn.rollback()
        if n:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.allow_warnings
def test_database_lost_during_the_callers_checks_says_nothing_changed(client, centre_engine, monkeypatch):
    """Before any handler runs, the centre reads the caller's secret and kind from the database; a connection lost
    there (seen under load with connections cut as by a restart) is answered like any failure before COMMIT —
    503 "nothing was changed" — never a bare 500, and the retry settles once."""
    env = envelope("2102", settle_input("T0001"), PH1, sign_no=client.sign_in(PH1))
    centre = client.app.state.centre
    real = centre.institution_for

    def lost(code):
        raise OperationalError("SELECT centre_institution", {}, psycopg.OperationalError(
            "server closed the connection unexpectedly (injected)"))

    monkeypatch.setattr(centre, "institution_for", lost)
    failed = client.send(env)
    body = failed.json()
    assert failed.status_code == 503 and body["err_msg"].endswith(NOTHING_CHANGED), body
    assert _count(centre_engine) == 0

    monkeypatch.setattr(centre, "institution_for", real)
    again = client.send(env)
    assert again.status_code == 200 and again.json()["infcode"] == 0, again.json()
    assert _count(centre_engine) == 1
