"""Load an audit case's world and history into a store, so the engine reads it the way it reads a terminal's
cache: through SqlHistory over SQLAlchemy. `onewindow audit vectors` gives every vector a fresh store.

A vector's trace registry may list sales whose settlement is not in its history (a box sold at another
pharmacy, known from the centre's registry): those rows are kept without a settlement link, which is how a
terminal stores what 3513 tells it.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.services.cases import Case
from core.services.world import World
from core.store.catalogue import upsert_drugs, upsert_facilities
from core.store.db import open_store, session_factory
from core.store.models import DispenseRow, TraceSaleRow
from core.store.paths import sqlite_url
from core.store.persons import upsert_person
from core.store.tx import atomic
from core.store.writer import NewSettlement, record_settlement, reverse_settlement


class FreshStores:
    """Hands out empty, migrated SQLite stores quickly: migrate once, then copy the file per case."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="onewindow-cases-"))
        self._template = self._dir / "template.db"
        engine = open_store(sqlite_url(self._template))
        engine.dispose()
        self._count = 0

    def new(self):
        self._count += 1
        path = self._dir / f"case-{self._count}.db"
        shutil.copyfile(self._template, path)
        engine = open_store(sqlite_url(path))
        return engine, session_factory(engine)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> "FreshStores":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def load_case(session: Session, world: World, case: Case) -> None:
    """World reference data plus the case's history, in one transaction (all or nothing)."""
    with atomic(session):
        upsert_facilities(session, world.facilities.values())
        upsert_drugs(session, world.catalogue.values())
        upsert_person(session, case.request.person)
        known = set()
        for s in case.settlements:
            record_settlement(session, NewSettlement(
                settlement_id=s.settlement_id, person_no=s.person_no, date=s.date, facility_code=s.facility_code,
                scheme=s.scheme, total=s.fund, fund=s.fund, deductible_applied=s.deductible_applied,
                expense_counted=s.expense_counted, time=s.time, city=s.city,
            ))
            known.add(s.settlement_id)
        for s in case.settlements:
            if s.reversed_on is not None:
                reverse_settlement(session, s.settlement_id, s.reversed_on)
        if case.dispenses:
            session.execute(insert(DispenseRow), [
                {"person_no": d.person_no, "settlement_id": d.settlement_id if d.settlement_id in known else None,
                 "date": d.date, "time": d.time, "facility_code": d.facility_code, "drug_key": d.drug_key,
                 "chain_key": d.chain_key, "days": d.days}
                for d in case.dispenses
            ])
        if case.trace_sales:
            session.execute(insert(TraceSaleRow), [
                {"code": t.code, "settlement_id": t.settlement_id if t.settlement_id in known else None,
                 "line": i + 1, "drug_key": "", "date": t.date, "units": t.units, "split": t.split,
                 "facility_code": t.facility_code}
                for i, t in enumerate(case.trace_sales)
            ])
