"""Recording settlements with their dispenses and trace codes: one transaction, typed errors, reversal."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from core.domain import Scheme
from core.store import writer
from core.store.catalogue import upsert_facilities
from core.store.errors import (
    DuplicateSettlementError,
    InvalidRecordError,
    UnknownPersonError,
    UnknownSettlementError,
)
from core.store.history_sql import SqlHistory
from core.store.persons import upsert_person
from core.store.writer import (
    DispenseLine,
    NewSettlement,
    TraceLine,
    record_settlement,
    record_settlements,
    reverse_settlement,
    settlement_ids,
)
from tests.core.store._data import AMLODIPINE, LI, METFORMIN, OTHER_CITY, PHARMACY, WANG, counts

D = dt.date


def sale(sid: str = "P4207000000120250915093000001", **changes) -> NewSettlement:  # noqa: ANN003
    base = NewSettlement(
        settlement_id=sid, person_no=LI.person_no, date=D(2025, 9, 15), facility_code=PHARMACY.code,
        scheme=Scheme.LB, total=Decimal("108.00"), fund=Decimal("64.80"), time=dt.time(9, 30),
        dispenses=(DispenseLine.for_drug(AMLODIPINE, 84), DispenseLine.for_drug(METFORMIN, 30)),
        trace_sales=(
            TraceLine("81000110000000000001", 1, "D01"), TraceLine("81000110000000000002", 1, "D01"),
            TraceLine("81000110000000000003", 1, "D01"), TraceLine("81000220000000000001", 2, "D02", 30, True),
        ),
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def people(session: Session, cipher) -> None:  # noqa: ANN001
    upsert_person(session, LI, cipher=cipher)
    upsert_person(session, WANG, cipher=cipher)
    upsert_facilities(session, [PHARMACY, OTHER_CITY])


def test_records_everything_in_one_go(engine, session: Session, people) -> None:  # noqa: ANN001
    record = record_settlement(session, sale())
    assert record.settlement_id == sale().settlement_id and record.fund == Decimal("64.80")
    assert record.city == "420700"  # taken from the facility
    assert counts(engine) | {"registration": 0, "drug": 0} == {
        "trace_sale": 4, "dispense": 2, "settlement": 1, "registration": 0, "person": 2, "facility": 2, "drug": 0,
    }
    history = SqlHistory(session)
    [stored] = history.settlements(LI.person_no, D(2025, 1, 1), D(2025, 12, 31))
    assert stored == record and stored.time == dt.time(9, 30) and stored.scheme is Scheme.LB
    dispenses = history.dispenses(LI.person_no, ["C08CA01", "A10BA02"])
    assert [(d.chain_key, d.days, d.drug_key) for d in dispenses] == [("C08CA01", 84, "D01"), ("A10BA02", 30, "D02")]
    sales = history.trace_sales(["81000220000000000001"])["81000220000000000001"]
    assert [(s.units, s.split, s.settlement_id) for s in sales] == [(30, True, sale().settlement_id)]
    assert settlement_ids(session, LI.person_no) == [sale().settlement_id]


def test_defaults_personal_and_period(session: Session, people) -> None:  # noqa: ANN001
    record_settlement(session, sale(facility_code="UNKNOWN01", city=None))
    with session.bind.connect() as conn:
        row = conn.exec_driver_sql("SELECT personal, period, city, status FROM settlement").one()
    assert (Decimal(str(row[0])), row[1], row[2], row[3]) == (Decimal("43.20"), "2025", "", "settled")


def test_duplicate_id_is_refused_with_the_first_record(engine, session: Session, people) -> None:  # noqa: ANN001
    first = record_settlement(session, sale())
    before = counts(engine)
    with pytest.raises(DuplicateSettlementError) as info:
        record_settlement(session, sale(total=Decimal("1.00"), fund=Decimal("0.50")))
    assert info.value.existing == first
    assert counts(engine) == before
    assert not session.in_transaction()  # nothing left open for the caller


def test_unknown_person(engine, session: Session, people) -> None:  # noqa: ANN001
    before = counts(engine)
    with pytest.raises(UnknownPersonError) as info:
        record_settlement(session, sale(person_no="T9999"))
    assert "T9999" in info.value.message_zh
    assert counts(engine) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"settlement_id": ""},
        {"total": 108.0},  # float money
        {"fund": Decimal("-1")},
        {"fund": Decimal("200.00")},  # above the total
        {"scheme": "XX"},
        {"date": dt.datetime(2025, 9, 15, 9, 30)},
        {"dispenses": (DispenseLine("D01", "C08CA01", 0),)},
        {"trace_sales": (TraceLine("81000110000000000001", 1, "D01"),) * 2},
        {"trace_sales": (TraceLine("81000110000000000001", 0, "D01"),)},
        {"trace_sales": (TraceLine("81000110000000000001", 1, "D01", units=0),)},
    ],
    ids=["id", "float", "negative", "fund>total", "scheme", "datetime", "days", "dup-code", "line", "units"],
)
def test_bad_input_leaves_data_unchanged(engine, session: Session, people, changes) -> None:  # noqa: ANN001
    record_settlement(session, sale("EXISTING"))
    before = counts(engine)
    with pytest.raises(InvalidRecordError):
        record_settlement(session, sale(**changes))
    assert counts(engine) == before


def test_a_failure_half_way_rolls_everything_back(engine, session: Session, people,  # noqa: ANN001
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real_insert = writer.insert

    def failing_insert(table):  # noqa: ANN001, ANN202
        calls.append(table)
        if len(calls) == 2:  # the trace sales, after the settlement and its dispenses were written
            raise RuntimeError("disk unplugged")
        return real_insert(table)

    monkeypatch.setattr(writer, "insert", failing_insert)
    with pytest.raises(RuntimeError):
        record_settlement(session, sale())
    assert counts(engine)["settlement"] == 0 and counts(engine)["dispense"] == 0


def test_inside_the_callers_transaction(engine, session: Session, people) -> None:  # noqa: ANN001
    # An explicit transaction: the caller decides. A failing settlement only rolls back its savepoint.
    with session.begin():
        record_settlement(session, sale("A1"))
        with pytest.raises(UnknownPersonError):
            record_settlement(session, sale("A2", person_no="T9999"))
        record_settlement(session, sale("A3"))
        session.rollback()
    assert counts(engine)["settlement"] == 0
    # A transaction the session began on its own (a read first) is committed.
    assert SqlHistory(session).settlements(LI.person_no, D(2025, 1, 1), D(2025, 12, 31)) == []
    assert session.in_transaction()
    record_settlement(session, sale("B1"))
    assert not session.in_transaction()
    assert counts(engine)["settlement"] == 1


def test_record_settlements_is_all_or_nothing(engine, session: Session, people) -> None:  # noqa: ANN001
    with pytest.raises(DuplicateSettlementError):
        record_settlements(session, [sale("C1"), sale("C2"), sale("C1")])
    assert counts(engine)["settlement"] == 0


def test_reverse_is_idempotent(session: Session, people) -> None:  # noqa: ANN001
    record_settlement(session, sale())
    sid = sale().settlement_id
    first = reverse_settlement(session, sid, D(2025, 9, 16))
    again = reverse_settlement(session, sid, D(2025, 10, 1))
    assert first.reversed_on == again.reversed_on == D(2025, 9, 16)
    assert SqlHistory(session).reversed_settlements([sid, "nope"]) == {sid: D(2025, 9, 16)}
    with session.bind.connect() as conn:
        assert conn.exec_driver_sql("SELECT status FROM settlement").scalar() == "reversed"


def test_reverse_errors(engine, session: Session, people) -> None:  # noqa: ANN001
    record_settlement(session, sale())
    with pytest.raises(UnknownSettlementError):
        reverse_settlement(session, "nope", D(2025, 9, 16))
    with pytest.raises(InvalidRecordError):
        reverse_settlement(session, sale().settlement_id, D(2025, 9, 14))
    assert SqlHistory(session).reversed_settlements([sale().settlement_id]) == {sale().settlement_id: None}


def test_sqlite_writes_take_the_write_lock_first(sqlite_engine, cipher) -> None:  # noqa: ANN001
    """A deferred transaction that reads then writes fails if another writer committed in between; ours wait."""
    statements: list[str] = []
    event.listen(sqlite_engine, "before_cursor_execute", lambda _c, _cur, stmt, *_a: statements.append(stmt))
    with Session(sqlite_engine) as session:
        upsert_person(session, LI, cipher=cipher)
        record_settlement(session, sale())
        reverse_settlement(session, sale().settlement_id, D(2025, 9, 16))
    assert statements.count("BEGIN IMMEDIATE") == 3 and "BEGIN" not in statements


@pytest.mark.postgres
def test_concurrent_duplicate_is_reported_as_duplicate(pg_engine, cipher) -> None:  # noqa: ANN001
    """Another writer inserted the id between our check and our insert: still a DuplicateSettlementError.
    (On SQLite the write lock taken up front rules this out; the centre runs on PostgreSQL.)"""
    from core.store.models import SettlementRow

    engine = pg_engine
    session = Session(engine, expire_on_commit=False)
    upsert_person(session, LI, cipher=cipher)
    upsert_facilities(session, [PHARMACY])

    real_get = session.get

    def get_hiding_settlements(entity, ident, **kw):  # noqa: ANN001, ANN003, ANN202
        if entity is SettlementRow and not kw:
            with engine.begin() as conn:  # the other writer
                conn.execute(insert(SettlementRow), [{
                    "settlement_id": ident, "person_no": LI.person_no, "date": D(2025, 9, 15), "time": None,
                    "facility_code": PHARMACY.code, "city": "", "scheme": "LB", "period": "2025",
                    "total": Decimal("1.00"), "fund": Decimal("0.50"), "personal": Decimal("0.50"),
                    "deductible_applied": Decimal("0"), "expense_counted": Decimal("0"), "reversed_on": None,
                    "status": "settled", "created_at": dt.datetime(2025, 9, 15),
                }])
            return None
        return real_get(entity, ident, **kw)

    session.get = get_hiding_settlements  # type: ignore[method-assign]
    try:
        with pytest.raises(DuplicateSettlementError) as info:
            record_settlement(session, sale("RACE"))
    finally:
        del session.get
        session.close()
    assert info.value.existing is not None and info.value.existing.fund == Decimal("0.50")
    assert counts(engine)["dispense"] == 0
