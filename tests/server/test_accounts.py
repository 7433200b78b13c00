"""Personal accounts (个人账户) and family sharing (家庭共济) at the centre, issue 17, on both databases.

Opening balances: resources/demo/accounts.json (T0002 500.00, T0003 20.00, T0011 2000.00; residents none).
"""
from __future__ import annotations

from sqlalchemy import func, select

from core.store.models import SettlementRow
from server.models_account import account_move
from tests.server.helpers import AGY, PH1, PH2, settle_input

CERT = {"T0001": "420704195703121015", "T0002": "420704196306301148", "T0003": "420704195511021255",
        "T0011": "420704196410101939", "T0014": "420704197507072219"}


def _balc(client, psn, code=PH1) -> str:
    r = client.call("1101", {"data": {"certno": CERT[psn], "psn_cert_type": "01"}}, code=code)
    assert r["infcode"] == 0, r
    return r["output"]["insuinfo"][0]["balc"]


def _sale(psn="T0002", *, use=True, med_type="41", **ext) -> dict:
    inp = settle_input(psn, med_type=med_type)
    inp["druginfo"]["acct_used_flag"] = "1" if use else "0"
    inp["druginfo"]["expContent"].update(ext)
    return inp


def _count(engine, table) -> int:
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(table)).scalar()
        conn.rollback()
    return int(n)


def _info(out) -> dict:
    assert out["infcode"] == 0, out
    return out["output"]["setlinfo"]


def test_balance_in_1101_and_presettle_writes_nothing(client):
    assert (_balc(client, "T0002"), _balc(client, "T0003"), _balc(client, "T0001")) == ("500.00", "20.00", "0.00")
    s = _info(client.call("2101", _sale()))
    assert (s["psn_part_amt"], s["acct_pay"], s["psn_cash_pay"], s["balc"]) == ("84.00", "84.00", "0.00", "416.00")
    assert _balc(client, "T0002") == "500.00"
    off = _info(client.call("2101", _sale(use=False)))  # not chosen at the desk: cash, the balance shown as it is
    assert (off["acct_pay"], off["psn_cash_pay"], off["balc"]) == ("0.00", "84.00", "500.00")


def test_pay_from_account_then_cancel_and_reverse_give_it_back(client, centre_engine):
    first = client.call("2102", _sale())
    s = _info(first)
    assert (s["acct_pay"], s["balc"], s["psn_cash_pay"]) == ("84.00", "416.00", "0.00")
    assert _balc(client, "T0002") == "416.00"
    c = client.call("2103", {"data": {"setl_id": s["setl_id"], "psn_no": "T0002"}})
    assert c["infcode"] == 0 and c["output"]["setlinfo"]["acct_pay"] == "-84.00", c
    assert _balc(client, "T0002") == "500.00"
    second = client.call("2102", _sale(acct_pay="50.00"))  # an exact amount named at the desk
    s2 = _info(second)
    assert (s2["acct_pay"], s2["psn_cash_pay"], s2["balc"]) == ("50.00", "34.00", "450.00")
    rev = client.call("2601", {"data": {"psn_no": "T0002", "omsgid": second["_msgid"], "oinfno": "2102"}})
    assert rev["infcode"] == 0 and rev["output"]["data"]["rslt"] == "1", rev
    assert _balc(client, "T0002") == "500.00"
    again = client.call("2601", {"data": {"psn_no": "T0002", "omsgid": second["_msgid"], "oinfno": "2102"}})
    assert again["infcode"] == 0 and _balc(client, "T0002") == "500.00"  # given back once only
    q = client.call("5203", {"data": {"psn_no": "T0002", "setl_id": s2["setl_id"]}})
    assert q["output"]["setlinfo"]["acct_pay"] == "50.00" and q["output"]["setlinfo"]["refd_setl_flag"] == "1", q


def test_short_balance_pays_what_is_there_and_refuses_more(client, centre_engine):
    s = _info(client.call("2101", _sale("T0003")))
    assert (s["acct_pay"], s["psn_cash_pay"], s["balc"]) == ("20.00", "64.00", "0.00")
    before = _count(centre_engine, SettlementRow), _count(centre_engine, account_move)
    bad = client.call("2102", _sale("T0003", acct_pay="20.01"))
    assert bad["infcode"] == -1 and "余额不足" in bad["err_msg"], bad
    assert (_count(centre_engine, SettlementRow), _count(centre_engine, account_move)) == before
    assert _balc(client, "T0003") == "20.00"
    over = client.call("2101", _sale("T0002", acct_pay="84.01"))
    assert over["infcode"] == -1 and "超过个人负担" in over["err_msg"], over
    neg = client.call("2101", _sale("T0002", acct_pay="-1"))
    assert neg["infcode"] == -1 and "负数" in neg["err_msg"], neg
    resident = client.call("2101", _sale("T0001", med_type="9901"))
    assert resident["infcode"] == -1 and "无个人账户" in resident["err_msg"], resident


