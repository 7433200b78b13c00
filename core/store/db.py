"""Open a store (SQLite file on a terminal, PostgreSQL at the centre) and bring its schema up to date.

    engine = open_store("sqlite:////path/onewindow.db")          # or postgresql+psycopg://…
    Session = session_factory(engine)
    with Session() as session: …

SQLite connections get, on every connect: journal_mode=WAL, synchronous=FULL (a settlement is durable before it
is sent), foreign_keys=ON, a 30 s busy timeout, and real transactions (SQLAlchemy emits BEGIN itself, so DDL,
SELECT and SAVEPOINT all take part in the transaction; pysqlite's legacy mode does not do that).

The schema is migrated with the Alembic scripts in core/store/migrations (version table
``store_schema_version``, so a server with its own Alembic history can share the database). Migration runs
under a lock: BEGIN IMMEDIATE on SQLite, a transaction-scoped advisory lock on PostgreSQL, so several
processes opening the same store at once migrate it once.
"""
from __future__ import annotations


import logging
import os
import sqlite3
import time
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from core.store.errors import SchemaVersionError

log = logging.getLogger("onewindow.store")

VERSION_TABLE = "store_schema_version"
_PG_MIGRATION_LOCK = 0x4F57_5354  # "OWST": pg_advisory_xact_lock key held while migrating
SQLITE_BUSY_TIMEOUT_S = 30.0


def migrations_dir() -> Path:
    """The Alembic script folder inside the installed package (a real folder: alembic reads .py files)."""
    return Path(str(resources.files("core.store") / "migrations"))


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _is_memory(url: URL) -> bool:
    db = url.database or ""
    return db in ("", ":memory:") or "mode=memory" in db


def open_store(url: str | URL, *, upgrade: bool = True, **engine_kwargs) -> Engine:
    """Create an engine for `url` and (by default) create or upgrade the schema to the newest revision.

    `engine_kwargs` go to sqlalchemy.create_engine (pool sizes, echo …). Raises SchemaVersionError when the
    database was written by a newer program or a migration fails.
    """
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        connect_args = dict(engine_kwargs.pop("connect_args", {}))
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
        if _is_memory(url):
            connect_args.setdefault("check_same_thread", False)
            engine_kwargs.setdefault("poolclass", StaticPool)
        elif url.database and not url.database.startswith("file:"):
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            create_private(Path(url.database).expanduser())
        engine = create_engine(url, connect_args=connect_args, **engine_kwargs)
        install_sqlite_hooks(engine, memory=_is_memory(url))
    else:
        engine_kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **engine_kwargs)
    if upgrade:
        try:
            upgrade_store(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine


def create_private(path: Path) -> None:
    """Create a database file readable by its owner only (0600) before SQLite does (SQLite gives its -wal and
    -shm files the same mode); an existing file keeps its mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _enter_wal(cursor) -> str:  # noqa: ANN001 (DBAPI cursor)
    """PRAGMA journal_mode=WAL, retried while another connection holds the file: switching a new file to WAL
    answers "database is locked" at once, without SQLite's busy handler (three desks opening a new store
    together failed so, now and then); bounded by the same busy timeout as every other wait."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            return cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def install_sqlite_hooks(engine: Engine, *, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 (DBAPI types)
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _on_begin)
        cursor = dbapi_connection.cursor()
        try:
            mode = _enter_wal(cursor)
            if mode != "wal" and not memory:
                log.warning("SQLite refused WAL mode (journal_mode=%s); is the store on a network drive?", mode)
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        # execution_options(sqlite_begin="IMMEDIATE") takes the write lock at once (migrations, single writer).
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # the caller asked for no transaction
        mode = options.get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def upgrade_store(engine: Engine, revision: str = "head") -> None:
    """Run the store migrations up to `revision` in one locked transaction."""
    cfg = alembic_config()
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            current = _current(conn)
            known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
            if current is not None and current not in known:
                raise SchemaVersionError(
                    f"the store schema is at revision {current}, which this program does not know "
                    "(written by a newer OneWindow?): upgrade the program",
                    f"数据库版本 {current} 比本程序新，请升级一窗通",
                )
            cfg.attributes["connection"] = conn
            try:
                command.upgrade(cfg, revision)
            except CommandError as exc:
                raise SchemaVersionError(f"store migration failed: {exc}", f"数据库升级失败：{exc}") from exc
    log.debug("store at revision %s", revision)


def _current(conn) -> str | None:  # noqa: ANN001
    return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the store, None when it was never migrated."""
    with engine.connect() as conn:
        return _current(conn)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the store. Objects stay readable after commit (expire_on_commit=False)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def journal_mode(engine: Engine) -> str:
    """SQLite journal mode of a connection ("wal" expected); "" on other databases."""
    if not is_sqlite(engine):
        return ""
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())


__all__ = [
    "VERSION_TABLE", "alembic_config", "current_revision", "head_revision", "is_sqlite", "journal_mode",
    "migrations_dir", "open_store", "session_factory", "upgrade_store",
]
