"""Dual prescriptions, remote review before circulation, pass rate, and the supply list (2570–2585, 7101–7206)
on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from server.envelope import CST
from tests.server.helpers import CL1, CTR, H2, PH1, ok, refused
from tests.server.test_reports import clocked  # noqa: F401 (fixture)

RX_LINE = {"medins_list_codg": "D01", "cnt": 2, "prd_days": 56, "sin_dos_dscr": "5mg", "used_frqu_dscr": "qd"}


def rx(no: str, psn: str = "T0001", lifestyle=None, lines=None) -> dict:
    body = {"rxinfo": {"hosp_rxno": no, "psn_no": psn, "dise_codg": "HTN", "diag_codes": ["I10.x00"],
                       "prsc_dr_name": "何燕", "rx_type": "long", "valid_days": 5},
            "rxdrugdetail": lines or [RX_LINE]}
    if lifestyle is not None:
        body["lifestyle"] = lifestyle
    return body


def test_lifestyle_attached_edited_and_downloaded(client):
    lib = ok(client.call("2585", {"data": {}}, CL1))
    codes = {c["code"] for c in lib["classes"]}
    assert {"HTN", "DM", "CHD", "COPD"} <= codes
    refused(client.call("7101", rx("L0", lifestyle={"template_id": "NOPE"}), CL1), "NOPE")
    refused(client.call("7101", rx("L0", lifestyle={"template_id": "HTN-1", "sections": {"diet": "x" * 301}}), CL1),
            "diet", "300")
    refused(client.call("7101", rx("L0", lifestyle={"template_id": "HTN-1", "sections": {"karaoke": "唱歌"}}), CL1),
            "karaoke")
    edited = "每天食盐不超过5克，王奶奶少吃咸菜。"
    up = ok(client.call("7101", rx("L1", lifestyle={"template_id": "HTN-1", "sections": {"diet": edited}}), CL1))["data"]
    assert up["rx_stas"] == "uploaded"  # no review route for this clinic yet
    down = ok(client.call("7203", {"data": {"hi_rxno": up["hi_rxno"]}}, PH1))
    life = down["lifestyle"]
    assert life["class_name"] == "高血压" and life["short"].startswith("少盐")
    diet = next(s for s in life["sections"] if s["section"] == "diet")
    assert diet["text"] == edited and diet["edited"] and diet["text_en"] == ""
    assert len(life["sections"]) == 6


def test_township_prescription_reviewed_before_it_circulates(client):
    refused(client.call("2574", {"data": {"clinic_code": CL1, "hours": 4}}, PH1), "机构类型无权调用该交易")
    ok(client.call("2574", {"data": {"clinic_code": CL1, "hours": 4}}, H2))
    held = ok(client.call("7101", rx("R1", lifestyle={"template_id": "HTN-1"}), CL1))["data"]
    bad = ok(client.call("7101", rx("R2"), CL1))["data"]
    assert held["rx_stas"] == bad["rx_stas"] == "review"
    # not circulating: a pharmacy neither finds, downloads nor dispenses it
    refused(client.call("7201", {"data": {"rx_trace_code": held["rx_trace_code"]}}, PH1), "待远程审方")
    refused(client.call("7203", {"data": {"hi_rxno": held["hi_rxno"]}}, PH1), "尚未流转")
    refused(client.call("7206", {"data": {"hi_rxno": held["hi_rxno"]}}, PH1), "不能调剂")
    listed = ok(client.call("7202", {"data": {"psn_no": "T0001"}}, PH1))["data"]
    assert held["hi_rxno"] not in {x["hi_rxno"] for x in listed}
    queue = ok(client.call("2570", {"data": {}}, H2))["items"]
    assert {q["hi_rxno"] for q in queue} == {held["hi_rxno"], bad["hi_rxno"]}  # same deadline: either order
    first = next(q for q in queue if q["hi_rxno"] == held["hi_rxno"])
    assert first["lifestyle"] == "高血压 生活方式处方（通用）" and not first["overdue"]
    assert ok(client.call("2570", {"data": {}}, H3_OR_OTHER()))["items"] == []
    approve = {"hi_rxno": held["hi_rxno"], "decision": "approve", "reviewer_code": "YS01", "reviewer_name": "审方药师"}
    refused(client.call("2571", {"data": approve}, H3_OR_OTHER()), "不是本机构")
    refused(client.call("2571", {"data": {**approve, "hi_rxno": bad["hi_rxno"], "decision": "return"}}, H2), "理由")
    ok(client.call("2571", {"data": approve}, H2))
    refused(client.call("2571", {"data": approve}, H2), "不能重复")
    ok(client.call("2571", {"data": {**approve, "hi_rxno": bad["hi_rxno"], "decision": "return",
                                     "reason": "剂量超出说明书"}}, H2))
    found = ok(client.call("7201", {"data": {"rx_trace_code": held["rx_trace_code"]}}, PH1))["data"]
    assert found["rx_stas"] == "uploaded"
    assert ok(client.call("7203", {"data": {"hi_rxno": held["hi_rxno"]}}, PH1))["lifestyle"]["template_id"] == "HTN-1"
    refused(client.call("7203", {"data": {"hi_rxno": bad["hi_rxno"]}}, PH1), "审方退回")
    mine = ok(client.call("7202", {"data": {"psn_no": "T0001"}}, CL1))["data"]
    assert {x["hi_rxno"]: x["rx_stas"] for x in mine}[bad["hi_rxno"]] == "returned"  # the clinic sees its return
    rate = ok(client.call("2572", {"data": {}}, H2))["clinics"]
    assert [(c["fixmedins_code"], c["reviewed"], c["approved"], c["returned"], c["pass_rate"]) for c in rate] == \
        [(CL1, 2, 1, 1, "50.0")]


def H3_OR_OTHER() -> str:
    from tests.server.helpers import H3
    return H3


def test_supply_list_from_followups_and_prescriptions(client):
    today = dt.datetime.now(CST).date()
    for psn in ("T0001", "T0002"):
        ok(client.call("2560", {"data": {"psn_no": psn, "team": "团队", "doctor_code": "D1", "doctor_name": "何燕",
                                         "sign_date": today.isoformat()}}, CL1))
    # T0001: a follow-up lists amlodipine 5 mg once a day and metformin 0.5 g twice a day
    ok(client.call("2562", {"data": {"psn_no": "T0001", "visit_date": today.isoformat(), "place": "卫生室",
                                     "doctor": "何燕", "sbp": 130, "dbp": 80, "assessment": "controlled",
                                     "drugs": [{"drug_key": "D01", "dose": "5mg", "freq": "qd"},
                                               {"drug_key": "D02", "dose": "0.5g", "freq": "bid"}]}}, CL1))
    # T0002: only a prescription: 2 boxes of amlodipine for 56 days
    ok(client.call("7101", rx("S1", psn="T0002"), CL1))
    plan = ok(client.call("2580", {"data": {"days": 30}}, CL1))
    assert plan["stock_source"] == "none" and plan["patients_with_drugs"] == 2
    items = {i["drug_key"]: i for i in plan["items"]}
    # D01: 1 tablet/day of 28 (T0001) + 2 boxes/56 days (T0002) = 30/28 + 30/28 → 3 boxes; D02: 2/day of 60 → 1 box
    assert (items["D01"]["patients"], items["D01"]["demand_packs"], items["D01"]["suggest_packs"]) == (2, 3, 3)
    assert (items["D02"]["patients"], items["D02"]["demand_packs"]) == (1, 1)
    with_stock = ok(client.call("2580", {"data": {"stock": [{"drug_key": "D01", "packs": "2"}]}}, CL1))
    items = {i["drug_key"]: i for i in with_stock["items"]}
    assert with_stock["stock_source"] == "request"
    assert (items["D01"]["stock_packs"], items["D01"]["suggest_packs"], items["D02"]["suggest_packs"]) == (2, 1, 1)
    refused(client.call("2580", {"data": {"stock": [{"drug_key": "X9", "packs": 1}]}}, CL1), "X9")
    assert ok(client.call("2580", {"data": {}}, PH1))["items"] == []  # nobody signed with or buying at PH1


def test_review_time_limit_on_the_centre_clock(clocked):
    client, now = clocked
    now["t"] = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CST)
    ok(client.call("2574", {"data": {"clinic_code": CL1, "hours": 4}}, H2))
    held = ok(client.call("7101", rx("T1"), CL1))["data"]
    now["t"] = dt.datetime(2026, 3, 2, 13, 59, tzinfo=CST)
    (item,) = ok(client.call("2570", {"data": {}}, H2))["items"]
    assert item["deadline"] == "2026-03-02 14:00:00" and not item["overdue"]
    now["t"] = dt.datetime(2026, 3, 2, 14, 1, tzinfo=CST)
    (item,) = ok(client.call("2570", {"data": {}}, H2))["items"]
    assert item["overdue"]
    rate = ok(client.call("2572", {"data": {"since": "2026-03-01", "until": "2026-03-31"}}, H2))["clinics"]
    assert (rate[0]["pending"], rate[0]["pending_overdue"]) == (1, 1)
    decided = ok(client.call("2571", {"data": {"hi_rxno": held["hi_rxno"], "decision": "approve",
                                               "reviewer_code": "YS01"}}, H2))["review"]
    assert decided["overdue"]
    rate = ok(client.call("2572", {"data": {"since": "2026-03-01", "until": "2026-03-31"}}, H2))["clinics"]
    assert (rate[0]["approved"], rate[0]["decided_late"], rate[0]["pass_rate"]) == (1, 1, "100.0")


def test_supply_list_against_the_stock_the_pharmacy_reports(client):
    """A pharmacy's list: the follow-up drugs of a patient who bought there against the boxes it reported
    received (3503)."""
    from tests.server.helpers import settle_input, trace_codes

    today = dt.datetime.now(CST).date()
    ok(client.call("2102", settle_input("T0001", packs=1, days=28), PH1))  # 王某 buys at PH1: one of its patients
    ok(client.call("2562", {"data": {"psn_no": "T0001", "visit_date": today.isoformat(), "place": "卫生室",
                                     "doctor": "何燕", "sbp": 130, "dbp": 80, "assessment": "controlled",
                                     "drugs": [{"drug_key": "D01", "dose": "10mg", "freq": "qd"}]}}, CL1))
    before = ok(client.call("2580", {"data": {"days": 30}}, PH1))
    items = {i["drug_key"]: i for i in before["items"]}
    assert before["stock_source"] == "none" and items["D01"]["suggest_packs"] == 3  # 2 tablets a day of 28: 60/28
    received = client.call("3503", {"purcinfo": {
        "med_list_codg": "XC08CAA321A001010199901", "fixmedins_hilist_id": "D01", "fixmedins_hilist_name": "苯磺酸氨氯地平片",
        "fixmedins_bchno": "B-1", "spler_name": "九州通医药", "manu_lotnum": "L2601", "manu_date": "2026-01-10",
        "expy_end": "2099-01-09", "finl_trns_pric": "20.00", "purc_retn_cnt": 2, "purc_invo_no": "INV1",
        "purc_retn_stoin_time": f"{today} 09:00:00", "purc_retn_opter_name": "库管",
        "drugtracinfo": [{"drug_trac_codg": c} for c in trace_codes("8100011", 2)]}}, PH1)
    assert received["infcode"] == 0, received["err_msg"]
    after = ok(client.call("2580", {"data": {"days": 30}}, PH1))
    items = {i["drug_key"]: i for i in after["items"]}
    assert after["stock_source"] == "centre"
    assert (items["D01"]["stock_packs"], items["D01"]["suggest_packs"]) == (2, 1)
