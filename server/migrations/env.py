"""Alembic environment of the centre-only tables (version table `alembic_version_centre`).

Run by server.db.migrate_centre(engine) after core.store's own migrations; the connection is passed in
through `config.attributes["connection"]`.
"""
from __future__ import annotations

from alembic import context

from server.models import metadata

VERSION_TABLE = "alembic_version_centre"


def _include(obj, name, type_, reflected, compare_to):  # only our tables, never the shared ones
    if type_ == "table":
        return name.startswith("centre_")
    return True


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("the centre migrations run through server.db.migrate_centre(engine)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        include_object=_include,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