def test_the_balance_never_goes_below_zero_across_sales(client):
    """T0003 has 20.00: the first sale takes it all, the second finds 0.00 and pays cash."""
    a = _info(client.call("2102", _sale("T0003")))
    b = _info(client.call("2102", _sale("T0003"), code=PH2))
    assert (a["acct_pay"], b["acct_pay"], b["psn_cash_pay"], b["balc"]) == ("20.00", "0.00", "84.00", "0.00")
    short = client.call("2102", _sale("T0003", acct_pay="0.01"))
    assert short["infcode"] == -1 and "余额不足" in short["err_msg"]


def _bind(client, holder="T0011", relative="T0001", code=AGY, cert=None, relation="1"):
    return client.call("2594", {"data": {"holder_psn_no": holder, "relative_psn_no": relative, "relation": relation,
                                         "holder_cert_type": "02", "holder_cert_no": cert or CERT[holder]}}, code=code)


def test_family_sharing_binding_payment_and_reversal_to_the_holder(client, centre_engine):
    unbound = client.call("2101", _sale("T0001", med_type="9901", mulaid_psn_no="T0011"))
    assert unbound["infcode"] == -1 and "未与" in unbound["err_msg"], unbound
    assert _bind(client, code=PH1)["infcode"] == -1  # a pharmacy may not bind (agency counter only)
    wrong = _bind(client, cert=CERT["T0001"])  # the relative's own ID is no confirmation by the holder
    assert wrong["infcode"] == -1 and "确认失败" in wrong["err_msg"], wrong
    assert _bind(client, holder="T0001", relative="T0011")["infcode"] == -1  # a resident holds no account
    ok = _bind(client)
    assert ok["infcode"] == 0, ok
    assert _bind(client)["infcode"] == -1  # bound twice
    assert _bind(client, holder="T0002", relative="T0011")["infcode"] == -1  # no chains
    listed = client.call("2596", {"data": {"psn_no": "T0001"}})["output"]["feedetail"]
    assert [(x["holder_psn_no"], x["holder_name"], x["holder_balc"]) for x in listed] == [("T0011", "钱*****", "2000.00")]
    # the resident relative (no account of their own) pays their 42.00 share from the holder's account
    out = client.call("2102", _sale("T0001", med_type="9901", mulaid_psn_no="T0011"))
    s = _info(out)
    assert (s["psn_part_amt"], s["acct_pay"], s["acct_mulaid_pay"], s["psn_cash_pay"]) == ("42.00", "0.00", "42.00", "0.00")
    assert s["expContent"]["account"]["mulaid_psn_name"] == "钱*****"
    assert _balc(client, "T0011") == "1958.00"
    rev = client.call("2601", {"data": {"psn_no": "T0001", "omsgid": out["_msgid"], "oinfno": "2102"}})
    assert rev["infcode"] == 0, rev
    assert _balc(client, "T0011") == "2000.00"
    too_much = client.call("2102", _sale("T0001", med_type="9901", mulaid_psn_no="T0011", acct_mulaid_pay="42.01"))
    assert too_much["infcode"] == -1
    end = client.call("2595", {"data": {"holder_psn_no": "T0011", "relative_psn_no": "T0001", "holder_cert_type": "02",
                                        "holder_cert_no": CERT["T0011"]}}, code=AGY)
    assert end["infcode"] == 0, end
    after = client.call("2101", _sale("T0001", med_type="9901", mulaid_psn_no="T0011"))
    assert after["infcode"] == -1 and "未与" in after["err_msg"]


