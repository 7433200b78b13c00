"""2101/2102/2103/2601, reconciliation (3201) and centre-side audit (3101/3102), on both databases."""
from __future__ import annotations

from sqlalchemy import func, select

from core.store.models import SettlementRow
from server.models import journal
from tests.server.helpers import PH1, PH2, envelope, settle_input

def _count(engine, table):
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(table)).scalar()
        conn.rollback()
    return n


def _statement(client, code, count, total, fund, day):
    """3201 for `day`: the settlement's own date (its setl_time), never the test's clock, which may have passed
    midnight CST (16:00 UTC) since."""
    return client.call("3201", {"data": {"insutype": "", "stmt_begndate": day, "stmt_enddate": day,
                                          "medfee_sumamt": total, "fund_pay_sumamt": fund, "acct_pay": "0",
                                          "fixmedins_setl_cnt": count}}, code=code)


def test_presettle_settle_and_duplicate_elsewhere(client):
    inp = settle_input()
    pre = client.call("2101", inp)
    assert pre["infcode"] == 0, pre
    s = pre["output"]["setlinfo"]
    assert (s["medfee_sumamt"], s["fund_pay_sumamt"], s["psn_part_amt"], s["hifp_pay"]) == ("84.00", "42.00", "42.00", "42.00")
    assert pre["output"]["detlcutinfo"][0]["inscp_scp_amt"] == "84.00"
    out = client.call("2102", inp)
    assert out["infcode"] == 0, out
    assert out["output"]["setlinfo"]["medins_setl_id"] == out["_msgid"] == out["output"]["setlinfo"]["setl_id"]
    again = client.call("2102", settle_input(), code=PH2)
    assert again["infcode"] == -1 and "DUP-002" in again["err_msg"], again
    assert {h["rule"] for h in again["output"]["audit"]["hits"]} >= {"DUP-001", "DUP-002"}


def test_repeat_is_identical_and_counted_once_then_reversal_restores_cap(client, centre_engine):
    inp = settle_input()
    first = client.call("2102", inp)
    env = envelope("2102", inp, PH1, msgid=first["_msgid"], sign_no=client.sign_nos[PH1])
    repeat = client.send(env).json()
    first.pop("_status"), first.pop("_msgid")
    assert repeat == first
    assert _count(centre_engine, SettlementRow) == 1
    day = first["output"]["setlinfo"]["setl_time"][:10]
    rec = _statement(client, PH1, 1, "84.00", "42.00", day)
    assert rec["output"]["stmtinfo"]["stmt_rslt"] == "0", rec
    bad = _statement(client, PH1, 2, "168.00", "84.00", day)
    assert bad["output"]["stmtinfo"]["stmt_rslt"] == "1" and "count" in bad["output"]["stmtinfo"]["stmt_rslt_dscr"]
    rev = client.call("2601", {"data": {"psn_no": "T0001", "omsgid": env["msgid"], "oinfno": "2102"}})
    assert rev["infcode"] == 0 and rev["output"]["data"]["rslt"] == "1", rev
    pre = client.call("2101", settle_input())
    assert pre["infcode"] == 0, pre
    assert pre["output"]["setlinfo"]["expContent"]["cap_remaining_before"] == "400.00"
    assert _statement(client, PH1, 0, "0", "0", day)["output"]["stmtinfo"]["stmt_rslt"] == "0"
    again = client.call("2601", {"data": {"psn_no": "T0001", "omsgid": env["msgid"], "oinfno": "2102"}})
    assert again["infcode"] == 0 and "已冲正" in again["output"]["data"]["memo"]


def test_reversal_before_arrival_blocks_the_late_message(client, centre_engine):
    inp = settle_input()
    env = envelope("2102", inp, PH1, sign_no=client.sign_in(PH1))
    rev = client.call("2601", {"data": {"psn_no": "T0001", "omsgid": env["msgid"], "oinfno": "2102"}})
    assert rev["infcode"] == 0 and rev["output"]["data"]["rslt"] == "0"
    late = client.send(env).json()
    assert late["infcode"] == -1 and "reversed" in late["err_msg"]
    assert _count(centre_engine, SettlementRow) == 0


