"""Start-up recovery decides every in-flight message before new work; one sender per terminal database."""
from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from sqlalchemy import select, update

from core.services.checkout import CheckoutError, CheckoutService, Identification
from core.sync import outbox as ob
from core.sync.lease import Lease
from core.sync.models import SyncOutbox
from core.sync.recovery import owner_alive
from core.sync.synthetic import basket_for, id_number
from tests.sync.fakecentre import ScriptedCentre
from tests.sync.fixtures import cache_persons, load_catalogue, local_settlement_rows

SECRET = "s3cret"


class Interrupted(Exception):
    pass


def _interrupted_settle(co, t, i, monkeypatch):
    """Run settle up to the committed reservation, then 'lose power' before the delivery."""
    sale = co.pre_settle(co.audit(basket_for(i, rx_date=t.today()), Identification("id_card", id_number(i)),
                                  operator="OP01").sale_id)

    def crash(*a, **kw):
        raise Interrupted

    monkeypatch.setattr(t.sender, "deliver", crash)
    with pytest.raises(Interrupted):
        co.settle(sale.sale_id)
    monkeypatch.undo()
    return sale.sale_id


def test_recovery_reverses_an_interrupted_settlement_and_resends_queued_work(make_terminal, monkeypatch, tmp_path,
                                                                           held_port):
    port = held_port.port
    with ScriptedCentre(port) as c:
        t1 = make_terminal(c.url, SECRET, name="shared")
        load_catalogue(t1)
        cache_persons(t1, [1, 2])
        co1 = CheckoutService(t1)
        interrupted = _interrupted_settle(co1, t1, 1, monkeypatch)
        assert co1.sale(interrupted).state == "sending" and c.count("2102") == 0
    # the centre is down; an offline sale is queued
    sale2 = co1.pre_settle(co1.audit(basket_for(2, rx_date=t1.today()), Identification("id_card", id_number(2)),
                                     operator="OP01").sale_id)
    assert co1.settle(sale2.sale_id).state == "provisional"
    t1.lease.release()
    with t1.write() as s, s.begin():  # the process that reserved it is gone
        s.execute(update(SyncOutbox).where(SyncOutbox.interactive.is_(True))
                  .values(owner=f"{socket.gethostname()[:60]}:999999:gone"))
    with ScriptedCentre(port) as c:
        t2 = make_terminal(c.url, SECRET, name="shared", start=False)
        co2 = CheckoutService(t2)
        with pytest.raises(CheckoutError) as info:  # no new work before recovery
            co2.identify(Identification("id_card", id_number(1)), operator="OP01")
        assert info.value.code == "recovery"
        report = t2.start(background=False, resolve_timeout_s=5)
        decisions = {a.sale_id: a.decision for a in report.actions}
        assert decisions == {interrupted: "reverse", sale2.sale_id: "resend"}
        assert co2.sale(interrupted).state == "reversed"
        assert co2.sale(sale2.sale_id).state == "settled"
        assert report.waiting == 0 and report.centre_reached
        assert any("冲正(2601)" in line for line in report.lines_zh())
        # the interrupted 2102 was never sent; its 2601 was, with omsgid = its msgid
        assert c.count("2102") == 1
        rev = next(e for e in c.received if e["infno"] == "2601")
        assert rev["input"]["data"]["omsgid"] == co2.sale(interrupted).msgid
        assert local_settlement_rows(t2)[co2.sale(interrupted).msgid]["status"] == "reversed"


def test_recovery_leaves_a_live_owners_item_alone(make_terminal, monkeypatch):
    with ScriptedCentre() as c:
        t = make_terminal(c.url, SECRET, name="live")
        load_catalogue(t)
        cache_persons(t, [1])
        co = CheckoutService(t)
        sale_id = _interrupted_settle(co, t, 1, monkeypatch)
        with t.write() as s, s.begin():  # another process of this machine, still running (pid 1)
            s.execute(update(SyncOutbox).values(owner=f"{socket.gethostname()[:60]}:1:alive"))
        report = t.start(background=False, resolve_timeout_s=0)
        assert [a.decision for a in report.actions] == ["left-to-owner"]
        assert co.sale(sale_id).state == "sending"


def test_owner_alive():
    me = f"{socket.gethostname()[:60]}:{__import__('os').getpid()}:abc"
    assert not owner_alive(me, me) and not owner_alive("", me)
    assert owner_alive(f"{socket.gethostname()[:60]}:1:x", me)
    assert not owner_alive(f"{socket.gethostname()[:60]}:999999:x", me)
    assert not owner_alive("otherhost:1:x", me)


def test_one_lease_holder(tmp_path):
    from sqlalchemy.orm import sessionmaker

    from core.store.db import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'l.db'}")
    write = sessionmaker(bind=engine.execution_options(sqlite_begin="IMMEDIATE"))
    elapsed = [0.0]  # seconds on an injected clock: the test never waits for the 30 s expiry
    start = dt.datetime(2026, 3, 31, 15, 59, 50)
    fake = {"clock": lambda: start + dt.timedelta(seconds=elapsed[0]), "monotonic": lambda: elapsed[0]}
    a, b = Lease(write, ttl_s=30, **fake), Lease(write, ttl_s=30, **fake)
    assert a.acquire() and not b.acquire() and a.held and not b.held
    assert a.ensure()
    a.release()
    assert b.acquire() and not a.acquire()
    elapsed[0] = 23.9  # b stops renewing: it believes it holds the lease for 80 % of the time-to-live
    assert b.held and not a.acquire()
    elapsed[0] = 29.9  # b no longer counts on it, but nobody may take it before the expiry
    assert not b.held and not a.acquire()
    elapsed[0] = 30.0  # after it, a takes over and b learns so
    assert a.acquire() and not b.ensure() and not b.held
    engine.dispose()


def test_second_instance_does_not_send(make_terminal, held_port):
    with ScriptedCentre() as c:
        t1 = make_terminal(held_port.url, SECRET, name="one", sender={"lease_ttl_s": 30})
        load_catalogue(t1)
        cache_persons(t1, [1, 2, 3])
        co = CheckoutService(t1)
        for i in (1, 2, 3):  # offline sales queued in the shared database
            sale = co.pre_settle(co.audit(basket_for(i, rx_date=t1.today()), Identification("id_card", id_number(i)),
                                          operator="OP01").sale_id)
            co.settle(sale.sale_id)
        assert t1.lease.acquire()
        t2 = make_terminal(c.url, SECRET, name="one", start=False)
        stats = t2.sender.drain(timeout_s=2)
        assert stats.not_holder and stats.sent == 0 and c.count("2102") == 0
        t1.lease.release()
        stats = t2.sender.drain(timeout_s=5)
        assert stats.sent == 3 and c.count("2102") == 3
        with t2.read() as s:
            assert {i.status for i in s.scalars(select(SyncOutbox))} == {ob.DONE}
