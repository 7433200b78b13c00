"""Fixtures shared by tests/sync and tests/e2e/test_sync_*.py (imported by name where used).

The centre always runs as a real process (`onewindow server`) on a copy of a seeded template database: the
shared vectors world plus synthetic persons (core.sync.synthetic). PostgreSQL templates are made with
CREATE DATABASE … TEMPLATE; when PostgreSQL is not reachable the postgres tests FAIL saying so.
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from tests.sync.helpers import PH1, CentreProcess, seed_centre, terminal_config

TEMPLATE_PERSONS = 1300
PG_TEMPLATE_PERSONS = 300
PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=5"


def pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def pg_admin():
    import psycopg

    try:
        return psycopg.connect(PG_DSN, autocommit=True)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL is required on 127.0.0.1:5432 (database test) for this sync test: {exc}", pytrace=False)


@dataclass
class Template:
    backend: str
    url: str
    secrets: dict[str, str]
    key: str
    path: Path | None = None
    name: str = ""


@dataclass
class Centre:
    """A running centre process and its database."""

    backend: str
    db_url: str
    secrets: dict[str, str]
    key: str
    process: CentreProcess

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def port(self) -> int:
        return self.process.port

    def settlements(self, code: str = PH1) -> dict[str, dict]:
        """settlement_id -> {person_no, fund, total, reversed_on} of one institution, read from the database."""
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text(
                    "SELECT settlement_id, person_no, fund, total, reversed_on FROM settlement WHERE facility_code = :c"),
                    {"c": code}).all()
        finally:
            engine.dispose()
        return {r[0]: {"person_no": r[1], "fund": r[2], "total": r[3], "reversed_on": r[4]} for r in rows}

    def live_settlements(self, code: str = PH1) -> dict[str, dict]:
        return {k: v for k, v in self.settlements(code).items() if v["reversed_on"] is None}

    def messages(self, code: str = PH1) -> dict[str, tuple[str, int]]:
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT msgid, infno, infcode FROM centre_message WHERE fixmedins_code = :c"),
                                    {"c": code}).all()
        finally:
            engine.dispose()
        return {r[0]: (r[1], r[2]) for r in rows}

    def live_trace_uploads(self, code: str = PH1) -> list[tuple[str, str]]:
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(
                    "SELECT code, msgid FROM centre_trace_upload WHERE fixmedins_code = :c AND returned_at IS NULL"),
                    {"c": code}).all()]
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def sync_key() -> str:
    from core.store.crypto import generate_secret

    return generate_secret()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, sync_key) -> Template:
    path = tmp_path_factory.mktemp("sync_centre_tpl") / "centre.sqlite3"
    url = f"sqlite:///{path}"
    return Template("sqlite", url, seed_centre(url, sync_key, TEMPLATE_PERSONS), sync_key, path=path)


_pg_made: list[str] = []
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_template(sync_key):
    name = f"ow_sync_tpl_{os.getpid()}"
    admin = pg_admin()
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    _pg_made.append(name)
    tpl = Template("postgres", pg_url(name), seed_centre(pg_url(name), sync_key, PG_TEMPLATE_PERSONS), sync_key,
                   name=name)
    yield tpl
    admin = pg_admin()
    try:
        for db in _pg_made:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    finally:
        admin.close()


def _copy_db(tpl: Template, tmp_path: Path) -> str:
    if tpl.backend == "sqlite":
        path = tmp_path / f"centre_{next(_counter)}.sqlite3"
        shutil.copyfile(tpl.path, path)
        return f"sqlite:///{path}"
    name = f"ow_sync_{os.getpid()}_{next(_counter)}"
    admin = pg_admin()
    try:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl.name}"')
    finally:
        admin.close()
    _pg_made.append(name)
    return pg_url(name)


def start_centre(tpl: Template, tmp_path: Path) -> Centre:
    db_url = _copy_db(tpl, tmp_path)
    proc = CentreProcess(db_url, tpl.key, log_path=tmp_path / f"centre_{next(_counter)}.log").start()
    return Centre(tpl.backend, db_url, dict(tpl.secrets), tpl.key, proc)


@pytest.fixture
def centre(sqlite_template, tmp_path):
    """A fresh centre process (SQLite) for one test."""
    c = start_centre(sqlite_template, tmp_path)
    yield c
    c.process.close()


@pytest.fixture(scope="module")
def shared_centre(sqlite_template, tmp_path_factory):
    """One centre process for a whole module (tests use different persons)."""
    c = start_centre(sqlite_template, tmp_path_factory.mktemp("shared_centre"))
    yield c
    c.process.close()


_person_counter = itertools.count(100)
_terminal_no = itertools.count(1)


def new_persons(n: int) -> list[int]:
    """Synthetic person indexes nobody else in this session uses (within the template's range)."""
    out = [next(_person_counter) for _ in range(n)]
    if out[-1] >= TEMPLATE_PERSONS:
        pytest.fail("the sync tests used more synthetic persons than the centre template holds", pytrace=False)
    return out


@pytest.fixture
def make_terminal(tmp_path, sync_key):
    """make_terminal(centre_or_url, secret, **config_sections) -> started Terminal (recovery done, no thread)."""
    from core.store.crypto import DataCipher
    from core.sync.terminal import Terminal

    made = []

    def make(url: str, secret: str, *, name: str = "term", start: bool = True, clock=None, terminal_no=None,
             **sections):
        # Terminals of one institution must have different numbers (the msgid digit); the tests share centres.
        cfg = terminal_config(secret, url, terminal_no=next(_terminal_no) % 10 if terminal_no is None else terminal_no,
                              **sections)
        t = Terminal.open(cfg, f"sqlite:///{tmp_path / (name + '.db')}", cipher=DataCipher.from_secret(sync_key),
                          clock=clock)
        made.append(t)
        if start:
            t.start(background=False, resolve_timeout_s=5)
        return t

    yield make
    for t in made:
        t.close()
        t.engine.dispose()


def cache_persons(t, indexes: list[int], *, refreshed_at: dt.datetime | None = None) -> None:
    """Put synthetic persons in the terminal's cache as if identified online (fresh registrations)."""
    from core.store.persons import upsert_person
    from core.sync.models import SyncPersonFresh
    from core.sync.synthetic import synthetic_persons

    when = refreshed_at or t.utcnow()
    with t.write() as s, s.begin():
        for i in indexes:
            p = synthetic_persons(1, start=i)[0]
            upsert_person(s, p, cipher=t.cipher)
            row = s.get(SyncPersonFresh, p.person_no)
            if row is None:
                s.add(SyncPersonFresh(person_no=p.person_no, refreshed_at=when, insuplc_admdvs="420700"))
            else:
                row.refreshed_at = when


def load_catalogue(t) -> None:
    """The catalogue straight from the shared world (for tests that start without a reachable centre)."""
    from core.services.world import load_world
    from core.store.catalogue import upsert_drugs
    from tests.sync.helpers import VECTORS

    with t.write() as s, s.begin():
        upsert_drugs(s, load_world(VECTORS).catalogue.values())


def local_sales(t) -> dict[str, dict]:
    from core.sync.models import SyncSale

    with t.read() as s:
        return {r.sale_id: {"state": r.state, "msgid": r.msgid, "person_no": r.person_no, "offline": r.offline,
                            "fund": r.fund, "centre_fund": r.centre_fund}
                for r in s.scalars(select(SyncSale))}


def local_settlement_rows(t) -> dict[str, dict]:
    from core.store.models import SettlementRow

    with t.read() as s:
        return {r.settlement_id: {"status": r.status, "reversed_on": r.reversed_on, "fund": r.fund,
                                  "person_no": r.person_no}
                for r in s.scalars(select(SettlementRow))}


__all__ = [
    "Centre", "cache_persons", "centre", "load_catalogue", "local_sales", "local_settlement_rows", "make_terminal",
    "new_persons", "pg_template", "shared_centre", "sqlite_template", "start_centre", "sync_key",
]


@pytest.fixture
def held_port():
    """A port bound for this test only (tests.sync.helpers.HeldPort): refused until a fake centre listens."""
    from tests.sync.helpers import HeldPort

    port = HeldPort()
    yield port
    port.close()
