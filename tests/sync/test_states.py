"""The sale state machine: every allowed transition works and is journaled; every other one is refused with a
typed error and changes nothing."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.store.db import open_store
from core.sync import journal
from core.sync.models import SyncJournal, SyncSale
from core.sync.states import (
    IN_FLIGHT,
    LABEL_ZH,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    SaleState,
    allowed,
    transition,
)

PAIRS = list(itertools.product(SaleState, SaleState))


@pytest.fixture(scope="module")
def engine():
    e = open_store("sqlite:///:memory:")
    yield e
    e.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        s.begin()
        yield s
        s.rollback()


def _sale(session: Session, state: SaleState) -> SyncSale:
    sale = SyncSale(sale_id="T01-00000001", terminal_id="T01", state=state.value, offline=False, person_no="T0001",
                    cert_type="02", scheme="LB", med_type="9901", disease="HTN", operator="OP01", operator_name="",
                    basket="{}", warn_ack=False, reason="")
    session.add(sale)
    session.flush()
    return sale


@pytest.mark.parametrize("current,wanted", PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_every_pair_of_states(session, current, wanted):
    sale = _sale(session, current)
    before = session.scalar(select(func.count()).select_from(SyncJournal))
    if wanted in TRANSITIONS[current]:
        transition(session, sale, wanted, reason="test")
        assert sale.state == wanted.value
        row = session.scalars(select(SyncJournal).order_by(SyncJournal.seq.desc())).first()
        assert (row.kind, row.sale_id, row.from_state, row.to_state) == ("sale.transition", sale.sale_id,
                                                                        current.value, wanted.value)
    else:
        with pytest.raises(IllegalTransition) as info:
            transition(session, sale, wanted, reason="test")
        assert sale.state == current.value
        assert info.value.current == current and info.value.wanted == wanted
        assert LABEL_ZH[current] in info.value.message_zh
        assert session.scalar(select(func.count()).select_from(SyncJournal)) == before


def test_the_table_is_closed_and_reachable():
    # every state has an entry, terminal states have no way out, every state is reachable from draft
    assert set(TRANSITIONS) == set(SaleState)
    assert TERMINAL == {SaleState.REJECTED, SaleState.REVERSED, SaleState.RETURNED, SaleState.CANCELLED}
    seen, todo = {SaleState.DRAFT}, [SaleState.DRAFT]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(SaleState)


def test_no_way_back_from_a_message_that_may_be_at_the_centre():
    # once a 2102 may have left, the sale can only end settled, rejected or reversed — never be edited
    for state in (SaleState.UNKNOWN, SaleState.REVERSING, SaleState.PROVISIONAL):
        assert not allowed(state, SaleState.AUDITED) and not allowed(state, SaleState.CANCELLED)
    assert not allowed(SaleState.REVERSING, SaleState.SETTLED)
    assert SaleState.SENDING in IN_FLIGHT


def test_journal_chain_of_transitions(session):
    sale = _sale(session, SaleState.DRAFT)
    for to in (SaleState.AUDITED, SaleState.PRE_SETTLED, SaleState.SENDING, SaleState.SETTLED, SaleState.PRINTED,
               SaleState.UPLOADED):
        transition(session, sale, to)
    assert [e["to"] for e in journal.entries(session, sale.sale_id)] == [
        "audited", "pre_settled", "sending", "settled", "printed", "uploaded"]
    assert journal.verify(session).ok
