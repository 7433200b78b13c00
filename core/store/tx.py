"""`atomic(session)`: one unit of work that either all lands or leaves the database as it was."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, SessionTransactionOrigin


def claim_write_lock(session: Session) -> None:
    """On SQLite, make the session's transaction, which must not have started yet, begin with BEGIN IMMEDIATE.

    A deferred transaction that reads first and writes later fails with "database is locked" when another
    connection committed in between (WAL snapshot); taking the write lock up front makes it wait instead
    (busy timeout). No-op on other databases.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


@contextmanager
def atomic(session: Session) -> Iterator[Session]:
    """Run the block in one transaction; on an exception everything done inside is rolled back.

    - No transaction yet: begin one (BEGIN IMMEDIATE on SQLite) and commit it at the end.
    - A transaction the session began by itself (autobegin, e.g. after a read): the block runs in a SAVEPOINT
      and the transaction is committed at the end (so a lookup before a write does not silently turn the
      write into a savepoint that nobody commits). A failure rolls back the savepoint only.
    - A transaction the caller began explicitly (``session.begin()``) or a savepoint: the block runs in a
      SAVEPOINT inside it and the caller commits.
    """
    root = session.get_transaction()
    if root is None:
        with session.begin():
            claim_write_lock(session)
            yield session
        return
    commit = root.origin is SessionTransactionOrigin.AUTOBEGIN and session.get_nested_transaction() is None
    with session.begin_nested():
        yield session
    if commit:
        session.commit()


__all__ = ["atomic", "claim_write_lock"]
