"""Offline floor limits: each limit refuses with its reason; inside them a sale settles provisionally and spends
the local quota at once; an e-voucher is never used offline."""
from __future__ import annotations

import datetime as dt
import itertools
import socket
from decimal import Decimal

import pytest

from core.services.checkout import CheckoutError, CheckoutService, Identification
from core.store.persons import upsert_person
from core.sync import offline
from core.sync.config import OfflineLimits
from core.sync.models import SyncSale
from core.sync.synthetic import basket_for, id_number, synthetic_persons
from tests.sync.fixtures import cache_persons, load_catalogue

SECRET = "s3cret"
CST = dt.timezone(dt.timedelta(hours=8))


UTC = dt.timezone.utc
# Instants just before a day ends in CST (16:00 UTC) and in UTC (00:00 UTC): every test runs on a fixed clock at
# each, so a CST/UTC mix-up fails whatever the hour the suite runs at.
MOMENTS = {"cst-midnight": dt.datetime(2026, 3, 31, 15, 59, 50, tzinfo=UTC),
           "utc-midnight": dt.datetime(2026, 3, 31, 23, 59, 50, tzinfo=UTC)}


class Clock:
    """The terminal's injected clock: CST wall time from a fixed instant, moved only by `advance`."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start.astimezone(CST)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture(params=sorted(MOMENTS))
def moment(request) -> dt.datetime:
    return MOMENTS[request.param]


@pytest.fixture
def dead_url():
    """The address of a port held bound but not listening for the whole test: a connection is refused, and no
    other process can take the port meanwhile (a port picked free and closed could be reused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def offline_terminal(make_terminal, moment, dead_url):
    """A terminal whose centre cannot be reached, on a fixed clock (`t.clock`) at `moment`."""

    def make(persons=(1,), clock=None, **offline_limits):
        clock = clock or Clock(moment)
        t = make_terminal(dead_url, SECRET, clock=clock, offline=offline_limits)
        load_catalogue(t)
        cache_persons(t, list(persons))
        return t, CheckoutService(t)

    return make


def _sell(co, t, i, n=0, kind="id_card", number=None):
    sale = co.audit(basket_for(i, n, rx_date=t.today()), Identification(kind, number or id_number(i)), operator="OP01")
    sale = co.pre_settle(sale.sale_id)
    return co.settle(sale.sale_id)


def test_inside_the_limits_a_sale_is_provisional_and_numbered_per_terminal(offline_terminal):
    t, co = offline_terminal(persons=(1, 2))
    a, b = _sell(co, t, 1), _sell(co, t, 2)
    assert (a.state, b.state) == ("provisional", "provisional")
    assert (a.offline_no, b.offline_no) == ("T01-L000001", "T01-L000002")
    status = co.status()
    assert status.mode == "offline" and status.provisional_sales == 2 and status.waiting == 2
    assert status.offline_fund_outstanding == Decimal("84.00") and "离线暂存 2 笔" in status.text_zh


def test_the_local_quota_is_spent_at_once(offline_terminal):
    t, co = offline_terminal()
    assert _sell(co, t, 1).state == "provisional"
    # the same person buying the same supply again: the provisional settlement already counts locally
    sale = co.audit(basket_for(1, 1, rx_date=t.today()), Identification("id_card", id_number(1)), operator="OP01")
    assert sale.verdict == "BLOCK" and sale.state == "draft"


def test_evoucher_is_never_used_offline(offline_terminal):
    t, co = offline_terminal()
    with pytest.raises(CheckoutError) as info:
        co.identify(Identification("evoucher", "ecToken-abc"), operator="OP01")
    assert info.value.code == "evoucher_offline" and "动态码" in info.value.message_zh
    sale = co.audit(basket_for(1, rx_date=t.today()), Identification("evoucher", "ecToken-abc"), operator="OP01")
    with pytest.raises(CheckoutError) as info:
        co.pre_settle(sale.sale_id)
    assert info.value.code == "offline_refused" and "identification" in info.value.details["reasons"]


def test_identification_offline_by_card(offline_terminal):
    t, co = offline_terminal()
    who = co.identify(Identification("id_card", id_number(1).lower()), operator="OP01")
    assert not who.online and who.offline_ok and who.person_no == "S000001" and "*" in who.masked_id
    p = synthetic_persons(1, start=7)[0]
    with t.write() as s, s.begin():
        upsert_person(s, p, ss_card_no="SS0007", cipher=t.cipher)
    with pytest.raises(CheckoutError) as info:  # cached, but no registration freshness recorded
        _sell(co, t, 7, kind="ss_card", number="SS0007")
    assert "registration" in info.value.details["reasons"]
    who = co.identify(Identification("ss_card", "SS0007", card_sn="1"), operator="OP01")
    assert who.person_no == p.person_no and not who.offline_ok
    with pytest.raises(CheckoutError) as info:
        co.identify(Identification("id_card", id_number(999)), operator="OP01")
    assert info.value.code == "not_cached"


def test_stale_registration_is_refused(offline_terminal):
    t, co = offline_terminal(max_registration_age_hours=24)
    cache_persons(t, [1], refreshed_at=t.utcnow() - dt.timedelta(hours=30))
    with pytest.raises(CheckoutError) as info:
        _sell(co, t, 1)
    assert info.value.details["reasons"] == ["registration"] and "30 小时" in info.value.message_zh


def test_per_transaction_limit(offline_terminal):
    t, co = offline_terminal(max_fund_per_transaction="40")
    with pytest.raises(CheckoutError) as info:
        _sell(co, t, 1)
    assert info.value.details["reasons"] == ["per_transaction"]
    assert "单笔上限 40.00" in info.value.message_zh and co.status().waiting == 0


def test_terminal_total_limit(offline_terminal):
    t, co = offline_terminal(persons=(1, 2, 3), max_terminal_offline_fund="100")
    assert _sell(co, t, 1).state == "provisional" and _sell(co, t, 2).state == "provisional"
    with pytest.raises(CheckoutError) as info:
        _sell(co, t, 3)
    assert info.value.details["reasons"] == ["terminal_total"]
    assert info.value.details["terminal_outstanding_fund"] == "126.00"


def test_maximum_offline_duration(offline_terminal):
    t, co = offline_terminal(persons=(1, 2), max_offline_hours=2, max_registration_age_hours=72)
    clock = t.clock
    assert _sell(co, t, 1).state == "provisional"  # the failed attempt starts the offline clock
    clock.advance(hours=3)
    with pytest.raises(CheckoutError) as info:
        _sell(co, t, 2)
    assert info.value.details["reasons"] == ["duration"] and "最长离线时间 2 小时" in info.value.message_zh


def test_every_limit_at_once_is_reported(make_terminal, moment, dead_url):
    t = make_terminal(dead_url, SECRET, clock=Clock(moment))
    limits = OfflineLimits(max_registration_age_hours=1, max_fund_per_transaction=Decimal("10"),
                           max_fund_per_person_per_day=Decimal("50"), max_terminal_offline_fund=Decimal("60"),
                           max_offline_hours=1)
    now = t.utcnow()
    with t.write() as s, s.begin():
        s.add(SyncSale(sale_id="X-1", terminal_id="T01", state="provisional", offline=True, person_no="S000001",
                       cert_type="02", scheme="LB", med_type="9901", disease="HTN", operator="OP01", operator_name="",
                       basket="{}", warn_ack=False, fund=Decimal("45.00"), reason="", created_at=now))
        t.state.set("offline_since", (now - dt.timedelta(hours=2)).isoformat(), s)
        check = offline.check(s, limits, person_no="S000001", ident_kind="evoucher", fund=Decimal("20"),
                              now_utc=now, local_day=t.today(), utc_offset_hours=8)
    assert not check.ok
    assert [r.code for r in check.reasons] == ["identification", "registration", "per_transaction", "per_person_day",
                                               "terminal_total", "duration"]
    assert check.figures["person_day_fund"] == "65.00" and check.figures["terminal_outstanding_fund"] == "65.00"


def test_the_person_day_limit_is_by_cst_day_whatever_the_utc_date(make_terminal, dead_url):
    """A provisional sale at 23:59:50 CST counts toward that CST day only: ten seconds later (16:00 UTC) a new
    day starts; one at 07:59:50 CST (23:59:50 UTC) still counts after 00:00 UTC. Through the checkout's own
    derivation of the day from its clock."""
    limits = {"max_fund_per_person_per_day": "50", "max_registration_age_hours": 1000}
    terminals = itertools.count()

    def check_at(recorded: dt.datetime, asked: dt.datetime) -> list[str]:
        clock = Clock(recorded)
        t = make_terminal(dead_url, SECRET, name=f"day{next(terminals)}", clock=clock, offline=limits)
        co = CheckoutService(t)
        with t.write() as s, s.begin():
            s.add(SyncSale(sale_id="OLD", terminal_id="T01", state="provisional", offline=True, person_no="S000001",
                           cert_type="02", scheme="LB", med_type="9901", disease="HTN", operator="OP01",
                           operator_name="", basket="{}", warn_ack=False, fund=Decimal("45.00"), reason="",
                           created_at=t.utcnow()))
            new = SyncSale(sale_id="NEW", terminal_id="T01", state="audited", offline=False, person_no="S000001",
                           cert_type="02", scheme="LB", med_type="9901", disease="HTN", operator="OP01",
                           operator_name="", basket="{}", warn_ack=False, fund=Decimal("0"), reason="",
                           created_at=t.utcnow())
        clock.now = asked.astimezone(CST)
        with t.write() as s:
            check = co.offline_check(s, new, Decimal("20.00"))
        return [r.code for r in check.reasons if r.code == "per_person_day"]

    at = dt.datetime
    assert check_at(at(2026, 3, 31, 15, 59, 50, tzinfo=UTC), at(2026, 3, 31, 15, 59, 59, tzinfo=UTC)) == ["per_person_day"]
    assert check_at(at(2026, 3, 31, 15, 59, 50, tzinfo=UTC), at(2026, 3, 31, 16, 0, 5, tzinfo=UTC)) == []
    assert check_at(at(2026, 3, 31, 23, 59, 50, tzinfo=UTC), at(2026, 4, 1, 0, 0, 5, tzinfo=UTC)) == ["per_person_day"]
    assert check_at(at(2026, 3, 31, 23, 59, 50, tzinfo=UTC), at(2026, 4, 1, 15, 59, 59, tzinfo=UTC)) == ["per_person_day"]
    assert check_at(at(2026, 3, 31, 23, 59, 50, tzinfo=UTC), at(2026, 4, 1, 16, 0, 0, tzinfo=UTC)) == []
