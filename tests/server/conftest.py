"""The centre's fixtures (tests/server/fixtures.py): every test here runs on SQLite and PostgreSQL."""
from tests.server.fixtures import _data_key, _templates, centre_db, centre_engine, client  # noqa: F401
