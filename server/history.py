"""The centre's HistoryRepository: every institution's settlements, dispenses and sold codes.

Same queries and answers as core.store.history_sql.SqlHistory (the client's), issued as Core statements on
the request's Connection rather than through an ORM Session: on the settlement hot path the ORM layer cost
more CPU than the audit itself. Sale uploads (3505) without a settlement are added to the code registry,
so "sold anywhere before" covers both.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import Connection, bindparam, select

from core.domain import DispenseRecord, Scheme, SettlementRecord, TraceSale
from core.store.models import DispenseRow, SettlementRow, TraceSaleRow
from server import fastsql
from server.models import trace_upload

S = SettlementRow.__table__.c
D = DispenseRow.__table__.c
T = TraceSaleRow.__table__.c
_SCHEMES = {s.value: s for s in Scheme}


_SETTLEMENTS = (
    select(S.settlement_id, S.person_no, S.date, S.facility_code, S.scheme, S.fund, S.deductible_applied,
           S.expense_counted, S.time, S.reversed_on, S.city)
    .where(S.person_no == bindparam("p"), S.date >= bindparam("since"), S.date <= bindparam("until"))
    .order_by(S.date, S.time.nulls_first(), S.settlement_id)
)
_DISPENSES = (
    select(D.person_no, D.date, D.facility_code, D.chain_key, D.days, D.settlement_id, D.time, D.drug_key)
    .where(D.person_no == bindparam("p"), D.chain_key.in_(bindparam("keys", expanding=True)))
    .order_by(D.date, D.time.nulls_first(), D.id)
)
_REVERSED = select(S.settlement_id, S.reversed_on).where(S.settlement_id.in_(bindparam("ids", expanding=True)))
_TRACE = (select(T.code, T.date, T.units, T.split, T.settlement_id, T.facility_code)
          .where(T.code.in_(bindparam("codes", expanding=True))).order_by(T.id))
_U = trace_upload.c
_UPLOADS = (select(_U.code, _U.sold_at, _U.units, _U.split, _U.fixmedins_code)
            .where(_U.code.in_(bindparam("codes", expanding=True)), _U.setl_id.is_(None), _U.returned_at.is_(None)))


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


class CentreHistory:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = fastsql.is_pg(conn)

    def settlements(self, person_no: str, since: dt.date, until: dt.date) -> list[SettlementRecord]:
        params = {"p": person_no, "since": since, "until": until}
        rows = (fastsql.fetch(self.conn, "settlements", params) if self.pg
                else self.conn.execute(_SETTLEMENTS, params))
        return [
            SettlementRecord(settlement_id=sid, person_no=pno, date=date, facility_code=fac, scheme=_SCHEMES[scheme],
                             fund=fund, deductible_applied=ded, expense_counted=exp, time=time, reversed_on=rev,
                             city=city or "")
            for sid, pno, date, fac, scheme, fund, ded, exp, time, rev, city in rows
        ]

    def dispenses(self, person_no: str, chain_keys: Iterable[str]) -> list[DispenseRecord]:
        keys = list(dict.fromkeys(chain_keys))
        if not keys:
            return []
        params = {"p": person_no, "keys": keys}
        rows = fastsql.fetch(self.conn, "dispenses", params) if self.pg else self.conn.execute(_DISPENSES, params)
        return [
            DispenseRecord(person_no=pno, date=date, facility_code=fac, chain_key=chain, days=days, settlement_id=sid,
                           time=time, drug_key=drug or "")
            for pno, date, fac, chain, days, sid, time, drug in rows
        ]

    def reversed_settlements(self, settlement_ids: Iterable[str]) -> dict[str, dt.date | None]:
        ids = list(dict.fromkeys(settlement_ids))
        if not ids:
            return {}
        params = {"ids": ids}
        rows = fastsql.fetch(self.conn, "reversed", params) if self.pg else self.conn.execute(_REVERSED, params)
        return {sid: rev for sid, rev in rows}

    def trace_sales(self, codes: Iterable[str]) -> dict[str, list[TraceSale]]:
        wanted = list(dict.fromkeys(codes))
        out: dict[str, list[TraceSale]] = {c: [] for c in wanted}
        if not wanted:
            return out
        params = {"codes": wanted}
        rows = fastsql.fetch(self.conn, "trace", params) if self.pg else self.conn.execute(_TRACE, params)
        for code, date, units, split, sid, fac in rows:
            out[code].append(TraceSale(code=code, date=date, units=units, split=bool(split), settlement_id=sid,
                                       facility_code=fac or ""))
        rows = fastsql.fetch(self.conn, "uploads", params) if self.pg else self.conn.execute(_UPLOADS, params)
        for code, sold_at, units, split, fac in rows:
            out[code].append(TraceSale(code=code, date=_date(sold_at), units=units, split=bool(split),
                                       settlement_id=None, facility_code=fac))
        return out
