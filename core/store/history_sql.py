"""HistoryRepository over the store (SQLite on a terminal, PostgreSQL at the centre).

One indexed query per method, selecting only the columns the domain record needs:

- settlements: ix_settlement_person_no_date (person_no, date)
- dispenses: ix_dispense_person_no_chain_key_date (person_no, chain_key, date)
- reversed_settlements: the settlement primary key
- trace_sales: ix_trace_sale_code

The audit runs these on every prescription (budget: p99 < 5 ms against a million history rows), so on the
drivers the product ships with (sqlite3, psycopg) the statements are plain SQL sent to the driver and the few
columns are converted here: ~40 µs per query instead of ~600 µs through the ORM. Other drivers take the
SQLAlchemy Core path with the same statements. Answers match core.audit.history.MemoryHistory given the same
records (tests/core/store/test_history_sql.py). Every recorded settlement is history, whatever its status;
reversed ones carry reversed_on.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from core.domain import DispenseRecord, Scheme, SettlementRecord, TraceSale

_CHUNK = 500  # ids per IN (...) list
_CENT = Decimal("0.01")
_SCHEMES = {s.value: s for s in Scheme}

_SETTLEMENTS = (
    "SELECT settlement_id, person_no, date, facility_code, scheme, fund, deductible_applied, expense_counted, "
    "time, reversed_on, city FROM settlement WHERE person_no = {0} AND date >= {1} AND date <= {2} "
    "ORDER BY date, time NULLS FIRST, settlement_id"
)
_DISPENSES = (
    "SELECT person_no, date, facility_code, chain_key, days, settlement_id, time, drug_key FROM dispense "
    "WHERE person_no = {0} AND chain_key IN ({1}) ORDER BY date, time NULLS FIRST, id"
)
_REVERSED = "SELECT settlement_id, reversed_on FROM settlement WHERE settlement_id IN ({0})"
_TRACE = (
    "SELECT code, date, units, split, settlement_id, facility_code FROM trace_sale WHERE code IN ({0}) "
    "ORDER BY id"
)


def _date(value) -> dt.date | None:  # noqa: ANN001
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def _time(value) -> dt.time | None:  # noqa: ANN001
    if value is None or isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(value)


def _money(value) -> Decimal:  # noqa: ANN001
    if isinstance(value, Decimal):
        return value.quantize(_CENT)
    return Decimal(repr(value) if isinstance(value, float) else str(value)).quantize(_CENT)


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


class SqlHistory:
    """HistoryRepository reading through a Session, or a Connection (the centre's request transaction); the
    caller owns it and its transaction."""

    def __init__(self, source: Session | Connection) -> None:
        self.source = source

    def _connection(self) -> Connection:
        if isinstance(self.source, Connection):
            return self.source
        if self.source.autoflush:
            self.source.flush()  # like an ORM query: pending objects are visible
        return self.source.connection()

    def _rows(self, template: str, first: Sequence, listed: Sequence = ()) -> list[tuple]:
        """Run `template` with `first` bound to {0}, {1} … and `listed` expanded into the last placeholder."""
        conn = self._connection()
        style = conn.dialect.paramstyle
        args = [*first, *listed]
        if style == "qmark":  # sqlite3: dates as SQLAlchemy stores them (its date adapter is deprecated)
            args = [a.isoformat() if isinstance(a, dt.date) else a for a in args]
        if style in ("qmark", "format", "pyformat"):
            mark = "?" if style == "qmark" else "%s"
            slots = [mark] * len(first)
            if listed:
                slots.append(", ".join([mark] * len(listed)))
            return conn.exec_driver_sql(template.format(*slots), tuple(args)).all()
        names = [f"p{i}" for i in range(len(args))]
        slots = [f":{n}" for n in names[: len(first)]]
        if listed:
            slots.append(", ".join(f":{n}" for n in names[len(first):]))
        return conn.execute(text(template.format(*slots)), dict(zip(names, args, strict=True))).all()

    def settlements(self, person_no: str, since: dt.date, until: dt.date) -> list[SettlementRecord]:
        rows = self._rows(_SETTLEMENTS, (person_no, since, until))
        return [
            SettlementRecord(
                settlement_id=sid, person_no=pno, date=_date(date), facility_code=fac, scheme=_SCHEMES[scheme],
                fund=_money(fund), deductible_applied=_money(ded), expense_counted=_money(exp), time=_time(time),
                reversed_on=_date(rev), city=city or "",
            )
            for sid, pno, date, fac, scheme, fund, ded, exp, time, rev, city in rows
        ]

    def dispenses(self, person_no: str, chain_keys: Iterable[str]) -> list[DispenseRecord]:
        keys = list(dict.fromkeys(chain_keys))
        if not keys:
            return []
        rows = self._rows(_DISPENSES, (person_no,), keys)
        return [
            DispenseRecord(
                person_no=pno, date=_date(date), facility_code=fac, chain_key=chain, days=days, settlement_id=sid,
                time=_time(time), drug_key=drug or "",
            )
            for pno, date, fac, chain, days, sid, time, drug in rows
        ]

    def reversed_settlements(self, settlement_ids: Iterable[str]) -> dict[str, dt.date | None]:
        out: dict[str, dt.date | None] = {}
        for chunk in _chunks(settlement_ids):
            out.update((sid, _date(rev)) for sid, rev in self._rows(_REVERSED, (), chunk))
        return out

    def trace_sales(self, codes: Iterable[str]) -> dict[str, list[TraceSale]]:
        wanted = list(dict.fromkeys(codes))
        out: dict[str, list[TraceSale]] = {c: [] for c in wanted}
        for chunk in _chunks(wanted):
            for code, date, units, split, sid, fac in self._rows(_TRACE, (), chunk):
                out[code].append(TraceSale(code=code, date=_date(date), units=units, split=bool(split),
                                           settlement_id=sid, facility_code=fac or ""))
        return out


__all__ = ["SqlHistory"]
