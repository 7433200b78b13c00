"""The counter's worklists at the centre (SQLite and PostgreSQL): refill / review / follow-up reminders per clerk,
and the list of people who look eligible but are not registered (主动发现)."""
from __future__ import annotations

import datetime as dt

from server.envelope import CST
from tests.server.helpers import AGY, CL1, PH1, PH2, ok, trace_codes
from tests.server.test_reports import A01, D02, clocked, settle_body  # noqa: F401 (fixture)


def at(now: dict, day: str) -> None:
    now["t"] = dt.datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=CST)


def test_refill_review_followup_reminders(clocked):
    client, now = clocked
    at(now, "2026-03-02")
    ok(client.call("2102", settle_body("T0001", [(A01, 1)]), CL1))  # 28 days: runs out 2026-03-30
    at(now, "2026-03-05")
    ok(client.call("2102", settle_body("T0012", [(D02, 1)]), PH1))  # 30 days: runs out 2026-04-04
    at(now, "2026-03-10")
    ok(client.call("2541", {"data": {"psn_no": "T0001", "visit_date": "2026-03-10", "doctor": "何医生"}}, CL1))
    at(now, "2026-03-12")
    ok(client.call("2510", {"data": {"psn_no": "T0001", "scheme": "MT", "tel": "13900000001",
                                     "diseases": [{"opsp_dise_code": "M03900", "diag_code": "I10"}]}}, AGY, opter="OP07"))
    at(now, "2026-03-25")
    items = ok(client.call("2540", {"data": {"kinds": "refill", "refill_days": 7}}, AGY))["items"]
    assert [(i["psn_no"], i["drug_key"], i["supply_end"], i["days_left"], i["next_allowed"]) for i in items] == [
        ("T0001", "D01", "2026-03-30", 5, "2026-03-15")]
    assert items[0]["tel"] == "13900000001" and items[0]["assignee"] == "OP07"
    assert items[0]["message"] == "【一窗通】王某(测试)您好，您的苯磺酸氨氯地平片预计于03月30日用完，自03月25日起可续配取药。"
    wider = ok(client.call("2540", {"data": {"kinds": "refill", "refill_days": 14}}, AGY))["items"]
    assert [(i["psn_no"], i["supply_end"]) for i in wider] == [("T0001", "2026-03-30"), ("T0012", "2026-04-04")]
    # per clerk: T0001 is OP07's (its latest application), T0012 nobody's (on every list)
    assert [i["psn_no"] for i in ok(client.call("2540", {"data": {"kinds": "refill", "refill_days": 14,
                                                                   "assignee": "OP01"}}, AGY))["items"]] == ["T0012"]
    review = ok(client.call("2540", {"data": {"kinds": "review", "review_days": 120}}, AGY))["items"]
    assert sorted((i["psn_no"], i["disease"], i["end"]) for i in review) == [
        ("T0004", "M03900", "2026-06-30"), ("T0004", "M04600", "2026-06-30")]
    assert "复审" in review[0]["message"]
    follow = ok(client.call("2540", {"data": {"kinds": "followup"}}, AGY))["items"]
    due = {i["psn_no"]: i for i in follow}
    assert "T0001" not in due  # visited this quarter
    assert {"T0002", "T0011", "T0012"} <= set(due) and due["T0012"]["due"] == "2026-03-31"
    assert due["T0012"]["visits"] == 0 and "每年不少于4次" in due["T0012"]["message"]


def test_eligible_but_unregistered_ranked(clocked):
    client, now = clocked
    at(now, "2026-03-02")
    # T0014 (no registration) buys amlodipine at full price, twice, and is on a primary-care unit's roster
    for doc in ("S1", "S2"):
        codes = trace_codes("8100011", 1)
        ok(client.call("3505", {"selinfo": {
            "med_list_codg": "XC08CAA321A001010199901", "fixmedins_hilist_id": "D01", "fixmedins_hilist_name": "苯磺酸氨氯地平片",
            "fixmedins_bchno": "B1", "trdn_flag": "0", "rtal_docno": doc, "sel_retn_cnt": 1,
            "sel_retn_time": "2026-03-02 10:00:00", "sel_retn_opter_name": "药师", "mdtrt_setl_type": "2",
            "psn_no": "T0014", "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}}, PH2))
    ok(client.call("2542", {"data": {"people": [{"psn_no": "T0014", "disease": "HTN", "since": "2025-06-01"}]}}, CL1))
    # T0001 is registered for hypertension only, but a settlement carried a diabetes diagnosis
    body = settle_body("T0001", [(A01, 1)])
    body["diseinfo"] = [{"diag_code": "I10.x00"}, {"diag_code": "E11.900", "diag_name": "2型糖尿病"}]
    ok(client.call("2102", body, CL1))
    # T0005's 门诊慢特病 registration ended in 2025; a unit manages them for diabetes
    ok(client.call("2542", {"data": {"people": [{"psn_no": "T0005", "disease": "DM", "since": "2025-09-01"}]}}, AGY))
    # T0007 died: never listed, whatever the roster says
    ok(client.call("2542", {"data": {"people": [{"psn_no": "T0007", "disease": "HTN", "since": "2024-01-01"}]}}, AGY))
    people = ok(client.call("2530", {"data": {}}, AGY))["people"]
    got = [(p["psn_no"], p["diseases"], p["score"]) for p in people]
    assert got == [("T0014", ["HTN"], 40 + 5 * 2 + 10), ("T0005", ["DM"], 40), ("T0001", ["DM"], 15 + 10)], got
    t14 = people[0]
    assert t14["selfpay_boxes"] == 2 and t14["managed_by"] == [CL1] and "自费购药 2 盒" in t14["reasons"]
    assert t14["certno_masked"].startswith("4207") and "*" in t14["certno_masked"]
    # one click: an application from the list, and the person leaves the list while it is open
    ok(client.call("2510", {"data": {"psn_no": "T0014", "scheme": "LB", "source": "discovery",
                                     "diseases": [{"opsp_dise_code": "HTN", "diag_code": "I10"}]}}, AGY))
    assert [p["psn_no"] for p in ok(client.call("2530", {"data": {}}, AGY))["people"]] == ["T0005", "T0001"]


def test_continuous_prescription_pickup_rule_is_enforced(clocked):
    """附件3 prints: a refill only when the last supply has at most 15 days left. The centre's audit (DUP-001)
    refuses an earlier pickup and accepts it from the day the schedule on the form says."""
    from core.services.forms import pickup_schedule

    client, now = clocked
    at(now, "2026-03-02")
    ok(client.call("2102", settle_body("T0001", [(A01, 1)]), CL1))
    schedule = pickup_schedule(dt.date(2026, 3, 2), 28, 3, 15)
    assert [(n, d.isoformat()) for n, d, _ in schedule] == [(1, "2026-03-02"), (2, "2026-03-15"), (3, "2026-04-12")]
    at(now, "2026-03-14")  # 16 days left
    early = client.call("2102", settle_body("T0001", [(A01, 1)]), PH1)
    assert early["infcode"] != 0 and "DUP-001" in early["err_msg"] and "16 天" in early["err_msg"]
    at(now, "2026-03-15")  # 15 days left: allowed
    ok(client.call("2102", settle_body("T0001", [(A01, 1)]), PH1))
    at(now, "2026-04-11")  # the chained supply ends 2026-04-27: 16 days left
    assert "DUP-001" in client.call("2102", settle_body("T0001", [(A01, 1)]), PH1)["err_msg"]
    at(now, "2026-04-12")
    ok(client.call("2102", settle_body("T0001", [(A01, 1)]), PH1))