def test_own_account_first_then_the_holder_for_the_rest(client):
    """T0003 (20.00 of their own) bound to T0011: 20.00 from the own account, 64.00 from the holder's."""
    assert _bind(client, relative="T0003")["infcode"] == 0
    out = client.call("2102", _sale("T0003", mulaid_psn_no="T0011"))
    s = _info(out)
    assert (s["acct_pay"], s["acct_mulaid_pay"], s["psn_cash_pay"], s["balc"]) == ("20.00", "64.00", "0.00", "0.00")
    c = client.call("2103", {"data": {"setl_id": s["setl_id"], "psn_no": "T0003"}})
    assert c["output"]["setlinfo"]["acct_mulaid_pay"] == "-64.00", c
    assert (_balc(client, "T0003"), _balc(client, "T0011")) == ("20.00", "2000.00")


def test_statement_3201_counts_account_payments(client):
    s = _info(client.call("2102", _sale()))
    day = s["setl_time"][:10]

    def stmt(acct):
        return client.call("3201", {"data": {"stmt_begndate": day, "stmt_enddate": day, "medfee_sumamt": "84.00",
                                             "fund_pay_sumamt": "0.00", "acct_pay": acct, "fixmedins_setl_cnt": 1}})
    good = stmt("84.00")["output"]["stmtinfo"]
    assert good["stmt_rslt"] == "0" and good["acct_pay"] == "84.00", good
    bad = stmt("0")["output"]["stmtinfo"]
    assert bad["stmt_rslt"] == "1" and "acct_pay" in bad["stmt_rslt_dscr"]


def test_debit_is_guarded_in_the_database(centre_engine):
    """Two sales racing for one balance: the write itself refuses to go below zero (the planner's read may be old)."""
    from decimal import Decimal

    from server import accounts

    with centre_engine.connect() as conn:
        args = dict(person_no="T0003", insutype="310", setl_id="X1", patient_no="T0003", kind="acct", code=PH1,
                    at="2026-12-07 10:00:00")
        assert accounts.debit(conn, amount=Decimal("20.01"), **args) is None
        assert accounts.balance(conn, "T0003", "310") == Decimal("20.00")
        assert conn.execute(select(func.count()).select_from(account_move).where(account_move.c.setl_id == "X1")).scalar() == 0
        assert accounts.debit(conn, amount=Decimal("20.00"), **args) == Decimal("0.00")
        conn.rollback()


def test_outpatient_pooling_at_the_pharmacy_by_profile_data(client):
    """门诊统筹 (med_type 11 in TEST_CITY_A's ordinary section, TEST VALUES): 310 deductible 200.00, ratio 0.60,
    cap 1500.00 — the same figures as core.policy.ordinary's vectors; the account pays the person's share."""
    first = _info(client.call("2102", settle_input("T0002", med_type="11", packs=10, days=280)))
    assert (first["medfee_sumamt"], first["act_pay_dedc"], first["fund_pay_sumamt"], first["psn_part_amt"]) == (
        "280.00", "200.00", "48.00", "232.00"), first
    assert first["expContent"]["scheme"] == "OP" and first["pool_prop_selfpay"] == "0.6000"
    second = client.call("2101", _sale(med_type="11"))
    s = _info(second)
    assert (s["act_pay_dedc"], s["fund_pay_sumamt"], s["psn_part_amt"], s["acct_pay"], s["balc"]) == (
        "0.00", "50.40", "33.60", "33.60", "466.40"), s
    rev = client.call("2103", {"data": {"setl_id": first["setl_id"], "psn_no": "T0002"}})
    assert rev["infcode"] == 0
    again = _info(client.call("2101", _sale(med_type="11")))
    assert (again["act_pay_dedc"], again["fund_pay_sumamt"]) == ("84.00", "0.00")  # the deductible came back
    no_rx = _sale(med_type="11")
    no_rx["drugdetail"][0]["rxno"] = ""
    refused = client.call("2101", no_rx)
    assert refused["infcode"] == -1 and "处方" in refused["err_msg"], refused
    only = _info(client.call("2101", _sale(med_type="41", use=False)))
    assert (only["fund_pay_sumamt"], only["psn_part_amt"]) == ("0.00", "84.00")


def test_an_insured_line_priced_differently_is_refused_naming_the_line(client, centre_engine):
    inp = _sale()
    inp["drugdetail"][0]["pric"] = "27.99"  # the total still matches within 0.10 元 if the amount is kept
    before = _count(centre_engine, SettlementRow)
    out = client.call("2102", inp)
    assert out["infcode"] == -1 and "目录价" in out["err_msg"] and "drugdetail 1" in out["err_msg"], out
    assert _count(centre_engine, SettlementRow) == before and _balc(client, "T0002") == "500.00"
