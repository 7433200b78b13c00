"""E-voucher decoding, e-prescription circulation, trace-code sale uploads, catalogue, journal."""
from __future__ import annotations

import json
import time

from sqlalchemy import text

from server.signing import sign_headers
from server.transactions.evoucher import issue_for_certno
from tests.server.helpers import CL1, H2, P01_CERTNO, PH1, PH2, settle_input, trace_codes

EC = "/localcfc/api/hsecfc/localQrCodeQuery"


def _decode(client, qr, code=PH1):
    body = json.dumps({"orgId": code, "transType": "ec.query",
                       "data": {"orgId": code, "businessType": "02121", "ecQrCode": qr}}).encode()
    return client.post_raw_to(EC, body, sign_headers(code, client.secrets[code], body))


def test_evoucher_issue_decode_and_identify(client, centre_engine):
    qr = issue_for_certno(centre_engine, P01_CERTNO)
    assert qr.startswith("NHSAEV1.") and "T0001" not in qr and P01_CERTNO not in qr
    r = _decode(client, qr)
    body = r.json()
    assert body["code"] == 0, body
    data = json.loads(body["data"])
    assert data["idNo"] == P01_CERTNO and data["userName"] == "王某(测试)" and data["insuOrg"] == "420700"
    assert json.loads(_decode(client, qr).json()["data"])["ecToken"] == data["ecToken"]  # same QR, same token
    out = client.call("1101", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": data["ecToken"]}})
    assert out["infcode"] == 0 and out["output"]["baseinfo"]["psn_no"] == "T0001"
    wrapped = client.call("1162", {"data": {"ecQrCode": qr}})
    assert wrapped["infcode"] == 0 and wrapped["output"]["data"]["ecToken"] == data["ecToken"]
    # settle with the e-voucher as the certificate
    inp = settle_input()
    inp["druginfo"].update(mdtrt_cert_type="01", mdtrt_cert_no=data["ecToken"])
    assert client.call("2102", inp)["infcode"] == 0


def test_forged_and_expired_evouchers_are_refused(client, centre_engine):
    qr = issue_for_certno(centre_engine, P01_CERTNO)
    body, sig = qr[len("NHSAEV1."):].split(".")
    forged = "NHSAEV1." + body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + sig
    r = _decode(client, forged).json()
    assert r["code"] == -1 and "forged" in r["message"]
    old = issue_for_certno(centre_engine, P01_CERTNO, now=int(time.time()) - 600, ttl=180)
    r = _decode(client, old).json()
    assert r["code"] == -1 and "expired" in r["message"]
    r = _decode(client, "hello").json()
    assert r["code"] == -1 and "not an e-voucher" in r["message"]
    out = client.call("1101", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": "ECTNOPE"}})
    assert out["infcode"] == -1 and "unknown ecToken" in out["err_msg"]


def _sale(code_list, *, setl_id="", packs=None, drug="D01", nhsa="XC08CAA321A001010199901", docno="DOC1", split="0"):
    return {"selinfo": {
        "med_list_codg": nhsa, "fixmedins_hilist_id": drug, "fixmedins_hilist_name": "苯磺酸氨氯地平片",
        "fixmedins_bchno": "B1", "trdn_flag": split, "rtal_docno": docno, "sel_retn_cnt": packs or len(code_list),
        "sel_retn_time": "2026-01-01 10:00:00", "sel_retn_opter_name": "药师", "setl_id": setl_id,
        "mdtrt_setl_type": "1" if setl_id else "2", "psn_no": "T0001",
        "drugtracinfo": [{"drug_trac_codg": c} for c in code_list]}}


def test_trace_codes_are_sold_once_anywhere(client):
    codes = trace_codes("8100011", 2)
    assert client.call("3505", _sale(codes))["infcode"] == 0
    again = client.call("3505", _sale(codes[:1], docno="DOC2"), code=PH2)
    assert again["infcode"] == -1 and "already sold" in again["err_msg"], again
    # a settlement with a code that was sold by upload is refused by the audit (TRC-002)
    inp = settle_input(codes=[codes[0]] + trace_codes("8100011", 2))
    out = client.call("2102", inp)
    assert out["infcode"] == -1 and "TRC-002" in out["err_msg"]
    # return, then the box may be sold again
    ret = client.call("3506", _sale(codes[:1], docno="DOC1"))
    assert ret["infcode"] == 0, ret
    assert client.call("3505", _sale(codes[:1], docno="DOC3"), code=PH2)["infcode"] == 0
    bad = client.call("3505", _sale(["69012345678901234567"], docno="DOC4"))
    assert bad["infcode"] == -1 and "malformed" in bad["err_msg"]
    other = client.call("3505", _sale(trace_codes("8100022", 1), docno="DOC5"))
    assert other["infcode"] == -1 and "another product" in other["err_msg"]


def test_settled_codes_upload_once(client):
    codes = trace_codes("8100011", 3)
    out = client.call("2102", settle_input(codes=codes))
    setl_id = out["output"]["setlinfo"]["setl_id"]
    assert client.call("3505", _sale(codes, setl_id=setl_id))["infcode"] == 0
    dup = client.call("3505", _sale(codes, setl_id=setl_id))
    assert dup["infcode"] == -1 and "重复上传" in dup["err_msg"]
    stolen = client.call("3505", _sale(codes[:1], docno="X"), code=PH2)
    assert stolen["infcode"] == -1 and "already sold" in stolen["err_msg"]
    ret = client.call("3506", _sale(codes[:1]))
    assert ret["infcode"] == -1 and "2103" in ret["err_msg"]


def _upload(client, code=H2, hosp_rxno="H-RX-1"):
    return client.call("7101", {
        "rxinfo": {"hosp_rxno": hosp_rxno, "psn_no": "T0001", "valid_days": 3, "med_type": "9901", "rx_type": "long",
                   "diag_codes": ["I10.x00"], "prsc_dr_name": "张医生"},
        "rxdrugdetail": [{"med_list_codg": "XC08CAA321A001010199901", "cnt": 3, "prd_days": 84,
                          "sin_dos_dscr": "5mg", "used_frqu_dscr": "qd"}]}, code=code)


def test_eprescription_circulation(client):
    assert "机构类型无权调用该交易" in _upload(client, code=PH1)["err_msg"]
    up = _upload(client)
    assert up["infcode"] == 0, up["err_msg"]
    rx, pickup = up["output"]["data"]["hi_rxno"], up["output"]["data"]["rx_trace_code"]
    assert "already uploaded" in _upload(client)["err_msg"]
    found = client.call("7201", {"data": {"rx_trace_code": pickup}})
    assert found["output"]["data"]["hi_rxno"] == rx and found["output"]["data"]["rx_stas"] == "uploaded"
    mine = client.call("7202", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}})
    assert [r["hi_rxno"] for r in mine["output"]["data"]] == [rx]
    dl = client.call("7203", {"data": {"hi_rxno": rx}})
    assert dl["output"]["rxdrugdetail"][0]["medins_list_codg"] == "D01"
    # the pharmacy's own settlement for the person (another drug: D01 sold here would pre-audit H-RX-2 below)
    d03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033"}
    sold = client.call("2102", settle_input("T0001", drug=d03, dose="150", packs=1, days=28))
    assert sold["infcode"] == 0, sold["err_msg"]
    done = client.call("7206", {"data": {"hi_rxno": rx, "phar_name": "药师",
                                         "setl_id": sold["output"]["setlinfo"]["setl_id"]}})
    assert done["infcode"] == 0 and done["output"]["data"]["rx_stas"] == "dispensed"
    twice = client.call("7206", {"data": {"rx_trace_code": pickup}}, code=PH2)
    assert twice["infcode"] == -1 and "already dispensed" in twice["err_msg"]
    assert "cannot be revoked" in client.call("7104", {"data": {"hi_rxno": rx}}, code=H2)["err_msg"]
    up2 = _upload(client, hosp_rxno="H-RX-2")["output"]["data"]["hi_rxno"]
    assert "another institution" in client.call("7104", {"data": {"hi_rxno": up2}}, code=CL1)["err_msg"]
    assert client.call("7104", {"data": {"hi_rxno": up2}}, code=H2)["infcode"] == 0
    assert "revoked" in client.call("7206", {"data": {"hi_rxno": up2}})["err_msg"]


