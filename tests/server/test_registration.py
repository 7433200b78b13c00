"""Registration (备案) workflow at the centre, on SQLite and PostgreSQL: application, evidence with hashes, two
experts drawn at random, the clerk's re-review (2503) with the profile's effective date, cancellation (2504),
and every step journaled with who and when."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib

from server.envelope import CST
from server.journal import verify
from tests.server.helpers import AGY, CL1, KSK, PH1, STAFF_PASSWORDS, ok, refused, settle_input


def _today() -> dt.date:
    """The centre's date (China time), not this machine's: the two differ from 16:00 UTC to midnight."""
    return dt.datetime.now(CST).date()


T14_CERT = "420704197507072219"  # T0014: employee, no registration
EXPERTS = [{"code": f"E00{i}", "name": f"专家{i}", "specialty": "心血管" if i % 2 else "内分泌"} for i in range(1, 6)]


APPROVER = {"staff_user": "zhao", "staff_password": STAFF_PASSWORDS["zhao"]}  # 赵复审: reviewer of the agency


def next_month_first(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def upload(client, app_no: str, blob: bytes, name: str, part_bytes: int = 36 * 1024) -> dict:
    digest = hashlib.sha256(blob).hexdigest()
    parts = [blob[i:i + part_bytes] for i in range(0, len(blob), part_bytes)]
    out = None
    for n, chunk in enumerate(parts, start=1):
        out = ok(client.call("2511", {"data": {"app_no": app_no, "kind": "record", "filename": name, "mime": "image/png",
                                               "sha256": digest, "size": len(blob), "part": n, "parts": len(parts),
                                               "data": base64.b64encode(chunk).decode()}}, AGY))
    return out["evidence"]


def test_mt_application_two_experts_clerk_and_effective_date(client, centre_engine):
    ok(client.call("2517", {"data": {"experts": EXPERTS}}, AGY))
    psn = ok(client.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": T14_CERT}}, AGY))["baseinfo"]["psn_no"]
    assert psn == "T0014"
    refused(client.call("2510", {"data": {"psn_no": psn, "scheme": "MT", "diseases": [
        {"opsp_dise_code": "M03900", "diag_code": "E11.900"}]}}, AGY), "不符")
    app = ok(client.call("2510", {"data": {"psn_no": psn, "scheme": "MT", "tel": "13800000014", "addr": "鄂州市凤凰街1号",
                                           "diseases": [{"opsp_dise_code": "M03900", "diag_code": "I10.x00",
                                                         "diag_name": "原发性高血压"}]}}, AGY))["application"]
    app_no = app["app_no"]
    assert app["status"] == "draft" and app["diseases"][0]["name"] == "高血压病"
    refused(client.call("2510", {"data": {"psn_no": psn, "scheme": "MT", "diseases": [{"opsp_dise_code": "M03900"}]}}, AGY),
            app_no)
    refused(client.call("2512", {"data": {"app_no": app_no}}, AGY), "材料")
    blob = bytes(range(256)) * 200  # 51,200 bytes: two parts
    ev = upload(client, app_no, blob, "病历.png")
    assert ev["complete"] and ev["sha256"] == hashlib.sha256(blob).hexdigest()
    refused(client.call("2511", {"data": {"app_no": app_no, "filename": "x.jpg", "sha256": "0" * 64, "size": 3,
                                          "data": base64.b64encode(b"abc").decode()}}, AGY), "SHA-256")
    submitted = ok(client.call("2512", {"data": {"app_no": app_no}}, AGY))["application"]
    assert submitted["status"] == "expert_review"
    drawn = [r["reviewer_code"] for r in submitted["reviews"] if r["stage"] == "expert"]
    assert len(drawn) == 2 and len(set(drawn)) == 2 and set(drawn) <= {e["code"] for e in EXPERTS}
    refused(client.call("2503", {"data": {"psn_no": psn, "expContent": {"app_no": app_no, **APPROVER}}}, AGY), "专家评审")
    outsider = next(e["code"] for e in EXPERTS if e["code"] not in drawn)
    review = {"app_no": app_no, "stage": "expert", "decision": "approve", "history_dx": "高血压病史5年，诊断原发性高血压",
              "plan": "氨氯地平 5mg qd"}
    refused(client.call("2513", {"data": {**review, "reviewer_code": outsider}}, AGY), "不是本申请抽取")
    ok(client.call("2513", {"data": {**review, "reviewer_code": drawn[0], "staff_password": STAFF_PASSWORDS[drawn[0]]}}, AGY))
    refused(client.call("2513", {"data": {**review, "reviewer_code": drawn[0]}}, AGY), "不能重复")
    after = ok(client.call("2513", {"data": {**review, "reviewer_code": drawn[1], "staff_password": STAFF_PASSWORDS[drawn[1]]}}, AGY))["application"]
    assert after["status"] == "clerk_review"
    done = ok(client.call("2503", {"data": {"psn_no": psn, "insutype": "310", "opsp_dise_code": "M03900",
                                            "expContent": {"app_no": app_no, "opinion": "同意备案", **APPROVER}}}, AGY))
    today = _today()
    begin = next_month_first(today)
    assert done["result"]["begndate"] == begin.isoformat()
    end = dt.date.fromisoformat(done["result"]["enddate"])
    assert end == dt.date(begin.year + 2, begin.month, 1) - dt.timedelta(days=1)
    regs = ok(client.call("5301", {"data": {"psn_no": psn}}, PH1))["feedetail"]
    assert [(r["opsp_dise_code"], r["begndate"], r["enddate"], r["scheme"]) for r in regs] == [
        ("M03900", begin.isoformat(), end.isoformat(), "MT")]
    seen = ok(client.call("2514", {"data": {"psn_no": psn}}, KSK))["applications"]
    assert len(seen) == 1 and seen[0]["status"] == "approved" and seen[0]["trt_dcla_detl_sn"] == done["result"]["trt_dcla_detl_sn"]
    steps = [s["step"] for s in seen[0]["steps"]]
    assert steps == ["created", "evidence", "submitted", "experts_drawn", "expert_review", "expert_review",
                     "experts_done", "approved"]
    assert all(s["who"] == "OP01" and s["at"] for s in seen[0]["steps"])
    assert seen[0]["evidence"][0]["sha256"] == hashlib.sha256(blob).hexdigest() and seen[0]["evidence"][0]["complete"]
    from sqlalchemy import select

    from server.models import journal

    with centre_engine.connect() as conn:
        kinds = [k for (k,) in conn.execute(select(journal.c.kind).order_by(journal.c.seq))]
    assert [k for k in kinds if k.startswith("registration.")] == [
        "registration.experts", "registration.created", "registration.evidence", "registration.submitted",
        "registration.experts_drawn", "registration.expert_review", "registration.expert_review",
        "registration.experts_done", "registration.approved"]
    assert verify(centre_engine).ok
    # 2504: the registration had not started yet, so it is removed
    cancelled = ok(client.call("2504", {"data": {"psn_no": psn, "trt_dcla_detl_sn": done["result"]["trt_dcla_detl_sn"]}}, AGY))
    assert cancelled["result"]["registrations"][0]["removed"]
    assert ok(client.call("5301", {"data": {"psn_no": psn}}, PH1))["feedetail"] == []


def test_lb_application_needs_a_qualified_doctor_only(client):
    app = ok(client.call("2510", {"data": {"psn_no": "T0014", "scheme": "LB", "diseases": [
        {"opsp_dise_code": "HTN", "diag_code": "I10.x00"}, {"opsp_dise_code": "DM", "diag_code": "E11.900"}],
        "diag_dr_codg": "D0301", "diag_dr_name": "张医生", "ide_fixmedins_no": PH1}}, AGY))["application"]
    refused(client.call("2512", {"data": {"app_no": app["app_no"]}}, AGY), "不是定点医疗机构")
    rejected = ok(client.call("2513", {"data": {"app_no": app["app_no"], "stage": "clerk", "decision": "reject",
                                                "opinion": "诊断机构不是定点医疗机构"}}, AGY))["application"]
    assert rejected["status"] == "rejected" and rejected["steps"][-1]["step"] == "rejected"
    # started at the kiosk (no doctor yet): the clerk completes it (2516), then submits
    app2 = ok(client.call("2510", {"data": {"psn_no": "T0011", "scheme": "LB", "source": "kiosk", "diseases": [
        {"opsp_dise_code": "DM", "diag_code": "E11.900"}]}}, KSK))["application"]
    refused(client.call("2512", {"data": {"app_no": app2["app_no"]}}, AGY), "有资质的医师")
    refused(client.call("2516", {"data": {"app_no": app2["app_no"], "diseases": [{"opsp_dise_code": "DM",
                                                                                 "diag_code": "I10"}]}}, AGY), "不符")
    upd = ok(client.call("2516", {"data": {"app_no": app2["app_no"], "diag_dr_codg": "D0301", "diag_dr_name": "张医生",
                                           "ide_fixmedins_no": CL1, "tel": "13700000011"}}, AGY))["application"]
    assert upd["diag_dr_name"] == "张医生" and upd["tel"] == "13700000011" and upd["steps"][-1]["step"] == "updated"
    sub = ok(client.call("2512", {"data": {"app_no": app2["app_no"]}}, AGY))["application"]
    refused(client.call("2516", {"data": {"app_no": app2["app_no"], "tel": "1"}}, AGY), "不能再修改")
    assert sub["status"] == "clerk_review" and sub["reviews"] == []
    done = ok(client.call("2503", {"data": {"psn_no": "T0011", "expContent": {"app_no": app2["app_no"], **APPROVER}}}, AGY))
    assert done["result"]["enddate"] is None
    regs = {r["opsp_dise_code"]: r for r in ok(client.call("5301", {"data": {"psn_no": "T0011"}}, PH1))["feedetail"]}
    assert regs["DM"]["begndate"] == next_month_first(_today()).isoformat() and regs["DM"]["enddate"] is None
    # an LB patient already registered long-term cannot apply again for the same disease
    refused(client.call("2510", {"data": {"psn_no": "T0011", "scheme": "LB", "diseases": [
        {"opsp_dise_code": "HTN", "diag_code": "I10"}]}}, AGY), "无需重复")


def test_exit_warning_for_a_death_ends_the_registration_and_refuses_settlement(client):
    warnings = ok(client.call("2520", {"data": {}}, AGY))["warnings"]
    reasons = {(w["psn_no"], w["reason"]) for w in warnings}
    assert {("T0007", "death"), ("T0008", "insurance"), ("T0005", "review_overdue")} <= reasons
    assert ok(client.call("2102", settle_input("T0001", packs=1, days=28), PH1))["setlinfo"]["psn_no"] == "T0001"
    died = _today() - dt.timedelta(days=1)
    ok(client.call("2522", {"data": {"psn_no": "T0001", "death_date": died.isoformat(), "source": "民政"}}, AGY))
    w = [w for w in ok(client.call("2520", {"data": {}}, AGY))["warnings"] if w["psn_no"] == "T0001"]
    assert len(w) == 1 and w[0]["reason"] == "death" and w[0]["proposed_end"] == died.isoformat()
    out = ok(client.call("2521", {"data": {"psn_no": "T0001", "reason": "death"}}, AGY))["exit"]
    assert out["enddate"] == died.isoformat()
    regs = ok(client.call("5301", {"data": {"psn_no": "T0001"}}, PH1))["feedetail"]
    assert [r["enddate"] for r in regs] == [died.isoformat()]
    assert not [w for w in ok(client.call("2520", {"data": {}}, AGY))["warnings"] if w["psn_no"] == "T0001"]
    refused(client.call("2102", settle_input("T0001", packs=1, days=28), PH1), "审核不通过", "ELG-001")
    refused(client.call("2521", {"data": {"psn_no": "T0001", "reason": "death"}}, AGY), "没有待确认")


def test_effective_date_follows_the_profile(client, centre_engine):
    """`registration_effective: same_day` in the centre's profile makes a registration effective on approval day."""
    import json

    from sqlalchemy import select, update

    from server.models import profile

    with centre_engine.begin() as conn:
        pid, data = conn.execute(select(profile.c.profile_id, profile.c.data)).first()
        raw = json.loads(data)
        raw["registration_effective"] = "same_day"
        conn.execute(update(profile).where(profile.c.profile_id == pid).values(data=json.dumps(raw)))
    client.app.state.centre.invalidate()
    app = ok(client.call("2510", {"data": {"psn_no": "T0011", "scheme": "LB", "diseases": [
        {"opsp_dise_code": "DM", "diag_code": "E11.900"}], "diag_dr_codg": "D1", "diag_dr_name": "张医生",
        "ide_fixmedins_no": CL1}}, AGY))["application"]
    ok(client.call("2512", {"data": {"app_no": app["app_no"]}}, AGY))
    done = ok(client.call("2503", {"data": {"psn_no": "T0011", "expContent": {"app_no": app["app_no"], **APPROVER}}}, AGY))
    assert done["result"]["begndate"] == _today().isoformat()
    assert done["application"]["steps"][-1]["detail"]["rule"] == "same_day"


