"""调拨 between two branches of one chain, checked against where each box's code chain says it is (issue 18): a box
received by transfer (3502 201) must be in transit (3502 103) from another branch of the same chain, the one the
memo names; a box still on a shelf, never transferred out, already received, or from another chain is refused and
nothing changes; undoing (3507) follows the box. SQLite and PostgreSQL."""
from __future__ import annotations

from onewindow.cli import main
from tests.server.helpers import PH1, PH2, ok, trace_codes
from tests.server.test_stock import D01, level, purc


def change(codes, kind, bchno, memo=""):
    return {"invinfo": {**D01, "fixmedins_bchno": bchno, "inv_chg_type": kind, "pric": "20.00", "cnt": len(codes),
                        "inv_chg_time": "2026-12-07 11:00:00", "inv_chg_opter_name": "主管", "trdn_flag": "0",
                        "memo": memo, "manu_lotnum": "L2601", "manu_date": "2026-01-10", "expy_end": "2028-01-09",
                        "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}}


def into(codes, sender=PH1, bchno="B-T"):
    return change(codes, "201", bchno, memo=f"调拨入库：{sender} 调拨出库单 T01-C000001")


def states(client, code, bchno):
    rows = ok(client.call("3512", {"data": {"fixmedins_bchno": bchno}}, code=code))["data"]
    return {r["drug_trac_codg"]: r["stas"] for r in rows}


def refused(client, payload, words, code=PH2):
    r = client.call("3502", payload, code=code)
    assert r["infcode"] == -1 and words in r["err_msg"], r.get("err_msg")


def chain(db, code, name):
    """The chain a branch belongs to, set as an administrator does (centre setting stock.chain.<code>)."""
    assert main(["gateway", "institution", code, "--chain", name, "--db", db.url]) == 0


def test_a_box_moved_must_come_from_where_its_chain_says(client, centre_db, capsys):
    c = trace_codes("8100011", 4)
    ok(client.call("3503", purc(c, bchno="A-1")))
    refused(client, into(c[:2]), "未登记所属连锁")  # neither branch belongs to a chain yet
    assert main(["gateway", "institution", "default", "--chain", "鄂州连锁", "--db", centre_db.url]) == 2
    assert "per pharmacy" in capsys.readouterr().err
    chain(centre_db, PH1, "鄂州连锁")
    chain(centre_db, PH2, "鄂州连锁")
    refused(client, into(c[:2]), f"仍在 {PH1} 的库存中")  # not transferred out at PH1

    ok(client.call("3502", change(c[:2], "103", "A-1", memo="调往二店"), code=PH1))
    assert level(client, bchno="A-1") == "2"
    assert states(client, PH1, "A-1")[c[0]] == "transferred_out"  # in transit: the supervisor sees it
    refused(client, into(c[:2], sender="P42070000009"), f"由 {PH1} 调出，不是 P42070000009")
    refused(client, into(c[:3]), f"仍在 {PH1} 的库存中")  # c[2] is still on PH1's shelf: nothing of it written
    refused(client, into(trace_codes("8100011", 1)), "没有该盒的调拨出库记录")
    refused(client, {"invinfo": {**into([])["invinfo"], "cnt": 2}}, "须列出每盒的追溯码")
    chain(centre_db, PH2, "武汉连锁")
    refused(client, into(c[:2]), "不属同一连锁")
    chain(centre_db, PH2, "")
    refused(client, into(c[:2]), "未登记所属连锁")
    chain(centre_db, PH2, "鄂州连锁")
    assert level(client, code=PH2, bchno="B-T") is None and states(client, PH2, "B-T") == {}

    ok(client.call("3502", into(c[:2]), code=PH2))
    assert level(client, code=PH2, bchno="B-T") == "2"
    assert {states(client, PH1, "A-1")[x] for x in c[:2]} == {"transferred"}
    refused(client, into(c[:1], bchno="B-U"), "没有该盒的调拨出库记录")  # received once only
    back = client.call("3507", {"data": {"fixmedins_bchno": "A-1", "inv_data_type": "2"}}, code=PH1)
    assert back["infcode"] == -1 and "此后已有变动" in back["err_msg"]  # the box is at PH2 now
    refused(client, into(c[:1], sender=PH2, bchno="A-2"), f"仍在 {PH2} 的库存中", code=PH1)

    # undoing the transfer in puts the boxes in transit again; then the transfer out can be undone
    ok(client.call("3507", {"data": {"fixmedins_bchno": "B-T", "inv_data_type": "2"}}, code=PH2))
    assert level(client, code=PH2, bchno="B-T") == "0"
    assert states(client, PH1, "A-1")[c[0]] == "transferred_out"
    ok(client.call("3507", {"data": {"fixmedins_bchno": "A-1", "inv_data_type": "2"}}, code=PH1))
    assert level(client, bchno="A-1") == "4" and states(client, PH1, "A-1")[c[0]] == "in_stock"

    # and a box that went A -> B can come back B -> A
    ok(client.call("3502", change(c[:1], "103", "A-1"), code=PH1))
    ok(client.call("3502", into(c[:1]), code=PH2))
    ok(client.call("3502", change(c[:1], "103", "B-T"), code=PH2))
    ok(client.call("3502", into(c[:1], sender=PH2, bchno="A-1"), code=PH1))
    assert states(client, PH1, "A-1")[c[0]] == "in_stock" and states(client, PH2, "B-T")[c[0]] == "transferred"