def test_catalogue_query_and_incremental_download(client, centre_engine, vectors_path):
    q = client.call("1312", {"data": {"hilist_code": "XC08CAA321A001010199901"}})
    assert q["output"]["data"][0]["medins_list_codg"] == "D01" and q["output"]["recordCounts"] == 1
    full = client.call("1301", {"data": {"ver": "0"}})["output"]
    assert full["full"] and full["data_cnt"] == 13
    ver = full["ver"]
    assert client.call("1301", {"data": {"ver": ver}})["output"]["data_cnt"] == 0
    from core.services.world import world_from_dict
    from server.seed import seed_world

    raw = json.loads(vectors_path.read_text(encoding="utf-8"))
    raw["catalogue"]["D02"]["price"] = "25.00"
    report = seed_world(centre_engine, world_from_dict(raw, "changed"))
    assert report.drugs_changed == 1
    inc = client.call("1301", {"data": {"ver": ver}})["output"]
    assert inc["data_cnt"] == 1 and inc["data"][0]["key"] == "D02" and inc["data"][0]["price"] == "25.00"


def test_journal_chain_detects_tampering(client, centre_engine):
    from server.journal import verify

    assert client.call("2102", settle_input())["infcode"] == 0
    client.sign_in(PH2)  # so the settlement is not the last entry
    result = verify(centre_engine)
    assert result.ok and result.entries >= 4, result.describe()
    with centre_engine.begin() as conn:
        conn.execute(text("UPDATE centre_journal SET payload = replace(payload, '84.00', '8.40') WHERE kind = 'settle'"))
        bad_seq = conn.execute(text("SELECT seq FROM centre_journal WHERE kind = 'settle'")).scalar()
    result = verify(centre_engine)
    assert not result.ok and result.first_bad_seq == bad_seq and "altered" in result.problem
    with centre_engine.begin() as conn:
        conn.execute(text("DELETE FROM centre_journal WHERE seq = :s"), {"s": bad_seq})
    result = verify(centre_engine)
    assert not result.ok and result.first_bad_seq == bad_seq and "missing" in result.problem
