"""Crashes under settlement load, with real processes on PostgreSQL: a worker SIGKILLed while settlements are
in flight (some committed, their answers lost), and the database connections cut as by a PostgreSQL restart
(through a proxy: the PostgreSQL server is shared and is never restarted here). Every message whose answer was
lost is resolved as the README tells a client — the same msgid again, or 2601 — and nothing settles twice."""
from __future__ import annotations

import os
import signal

import psycopg
import pytest
from sqlalchemy.engine import make_url

from server.db import open_centre
from tests.server.crashload import Load, PgProxy, resolve_and_check, seed_persons, worker_backends
from tests.server.processes import Centre, gone, health, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.allow_warnings,
              pytest.mark.parametrize("centre_db", ["postgres"], indirect=True)]


def _dsn(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port or 5432} dbname={u.database} user={u.username}"


def test_worker_killed_mid_load_lost_answers_resolve_once(centre_db):
    persons = seed_persons(centre_db.url, 24)
    centre = Centre(centre_db.url).wait_ready()
    engine = open_centre(centre_db.url)
    holder = psycopg.connect(_dsn(centre_db.url), autocommit=True)
    try:
        client = Load(centre.port, centre_db.secrets, "", [], 1).client()
        sign_no = client.sign_in()
        # Hold the journal lock: every settlement stops at its journal entry, its COMMIT already sent behind it.
        holder.execute("SELECT pg_advisory_lock(3, 0)")
        load = Load(centre.port, centre_db.secrets, sign_no, persons, threads=8).start()
        victim = wait_for("a worker has settlements waiting at the journal lock",
                          lambda: next((p for p in centre.workers if worker_backends(engine, p, waiting=True)), None),
                          60.0, every_s=0.05)
        os.kill(victim, signal.SIGSTOP)  # its settlements now commit in the database, their answers never leave
        holder.execute("SELECT pg_advisory_unlock(3, 0)")
        wait_for("the stopped worker's transactions finished in the database",
                 lambda: worker_backends(engine, victim, active=True) == 0, 30.0, every_s=0.05)
        os.kill(victim, signal.SIGKILL)
        wait_for("a replacement worker", lambda: victim not in centre.workers and len(centre.workers) == 2
                 and gone(victim), 30.0, every_s=0.05)
        sent = load.join(240.0)
        assert len(sent) == len(persons)
        assert health(centre.port, timeout=60) == 200  # may land on the replacement, still starting
        counts = resolve_and_check(sent, engine, client)
        print("worker kill:", counts)
        assert counts["dropped"] >= 1 and counts["lost_committed"] >= 1 and counts["reversed"] >= 1, counts
        assert counts.get("ok", 0) >= 1  # the others were served, by the survivor and the replacement
    finally:
        holder.close()
        engine.dispose()
        centre.stop()


def test_database_connections_cut_under_load_every_answer_true_and_resolved(centre_db):
    persons = seed_persons(centre_db.url, 30)
    proxy = PgProxy()
    through = make_url(centre_db.url).set(port=proxy.port).render_as_string(hide_password=False)
    centre = Centre(through).wait_ready()
    engine = open_centre(centre_db.url)  # the test's own view, not through the proxy
    try:
        client = Load(centre.port, centre_db.secrets, "", [], 1).client()
        sign_no = client.sign_in()
        proxy.cut_after_commit = 2  # two connections die right after PostgreSQL committed for them
        load = Load(centre.port, centre_db.secrets, sign_no, persons, threads=6).start()
        load.wait_sent(8, 120.0)
        # As a restart: every connection at once. Right after a cut (or a commit cut, which empties the centre's
        # pool) the centre may hold no connection for a moment; the cut waits for the next one to open.
        wait_for("a connection to cut", lambda: proxy.cut_all() > 0, 60.0, every_s=0.02)
        load.wait_sent(16, 120.0)
        wait_for("a connection to cut again", lambda: proxy.cut_all() > 0, 60.0, every_s=0.02)
        sent = load.join(240.0)
        assert proxy.commit_cuts == 2
        counts = resolve_and_check(sent, engine, client)
        print("database cuts:", counts)
        assert counts.get("unknown", 0) >= 1, counts  # the commits cut short said so
        assert counts.get("unchanged", 0) + counts.get("unknown", 0) >= 3, counts
    finally:
        engine.dispose()
        centre.stop()
        proxy.close()
