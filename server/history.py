"""The centre's HistoryRepository: every institution's settlements, dispenses and sold codes.

The client's SqlHistory (core/store/history_sql.py) on the request's Connection, plus one source only the
centre has: sale uploads (3505) without a settlement join the code registry, so "sold anywhere before"
covers both.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import Connection, bindparam, select

from core.domain import TraceSale
from core.store.history_sql import SqlHistory
from server import fastsql
from server.models import trace_upload

_U = trace_upload.c
_UPLOADS = (select(_U.code, _U.sold_at, _U.units, _U.split, _U.fixmedins_code)
            .where(_U.code.in_(bindparam("codes", expanding=True)), _U.setl_id.is_(None), _U.returned_at.is_(None)))


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


class CentreHistory(SqlHistory):
    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self.conn = conn
        self.pg = fastsql.is_pg(conn)

    def trace_sales(self, codes: Iterable[str]) -> dict[str, list[TraceSale]]:
        out = super().trace_sales(codes)
        if not out:
            return out
        params = {"codes": list(out)}
        rows = fastsql.fetch(self.conn, "uploads", params) if self.pg else self.conn.execute(_UPLOADS, params)
        for code, sold_at, units, split, fac in rows:
            out[code].append(TraceSale(code=code, date=_date(sold_at), units=units, split=bool(split),
                                       settlement_id=None, facility_code=fac))
        return out
