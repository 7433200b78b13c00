"""The centre keeps split (拆零) remainders as the client's ledger does: a batch's units are its whole boxes × pack
size + the opened boxes' remainders. A split sale takes units from the opened box (the box stays on hand until it
is empty), a split return puts them back, a split write-off (3502, trdn_flag 1) takes the opened box's remainder
with it, and 3507 gives each back. SQLite and PostgreSQL."""
from __future__ import annotations

from tests.server.helpers import ok, trace_codes
from tests.server.test_stock import D01, purc, sale


def stock(client, bchno="B-1") -> tuple[str, str]:
    (row,) = [r for r in ok(client.call("3508", {"data": {"fixmedins_bchno": bchno}}))["data"]]
    return row["inv_cnt"], row["inv_units"]


def box(client, code: str) -> tuple[str, str]:
    (row,) = ok(client.call("3512", {"data": {"drug_trac_codg": code}}))["data"]
    return row["stas"], row["units_left"]


def split_change(codes, cnt, kind="101", bchno="B-1"):
    return {"invinfo": {**D01, "fixmedins_bchno": bchno, "inv_chg_type": kind, "pric": "20.00", "cnt": cnt,
                        "inv_chg_time": "2026-12-07 11:00:00", "inv_chg_opter_name": "主管", "trdn_flag": "1",
                        "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}}


def test_split_sale_return_write_off_and_undo_keep_the_remainders(client):
    c = trace_codes("8100011", 3)
    ok(client.call("3503", purc(c)))
    boxes, units = stock(client)
    pack = int(units) // 3
    assert boxes == "3" and pack > 3 and int(units) == 3 * pack
    ok(client.call("3505", sale(c[:1], docno="S1", split="1", cnt=3)))  # 3 tablets from the opened box
    assert stock(client) == ("3", str(3 * pack - 3))
    assert box(client, c[0]) == ("opened", str(pack - 3))
    ok(client.call("3505", sale(c[:1], docno="S2", split="1", cnt=pack - 3)))  # the rest: the box is empty
    assert stock(client) == ("2", str(2 * pack))
    assert box(client, c[0]) == ("sold", "")
    ok(client.call("3506", sale(c[:1], docno="S2", split="1", cnt=2)))  # 2 tablets back: an opened box again
    assert stock(client) == ("3", str(2 * pack + 2))
    assert box(client, c[0]) == ("opened", "2")

    # a split write-off must name what the boxes hold: the opened box's 2 and a whole box
    wrong = client.call("3502", split_change(c[:2], pack + 1))
    assert wrong["infcode"] == -1 and "剩余" in wrong["err_msg"], wrong["err_msg"]
    assert stock(client) == ("3", str(2 * pack + 2))
    ok(client.call("3502", split_change(c[:2], pack + 2)))
    assert stock(client) == ("1", str(pack))
    assert box(client, c[0]) == ("written_off", "") and box(client, c[1]) == ("written_off", "")
    # 3507 gives the write-off back, the opened box with its remainder
    ok(client.call("3507", {"data": {"fixmedins_bchno": "B-1", "inv_data_type": "2"}}))
    assert stock(client) == ("3", str(2 * pack + 2))
    assert box(client, c[0]) == ("opened", "2") and box(client, c[1]) == ("in_stock", "")


def test_count_keeps_an_opened_box_and_a_split_change_without_codes(client):
    c = trace_codes("8100011", 2)
    ok(client.call("3503", purc(c)))
    pack = int(stock(client)[1]) // 2
    ok(client.call("3505", sale(c[:1], docno="S1", split="1", cnt=1)))
    # the shelf shows both boxes: the opened one keeps its remainder
    ok(client.call("3501", {"invinfo": {**D01, "fixmedins_bchno": "B-1", "invdate": "2026-12-07", "inv_cnt": 2,
                                        "drugtracinfo": [{"drug_trac_codg": x} for x in c]}}))
    assert stock(client) == ("2", str(2 * pack - 1))
    assert box(client, c[0]) == ("opened", str(pack - 1))
    # a split loss without codes (another vendor's client): the units leave, the boxes follow what is left
    ok(client.call("3502", split_change([], pack - 1)))
    assert stock(client) == ("1", str(pack))
    too_much = client.call("3502", split_change([], pack + 1))
    assert too_much["infcode"] == -1 and "库存不足" in too_much["err_msg"]
    assert stock(client) == ("1", str(pack))
