"""事前审核 at upload (7101), the centre's signature on what circulates, and bad input refused (issue #19).

Seed 000: a prescription that fails the pre-audit cannot circulate. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import base64
import copy
import datetime as dt

import pytest
from sqlalchemy import func, select

from core.rx.signature import RxSignatureError, sign, verify
from server.models import eprescription, journal
from server.rx_keys import keys_by_id
from tests.server.helpers import CL1, H2, H3, PH1, PH2, envelope

D01 = {"medins_list_codg": "D01", "cnt": 2, "prd_days": 56, "sin_dos_dscr": "5mg", "used_frqu_dscr": "qd"}


def body(no: str, lines=None, psn: str = "T0001", **info) -> dict:
    return {"rxinfo": {"hosp_rxno": no, "psn_no": psn, "med_type": "9901", "dise_codg": "HTN", "dise_name": "高血压",
                       "diag_codes": ["I10.x00"], "prsc_dr_name": "张医生", "prsc_dept_name": "心内科", "valid_days": 3,
                       **info},
            "rxdrugdetail": lines or [D01]}


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        rx = conn.execute(select(func.count()).select_from(eprescription)).scalar()
        up = conn.execute(select(func.count()).select_from(journal)
                          .where(journal.c.kind == "rx.upload")).scalar()
    return rx, up


def listed(client, code: str, psn: str = "T0001") -> list[dict]:
    out = client.call("7202", {"data": {"psn_no": psn}}, code=code)
    assert out["infcode"] == 0, out["err_msg"]
    return out["output"]["data"]


def test_blocked_prescription_never_circulates_and_the_doctor_sees_every_hit(client, centre_engine):
    # the case: a man, a women-only drug, a health food, an unrelated diagnosis, 200 days of supply
    lines = [{"medins_list_codg": "D07", "cnt": 1, "prd_days": 30, "sin_dos_dscr": "", "used_frqu_dscr": ""},
             {"medins_list_codg": "D09", "cnt": 1, "prd_days": 30},
             {**D01, "cnt": 8, "prd_days": 200}]
    out = client.call("7101", body("B-1", lines, diag_codes=["J45.900"], dise_codg="J45"), code=H2)
    assert out["infcode"] == -1
    msg = out["err_msg"]
    assert msg.startswith("处方事前审核未通过") and "不能流转" in msg
    for rule in ("DRG-001", "CAT-002", "CAT-004", "QTY-001"):
        assert rule in msg, (rule, msg)
    hits = out["output"]["preaudit"]["hits"]
    assert {h["rule"] for h in hits} >= {"DRG-001", "CAT-002", "CAT-004", "QTY-001"}
    assert all(h["zh"] and h["en"] for h in hits)
    drug_hit = next(h for h in hits if h["rule"] == "DRG-001")
    assert drug_hit["line"] == 1 and drug_hit["drug_name"] == "妇科千金片"
    assert counts(centre_engine) == (0, 0)
    for pharmacy in (PH1, PH2):
        assert listed(client, pharmacy) == []
    # corrected, the same hospital number goes through (nothing was kept of the refused one)
    ok = client.call("7101", body("B-1", [{**D01, "cnt": 1, "prd_days": 28}]), code=H2)
    assert ok["infcode"] == 0, ok["err_msg"]
    assert ok["output"]["data"]["preaudit"]["verdict"] == "PASS"


def test_warned_prescription_circulates_with_the_acknowledgement_and_a_signature(client, centre_engine):
    refused = client.call("7101", body("W-1"), code=H3)
    assert refused["infcode"] == -1 and "QTY-002" in refused["err_msg"] and "确认" in refused["err_msg"]
    assert refused["output"]["preaudit"]["unacknowledged"] == ["QTY-002"]
    assert counts(centre_engine) == (0, 0)
    partial = client.call("7101", {**body("W-1"), "warn_ack": {"rules": ["DRG-004"], "by": "张医生"}}, code=H3)
    assert partial["infcode"] == -1 and "QTY-002" in partial["err_msg"]
    up = client.call("7101", {**body("W-1"), "warn_ack": {"rules": ["QTY-002"], "by": "张医生"}}, code=H3)
    assert up["infcode"] == 0, up["err_msg"]
    rx = up["output"]["data"]["hi_rxno"]
    pre = up["output"]["data"]["preaudit"]
    assert pre["verdict"] == "WARN" and pre["ack"]["rules"] == ["QTY-002"] and pre["ack"]["by"] == "张医生"
    assert pre["ack"]["at"]

    # the list shows who prescribed where, the date, validity and the drug lines before download
    row = next(r for r in listed(client, PH2) if r["hi_rxno"] == rx)
    assert row["prsc_dr_name"] == "张医生" and row["fixmedins_name"] == "市中心医院(三级,测试)"
    assert row["rx_date"] == row["prsc_time"][:10]  # uploaded without a date: written today
    assert dt.date.fromisoformat(row["valid_end_date"]) - dt.date.fromisoformat(row["rx_date"]) == dt.timedelta(days=2)
    assert row["preaudit"] == "WARN"
    assert row["drugs"] == [{"medins_list_codg": "D01", "drug_name": "苯磺酸氨氯地平片", "cnt": "2", "prd_days": 56,
                             "sin_dos_dscr": "5mg", "used_frqu_dscr": "qd"}]

    # the pharmacy checks the centre's signature with the key it got at sign-in
    signin = client.send(envelope("9001", {"signIn": {"opter_no": "OP01"}}, PH1)).json()
    keys = keys_by_id(signin["output"]["rx_sign_keys"])
    dl = client.call("7203", {"data": {"hi_rxno": rx}})["output"]
    verify(dl, keys)
    assert dl["preaudit"]["ack"]["rules"] == ["QTY-002"]
    altered = copy.deepcopy(dl)
    altered["rxdrugdetail"][0]["cnt"] = "4"
    with pytest.raises(RxSignatureError, match="被改动"):
        verify(altered, keys)
    moved = copy.deepcopy(dl)
    moved["rxinfo"]["valid_end_date"] = "2099-12-31"
    with pytest.raises(RxSignatureError):
        verify(moved, keys)
    unacked = copy.deepcopy(dl)
    unacked["preaudit"]["ack"] = None
    with pytest.raises(RxSignatureError):
        verify(unacked, keys)
    # a forger with their own key, claiming the centre's key id
    forged = copy.deepcopy(altered)
    forged["signature"] = {**sign(b"\x07" * 32, altered), "kid": dl["signature"]["kid"]}
    with pytest.raises(RxSignatureError, match="伪造"):
        verify(forged, keys)
    with pytest.raises(RxSignatureError, match="未知"):
        verify({**dl, "signature": sign(b"\x07" * 32, dl)}, keys)
    with pytest.raises(RxSignatureError, match="未签名"):
        verify({k: v for k, v in dl.items() if k != "signature"}, keys)
    bad_b64 = copy.deepcopy(dl)
    bad_b64["signature"]["sig"] = "%%%"
    with pytest.raises(RxSignatureError):
        verify(bad_b64, keys)
    assert base64.b64decode(dl["signature"]["sig"])


@pytest.mark.parametrize("case, change, reason", [
    ("future", {"rxinfo": {"prsc_time": "2099-01-01 09:00:00"}}, "晚于当前时间"),
    ("bad date", {"rxinfo": {"prsc_time": "yesterday"}}, "开方时间格式错误"),
    ("validity before date", {"rxinfo": {"valid_end_date": "2020-01-01"}}, "早于开方日期"),
    ("expired", {"rxinfo": {"prsc_time": "2020-01-01", "valid_end_date": "2020-01-03"}}, "过期"),
    ("unknown drug", {"line": {"medins_list_codg": "NOPE-1", "med_list_codg": ""}}, "不在医保目录"),
    ("dose", {"line": {"sin_dos_dscr": "five mg"}}, "单次剂量无法识别"),
    ("dose unit", {"line": {"sin_dos_dscr": "5 furlongs"}}, "单次剂量无法识别"),
    ("frequency", {"line": {"used_frqu_dscr": "sometimes"}}, "用药频次无法识别"),
    ("half pack", {"line": {"cnt": "1.5"}}, "整盒"),
])
def test_bad_input_is_refused_with_the_reason_and_nothing_written(client, centre_engine, case, change, reason):
    b = body("X-1", [{**D01, "cnt": 1, "prd_days": 28}])
    b["rxinfo"].update(change.get("rxinfo", {}))
    b["rxdrugdetail"][0].update(change.get("line", {}))
    out = client.call("7101", b, code=CL1)
    assert out["infcode"] == -1 and reason in out["err_msg"] and "nothing was written" in out["err_msg"], out["err_msg"]
    assert counts(centre_engine) == (0, 0)
    assert listed(client, PH1) == []


def test_a_readable_sig_reaches_the_dose_rules(client):
    # 3 x 5 mg a day of D01 (label maximum 10 mg): the dose rule speaks at upload; 每日三次 and 1片 are read too
    for dose, freq in (("5mg", "tid"), ("1片", "每日三次"), ("0.005g", "3次/日")):
        out = client.call("7101", body(f"S-{dose}", [{**D01, "cnt": 1, "prd_days": 28, "sin_dos_dscr": dose,
                                                     "used_frqu_dscr": freq}]), code=H2)
        assert out["infcode"] == -1 and "DRG-004" in out["err_msg"], (dose, freq, out["err_msg"])
