"""Writing a settlement on the centre's hot path: core.store.writer's validation (the same NewSettlement,
the same checks), then the INSERTs — settlement, dispenses, sold codes — on the request's connection inside
the caller's locked transaction. The ORM unit of work cost several times the audit on this path.
On PostgreSQL the rows of each table go in one statement over arrays, and the caller may `defer` them to its
pipelined commit (server.context.Ctx.defer). Reversal stays with core.store.writer.reverse_settlement (rare
path)."""
from __future__ import annotations

from sqlalchemy import Connection, insert

from core.store.models import DispenseRow, SettlementRow, TraceSaleRow
from core.store.writer import NewSettlement, _prepare
from server import fastsql

_S, _D, _T = SettlementRow.__table__, DispenseRow.__table__, TraceSaleRow.__table__
_INS_S, _INS_D, _INS_T = insert(_S), insert(_D), insert(_T)


def record(conn: Connection, s: NewSettlement, *, created_at, defer=None) -> None:
    """`defer(name, params)` (PostgreSQL): leave the statements to the caller instead of running them now."""
    values = _prepare(s)  # raises InvalidRecordError (a StoreError) on bad input, before any write
    row = {**values, "city": s.city or "", "reversed_on": None, "created_at": created_at}
    if not fastsql.is_pg(conn):
        conn.execute(_INS_S, row)
        if s.dispenses:
            conn.execute(_INS_D, [
                {"person_no": s.person_no, "settlement_id": s.settlement_id, "date": s.date, "time": s.time,
                 "facility_code": s.facility_code, "drug_key": d.drug_key, "chain_key": d.chain_key, "days": d.days}
                for d in s.dispenses
            ])
        if s.trace_sales:
            conn.execute(_INS_T, [
                {"code": t.code, "settlement_id": s.settlement_id, "line": t.line, "drug_key": t.drug_key,
                 "date": s.date, "units": t.units, "split": bool(t.split), "facility_code": s.facility_code}
                for t in s.trace_sales
            ])
        return
    if defer is None:
        defer = lambda name, params: fastsql.run(conn, name, params)  # noqa: E731
    defer("settlement_insert", row)
    if s.dispenses:
        defer("dispense_rows", {
            "person_no": s.person_no, "settlement_id": s.settlement_id, "date": s.date, "time": s.time,
            "facility_code": s.facility_code, "drug_key": [d.drug_key for d in s.dispenses],
            "chain_key": [d.chain_key for d in s.dispenses], "days": [d.days for d in s.dispenses]})
    if s.trace_sales:
        defer("trace_rows", {
            "settlement_id": s.settlement_id, "date": s.date, "facility_code": s.facility_code,
            "code": [t.code for t in s.trace_sales], "line": [t.line for t in s.trace_sales],
            "drug_key": [t.drug_key for t in s.trace_sales], "units": [t.units for t in s.trace_sales],
            "split": [bool(t.split) for t in s.trace_sales]})
