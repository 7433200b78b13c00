"""The centre's annual cap at the turn of the year, over real HTTP, on a clock the test sets (SQLite and
PostgreSQL). The instants are written in UTC: the business day is China Standard Time (UTC+8), so a year ends at
16:00 UTC on 31 December. A settlement in the first second of 1 January counts toward that year's cap (a `>=`
turned `>` in core.policy.calculator forgot it: the cap paid twice), one in the last second of 31 December toward
the year before. Nothing here depends on the hour the suite runs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from server.app import create_app
from server.envelope import CST
from tests.server.helpers import D01, PH1, Client, LiveServer, RequestsHttp, settle_input

UTC = dt.timezone.utc
D03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033"}  # another HTN drug
CAP = Decimal("400.00")  # TEST_CITY_A, 两病 hypertension (LB), a calendar year


@pytest.fixture
def centre_at(centre_db, centre_engine):
    """A live centre whose clock is the instant in now["t"] (given in UTC, read by the centre in CST)."""
    now: dict[str, dt.datetime] = {}
    app = create_app(engine=centre_engine, clock=lambda: now["t"].astimezone(CST), window=10**9)
    with LiveServer(app) as server:
        yield Client(RequestsHttp(server.url), centre_db.secrets), now


def _settle(client: Client, now: dict, instant: dt.datetime, drug: dict) -> dict:
    now["t"] = instant
    out = client.call("2102", settle_input("T0001", drug=drug, packs=1, days=28, dose="5" if drug is D01 else "150"),
                      PH1)
    assert out["infcode"] == 0, (instant, out["err_msg"])
    setl = out["output"]["setlinfo"]
    assert setl["setl_time"].startswith(instant.astimezone(CST).strftime("%Y-%m-%d")), setl["setl_time"]
    return setl


def test_the_first_second_of_a_year_counts_toward_that_years_cap(centre_at):
    client, now = centre_at
    last_2026 = _settle(client, now, dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), D01)  # 23:59:59 CST
    assert last_2026["expContent"]["period"] == "2026"
    first_2027 = _settle(client, now, dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC), D03)  # 00:00:00 CST 1 Jan
    assert first_2027["expContent"]["period"] == "2027"
    assert Decimal(first_2027["expContent"]["cap_remaining_before"]) == CAP  # the 2026 settlement is not in 2027
    paid_on_1_january = Decimal(first_2027["fund_pay_sumamt"])
    assert paid_on_1_january > 0
    last_2027 = _settle(client, now, dt.datetime(2027, 12, 31, 15, 59, 59, tzinfo=UTC), D01)
    # what 1 January paid is spent: the cap is not paid a second time later in the year
    assert Decimal(last_2027["expContent"]["cap_remaining_before"]) == CAP - paid_on_1_january
    first_2028 = _settle(client, now, dt.datetime(2027, 12, 31, 16, 0, 0, tzinfo=UTC), D03)
    assert Decimal(first_2028["expContent"]["cap_remaining_before"]) == CAP
