"""The centre's stock (issue 18): 3501–3504 and 3507 move each pharmacy's stock by batch and box, 3505/3506 take
it out and back, 3508–3513 answer per pharmacy, 3590 says which pharmacies stock a drug and strength; bad
documents are refused with the field named and change nothing. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from server.models import setting
from tests.server.helpers import AGY, CL1, KSK, PH1, PH2, SUP, ok, trace_codes

D01 = {"med_list_codg": "XC08CAA321A001010199901", "fixmedins_hilist_id": "D01",
       "fixmedins_hilist_name": "苯磺酸氨氯地平片"}


def purc(codes, bchno="B-1", **kw):
    node = {**D01, "fixmedins_bchno": bchno, "spler_name": "九州通医药", "manu_lotnum": "L2601",
            "manu_date": "2026-01-10", "expy_end": "2028-01-09", "finl_trns_pric": "20.00",
            "purc_retn_cnt": len(codes), "purc_invo_no": "INV1", "purc_retn_stoin_time": "2026-12-07 09:00:00",
            "purc_retn_opter_name": "库管", "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}
    node.update(kw)
    return {"purcinfo": node}


def sale(codes, bchno="B-1", docno="S1", split="0", cnt=None):
    return {"selinfo": {**D01, "fixmedins_bchno": bchno, "trdn_flag": split, "rtal_docno": docno,
                        "sel_retn_cnt": cnt or len(codes), "sel_retn_time": "2026-12-07 10:00:00",
                        "sel_retn_opter_name": "药师", "mdtrt_setl_type": "2", "manu_lotnum": "L2601",
                        "manu_date": "2026-01-10", "expy_end": "2028-01-09",
                        "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}}


def change(codes, kind="101", bchno="B-1"):
    return {"invinfo": {**D01, "fixmedins_bchno": bchno, "inv_chg_type": kind, "pric": "20.00", "cnt": len(codes),
                        "inv_chg_time": "2026-12-07 11:00:00", "inv_chg_opter_name": "主管", "trdn_flag": "0",
                        "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}}


def level(client, code=PH1, bchno="B-1", caller=None):
    rows = ok(client.call("3508", {"data": {"fixmedins_bchno": bchno, "fixmedins_code": code if caller else ""}},
                          code=caller or code))["data"]
    return {r["fixmedins_bchno"]: r["inv_cnt"] for r in rows}.get(bchno)


def test_receive_sell_change_return_count_and_undo(client):
    c = trace_codes("8100011", 6)
    ok(client.call("3503", purc(c)))
    assert level(client) == "6"
    dup = client.call("3503", purc(c[:1], bchno="B-2"))
    assert dup["infcode"] == -1 and "重复入库" in dup["err_msg"]
    ok(client.call("3505", sale(c[:2])))
    assert level(client) == "4"
    ok(client.call("3502", change(c[2:3])))  # 报损
    assert level(client) == "3"
    ok(client.call("3504", purc(c[3:4], purc_retn_cnt=1)))
    assert level(client) == "2"
    back = client.call("3504", purc(c[0:1], purc_retn_cnt=1))  # sold: cannot go back to the supplier
    assert back["infcode"] == -1 and c[0] in back["err_msg"]
    ok(client.call("3506", sale(c[:1], docno="S1")))
    assert level(client) == "3"
    # the count lists c0, c4 (c5, in stock, is not on the shelf: 盘亏)
    ok(client.call("3501", {"invinfo": {**D01, "fixmedins_bchno": "B-1", "invdate": "2026-12-07", "inv_cnt": 2,
                                        "drugtracinfo": [{"drug_trac_codg": x} for x in (c[0], c[4])]}}))
    assert level(client) == "2"
    counted = {r["drug_trac_codg"]: r["stas"] for r in
               ok(client.call("3512", {"data": {"fixmedins_bchno": "B-1"}}))["data"]}
    assert counted[c[5]] == "written_off" and counted[c[4]] == "in_stock"
    # 3507: undo the 报损 (type 2), then the count (type 1): each gives back its own change
    ok(client.call("3507", {"data": {"fixmedins_bchno": "B-1", "inv_data_type": "2"}}))
    assert level(client) == "3"
    ok(client.call("3507", {"data": {"fixmedins_bchno": "B-1", "inv_data_type": "1"}}))
    assert level(client) == "4"
    again = client.call("3507", {"data": {"fixmedins_bchno": "B-1", "inv_data_type": "1"}})
    assert again["infcode"] == -1 and "没有可删除的记录" in again["err_msg"]
    codes = {r["drug_trac_codg"]: r["stas"] for r in
             ok(client.call("3512", {"data": {"fixmedins_bchno": "B-1"}}))["data"]}
    assert codes[c[2]] == "in_stock" and codes[c[3]] == "supplier_returned" and codes[c[1]] == "sold"
    assert codes[c[5]] == "in_stock"  # the count's 盘亏 undone too
    # a purchase whose boxes were sold since cannot be deleted
    undo = client.call("3507", {"data": {"fixmedins_bchno": "B-1", "inv_data_type": "3"}})
    assert undo["infcode"] == -1 and "此后已有变动" in undo["err_msg"]
    purchases = ok(client.call("3510", {"data": {"fixmedins_bchno": "B-1"}}))
    assert [r["infno"] for r in purchases["data"]] == ["3503", "3504"] and purchases["total"] == 2
    sales = ok(client.call("3511", {"data": {}}))["data"]
    assert [s["retn_flag"] for s in sales if s["fixmedins_hilist_id"] == "D01"] == ["1"]


def test_bad_documents_change_nothing(client):
    c = trace_codes("8100011", 2)
    ok(client.call("3503", purc(c)))
    before = level(client)
    for bad, words in [
        (purc(trace_codes("8100011", 1), bchno="B-9", manu_date="2028-01-01", expy_end="2027-01-01"), "有效期早于生产日期"),
        (purc(trace_codes("8100022", 1), bchno="B-9"), "码品不符"),
        (purc(trace_codes("8100011", 2), bchno="B-9", purc_retn_cnt=3), "不符"),
        (change(c[:1] + trace_codes("8100011", 1)), "未入库"),  # a box never received cannot be written off
    ]:
        infno = "3503" if "purcinfo" in bad else "3502"
        r = client.call(infno, bad)
        assert r["infcode"] == -1 and words in r["err_msg"], r["err_msg"]
    assert level(client) == before and level(client, bchno="B-9") is None


def test_sale_without_receipt_is_refused_when_the_centre_says_so(client, centre_engine):
    with centre_engine.begin() as conn:
        conn.execute(setting.insert().values(key=f"stock.require_receipt.{PH1}", value="1"))
    c = trace_codes("8100011", 2)
    ok(client.call("3503", purc(c[:1])))
    r = client.call("3505", sale(c[1:], docno="S9"))
    assert r["infcode"] == -1 and "没有该盒的入库记录" in r["err_msg"]
    ok(client.call("3505", sale(c[:1], docno="S9")))
    ok(client.call("3505", sale(trace_codes("8100011", 1), docno="S10"), code=PH2))  # PH2 is not held to it


def test_stock_views_per_pharmacy_and_where_in_stock(client):
    ok(client.call("3503", purc(trace_codes("8100011", 3), bchno="P1-A")))
    ok(client.call("3503", purc(trace_codes("8100011", 5), bchno="P2-A"), code=PH2))
    ok(client.call("3503", purc(trace_codes("8100011", 2), bchno="P2-OLD", manu_date="2020-01-01",
                                expy_end="2021-01-01"), code=PH2))  # expired: not offered to prescribers
    # a pharmacy sees only its own stock; the supervisor names any pharmacy
    assert client.call("3508", {"data": {"fixmedins_code": PH2}})["infcode"] == -1
    assert level(client, code=PH2, bchno="P2-A", caller=SUP) == "5"
    assert level(client, code=PH1, bchno="P1-A", caller=AGY) == "3"
    assert client.call("3508", {"data": {}}, code=KSK)["infcode"] == -1  # a kiosk may not read stock
    where = ok(client.call("3590", {"data": {"atc": "C08CA01", "strength": "5", "strength_unit": "mg"}}, code=CL1))
    got = [(r["fixmedins_code"], r["inv_cnt"]) for r in where["data"]]
    assert got[:2] == [(PH2, "5"), (PH1, "3")]
    none = ok(client.call("3590", {"data": {"atc": "C08CA01", "strength": "20", "strength_unit": "mg"}}, code=CL1))
    assert none["data"] == []
    assert client.call("3590", {"data": {}}, code=CL1)["infcode"] == -1


@pytest.mark.parametrize("infno", ["3501", "3502", "3503", "3504", "3507"])
def test_only_pharmacies_upload_stock(client, infno):
    r = client.call(infno, {"data": {}}, code=CL1)
    assert r["infcode"] == -1 and "无权" in r["err_msg"]