def test_effective_date_rules():
    from server.transactions.registration import effective_from, valid_until

    assert effective_from("next_month", dt.date(2026, 12, 15)) == dt.date(2027, 1, 1)
    assert effective_from("next_month", dt.date(2026, 1, 31)) == dt.date(2026, 2, 1)
    assert effective_from("same_day", dt.date(2026, 1, 31)) == dt.date(2026, 1, 31)
    assert valid_until("MT", dt.date(2026, 3, 1), {}) == dt.date(2028, 2, 29)
    assert valid_until("MT", dt.date(2026, 3, 1), {"registration_valid_months": 12}) == dt.date(2027, 2, 28)
    assert valid_until("LB", dt.date(2026, 3, 1), {}) is None


def test_mt_rejected_by_experts_falls_back_to_lb(client):
    """Seed 001: an MT applicant for hypertension who misses the MT threshold is taken into 两病 directly."""
    ok(client.call("2517", {"data": {"experts": EXPERTS}}, AGY))
    app = ok(client.call("2510", {"data": {"psn_no": "T0014", "scheme": "MT", "diseases": [
        {"opsp_dise_code": "M03900", "diag_code": "I10.x00", "diag_name": "原发性高血压"}]}}, AGY))["application"]
    upload(client, app["app_no"], b"%PDF-1.4 record", "病历.pdf")
    drawn = [r["reviewer_code"] for r in ok(client.call("2512", {"data": {"app_no": app["app_no"]}}, AGY))["application"]["reviews"]]
    ok(client.call("2513", {"data": {"app_no": app["app_no"], "stage": "expert", "reviewer_code": drawn[0],
                                     "staff_password": STAFF_PASSWORDS[drawn[0]], "decision": "approve", "history_dx": "高血压1级"}}, AGY))
    out = ok(client.call("2513", {"data": {"app_no": app["app_no"], "stage": "expert", "reviewer_code": drawn[1],
                                           "staff_password": STAFF_PASSWORDS[drawn[1]], "decision": "reject", "history_dx": "血压控制良好，未达慢特病标准"}}, AGY))
    assert out["application"]["status"] == "rejected" and out["application"]["steps"][-1]["step"] == "lb_fallback"
    lb_no = out["application"]["steps"][-1]["detail"]["lb_app_no"]
    lb = ok(client.call("2514", {"data": {"app_no": lb_no}}, AGY))["applications"][0]
    assert (lb["scheme"], lb["status"], lb["source"], [d["code"] for d in lb["diseases"]]) == (
        "LB", "clerk_review", "mt_fallback", ["HTN"])
    done = ok(client.call("2503", {"data": {"psn_no": "T0014", "expContent": {"app_no": lb_no, **APPROVER}}}, AGY))
    assert done["result"]["enddate"] is None
