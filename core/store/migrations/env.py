"""Alembic environment of the store.

open_store passes an open connection (already inside a transaction holding the upgrade lock) in
``config.attributes["connection"]``; the developer command line (alembic.ini) gets an engine from the URL.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from core.store.models import metadata

VERSION_TABLE = "store_schema_version"

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # core.store.db emits BEGIN itself on SQLite, so DDL there is transactional too.
        transactional_ddl=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported for the store")
run_migrations_online()
