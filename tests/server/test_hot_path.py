"""The settlement hot path's shortcuts give the same answers as the plain path, on both databases: history read
ahead (server.history.Prefetch), journal entries hashed by PostgreSQL, a settlement id already taken."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, func, insert, select, text

from core.domain import Scheme
from core.store.history_sql import _DISPENSES, _SETTLEMENTS, _TRACE, SqlHistory
from core.store.models import SettlementRow
from core.store.writer import DispenseLine, NewSettlement, TraceLine
from server import fastsql, journal, ledger
from server.envelope import CST
from server.history import _UPLOADS, CentreHistory, Prefetch
from server.models import journal as journal_table
from server.models import trace_upload
from tests.server.helpers import PH1, PH2, envelope, new_msgid, settle_input

TODAY = dt.date(2026, 1, 1)  # a fixed day, the first of a year: history two years back crosses two year ends


def _history_rows(engine, person: str, codes: list[str]):
    """Settlements over two years, a reversed one, dispenses on two chains, sold and uploaded codes."""
    with engine.begin() as conn:
        for i, days_ago in enumerate((0, 3, 20, 45, 200, 400, 700)):
            day = TODAY - dt.timedelta(days=days_ago)
            ledger.record(conn, NewSettlement(
                settlement_id=f"HP{i}", person_no=person, date=day, facility_code=PH1, scheme=Scheme.LB,
                total="10.00", fund="5.00", time=dt.time(9, i), city="420700",
                dispenses=(DispenseLine("D01", "C08CA01", 28), DispenseLine("D02", "C09AA02", 14)),
                trace_sales=(TraceLine(codes[i % len(codes)], 1, "D01", units=28),),
            ), created_at=dt.datetime(2024, 1, 1))
        conn.execute(SettlementRow.__table__.update().where(SettlementRow.settlement_id == "HP1")
                     .values(reversed_on=TODAY))
        conn.execute(insert(trace_upload), [
            {"code": codes[0], "fixmedins_code": PH2, "msgid": "U1", "rtal_docno": "R1", "med_list_codg": "X",
             "units": 28, "split": False, "sold_at": TODAY.isoformat()},
            {"code": codes[1], "fixmedins_code": PH2, "msgid": "U2", "rtal_docno": "R2", "med_list_codg": "X",
             "units": 7, "split": True, "sold_at": (TODAY - dt.timedelta(days=3)).isoformat()},
        ])


def _prefetch(conn, pf: Prefetch) -> None:
    """Fill `pf` as the 2102 pipeline does: on PostgreSQL with its statements, elsewhere through SqlHistory."""
    if fastsql.is_pg(conn):
        pf.fill(fastsql.pipeline(conn, pf.steps()))
        return
    plain = SqlHistory(conn)
    pf.settlements = plain._rows(_SETTLEMENTS, (pf.person_no, pf.since, pf.until))
    pf.dispenses = plain._rows(_DISPENSES, (pf.person_no,), sorted(pf.chain_keys))
    pf.trace = plain._rows(_TRACE, (), sorted(pf.codes))
    pf.uploads = conn.execute(_UPLOADS, {"codes": sorted(pf.codes)}).all()


def test_read_ahead_matches_core_statements():
    """server.history's fingerprint of core.store.history_sql's statements: when they change, fastsql's
    history_ahead must be brought in line (and the fingerprint with it); until then the read-ahead is off."""
    from server.history import AHEAD_MATCHES_CORE

    assert AHEAD_MATCHES_CORE


def test_prefetched_history_answers_like_the_database(centre_engine):
    codes = [f"81000110000{i:09d}" for i in range(4)]
    _history_rows(centre_engine, "T0001", codes)
    with centre_engine.connect() as conn:
        pf = Prefetch("T0001", TODAY - dt.timedelta(days=500), TODAY, frozenset({"C08CA01", "C09AA02"}),
                      frozenset(codes))
        _prefetch(conn, pf)
        ahead, plain = CentreHistory(conn, pf), CentreHistory(conn)
        for since_days in (500, 366, 400, 31, 0, 900):  # 900: wider than read ahead, so it goes to the database
            since = TODAY - dt.timedelta(days=since_days)
            got = ahead.settlements("T0001", since, TODAY)
            assert got == plain.settlements("T0001", since, TODAY)
        assert len(ahead.settlements("T0001", TODAY - dt.timedelta(days=900), TODAY)) == 7
        assert ahead.settlements("T0002", TODAY - dt.timedelta(days=30), TODAY) == []
        for keys in (["C08CA01", "C09AA02"], ["C09AA02", "C08CA01"], ["C08CA01"], ["C99"]):
            assert ahead.dispenses("T0001", keys) == plain.dispenses("T0001", keys)
        for wanted in (codes, codes[:2], [codes[3], codes[0]], codes + ["81000119999999999999"]):
            got = ahead.trace_sales(wanted)
            want = plain.trace_sales(wanted)
            assert {c: sorted(v, key=repr) for c, v in got.items()} == {c: sorted(v, key=repr) for c, v in want.items()}
        assert [s.settlement_id for s in ahead.trace_sales([codes[0]])[codes[0]]][:2] == ["HP0", "HP4"]
        assert ahead.reversed_settlements(["HP1", "HP5"]) == {"HP1": TODAY, "HP5": None}
        conn.rollback()


def test_journal_entries_hashed_by_the_database_verify(centre_engine):
    """PostgreSQL computes the hash of the entries a request appends (fastsql journal_append): the Python
    verifier accepts them, chained to and from entries appended by Python, from an empty journal on."""
    with centre_engine.begin() as conn:
        conn.execute(delete(journal_table))
    payloads = [{"n": "1.00", "text": "高血压 | ü \\ \"q\""}, {"empty": ""}, {"list": [1, 2, {"a": None}]}]
    for i, payload in enumerate(payloads):
        with centre_engine.begin() as conn:
            at = dt.datetime(2024, 5, 1, 8, 0, i, tzinfo=CST).isoformat(timespec="microseconds")
            if fastsql.is_pg(conn):
                fastsql.pipeline(conn, journal.pipeline_steps([("test", payload)], at=at, code=PH1, msgid=f"M{i}"),
                                 commit=True)
            else:
                journal.append(conn, "test", payload, at=at, code=PH1, msgid=f"M{i}")
        with centre_engine.begin() as conn:
            journal.append(conn, "python", {"after": i}, at=at)
    result = journal.verify(centre_engine)
    assert result.ok and result.entries == 6, result.describe()
    with centre_engine.connect() as conn:
        rows = conn.execute(select(journal_table).order_by(journal_table.c.seq)).all()
        conn.rollback()
    assert rows[0].prev_hash == journal.GENESIS and [r.seq for r in rows] == [1, 2, 3, 4, 5, 6]
    assert json.loads(rows[0].payload) == payloads[0]


def test_settlement_id_taken_by_another_institution(client, centre_engine):
    """The settlement id is the msgid, and msgids are per institution: a second institution's message with the
    same msgid is refused — first of all because a msgid must start with the caller's code (server.identity) —
    (stored, so its repeat gets the same answer) and nothing is settled for it."""
    msgid = new_msgid(PH1)
    first = client.call("2102", settle_input("T0001"), code=PH1, msgid=msgid)
    assert first["infcode"] == 0, first
    env = envelope("2102", settle_input("T0002"), PH2, msgid=msgid, sign_no=client.sign_in(PH2))
    refused = client.send(env)
    assert refused.json()["infcode"] == -1 and "must start with" in refused.json()["err_msg"]
    again = client.send(env)  # a new nonce, the same message
    assert again.content == refused.content
    with centre_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SettlementRow)).scalar() == 1
        conn.rollback()
    other = client.call("2102", settle_input("T0002"), code=PH2)
    assert other["infcode"] == 0, other  # with a msgid of its own it settles


def test_answer_sent_is_the_answer_stored(client, centre_engine):
    """The bytes sent are the text stored (sealed) under the msgid; a repeat sends the same bytes. The stored
    value holds no ID number or name in plain text."""
    env = envelope("2102", settle_input("T0001"), PH1, sign_no=client.sign_in(PH1))
    first = client.send(env)
    with centre_engine.connect() as conn:
        stored = conn.execute(text("SELECT response FROM centre_message WHERE msgid = :m"), {"m": env["msgid"]}).scalar()
        conn.rollback()
    from server.sealed import open_text

    assert stored.startswith("v1:") and "420704" not in stored and first.json()["output"]
    assert first.content == open_text(stored, "answer").encode("utf-8")
    repeat = client.send(env)
    assert repeat.content == first.content and repeat.headers.get("x-ow-replayed") == "1"


def test_settlement_without_read_ahead(client, monkeypatch):
    """With the read-ahead off (core's history statements changed), 2102 locks and reads as before."""
    monkeypatch.setattr("server.transactions.settlement.AHEAD_MATCHES_CORE", False)
    first = client.call("2102", settle_input("T0001"))
    assert first["infcode"] == 0, first
    again = client.call("2102", settle_input("T0001"), code=PH2)
    assert again["infcode"] == -1 and "DUP-001" in again["err_msg"], again


def test_catalogue_is_rebuilt_only_when_it_changed(client, centre_engine, monkeypatch):
    """The reference catalogue is reloaded after the TTL only when a version was logged or the drug count
    changed (a 20,000-drug rebuild per TTL in every thread took most of a worker's time under load)."""
    from core.store.models import DrugRow
    from server import reference
    from server.models import catalogue_log

    centre = client.app.state.centre
    builds = []
    real = reference.Session

    class Counting(real):
        def scalars(self, stmt, *a, **kw):
            if "FROM drug" in str(stmt):
                builds.append(1)
            return super().scalars(stmt, *a, **kw)

    monkeypatch.setattr(reference, "Session", Counting)
    monkeypatch.setattr(reference, "TTL", 0.0)  # every call is past the TTL
    centre.invalidate("ref.catalogue")
    with centre_engine.connect() as conn:
        first = reference.catalogue(centre, conn)
        assert reference.catalogue(centre, conn) is first and len(builds) == 1  # unchanged: not rebuilt
        conn.rollback()
    with centre_engine.begin() as conn:
        conn.execute(catalogue_log.insert().values(drug_key="D01", digest="x", at="2026-01-01T00:00:00"))
    with centre_engine.connect() as conn:
        second = reference.catalogue(centre, conn)
        assert second is not first and len(builds) == 2 and second.version > first.version
        conn.rollback()
    with centre_engine.begin() as conn:
        conn.execute(delete(DrugRow.__table__).where(DrugRow.key == "D12"))  # a change without a version
    with centre_engine.connect() as conn:
        third = reference.catalogue(centre, conn)
        assert len(builds) == 3 and "D12" not in third.by_key and "D12" in second.by_key
        conn.rollback()
