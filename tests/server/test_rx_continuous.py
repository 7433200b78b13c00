"""7110 附件3 continuous prescriptions: registered with the same pre-audit and signature, a QR readable offline,
several pickups counted by 7206 (issue 19). SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from core.rx.signature import RxSignatureError, matches, read_qr, verify
from server.rx_keys import keys_by_id
from tests.server.helpers import AGY, PH1, PH2, envelope, settle_input

D03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033"}


def settled(client, code, **kw) -> str:
    """A settlement of T0001 at `code`: a 7206 names the pharmacy's own settlement for the person."""
    out = client.call("2102", settle_input("T0001", packs=1, days=28, **kw), code)
    assert out["infcode"] == 0, out["err_msg"]
    return out["output"]["setlinfo"]["setl_id"]

LINE = {"drug_name": "苯磺酸氨氯地平片", "cnt": 1, "prd_days": 28, "sin_dos_dscr": "5mg", "used_frqu_dscr": "每日1次",
        "medc_way_dscr": "口服"}


def body(no="A3-1", **info):
    return {"rxinfo": {"hosp_rxno": no, "psn_no": "T0001", "med_type": "9901", "dise_codg": "HTN", "dise_name": "高血压",
                       "diag_codes": ["I10.x00"], "prsc_dr_name": "刘医生", **info},
            "rxdrugdetail": [LINE], "fills": 3}


def keys(client):
    return keys_by_id(client.send(envelope("9001", {"signIn": {"opter_no": "OP01"}}, PH1)).json()["output"]["rx_sign_keys"])


def test_registered_signed_qr_and_three_pickups(client):
    out = client.call("7110", body(), code=AGY)
    assert out["infcode"] == 0, out["err_msg"]
    data = out["output"]["data"]
    assert data["fills"] == 3 and data["rx_stas"] == "uploaded"
    qr = read_qr(data["qr"], keys(client))
    assert qr["hi_rxno"] == data["hi_rxno"] and qr["psn_no"] == "T0001" and qr["fills"] == "3"
    assert qr["valid_end_date"] == data["valid_end_date"] and len(data["qr"]) < 260  # a small code on the slip
    dl = client.call("7203", {"data": {"hi_rxno": data["hi_rxno"]}})["output"]
    assert matches(qr, dl) and dl["rxinfo"]["rx_type"] == "continuous" and dl["rxinfo"]["prsc_dr_name"] == "刘医生"
    assert dl["rxdrugdetail"][0]["medins_list_codg"] == "D01" and dl["fills"] == 3
    verify(dl, keys(client))
    other = {**dl, "rxinfo": {**dl["rxinfo"], "hi_rxno": "RX-OTHER"}}
    assert not matches(qr, other)
    tampered = data["qr"][:-8] + ("A" * 8 if data["qr"][-8:] != "A" * 8 else "B" * 8)
    with pytest.raises(RxSignatureError):
        read_qr(tampered, keys(client))
    with pytest.raises(RxSignatureError, match="不是连续处方"):
        read_qr("RX12345678", keys(client))
    rx = data["hi_rxno"]
    at_ph2 = settled(client, PH2)
    for n in (1, 2):
        done = client.call("7206", {"data": {"hi_rxno": rx, "phar_name": "药师", "setl_id": at_ph2}},
                           code=PH2)["output"]["data"]
        assert done["rx_stas"] == "uploaded" and done["fills_done"] == n
    at_ph1 = settled(client, PH1, drug=D03, dose="150")  # not D01 again today: that would be an early refill
    last = client.call("7206", {"data": {"hi_rxno": rx, "setl_id": at_ph1}}, code=PH1)
    assert last["output"]["data"]["rx_stas"] == "dispensed", last["err_msg"]
    again = client.call("7206", {"data": {"hi_rxno": rx, "setl_id": at_ph1}}, code=PH1)
    assert again["infcode"] == -1 and "already dispensed" in again["err_msg"]


def test_refused_like_an_upload_and_only_with_a_doctor(client):
    no_doctor = client.call("7110", body(prsc_dr_name=""), code=AGY)
    assert no_doctor["infcode"] == -1 and "开方医师" in no_doctor["err_msg"]
    unknown = client.call("7110", {**body(), "rxdrugdetail": [{**LINE, "drug_name": "不存在片"}]}, code=AGY)
    assert unknown["infcode"] == -1 and "不在目录" in unknown["err_msg"]
    blocked = client.call("7110", {**body(), "rxdrugdetail": [{**LINE, "drug_name": "妇科千金片"}]}, code=AGY)
    assert blocked["infcode"] == -1 and "DRG-001" in blocked["err_msg"] and "不能流转" in blocked["err_msg"]
    assert client.call("7110", body(), code=PH1)["infcode"] == -1  # a pharmacy does not register prescriptions
    listed = client.call("7202", {"data": {"psn_no": "T0001"}}, code=PH1)["output"]["data"]
    assert listed == []
