"""What a transaction handler sees: the connection of its one transaction, the envelope, the clock."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from server import fastsql, journal
from server.envelope import RequestEnvelope

if TYPE_CHECKING:
    from server.centre import Centre


class Ctx:
    def __init__(self, centre: "Centre", conn: Connection, env: RequestEnvelope, now: dt.datetime) -> None:
        self.centre = centre
        self.conn = conn
        self.env = env
        self.now = now
        self.code = env.fixmedins_code
        self.warnings: list[str] = []
        self.pending_journal: list[tuple[str, dict[str, Any]]] = []
        self._session: Session | None = None
        # PostgreSQL: writes a handler leaves for the pipelined commit (`defer`); they run, in order, in the same
        # round trip as the stored answer, the journal and COMMIT.
        self.pg = fastsql.is_pg(conn)
        self.deferred: list[fastsql.Step] = []
        self.ahead: Any = None  # what the transaction's `ahead` statements read (server.transactions.Tx.ahead)
        self.balances: tuple[str, dict] | None = None  # (person_no, {insutype: balance}) read ahead (2101/2102)

    @property
    def session(self) -> Session:
        """An ORM session on the same connection and transaction (core.store's helpers take one)."""
        if self._session is None:
            self._session = Session(bind=self.conn, autoflush=True, expire_on_commit=False)
        return self._session

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def now_text(self) -> str:
        return self.now.strftime("%Y-%m-%d %H:%M:%S")

    def journal(self, kind: str, payload: dict[str, Any]) -> None:
        """Note a journal entry for a state change. The pipeline appends the notes as the last statements
        of the transaction (the journal lock is then held only for the commit)."""
        self.pending_journal.append((kind, payload))

    def defer(self, name: str, params: dict[str, Any] | list[dict[str, Any]]) -> None:
        """PostgreSQL only: run fastsql statement `name` with the commit (nothing in this transaction reads it
        back before then). Refusals raised later roll it back with everything else."""
        self.deferred.append((name, params, False))

    def commit_pg(self, answer: dict[str, Any]) -> None:
        """PostgreSQL: deferred writes, the stored answer (a plain INSERT: a concurrent answer for the same msgid
        makes it fail, and the whole transaction with it), the journal under its lock, and COMMIT — one round
        trip, so the journal lock is held only while the database appends and commits."""
        at = self.now.isoformat(timespec="microseconds")
        steps = [fastsql.compose([*self.deferred, ("message_insert", answer, False)]),
                 *journal.pipeline_steps(self.pending_journal, at=at, code=self.code, msgid=self.env.msgid)]
        fastsql.pipeline(self.conn, steps, commit=True)
        self.deferred.clear()
        self.pending_journal.clear()

    def write_journal(self) -> None:
        at = self.now.isoformat(timespec="microseconds")
        for kind, payload in self.pending_journal:
            journal.append(self.conn, kind, payload, at=at, code=self.code, msgid=self.env.msgid)
        self.pending_journal.clear()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
