"""The centre's database: the shared store (core.store) plus the centre-only tables, and the locks.

PostgreSQL in production; a SQLite file as the embedded default. Writes that must not interleave
(quota spending, refill checks, trace codes, the journal chain) are serialised by:

- PostgreSQL: transaction-scoped advisory locks, always taken in the order person -> trace codes ->
  journal, so two settlements can never deadlock and never both spend the same cap;
- SQLite: one writer. Every centre transaction is BEGIN IMMEDIATE, and inside one process a lock
  queues the threads so they do not spin on SQLITE_BUSY.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

log = logging.getLogger("onewindow.server.db")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Advisory lock classes (first key of pg_advisory_xact_lock(int, int)).
LOCK_PERSON = 1
LOCK_TRACE = 2
LOCK_JOURNAL = 3
LOCK_RX = 4


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message says which and why."""


class CommitUnknown(RuntimeError):
    """The COMMIT was sent and no confirmation came back (the connection broke, the commit call failed): the
    transaction may have committed. Whoever answers must say so — never "nothing was changed"."""


def default_sqlite_url() -> str:
    return "sqlite:///" + str(Path.home() / ".onewindow" / "centre.sqlite3")


def _prepare_sqlite_file(url: str) -> None:
    u = make_url(url)
    if u.database and u.database != ":memory:":
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        from core.store.db import create_private

        create_private(Path(u.database).expanduser())  # 0600: the centre's database holds personal data


def _open_shared(url: str) -> Engine:
    """core.store.db.open_store: creates/migrates the shared tables and returns its engine."""
    from core.store.db import open_store

    return open_store(url)


def open_centre(url: str, *, pool_size: int = 10) -> Engine:
    """Open (create and migrate) the centre database and return the engine the centre uses."""
    is_sqlite = url.startswith("sqlite")
    if is_sqlite:
        _prepare_sqlite_file(url)
    try:
        shared = _open_shared(url)
        shared.dispose()
    except Exception as exc:  # noqa: BLE001 - one clear message for every way opening can fail
        raise DatabaseError(f"cannot open the centre database {_safe(url)}: {exc}") from exc
    engine = _engine(url, pool_size=pool_size)
    try:
        migrate_centre(engine)
    except Exception as exc:  # noqa: BLE001
        engine.dispose()
        raise DatabaseError(f"cannot migrate the centre tables in {_safe(url)}: {exc}") from exc
    return engine


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _engine(url: str, *, pool_size: int) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):  # pragma: no cover - exercised through every sqlite test
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:  # pragma: no cover
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        engine.info_writer_lock = threading.RLock()  # type: ignore[attr-defined]
        return engine
    # the process in pg_stat_activity: which worker a waiting or idle-in-transaction backend belongs to
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False,
                         connect_args={"application_name": f"onewindow-centre-{os.getpid()}"})


def migrate_centre(engine: Engine) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextlib.contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One centre transaction: commit on success, roll back on any exception (never a partial write).
    An error of the commit itself raises CommitUnknown: from the moment COMMIT is sent, the outcome is the
    database's to tell, not ours."""
    with getattr(engine, "info_writer_lock", None) or contextlib.nullcontext(), engine.connect() as conn:
        trans = conn.begin()
        yield conn  # an exception propagates from here: closing the connection rolls the transaction back
        try:
            trans.commit()
        except Exception as exc:
            raise CommitUnknown(f"the commit failed: {exc}") from exc


def _key(value: str) -> int:
    """A stable signed 32-bit key for an advisory lock."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=4).digest(), "big", signed=True)


def lock_person(conn: Connection, person_no: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": LOCK_PERSON, "k": _key(person_no)})


def lock_trace_codes(conn: Connection, codes) -> None:
    if conn.dialect.name == "postgresql":
        for k in sorted({_key(c) for c in codes}):
            conn.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": LOCK_TRACE, "k": k})


def settlement_lock_params(person_no: str, codes) -> dict[str, list[int]]:
    """The advisory keys of a settlement for server.fastsql's `lock_settlement`: the person, then its box
    codes in key order (the statement sorts them again, so the order is the database's, not ours)."""
    keys = [(LOCK_PERSON, _key(person_no))] + [(LOCK_TRACE, k) for k in sorted({_key(c) for c in codes})]
    return {"c": [c for c, _ in keys], "k": [k for _, k in keys]}


def lock_settlement(conn: Connection, person_no: str, codes) -> None:
    """Person, then its box codes in key order, in ONE round trip (the sorted subquery fixes the order)."""
    if conn.dialect.name != "postgresql":
        return
    from server import fastsql

    fastsql.fetch(conn, "lock_settlement", settlement_lock_params(person_no, codes))


def lock_journal(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_JOURNAL}, 0)")


def lock_key(conn: Connection, cls: int, value: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": cls, "k": _key(value)})
