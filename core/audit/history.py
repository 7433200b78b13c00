"""The history the audit reads, behind one small interface.

The same rules run on the client's SQLite cache, on the centre's PostgreSQL and on an in-memory world
(vectors): each provides a HistoryRepository. Queries are narrow on purpose (one person, one drug chain,
one code) so that each maps to one indexed lookup.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Protocol

from core.domain import DispenseRecord, Scheme, SettlementRecord, TraceSale


class HistoryRepository(Protocol):
    def settlements(self, person_no: str, since: dt.date, until: dt.date) -> list[SettlementRecord]:
        """Settlements of the person dated in [since, until], reversed ones included (with reversed_on)."""

    def dispenses(self, person_no: str, chain_keys: Iterable[str]) -> list[DispenseRecord]:
        """Dispensing records of the person for these chain keys, oldest first."""

    def reversed_settlements(self, settlement_ids: Iterable[str]) -> dict[str, dt.date | None]:
        """reversed_on per settlement id (None when not reversed); unknown ids are absent."""

    def trace_sales(self, codes: Iterable[str]) -> dict[str, list[TraceSale]]:
        """Every recorded sale of each code (reversed ones included; the caller filters by settlement)."""


class MemoryHistory:
    """HistoryRepository over lists, for vectors, case files and tests."""

    def __init__(
        self,
        settlements: Iterable[SettlementRecord] = (),
        dispenses: Iterable[DispenseRecord] = (),
        trace_sales: Iterable[TraceSale] = (),
    ) -> None:
        self._settlements = list(settlements)
        self._dispenses = sorted(dispenses, key=lambda d: (d.date, d.time or dt.time.min))
        self._trace: dict[str, list[TraceSale]] = {}
        for sale in trace_sales:
            self._trace.setdefault(sale.code, []).append(sale)

    def settlements(self, person_no: str, since: dt.date, until: dt.date) -> list[SettlementRecord]:
        return [s for s in self._settlements if s.person_no == person_no and since <= s.date <= until]

    def dispenses(self, person_no: str, chain_keys: Iterable[str]) -> list[DispenseRecord]:
        keys = set(chain_keys)
        return [d for d in self._dispenses if d.person_no == person_no and d.chain_key in keys]

    def reversed_settlements(self, settlement_ids: Iterable[str]) -> dict[str, dt.date | None]:
        wanted = set(settlement_ids)
        return {s.settlement_id: s.reversed_on for s in self._settlements if s.settlement_id in wanted}

    def trace_sales(self, codes: Iterable[str]) -> dict[str, list[TraceSale]]:
        return {c: list(self._trace.get(c, ())) for c in codes}


__all__ = ["HistoryRepository", "MemoryHistory", "Scheme"]
