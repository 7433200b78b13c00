"""Stored sequences (msgid never reused, survives restarts, clock going backwards) and the hash-chained journal."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.store.db import open_store
from core.sync import journal
from core.sync.models import SyncJournal
from core.sync.sequence import next_msgid, next_value

T0 = dt.datetime(2025, 11, 25, 9, 30, 0)


def test_msgid_shape(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 't.db'}")
    with Session(engine) as s, s.begin():
        m = next_msgid(s, "P42070000001", 3, T0)
    assert m == "P42070000001" + "20251125093000" + "3001" and len(m) == 30
    engine.dispose()


def test_msgids_never_repeat_across_restarts_and_clock_jumps(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    seen: set[str] = set()
    clock = [T0, T0, T0 - dt.timedelta(hours=1), T0 + dt.timedelta(seconds=1), T0 - dt.timedelta(days=2)]
    for restart in range(3):
        engine = open_store(url)
        with Session(engine) as s, s.begin():
            for now in clock:
                for _ in range(450):  # more than 1,000 per stamp in total: the stamp must move on
                    m = next_msgid(s, "P42070000001", 1, now)
                    assert m not in seen
                    seen.add(m)
        engine.dispose()
    assert len(seen) == 3 * len(clock) * 450
    stamps = sorted(m[12:26] for m in seen)
    assert stamps[0] == "20251125093000"  # never earlier than the first stamp used


def test_terminals_of_one_institution_differ_by_their_digit(tmp_path):
    a = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    b = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    with Session(a) as sa, sa.begin(), Session(b) as sb, sb.begin():
        ma = {next_msgid(sa, "P42070000001", 1, T0) for _ in range(500)}
        mb = {next_msgid(sb, "P42070000001", 2, T0) for _ in range(500)}
    assert not ma & mb
    a.dispose()
    b.dispose()


def test_plain_counter(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 't.db'}")
    with Session(engine) as s, s.begin():
        assert [next_value(s, "sale") for _ in range(3)] == [1, 2, 3]
    with Session(engine) as s, s.begin():
        assert next_value(s, "sale") == 4 and next_value(s, "offline") == 1
    engine.dispose()


def test_journal_detects_an_edit_and_a_deletion(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 't.db'}")
    with Session(engine) as s, s.begin():
        for i in range(5):
            journal.append(s, "test", sale_id=f"S{i}", data={"i": i})
    with Session(engine) as s:
        assert journal.verify(s).ok and journal.verify(s).entries == 5
    with Session(engine) as s, s.begin():
        s.execute(update(SyncJournal).where(SyncJournal.seq == 3).values(data='{"i":99}'))
    with Session(engine) as s:
        check = journal.verify(s)
        assert not check.ok and check.broken_at == 3 and "edited" in check.reason
    with Session(engine) as s, s.begin():
        s.execute(update(SyncJournal).where(SyncJournal.seq == 3).values(data='{"i":2}'))
        s.query(SyncJournal).filter(SyncJournal.seq == 2).delete()
    with Session(engine) as s:
        check = journal.verify(s)
        assert not check.ok and check.broken_at == 3 and "removed" in check.reason
    engine.dispose()


def test_held_entries_are_inserted_in_chain_order_at_the_end_of_the_block(tmp_path):
    """The sender records a group of answers with journal.held: one INSERT for the group's entries, in the
    same transaction, and the chain exactly as if each entry had been inserted on its own."""
    engine = open_store(f"sqlite:///{tmp_path / 't.db'}")
    with Session(engine) as s, s.begin():
        journal.append(s, "before", data={"i": -1})
        with journal.held(s):
            for i in range(4):
                journal.append(s, "test", sale_id=f"S{i}", data={"i": i})
            assert s.scalar(select(func.count()).select_from(SyncJournal)) == 1  # held until the block ends
        journal.append(s, "after", data={"i": 9})
    with Session(engine) as s:
        assert journal.verify(s).ok and journal.verify(s).entries == 6
        assert [r.kind for r in s.scalars(select(SyncJournal).order_by(SyncJournal.seq))] == [
            "before", "test", "test", "test", "test", "after"]
    with Session(engine) as s:  # a block that fails inserts nothing (and the transaction rolls back)
        s.begin()
        with pytest.raises(RuntimeError):
            with journal.held(s):
                journal.append(s, "lost", data={})
                raise RuntimeError("boom")
        assert s.scalar(select(func.count()).select_from(SyncJournal)) == 6
        s.rollback()
    with Session(engine) as s, s.begin():
        journal.append(s, "next", data={})  # the chain goes on from the last stored entry
    with Session(engine) as s:
        assert journal.verify(s).ok and journal.verify(s).entries == 7
    engine.dispose()
