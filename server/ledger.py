"""Writing a settlement on the centre's hot path: core.store.writer's validation (the same NewSettlement,
the same checks), then three Core INSERTs on the request's connection — settlement, dispenses, sold codes —
inside the caller's locked transaction. The ORM unit of work cost several times the audit on this path.
Reversal stays with core.store.writer.reverse_settlement (rare path)."""
from __future__ import annotations

from sqlalchemy import Connection, insert

from core.store.models import DispenseRow, SettlementRow, TraceSaleRow
from core.store.writer import NewSettlement, _prepare
from server import fastsql

_S, _D, _T = SettlementRow.__table__, DispenseRow.__table__, TraceSaleRow.__table__
_INS_S, _INS_D, _INS_T = insert(_S), insert(_D), insert(_T)


def record(conn: Connection, s: NewSettlement, *, created_at) -> None:
    values = _prepare(s)  # raises InvalidRecordError (a StoreError) on bad input, before any write
    pg = fastsql.is_pg(conn)
    row = {**values, "city": s.city or "", "reversed_on": None, "created_at": created_at}
    fastsql.run(conn, "settlement_insert", row) if pg else conn.execute(_INS_S, row)
    if s.dispenses:
        rows = [
            {"person_no": s.person_no, "settlement_id": s.settlement_id, "date": s.date, "time": s.time,
             "facility_code": s.facility_code, "drug_key": d.drug_key, "chain_key": d.chain_key, "days": d.days}
            for d in s.dispenses
        ]
        fastsql.run(conn, "dispense_insert", rows) if pg else conn.execute(_INS_D, rows)
    if s.trace_sales:
        rows = [
            {"code": t.code, "settlement_id": s.settlement_id, "line": t.line, "drug_key": t.drug_key, "date": s.date,
             "units": t.units, "split": bool(t.split), "facility_code": s.facility_code}
            for t in s.trace_sales
        ]
        fastsql.run(conn, "trace_insert", rows) if pg else conn.execute(_INS_T, rows)
