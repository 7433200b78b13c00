"""Opening a store: migrations from empty on SQLite and PostgreSQL, SQLite pragmas, version guard."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from core.store.db import VERSION_TABLE, current_revision, head_revision, journal_mode, open_store, upgrade_store
from core.store.errors import SchemaVersionError
from core.store.models import metadata
from core.store.paths import sqlite_url
from tests.core.store._data import STORE_TABLES


def _own_object(obj, name, kind, _reflected, _compare_to) -> bool:  # noqa: ANN001
    table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in STORE_TABLES


def _schema_diff(engine) -> list:  # noqa: ANN001
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            # the store's own tables (other layers add theirs to the same metadata and migration chain)
            opts={"compare_type": True,
                  "include_name": lambda name, kind, _p: kind != "table" or name in STORE_TABLES,
                  "include_object": _own_object},
        )
        return compare_metadata(ctx, metadata)


def test_sqlite_migration_from_empty_matches_the_models(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "store.db"  # parent folders are created
    engine = open_store(sqlite_url(path))
    try:
        assert current_revision(engine) == head_revision()
        assert set(STORE_TABLES) <= set(inspect(engine).get_table_names())
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_migration_from_empty_matches_the_models(pg_databases) -> None:  # noqa: ANN001
    url = pg_databases.create("_migrate")
    engine = open_store(url)
    try:
        assert current_revision(engine) == head_revision()
        names = set(inspect(engine).get_table_names())
        assert set(STORE_TABLES) <= names and VERSION_TABLE in names
        assert _schema_diff(engine) == []
        # money is NUMERIC(12, 2), surrogate keys BIGINT at the centre
        cols = {c["name"]: c for c in inspect(engine).get_columns("settlement")}
        assert (cols["total"]["type"].precision, cols["total"]["type"].scale) == (12, 2)
        ids = {c["name"]: c for c in inspect(engine).get_columns("trace_sale")}
        assert "BIGINT" in str(ids["id"]["type"]).upper()
        # opening again is a no-op
        open_store(url).dispose()
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_sqlite_pragmas_on_every_connection(sqlite_engine) -> None:  # noqa: ANN001
    assert journal_mode(sqlite_engine) == "wal"
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # a fresh pooled connection gets them too
    sqlite_engine.dispose()
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_sqlite_ddl_and_reads_are_transactional(sqlite_engine) -> None:  # noqa: ANN001
    with sqlite_engine.connect() as conn:
        with conn.begin() as tx:
            conn.exec_driver_sql("CREATE TABLE scratch (x INTEGER)")
            tx.rollback()
        assert "scratch" not in inspect(conn).get_table_names()


def test_in_memory_store(tmp_path: Path) -> None:
    engine = open_store("sqlite://")
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM drug")).scalar_one() == 0
    finally:
        engine.dispose()


def test_a_schema_from_a_newer_program_is_refused(sqlite_engine) -> None:  # noqa: ANN001
    with sqlite_engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(SchemaVersionError, match="newer"):
        upgrade_store(sqlite_engine)
    url = sqlite_engine.url
    with pytest.raises(SchemaVersionError) as info:
        open_store(url)
    assert "升级" in info.value.message_zh


@pytest.mark.parametrize("round_", range(8))  # a race: one round met "database is locked" about one time in eight
def test_concurrent_first_open_migrates_once(tmp_path: Path, round_: int) -> None:
    """Three desks open a new store at once: one migrates, none fails (switching a new file to WAL answered
    "database is locked" at once, without the busy handler, until it was retried)."""
    url = sqlite_url(tmp_path / "race.db")
    errors: list[BaseException] = []
    engines = []

    def opener() -> None:
        try:
            engines.append(open_store(url))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert current_revision(engines[0]) == head_revision()
    finally:
        for e in engines:
            e.dispose()
