"""The centre's HistoryRepository: every institution's settlements, dispenses and sold codes.

The client's SqlHistory (core/store/history_sql.py) on the request's Connection, plus one source only the
centre has: sale uploads (3505) without a settlement join the code registry, so "sold anywhere before"
covers both.

On PostgreSQL a 2102 reads its history ahead (`Prefetch`), in the round trip of its nonce check and after its
locks (server.transactions.settlement), as one statement (fastsql `history_ahead`: the statements below in
one, at most with a wider date window, and the reversal of the settlements its dispenses and sales belong to). The audit then asks its questions as always; a question the
read-ahead covers is answered from those rows — filtered here to exactly what the question's statement
selects, in its order — and any other question goes to the database as before. tests/server/test_hot_path.py
checks that both give the same answers.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Connection, bindparam, select

from core.domain import TraceSale
from core.store.history_sql import _CHUNK, _DISPENSES, _SETTLEMENTS, _TRACE, SqlHistory
from server import fastsql
from server.models import trace_upload

_U = trace_upload.c
_UPLOADS = (select(_U.code, _U.sold_at, _U.units, _U.split, _U.fixmedins_code)
            .where(_U.code.in_(bindparam("codes", expanding=True)), _U.setl_id.is_(None), _U.returned_at.is_(None)))


# fastsql's history_ahead restates core.store.history_sql's three statements. Should those change, the read-ahead
# switches itself off (the audit then asks the database itself, as before) until history_ahead is brought in
# line and this fingerprint with it; tests/server/test_hot_path.py fails meanwhile.
_CORE_STATEMENTS = "134aa652cdedf377"
AHEAD_MATCHES_CORE = hashlib.sha256("\n".join((_SETTLEMENTS, _DISPENSES, _TRACE)).encode()).hexdigest()[:16] == _CORE_STATEMENTS


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


@dataclass
class Prefetch:
    """What a settlement will ask, read ahead: settlements of `person_no` dated [since, until], dispenses of
    `chain_keys`, sales and uploads of `codes`. Rows are filled in by `fill` from the pipeline's results."""

    person_no: str
    since: dt.date
    until: dt.date
    chain_keys: frozenset[str]
    codes: frozenset[str]
    settlements: list | None = None
    dispenses: list | None = None
    trace: list | None = None
    uploads: list | None = None
    reversed: dict | None = None  # settlement id -> reversed_on (YYYY-MM-DD or None) of those rows' settlements

    def steps(self) -> list[fastsql.Step]:
        """ONE statement for server.fastsql.pipeline: the four reads as JSON arrays of rows (fastsql
        `history_ahead`: SqlHistory's and uploads' statements, same columns, same order, values as text that
        SqlHistory's converters read back to the same dates, times and amounts)."""
        codes = sorted(self.codes) if len(self.codes) <= _CHUNK else []
        return [("history_ahead", {"p": self.person_no, "since": self.since, "until": self.until,
                                   "keys": sorted(self.chain_keys), "codes": codes}, True)]

    def fill(self, results: list) -> None:
        ((settlements, dispenses, trace, uploads, reversed_),) = results[0]
        self.settlements = settlements
        self.dispenses = dispenses if self.chain_keys else None
        covered = bool(self.codes) and len(self.codes) <= _CHUNK
        self.trace = trace if covered else None
        self.uploads = uploads if covered else None
        self.reversed = dict(reversed_)


class CentreHistory(SqlHistory):
    def __init__(self, conn: Connection, prefetched: Prefetch | None = None) -> None:
        super().__init__(conn)
        self.conn = conn
        self.pg = fastsql.is_pg(conn)
        self.lite = fastsql.is_lite(conn)
        self.prefetched = prefetched

    def _rows(self, template: str, first, listed=()) -> list[tuple]:
        pf = self.prefetched
        if pf is not None:
            if template == _SETTLEMENTS and pf.settlements is not None:
                person_no, since, until = first
                if person_no == pf.person_no and pf.since <= since and until <= pf.until:
                    return [r for r in pf.settlements if since <= _date(r[2]) <= until]  # r[2]: date
            elif template == _DISPENSES and pf.dispenses is not None:
                if first[0] == pf.person_no and set(listed) == pf.chain_keys:
                    return pf.dispenses
            elif template == _TRACE and pf.trace is not None:
                wanted = set(listed)
                if wanted <= pf.codes:
                    return [r for r in pf.trace if r[0] in wanted]  # r[0]: code
        if self.lite:
            # SqlHistory's qmark path (exec_driver_sql: no type processing either way) on the sqlite3 cursor itself
            args = tuple(a.isoformat() if isinstance(a, dt.date) else a for a in (*first, *listed))
            slots = ["?"] * len(first) + ([", ".join("?" * len(listed))] if listed else [])
            return fastsql.lite_sql(self.conn, template.format(*slots), args)
        return super()._rows(template, first, listed)

    def reversed_settlements(self, settlement_ids: Iterable[str]) -> dict[str, dt.date | None]:
        """From the read-ahead when it holds every id asked (then it has exactly the rows the statement would
        find), else from the database."""
        ids = list(dict.fromkeys(settlement_ids))
        known = self.prefetched.reversed if self.prefetched is not None else None
        if known is not None and all(i in known for i in ids):
            return {i: _date(known[i]) if known[i] is not None else None for i in ids}
        return super().reversed_settlements(ids)

    def trace_sales(self, codes: Iterable[str]) -> dict[str, list[TraceSale]]:
        out = super().trace_sales(codes)
        if not out:
            return out
        pf = self.prefetched
        if pf is not None and pf.uploads is not None and out.keys() <= pf.codes:
            rows = [r for r in pf.uploads if r[0] in out]
        else:
            params = {"codes": list(out)}
            rows = fastsql.fetch(self.conn, "uploads", params) if self.pg else self.conn.execute(_UPLOADS, params)
        for code, sold_at, units, split, fac in rows:
            out[code].append(TraceSale(code=code, date=_date(sold_at), units=units, split=bool(split),
                                       settlement_id=None, facility_code=fac))
        return out
