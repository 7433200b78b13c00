"""Centre fixtures (imported by tests/server and tests/e2e conftest): every centre test runs on SQLite AND PostgreSQL.

A seeded template database is built once per session and backend (migrations + `seed` of the public world);
each test gets its own copy (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so tests
never see each other's settlements. PostgreSQL must be reachable on 127.0.0.1:5432 (database `test`, trust
auth): when it is not, the postgres half FAILS with a message saying so — it is never skipped.
"""
from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.server.helpers import Client, pg_admin, pg_url

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_counter = itertools.count(1)


@dataclass
class Template:
    backend: str
    url: str
    secrets: dict[str, str]
    name: str = ""
    path: Path | None = None


@dataclass
class CentreDB:
    backend: str
    url: str
    secrets: dict[str, str]
    extra: dict = field(default_factory=dict)


def sqlite_centre_copy(template: Template, tmp_path: Path):
    """A fresh copy of the seeded SQLite template in tmp_path, opened as a centre engine (the caller disposes)."""
    from server.db import open_centre

    path = tmp_path / "centre.sqlite3"
    shutil.copyfile(template.path, path)
    return open_centre(f"sqlite:///{path}")


_SESSION_KEY: dict[str, str] = {}  # the one key and home of this test session, whichever module asks first


@pytest.fixture(scope="session", autouse=True)
def _data_key(tmp_path_factory):
    """One data key for seed and centre (ID numbers and sealed secrets are encrypted with it).

    Test modules that import this fixture by name get their own session-scoped copy of it, which pytest runs
    again; every copy must set the same key, or templates seeded under the first could no longer be read."""
    from core.store.crypto import KEY_ENV, generate_secret

    old_key, old_home = os.environ.get(KEY_ENV), os.environ.get("ONEWINDOW_HOME")
    if not _SESSION_KEY:
        _SESSION_KEY.update(key=generate_secret(), home=str(tmp_path_factory.mktemp("owhome")))
    os.environ[KEY_ENV] = _SESSION_KEY["key"]
    os.environ["ONEWINDOW_HOME"] = _SESSION_KEY["home"]
    from server import people

    people.cipher.cache_clear()
    yield
    for k, v in ((KEY_ENV, old_key), ("ONEWINDOW_HOME", old_home)):
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    people.cipher.cache_clear()


def _seed(url: str, vectors_path: Path) -> dict[str, str]:
    from core.services.world import load_world
    from server.db import open_centre
    from server.seed import DEMO_INSTITUTIONS, seed_institutions, seed_world

    engine = open_centre(url)
    try:
        report = seed_world(engine, load_world(vectors_path))
        report = seed_institutions(engine, json.loads(DEMO_INSTITUTIONS.read_text(encoding="utf-8")), report=report)
    finally:
        engine.dispose()
    return report.secrets


_MADE: dict[str, Template] = {}  # the session's templates, whichever copy of the fixture built them


@pytest.fixture(scope="session")
def _templates(tmp_path_factory, vectors_path, _data_key):
    """Like _data_key, this fixture runs once per conftest importing it; the copies share one template per
    backend. (Each copy seeding its own under the same database name dropped the other's and re-seeded it with
    new secrets: a test of the first copy, run after one of the second, then signed with stale secrets.)"""
    made = _MADE
    created_pg: list[str] = []

    def get(backend: str) -> Template:
        if backend in made:
            return made[backend]
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("centre_tpl") / "template.sqlite3"
            url = f"sqlite:///{path}"
            made[backend] = Template(backend, url, _seed(url, vectors_path), path=path)
        else:
            name = f"onewindow_centre_test_{os.getpid()}_tpl"
            with pg_admin() as admin:
                _drop_stale(admin)
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
            created_pg.append(name)
            url = pg_url(name)
            made[backend] = Template(backend, url, _seed(url, vectors_path), name=name)
        return made[backend]

    get.created_pg = created_pg  # type: ignore[attr-defined]
    yield get
    if created_pg:
        with pg_admin() as admin:
            for name in created_pg:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        made.pop("postgres", None)


def _drop_stale(admin) -> None:
    """Databases left by an interrupted run whose process is gone."""
    rows = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'onewindow_centre_test_%'").fetchall()
    for (name,) in rows:
        pid = name.split("_")[3]
        if pid.isdigit() and int(pid) != os.getpid() and not os.path.exists(f"/proc/{pid}"):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def centre_db(request, _templates, tmp_path) -> CentreDB:
    """A fresh, seeded centre database on the parametrised backend."""
    backend = request.param
    tpl = _templates(backend)
    if backend == "sqlite":
        path = tmp_path / "centre.sqlite3"
        shutil.copyfile(tpl.path, path)
        yield CentreDB(backend, f"sqlite:///{path}", dict(tpl.secrets))
        return
    name = f"onewindow_centre_test_{os.getpid()}_{next(_counter)}"
    with pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl.name}"')
    _templates.created_pg.append(name)
    yield CentreDB(backend, pg_url(name), dict(tpl.secrets))
    with pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _templates.created_pg.remove(name)


@pytest.fixture
def centre_engine(centre_db):
    from server.db import open_centre

    engine = open_centre(centre_db.url)
    yield engine
    engine.dispose()


@pytest.fixture
def client(centre_db, centre_engine) -> Client:
    """A signed platform client on an in-process centre (Starlette TestClient)."""
    from fastapi.testclient import TestClient

    from server.app import create_app

    app = create_app(engine=centre_engine)
    with TestClient(app) as http:
        yield Client(http, centre_db.secrets, app=app)
