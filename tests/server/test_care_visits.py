"""Family-doctor contracts and measured follow-up visits (2560–2564) on SQLite and PostgreSQL: out-of-range
values refused with zh+en messages and nothing written, the ≥4-a-year count and due/overdue from the rows."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from server.envelope import CST
from server.models_chronic import followup
from server.models_care import contract
from tests.server.helpers import CL1, CTR, ok, refused


def _today() -> dt.date:
    return dt.datetime.now(CST).date()


def visit(day: dt.date, **over) -> dict:
    base = {"psn_no": "T0001", "visit_date": day.isoformat(), "place": "车站路社区卫生服务站", "doctor": "何燕",
            "doctor_code": "D001", "sbp": "138", "dbp": 86, "fpg": "6.1", "weight_kg": 68.5, "height_cm": "165",
            "smoking": "never", "adherence": "regular", "assessment": "controlled",
            "drugs": [{"drug_key": "D01", "dose": "5mg", "freq": "qd"}]}
    base.update(over)
    return {"data": base}


def visit_days(today: dt.date, n: int) -> list[dt.date]:
    """n distinct days this calendar year, the last one today (whatever day of the year the test runs)."""
    start = dt.date(today.year, 1, 1)
    span = (today - start).days
    return sorted({start + dt.timedelta(days=span * i // max(n - 1, 1)) for i in range(n)})


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_sign_four_visits_one_refused_and_schedule(client, centre_engine):
    today = _today()
    before = count(centre_engine, followup)
    signed = ok(client.call("2560", {"data": {"psn_no": "T0001", "team": "车站路家庭医生团队", "doctor_code": "D001",
                                              "doctor_name": "何燕", "sign_date": f"{today:%Y/%m/%d}"}}, CL1))["contract"]
    assert signed["status"] == "active" and signed["unit_code"] == CL1
    refused(client.call("2560", {"data": {"psn_no": "T0001", "team": "另一团队", "doctor_code": "D9",
                                          "doctor_name": "王", "sign_date": today.isoformat()}}, CTR), "请先解约")
    # an out-of-range value is refused, in Chinese and English, and nothing is written
    err = refused(client.call("2562", visit(today, sbp=1400), CL1), "收缩压", "systolic BP", "60–260")
    assert "sbp" in err
    refused(client.call("2562", visit(today, sbp=80, dbp=90), CL1), "收缩压", "舒张压")
    refused(client.call("2562", visit(today, fpg="abc"), CL1), "空腹血糖", "number")
    refused(client.call("2562", visit(today, assessment=None), CL1), "评估结论")
    refused(client.call("2562", visit(today + dt.timedelta(days=1)), CL1), "晚于今天")
    refused(client.call("2562", visit(today, drugs=[{"drug_key": "NOPE"}]), CL1), "NOPE")
    assert count(centre_engine, followup) == before
    days = visit_days(today, 4)
    last = None
    for i, day in enumerate(days):
        extra = {"sbp": 150 - 4 * i, "dbp": 95 - 2 * i, "fpg": f"{7.8 - 0.4 * i:.1f}"}
        if i == len(days) - 1:
            extra["next_visit"] = (today + dt.timedelta(days=60)).isoformat()
            extra["assessment"] = "控制满意"  # the Chinese label is accepted as the code
        last = ok(client.call("2562", visit(day, **extra), CL1))
    assert last["visit"]["assessment"] == "controlled" and last["visit"]["bmi"] == "25.2"
    sched = last["schedule"]
    assert sched["visits_this_year"] == len(days)
    assert sched["status"] == "ok" and sched["next_due"] == (today + dt.timedelta(days=60)).isoformat()
    tl = ok(client.call("2563", {"data": {"psn_no": "T0001"}}, CTR))
    assert [t["sbp"] for t in tl["trend"]] == [150 - 4 * i for i in range(len(days))]
    kinds = {e["kind"] for e in tl["events"]}
    assert {"visit", "contract"} <= kinds
    assert tl["contract"]["doctor_name"] == "何燕"
    roster = ok(client.call("2564", {"data": {}}, CL1))["people"]
    assert [p["psn_no"] for p in roster] == ["T0001"] and roster[0]["schedule"]["visits_this_year"] == len(days)
    ended = ok(client.call("2561", {"data": {"psn_no": "T0001", "end_date": today.isoformat(), "reason": "迁居外地"}},
                           CL1))["contract"]
    assert ended["status"] == "ended"
    refused(client.call("2561", {"data": {"psn_no": "T0001", "end_date": today.isoformat(), "reason": "x"}}, CL1),
            "没有签约中")
    assert ok(client.call("2564", {"data": {}}, CL1))["people"] == []
    assert count(centre_engine, contract) == 1


def test_no_visit_this_year_is_overdue_in_the_roster(client):
    today = _today()
    since = today - dt.timedelta(days=200)
    ok(client.call("2560", {"data": {"psn_no": "T0002", "team": "团队", "doctor_code": "D2", "doctor_name": "李",
                                     "sign_date": since.isoformat()}}, CL1))
    person = ok(client.call("2564", {"data": {"status": "overdue"}}, CL1))["people"]
    assert [p["psn_no"] for p in person] == ["T0002"]
    assert person[0]["schedule"]["visits_this_year"] == 0
    # the worklist's follow-up reminders read the same records and the same rule
    follow = {i["psn_no"]: i for i in ok(client.call("2540", {"data": {"kinds": "followup"}}, CTR))["items"]}
    assert follow["T0002"]["status"] == "overdue" and follow["T0002"]["visits"] == 0
    ok(client.call("2562", visit(today, psn_no="T0002", next_visit=(today + dt.timedelta(days=80)).isoformat()), CL1))
    follow = {i["psn_no"]: i for i in ok(client.call("2540", {"data": {"kinds": "followup"}}, CTR))["items"]}
    assert "T0002" not in follow or follow["T0002"]["visits"] == 1
