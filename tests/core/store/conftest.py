"""Fixtures for the store tests: a migrated SQLite file per test, and a throwaway PostgreSQL database.

PostgreSQL: tests marked `postgres` use a database `onewindow_store_test_<pid>` created through the `test`
database on 127.0.0.1:5432 (override with $ONEWINDOW_TEST_PG_URL) and dropped at the end, so they never touch
the centre's tables. When the server is not reachable those tests FAIL with a message saying so.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from core.store.crypto import KEY_ENV, DataCipher, generate_secret
from core.store.db import open_store
from core.settings.paths import HOME_ENV
from core.store.paths import sqlite_url
from tests.core.store._data import STORE_TABLES

PG_ADMIN_URL = os.environ.get("ONEWINDOW_TEST_PG_URL", "postgresql+psycopg://@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may read or write the real application data folder or key."""
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.delenv(KEY_ENV, raising=False)
    return home


@pytest.fixture
def cipher() -> DataCipher:
    return DataCipher.from_secret(generate_secret())


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store-template") / "template.db"
    engine = open_store(sqlite_url(path))
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite store file of its own (a copy of a template migrated once per session)."""
    path = tmp_path / "store.db"
    shutil.copyfile(_sqlite_template, path)
    engine = open_store(sqlite_url(path), upgrade=False)
    yield engine
    engine.dispose()


def pg_admin_connect(url: URL):  # noqa: ANN201
    import psycopg

    try:
        return psycopg.connect(
            host=url.host or "127.0.0.1", port=url.port or 5432, dbname=url.database or "test",
            user=url.username, password=url.password, autocommit=True, connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {url.render_as_string(hide_password=True)} ({exc}). "
            "These tests need it: start PostgreSQL with a database 'test' (trust auth), set "
            "ONEWINDOW_TEST_PG_URL, or deselect them with -m 'not postgres'.",
            pytrace=False,
        )


class PgDatabases:
    """Creates throwaway databases next to `test` and drops them at the end of the session."""

    def __init__(self) -> None:
        self.admin_url = make_url(PG_ADMIN_URL)
        self._conn = None
        self._created: list[str] = []

    def create(self, suffix: str = "") -> URL:
        if self._conn is None:
            self._conn = pg_admin_connect(self.admin_url)
        name = f"onewindow_store_test_{os.getpid()}{suffix}"
        self._conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._conn.execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return self.admin_url.set(database=name)

    def drop_all(self) -> None:
        if self._conn is None:
            return
        for name in self._created:
            self._conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._conn.close()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    dbs = PgDatabases()
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def _pg_session_engine(pg_databases: PgDatabases) -> Iterator[Engine]:
    engine = open_store(pg_databases.create())
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(_pg_session_engine: Engine) -> Iterator[Engine]:
    """The session's migrated PostgreSQL store, emptied after each test."""
    yield _pg_session_engine
    with _pg_session_engine.begin() as conn:
        for table in STORE_TABLES:  # children first; DELETE is quicker than TRUNCATE on tiny tables
            conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each test using it runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
