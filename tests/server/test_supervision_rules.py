"""The supervision alert rules not covered by test_supervision.py, each on both sides of its threshold (SQLite and
PostgreSQL): SV-R02 一卡多用 (many institutions in a day; two areas too close in time), SV-R03 a trace code sold
twice, SV-R06 a person's purchase frequency, SV-R07 a registration without a follow-up. Settlements are real signed
2102s where the centre accepts them; rows the centre's own checks would never let in (a code sold twice, a year of
purchases) are written directly, as data that arrived by another road, and the rule must still see them."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import delete, insert, select, update

from core.store.models import FacilityRow, RegistrationRow, SettlementRow
from server.envelope import CST
from server.models import trace_upload
from server.models_chronic import followup
from server.supervision import alerts, queries, rollup
from server.supervision.models import (
    FOLDED,
)
from server.supervision.rules import RULES_FILE, load, parse
from tests.server.helpers import CL1, D01, PH1, PH2, settle_input, trace_codes
from tests.server.test_reports import D03



def _refold_from_scratch(engine) -> None:
    """Forget what was folded (not the alerts): the next fold reads every journal entry again."""
    with engine.begin() as conn:
        for t in FOLDED:
            conn.execute(delete(t))


def _found(engine, rule: str) -> list[dict]:
    with engine.connect() as conn:
        return [a for a in queries.alert_rows(conn, limit=500) if a["rule"] == rule]


def _settle(client, psn: str, code: str, drug=D01, dose: str = "5") -> dict:
    r = client.call("2102", settle_input(psn, drug=drug, packs=1, days=28, dose=dose), code=code)
    assert r["infcode"] == 0, r.get("err_msg")
    return r["output"]["setlinfo"]


def test_one_card_many_places_in_a_day(client, centre_engine):
    """SV-R02, many terminals: more institutions in one day than `max_institutions_per_day` (lowered to 1 here, so
    two real settlements cross it; at 2 they do not)."""
    _settle(client, "T0001", PH1)
    _settle(client, "T0001", PH2, drug=D03, dose=D03["dose"])
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    data["rules"]["SV-R02"]["max_institutions_per_day"] = 2  # two places: not above it
    rollup.fold_all(centre_engine, rules=parse(data))
    assert not _found(centre_engine, "SV-R02")
    _refold_from_scratch(centre_engine)  # fold again from the start with the lower threshold
    data["rules"]["SV-R02"]["max_institutions_per_day"] = 1
    rollup.fold_all(centre_engine, rules=parse(data))
    found = _found(centre_engine, "SV-R02")
    assert len(found) == 1, found
    assert found[0]["evidence"]["institutions"] == sorted([PH1, PH2]) and found[0]["severity"] == "high"
    assert found[0]["link"] == "/supervision/person/T0001" and "一卡多用" in found[0]["title_zh"]


def test_one_card_in_two_areas_too_close_in_time(client, centre_engine):
    """SV-R02, impossible travel: the same person settled in two insurance areas less than `travel_minutes` apart.
    The second pharmacy is moved to another area (the centre's institution cache dropped, as its TTL would); with
    the limit at 0 minutes nothing is raised, with the rule's own limit the pair is."""
    with centre_engine.begin() as conn:
        area = conn.execute(select(FacilityRow.city).where(FacilityRow.code == PH1)).scalar()
        conn.execute(update(FacilityRow).where(FacilityRow.code == PH2).values(city="421100"))
    client.app.state.centre.invalidate("ref.facilities")
    assert area and area != "421100"
    first = _settle(client, "T0002", PH1)
    second = _settle(client, "T0002", PH2, drug=D03, dose=D03["dose"])
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    data["rules"]["SV-R02"]["travel_minutes"] = 0
    rollup.fold_all(centre_engine, rules=parse(data))
    assert not _found(centre_engine, "SV-R02")
    _refold_from_scratch(centre_engine)
    rollup.fold_all(centre_engine)
    found = _found(centre_engine, "SV-R02")
    assert len(found) == 1, found
    ev = found[0]["evidence"]
    assert ev["first"][:2] == [first["setl_id"], PH1] and ev["second"][:2] == [second["setl_id"], PH2]
    assert found[0]["link"] == "/supervision/person/T0002" and "两地" in found[0]["title_zh"]


def test_a_trace_code_sold_twice_is_flagged_once(client, centre_engine):
    """SV-R03: a box's code under a settlement at one pharmacy and a 3505 upload at another. The centre refuses
    such a 3505 itself, so the second sale is written as a row that came in another way (a migration, an import)
    before the settlement is folded; the rule reads the tables, not the refusals. The other box is not flagged."""
    codes = trace_codes(D01["prefix"], 2)
    r = client.call("2102", settle_input("T0001", packs=2, days=56, codes=codes), code=PH1)
    assert r["infcode"] == 0, r.get("err_msg")
    with centre_engine.begin() as conn:
        conn.execute(insert(trace_upload).values(
            code=codes[1], fixmedins_code=PH2, msgid="IMPORT-1", rtal_docno="DOC-X", med_list_codg=D01["code"],
            drug_key="D01", setl_id=None, psn_no="T0012", units=28, split=False,
            sold_at=dt.datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")))
    rollup.fold_all(centre_engine)
    found = _found(centre_engine, "SV-R03")
    assert len(found) == 1, found
    ev = found[0]["evidence"]
    assert ev["code"] == codes[1] and sorted(s[0] for s in ev["sales"]) == sorted([PH1, PH2])
    assert found[0]["severity"] == "high" and found[0]["link"] == f"/supervision/institution/{PH1}"
    _refold_from_scratch(centre_engine)  # seen again: one finding, one alert
    rollup.fold_all(centre_engine)
    assert len(_found(centre_engine, "SV-R03")) == 1


def _purchases(engine, person: str, n: int, today: dt.date) -> None:
    """n past settlements of `person`, one every 4 days up to yesterday (a history the audit would refuse to
    build in a test: early refills)."""
    with engine.begin() as conn:
        for i in range(n):
            day = today - dt.timedelta(days=4 * (i + 1))
            conn.execute(insert(SettlementRow).values(
                settlement_id=f"HIST-{person}-{i}", person_no=person, date=day, time=dt.time(9, 0), facility_code=PH1,
                city="420700", scheme="LB", period=str(day.year), total=Decimal("28.00"), fund=Decimal("16.80"),
                personal=Decimal("11.20"), deductible_applied=Decimal("0"), expense_counted=Decimal("28.00"),
                status="settled", created_at=dt.datetime.now()))


def test_a_person_buying_too_often(client, centre_engine):
    """SV-R06 (person): more than `person_max_settlements` in `person_window_days`. Five earlier purchases and
    today's sixth: at the limit, nothing; a seventh today (at another pharmacy) goes over it."""
    today = dt.datetime.now(CST).date()
    limit = int(load()["SV-R06"]["person_max_settlements"])
    _purchases(centre_engine, "T0012", limit - 1, today)
    _settle(client, "T0012", PH1)
    rollup.fold_all(centre_engine)
    assert not [a for a in _found(centre_engine, "SV-R06") if a["link"] == "/supervision/person/T0012"]
    _settle(client, "T0012", PH2, drug=D03, dose=D03["dose"])
    rollup.fold_all(centre_engine)
    found = [a for a in _found(centre_engine, "SV-R06") if a["link"] == "/supervision/person/T0012"]
    assert len(found) == 1, found
    assert len(found[0]["evidence"]["settlements"]) == limit + 1 and found[0]["evidence"]["limit"] == limit
    assert found[0]["severity"] == "medium"


def test_registration_without_follow_up(client, centre_engine):
    """SV-R07 (periodic): a 两病 registration older than `grace_days` with no follow-up visit in those days. Of two
    old registrations, the one visited within the grace period raises nothing, the other does; a registration
    younger than the grace period raises nothing either; the rule runs only when due (`every_minutes`)."""
    rules = load()
    grace = int(rules["SV-R07"]["grace_days"])
    now = dt.datetime.now(CST).replace(tzinfo=None, microsecond=0)
    old = now.date() - dt.timedelta(days=grace + 10)
    with centre_engine.begin() as conn:
        conn.execute(delete(RegistrationRow))
        conn.execute(delete(followup))
        for person, begin in (("T0001", old), ("T0012", old), ("T0002", now.date() - dt.timedelta(days=10))):
            conn.execute(insert(RegistrationRow).values(
                person_no=person, disease="HTN", scheme="LB", begin=begin, end=None))
        conn.execute(insert(followup).values(person_no="T0001", visit_date=now.date() - dt.timedelta(days=grace - 5),
                                             facility_code=CL1, at=now.strftime("%Y-%m-%d %H:%M:%S")))
    with centre_engine.begin() as conn:
        assert alerts.periodic(conn, rules, now)
    found = _found(centre_engine, "SV-R07")
    assert [a["link"] for a in found] == ["/supervision/person/T0012"], found
    assert found[0]["severity"] == "low" and found[0]["evidence"]["registered_since"] == str(old)
    with centre_engine.begin() as conn:  # the visit moves out of the window, but the rule is not due yet
        conn.execute(update(followup).values(visit_date=old))
        assert not alerts.periodic(conn, rules, now + dt.timedelta(minutes=1))
    later = now + dt.timedelta(minutes=float(rules["SV-R07"]["every_minutes"]) + 1)
    with centre_engine.begin() as conn:
        assert alerts.periodic(conn, rules, later)
    assert sorted(a["link"][-5:] for a in _found(centre_engine, "SV-R07")) == ["T0001", "T0012"]
    with centre_engine.begin() as conn:  # once per finding
        assert not alerts.periodic(conn, rules, later + dt.timedelta(minutes=float(rules["SV-R07"]["every_minutes"]) + 1))
    assert len(_found(centre_engine, "SV-R07")) == 2
