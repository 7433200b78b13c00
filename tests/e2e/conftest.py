"""End-to-end tests use the centre's dual-database fixtures (tests/server/fixtures.py)."""
from tests.server.fixtures import _data_key, _templates, centre_db, centre_engine, client  # noqa: F401