def test_cancel_2103(client):
    out = client.call("2102", settle_input())
    setl_id = out["output"]["setlinfo"]["setl_id"]
    other = client.call("2103", {"data": {"setl_id": setl_id, "psn_no": "T0001"}}, code=PH2)
    assert other["infcode"] == -1 and "another institution" in other["err_msg"]
    c = client.call("2103", {"data": {"setl_id": setl_id, "mdtrt_id": setl_id, "psn_no": "T0001"}})
    assert c["infcode"] == 0 and c["output"]["setlinfo"]["medfee_sumamt"] == "-84.00", c
    c2 = client.call("2103", {"data": {"setl_id": setl_id, "psn_no": "T0001"}})
    assert c2["infcode"] == -1 and "already cancelled" in c2["err_msg"]
    assert client.call("2102", settle_input())["infcode"] == 0  # the supply is free again


def test_blocked_settlement_writes_nothing(client, centre_engine):
    client.sign_in(PH1)
    journal_before = _count(centre_engine, journal)
    out = client.call("2102", settle_input("T0014"))  # no registration at all
    assert out["infcode"] == -1 and "ELG-003" in out["err_msg"]
    wrong = settle_input()
    wrong["druginfo"]["medfee_sumamt"] = "90.00"
    wrong["drugdetail"][0]["det_item_fee_sumamt"] = "90.00"
    out = client.call("2102", wrong)
    assert out["infcode"] == -1 and "catalogue pricing" in out["err_msg"]
    inconsistent = settle_input()
    inconsistent["druginfo"]["medfee_sumamt"] = "80.00"
    assert "not the sum" in client.call("2102", inconsistent)["err_msg"]
    assert _count(centre_engine, SettlementRow) == 0 and _count(centre_engine, journal) == journal_before


def test_centre_audit_sees_other_pharmacies(client):
    assert client.call("2102", settle_input())["infcode"] == 0
    order = {"rx_id": "R1", "hilist_code": "XC08CAA321A001010199901", "cnt": 1, "prd_days": 28,
             "expContent": {"dose": 5, "times_per_day": 1}}
    data = {"data": {"syscode": "OW", "trig_scen": "2", "task_id": "T1", "patient_dtos": [{
        "patn_id": "T0001", "fsi_encounter_dtos": [{"mdtrt_id": "M1", "med_type": "9901",
                                                    "fsi_diagnose_dtos": [{"dise_codg": "I10.x00"}],
                                                    "fsi_order_dtos": [order]}]}]}}
    out = client.call("3101", data, code=PH2)
    assert out["infcode"] == 0, out
    rules = {r["rule_id"] for r in out["output"]["result"]}
    assert "DUP-002" in rules and "DUP-001" in rules
    assert out["output"]["expContent"]["encounters"][0]["verdict"] == "BLOCK"
    assert client.call("3102", data, code=PH2)["infcode"] == 0


def test_person_queries(client):
    reg = client.call("5301", {"data": {"psn_no": "T0002"}})
    assert {r["opsp_dise_code"] for r in reg["output"]["feedetail"]} == {"HTN", "DM"}
    assert client.call("2102", settle_input())["infcode"] == 0
    hist = client.call("5205", {"data": {"psn_no": "T0001"}})
    rows = hist["output"]["feedetail"]
    assert len(rows) == 1 and rows[0]["medins_list_codg"] == "D01" and rows[0]["prd_days"] == 84
    assert "not found" in client.call("5301", {"data": {"psn_no": "NOPE"}})["err_msg"]
    card = client.call("1101", {"data": {"mdtrt_cert_type": "03", "mdtrt_cert_no": "420704196306301148", "card_sn": "X1"}})
    assert card["infcode"] == 0 and card["output"]["baseinfo"]["psn_no"] == "T0002"
    assert "card_sn is required" in client.call("1101", {"data": {"mdtrt_cert_type": "03",
                                                                   "mdtrt_cert_no": "420704196306301148"}})["err_msg"]
    assert "not supported" in client.call("1101", {"data": {"mdtrt_cert_type": "09", "mdtrt_cert_no": "1"}})["err_msg"]
    numeric = client.call("5301", {"data": {"psn_no": 12345}})  # numbers are read as text, not refused as types
    assert "person 12345 not found" in numeric["err_msg"]
