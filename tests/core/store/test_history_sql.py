"""SqlHistory answers exactly like MemoryHistory given the same records, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.audit.history import MemoryHistory
from core.domain import DispenseRecord, Person, Scheme, SettlementRecord, TraceSale
from core.store.catalogue import upsert_facilities
from core.store.history_sql import SqlHistory
from core.store.persons import upsert_person
from core.store.writer import DispenseLine, NewSettlement, TraceLine, record_settlement, reverse_settlement
from tests.core.store._data import OTHER_CITY, PHARMACY

D = dt.date
PERSONS = ("H1", "H2", "H3")
CHAINS = ("C08CA01", "C09CA03", "A10BA02", "XC08CAA321A0")
CODES = tuple(f"8100011000000000000{i}" for i in range(6))
FACILITIES = {PHARMACY.code: PHARMACY.city, OTHER_CITY.code: OTHER_CITY.city}


def _people(session: Session, cipher) -> None:  # noqa: ANN001
    for pno in PERSONS:
        upsert_person(session, Person(pno, "测试", "1", D(1960, 1, 1), "390"), cipher=cipher)
    upsert_facilities(session, [PHARMACY, OTHER_CITY])


@st.composite
def worlds(draw) -> list[dict]:  # noqa: ANN001
    settlements = []
    for i in range(draw(st.integers(0, 12))):
        day = D(2025, 1, 1) + dt.timedelta(days=draw(st.integers(0, 60)))
        reversed_after = draw(st.one_of(st.none(), st.integers(0, 5)))
        settlements.append({
            "id": f"S{i:03d}",
            "person": draw(st.sampled_from(PERSONS)),
            "date": day,
            "time": draw(st.one_of(st.none(), st.builds(dt.time, st.integers(8, 17), st.sampled_from([0, 30])))),
            "facility": draw(st.sampled_from(sorted(FACILITIES))),
            "scheme": draw(st.sampled_from([Scheme.LB, Scheme.MT])),
            "fund": Decimal(draw(st.integers(0, 9999))) / 100,
            "deductible": Decimal(draw(st.integers(0, 300))),
            "reversed_on": None if reversed_after is None else day + dt.timedelta(days=reversed_after),
            "dispenses": draw(st.lists(st.tuples(st.sampled_from(CHAINS), st.sampled_from([7, 28, 30, 84])),
                                       max_size=3)),
            "codes": draw(st.lists(st.tuples(st.sampled_from(CODES), st.integers(1, 2), st.booleans()),
                                   max_size=3, unique_by=lambda c: (c[0], c[1]))),
        })
    return settlements


def _load(session: Session, world: list[dict]) -> MemoryHistory:
    settlements, dispenses, sales = [], [], []
    for s in world:
        record_settlement(session, NewSettlement(
            settlement_id=s["id"], person_no=s["person"], date=s["date"], time=s["time"],
            facility_code=s["facility"], scheme=s["scheme"], total=s["fund"] + s["deductible"], fund=s["fund"],
            deductible_applied=s["deductible"], expense_counted=s["fund"],
            dispenses=tuple(DispenseLine(f"K-{chain}", chain, days) for chain, days in s["dispenses"]),
            trace_sales=tuple(TraceLine(code, line, "D01", units=5 if split else 28, split=split)
                              for code, line, split in s["codes"]),
        ))
        if s["reversed_on"] is not None:
            reverse_settlement(session, s["id"], s["reversed_on"])
        settlements.append(SettlementRecord(
            s["id"], s["person"], s["date"], s["facility"], s["scheme"], s["fund"], s["deductible"], s["fund"],
            s["time"], s["reversed_on"], FACILITIES[s["facility"]],
        ))
        dispenses.extend(DispenseRecord(s["person"], s["date"], s["facility"], chain, days, s["id"], s["time"],
                                        f"K-{chain}") for chain, days in s["dispenses"])
        sales.extend(TraceSale(code, s["date"], 5 if split else 28, split, s["id"], s["facility"])
                     for code, _line, split in s["codes"])
    return MemoryHistory(settlements, dispenses, sales)


QUERIES = st.fixed_dictionaries({
    "person": st.sampled_from(PERSONS + ("nobody",)),
    "since": st.integers(0, 70), "span": st.integers(0, 70),
    "chains": st.lists(st.sampled_from(CHAINS + ("A10BB12",)), max_size=4),
    "ids": st.lists(st.sampled_from([f"S{i:03d}" for i in range(14)] + ["nope"]), max_size=6),
    "codes": st.lists(st.sampled_from(CODES + ("89999999999999999999",)), max_size=4),
})


def _compare(sql: SqlHistory, mem: MemoryHistory, q: dict) -> None:
    since = D(2025, 1, 1) + dt.timedelta(days=q["since"])
    until = since + dt.timedelta(days=q["span"])
    by_id = lambda records: sorted(records, key=lambda r: r.settlement_id)  # noqa: E731 (order is not specified)
    assert by_id(sql.settlements(q["person"], since, until)) == by_id(mem.settlements(q["person"], since, until))
    assert sql.dispenses(q["person"], q["chains"]) == mem.dispenses(q["person"], q["chains"])  # oldest first
    assert sql.reversed_settlements(q["ids"]) == mem.reversed_settlements(q["ids"])
    assert sql.trace_sales(q["codes"]) == mem.trace_sales(q["codes"])


def _check(engine: Engine, cipher, world: list[dict], queries: list[dict]) -> None:  # noqa: ANN001
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            _people(session, cipher)
            memory = _load(session, world)
            for q in queries:
                _compare(SqlHistory(session), memory, q)
            session.close()
        finally:
            outer.rollback()  # every example starts from the same empty store


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(), queries=st.lists(QUERIES, min_size=1, max_size=5))
def test_same_answers_as_memory_history(engine: Engine, cipher, world, queries) -> None:  # noqa: ANN001
    _check(engine, cipher, world, queries)


def test_table_driven(engine: Engine, cipher) -> None:  # noqa: ANN001
    """A fixed world with the edge cases spelled out: period bounds, reversal, untimed fills, code reuse."""
    world = [
        {"id": "S001", "person": "H1", "date": D(2025, 1, 10), "time": dt.time(9, 0), "facility": PHARMACY.code,
         "scheme": Scheme.LB, "fund": Decimal("42.00"), "deductible": Decimal("0"), "reversed_on": None,
         "dispenses": [("C08CA01", 84)], "codes": [(CODES[0], 1, False), (CODES[1], 1, False)]},
        {"id": "S002", "person": "H1", "date": D(2025, 1, 10), "time": None, "facility": OTHER_CITY.code,
         "scheme": Scheme.MT, "fund": Decimal("10.00"), "deductible": Decimal("200"), "reversed_on": D(2025, 1, 11),
         "dispenses": [("C08CA01", 28), ("A10BA02", 30)], "codes": [(CODES[0], 1, False)]},
        {"id": "S003", "person": "H2", "date": D(2025, 3, 1), "time": dt.time(17, 30), "facility": PHARMACY.code,
         "scheme": Scheme.LB, "fund": Decimal("0.00"), "deductible": Decimal("0"), "reversed_on": None,
         "dispenses": [], "codes": [(CODES[2], 2, True)]},
    ]
    queries = [
        {"person": "H1", "since": 9, "span": 0, "chains": ["C08CA01"], "ids": ["S001", "S002", "x"],
         "codes": [CODES[0], CODES[5]]},
        {"person": "H1", "since": 0, "span": 8, "chains": [], "ids": [], "codes": []},
        {"person": "H2", "since": 0, "span": 70, "chains": list(CHAINS), "ids": ["S003"], "codes": [CODES[2]]},
    ]
    _check(engine, cipher, world, queries)
    with Session(engine) as session:
        _people(session, cipher)
        memory = _load(session, world)
        history = SqlHistory(session)
        # untimed S002 sorts before S001 on the same day, like MemoryHistory (None = start of day)
        assert [d.settlement_id for d in history.dispenses("H1", ["C08CA01"])] == ["S002", "S001"]
        assert [s.settlement_id for s in memory.dispenses("H1", ["C08CA01"])] == ["S002", "S001"]
        [s2] = [s for s in history.settlements("H1", D(2025, 1, 10), D(2025, 1, 10)) if s.settlement_id == "S002"]
        assert s2.city == "420100" and s2.reversed_on == D(2025, 1, 11) and s2.deductible_applied == Decimal("200.00")
        assert not s2.counts_on(D(2025, 1, 11)) and s2.counts_on(D(2025, 1, 10))
        assert [t.settlement_id for t in history.trace_sales([CODES[0]])[CODES[0]]] == ["S001", "S002"]
