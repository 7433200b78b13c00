"""Split (拆零) lines in national-shape 2101/2102 (no trdn_flag: inferred from cnt and pric), and the 3505 that
follows checked against what the settlement charged. Irbesartan D03: 41.30 元 a box of 28 tablets, 10 % 先行自付."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.store.models import SettlementRow
from server.models import journal, setting, trace_upload
from tests.server import vendor_messages as vm
from tests.server.helpers import D01, P01_CERTNO, PH1, trace_codes

D03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033"}


def _national(engine) -> None:
    with engine.begin() as conn:
        conn.execute(setting.insert().values(key=f"interface.{PH1}", value="national"))


def _settle(drug: dict, *, cnt: str, pric: str, fee: str) -> dict:
    msg = vm.settle("T0001", P01_CERTNO, drug)
    msg["druginfo"]["medfee_sumamt"] = fee
    msg["drugdetail"][0].update(cnt=cnt, pric=pric, det_item_fee_sumamt=fee, prd_days="4")
    return msg


def _lines(engine, setl_id: str) -> list:
    with engine.connect() as conn:
        payload = conn.execute(select(journal.c.payload).where(journal.c.msgid == setl_id,
                                                               journal.c.kind == "settle")).scalar_one()
    return json.loads(payload)["lines"]


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


@pytest.mark.parametrize("cnt,pric,fee", [
    ("9", "1.475000", "13.28"),   # cnt counts tablets at the unit price
    ("0.3214", "41.30", "13.27"),  # cnt counts packs: 9/28 of a box at the pack price
])
def test_national_split_line_is_charged_by_the_tablet(client, centre_engine, cnt, pric, fee):
    _national(centre_engine)
    out = client.call("2102", _settle(D03, cnt=cnt, pric=pric, fee=fee))
    assert out["infcode"] == 0, out["err_msg"]
    s = out["output"]["setlinfo"]
    # 41.30 × 9 ÷ 28 = 13.275 → 13.28; 先行自付 10 % → 1.33 (AV47's arithmetic), not 9 boxes or a refusal
    assert (s["medfee_sumamt"], s["preselfpay_amt"]) == ("13.28", "1.33"), s
    assert _lines(centre_engine, s["setl_id"]) == [["D03", 9, 4, "PASS", True]]


def test_unit_price_for_whole_boxes_is_whole_boxes(client, centre_engine):
    _national(centre_engine)
    out = client.call("2102", _settle(D03, cnt="28", pric="1.475000", fee="41.30"))
    assert out["infcode"] == 0, out["err_msg"]
    assert _lines(centre_engine, out["output"]["setlinfo"]["setl_id"]) == [["D03", 28, 4, "PASS", False]]


def test_a_fraction_of_a_box_that_is_no_whole_tablet_is_refused(client, centre_engine):
    _national(centre_engine)
    out = client.call("2102", _settle(D03, cnt="0.3300", pric="41.30", fee="13.63"))  # 9.24 tablets
    assert out["infcode"] == -1 and "drugdetail 1.cnt" in out["err_msg"] and "拆零" in out["err_msg"], out
    assert _count(centre_engine, SettlementRow) == 0


def test_provincial_node_flag_decides(client, centre_engine):
    # Hubei-style node: trdn_flag 1 on the line's code row; cnt counts tablets whatever pric says
    msg = _settle(D03, cnt="9", pric="1.475000", fee="13.28")
    msg["drug_trac_info"] = [{"feedetl_sn": "1", "drug_trac_codg": trace_codes(D03["prefix"], 1)[0],
                              "trdn_flag": "1", "min_prcunt_type": ""}]
    out = client.call("2102", msg)
    assert out["infcode"] == 0, out["err_msg"]
    assert out["output"]["setlinfo"]["medfee_sumamt"] == "13.28"


def _upload(s: dict, drug: dict, codes: list[str], *, split: bool, cnt: str, doc: str) -> dict:
    up = vm.sale_upload(drug, codes, mdtrt_sn=s["mdtrt_id"], psn_no="T0001", certno=P01_CERTNO, doc_no=doc)
    up["selinfo"].update(trdn_flag="1" if split else "0", sel_retn_cnt=cnt, setl_id=s["setl_id"])
    return up


def test_the_3505_must_sell_what_the_split_settlement_charged(client, centre_engine):
    _national(centre_engine)
    done = client.call("2102", _settle(D03, cnt="9", pric="1.475000", fee="13.28"))
    assert done["infcode"] == 0, done["err_msg"]
    s = done["output"]["setlinfo"]
    box = trace_codes(D03["prefix"], 1)
    whole = client.call("3505", _upload(s, D03, box, split=False, cnt="1", doc="SO-1"))
    assert whole["infcode"] == -1 and "selinfo.trdn_flag" in whole["err_msg"] and "拆零" in whole["err_msg"], whole
    assert _count(centre_engine, trace_upload) == 0
    ok = client.call("3505", _upload(s, D03, box, split=True, cnt="9", doc="SO-2"))
    assert ok["infcode"] == 0, ok["err_msg"]
    more = client.call("3505", _upload(s, D03, trace_codes(D03["prefix"], 1), split=True, cnt="1", doc="SO-3"))
    assert more["infcode"] == -1 and "selinfo.sel_retn_cnt" in more["err_msg"], more  # 10 tablets, 9 paid
    other = client.call("3505", _upload(s, D01, trace_codes(D01["prefix"], 1), split=False, cnt="1", doc="SO-4"))
    assert other["infcode"] == -1 and "selinfo.med_list_codg" in other["err_msg"], other
    assert _count(centre_engine, trace_upload) == 1


def test_a_split_3505_for_a_whole_box_settlement_is_refused(client, centre_engine):
    _national(centre_engine)
    done = client.call("2102", vm.settle("T0001", P01_CERTNO, D01))  # 3 boxes of amlodipine
    assert done["infcode"] == 0, done["err_msg"]
    s = done["output"]["setlinfo"]
    split = client.call("3505", _upload(s, D01, trace_codes(D01["prefix"], 1), split=True, cnt="14", doc="SO-5"))
    assert split["infcode"] == -1 and "selinfo.trdn_flag" in split["err_msg"] and "整盒" in split["err_msg"], split
    four = client.call("3505", _upload(s, D01, trace_codes(D01["prefix"], 4), split=False, cnt="4", doc="SO-6"))
    assert four["infcode"] == -1 and "selinfo.sel_retn_cnt" in four["err_msg"], four
    three = client.call("3505", _upload(s, D01, trace_codes(D01["prefix"], 3), split=False, cnt="3", doc="SO-7"))
    assert three["infcode"] == 0, three["err_msg"]
