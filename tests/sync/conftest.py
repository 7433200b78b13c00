"""tests/sync: the sync layer (core/sync) and the checkout/shift services on top of it."""
from tests.sync.fixtures import (  # noqa: F401 - fixtures are found by name
    centre,
    held_port,
    make_terminal,
    pg_template,
    shared_centre,
    sqlite_template,
    sync_key,
)
