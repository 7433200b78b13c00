"""Checkout flows against a scripted centre: every path a sale can take, with the answers (or their absence)
that lead there. The real centre is exercised in test_with_centre.py and tests/e2e/test_sync_*.py."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.services.checkout import CheckoutError, CheckoutService, Identification
from core.sync import journal
from core.sync.models import SyncAlert, SyncOutbox
from core.sync.synthetic import basket_for, id_number
from tests.sync.fakecentre import ScriptedCentre, envelope_answer, setlinfo
from tests.sync.fixtures import cache_persons, load_catalogue, local_settlement_rows

SECRET = "s3cret"


@pytest.fixture
def scripted():
    with ScriptedCentre() as c:
        yield c


def _checkout(make_terminal, url, persons=(1,), **sections):
    t = make_terminal(url, SECRET, **sections)
    load_catalogue(t)
    cache_persons(t, list(persons))
    return t, CheckoutService(t)


def _audited(co, t, i, n=0):
    return co.audit(basket_for(i, n, rx_date=t.today()), Identification("id_card", id_number(i)), operator="OP01")


def _items(t, sale_id=None):
    with t.read() as s:
        stmt = select(SyncOutbox).order_by(SyncOutbox.id)
        if sale_id:
            stmt = stmt.where(SyncOutbox.sale_id == sale_id)
        return list(s.scalars(stmt))


def _alerts(t):
    with t.read() as s:
        return list(s.scalars(select(SyncAlert).order_by(SyncAlert.id)))


def test_online_sale_to_uploaded(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    sale = _audited(co, t, 1)
    assert sale.state == "audited" and sale.verdict == "PASS" and sale.total == Decimal("84.00")
    sale = co.pre_settle(sale.sale_id)
    assert sale.state == "pre_settled" and not sale.offline
    sale = co.settle(sale.sale_id)
    assert sale.state == "settled" and sale.confirmed and sale.setl_id == sale.msgid
    again = co.settle(sale.sale_id)  # a double click changes nothing
    assert again.state == "settled" and scripted.count("2102") == 1
    receipt = co.print_receipt(sale.sale_id)
    assert receipt.sale.state == "printed" and receipt.lines[0].trace_codes and not receipt.copy
    assert receipt.lines[0].amount == Decimal("84.00") and receipt.lines[0].unit == "盒"
    assert co.print_receipt(sale.sale_id).copy
    t.sender.drain(timeout_s=5)
    assert co.sale(sale.sale_id).state == "uploaded"
    upload = next(e for e in scripted.received if e["infno"] == "3505")["input"]["selinfo"]
    assert upload["setl_id"] == sale.msgid and len(upload["drugtracinfo"]) == 3 and upload["mdtrt_setl_type"] == "1"
    rows = local_settlement_rows(t)
    assert rows[sale.msgid]["status"] == "settled" and rows[sale.msgid]["reversed_on"] is None
    assert [e["to"] for e in co.journal(sale.sale_id) if e["kind"] == "sale.transition"] == [
        "audited", "pre_settled", "sending", "settled", "printed", "uploaded"]
    with t.read() as s:
        assert journal.verify(s).ok


def test_lost_answer_is_asked_again_with_the_same_msgid(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    scripted.script["2102"] = ["drop"]  # the centre settles it, the answer is lost
    sale = co.pre_settle(_audited(co, t, 1).sale_id)
    sale = co.settle(sale.sale_id)
    assert sale.state == "settled"
    sent = [e["msgid"] for e in scripted.received if e["infno"] == "2102"]
    assert len(sent) == 2 and len(set(sent)) == 1 and sent[0] == sale.msgid


def test_no_answer_within_the_patience_is_reversed(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url, sender={"settle_patience_s": 1.0})
    scripted.script["2102"] = ["drop", "hang", "hang"]
    sale = co.pre_settle(_audited(co, t, 1).sale_id)
    sale = co.settle(sale.sale_id)
    assert sale.state == "reversed", sale.reason
    reversal = next(e for e in scripted.received if e["infno"] == "2601")["input"]["data"]
    assert reversal == {"psn_no": "S000001", "omsgid": sale.msgid, "oinfno": "2102"}
    kinds = {i.kind: i.status for i in _items(t, sale.sale_id)}
    assert kinds == {"settle": "superseded", "reverse": "done"}
    assert local_settlement_rows(t)[sale.msgid]["status"] == "reversed"
    # the superseded 2102 is never sent again
    n = scripted.count("2102")
    t.sender.drain(timeout_s=2)
    assert scripted.count("2102") == n
    states = [e["to"] for e in co.journal(sale.sale_id) if e["kind"] == "sale.transition"]
    assert states[-3:] == ["unknown", "reversing", "reversed"]


def test_unreachable_centre_at_settle_goes_offline_with_the_same_msgid(make_terminal, held_port):
    port = held_port.port
    c = ScriptedCentre(port).__enter__()
    t, co = _checkout(make_terminal, f"http://127.0.0.1:{port}")
    sale = co.pre_settle(_audited(co, t, 1).sale_id)
    c.__exit__(None, None, None)  # the centre goes away between pre-settlement and settlement
    sale = co.settle(sale.sale_id)
    assert sale.state == "provisional" and sale.offline and sale.offline_no == "T01-L000001"
    (item,) = [i for i in _items(t, sale.sale_id) if i.kind == "settle"]
    assert item.msgid == sale.msgid and not item.interactive and item.status == "pending"
    assert local_settlement_rows(t)[sale.msgid]["status"] == "provisional"
    with ScriptedCentre(port) as back:
        t.sender.drain(timeout_s=5)
        assert co.sale(sale.sale_id).state == "settled"
        assert [e["msgid"] for e in back.received if e["infno"] == "2102"] == [sale.msgid]


def test_unreachable_and_over_the_limit_is_withdrawn_then_settled_later_with_a_new_msgid(make_terminal, held_port):
    port = held_port.port
    c = ScriptedCentre(port).__enter__()
    t, co = _checkout(make_terminal, f"http://127.0.0.1:{port}", offline={"max_fund_per_transaction": "10"})
    sale = co.pre_settle(_audited(co, t, 1).sale_id)
    c.__exit__(None, None, None)
    with pytest.raises(CheckoutError) as info:
        co.settle(sale.sale_id)
    assert info.value.code == "offline_refused" and "单笔" in info.value.message_zh
    view = co.sale(sale.sale_id)
    assert view.state == "pre_settled" and view.msgid is None and "离线不可结算" in view.reason
    (first,) = _items(t, sale.sale_id)
    assert first.status == "withdrawn"
    assert local_settlement_rows(t)[first.msgid]["status"] == "withdrawn"
    with ScriptedCentre(port) as back:
        view = co.settle(sale.sale_id)
        assert view.state == "settled" and view.msgid != first.msgid
        assert [e["msgid"] for e in back.received if e["infno"] == "2102"] == [view.msgid]


def _provisional(make_terminal, port, persons=(1,), **sections):
    t, co = _checkout(make_terminal, f"http://127.0.0.1:{port}", persons=persons, **sections)
    sales = []
    for i in persons:
        sale = co.pre_settle(_audited(co, t, i).sale_id)
        assert sale.offline and sale.state == "pre_settled"
        sale = co.settle(sale.sale_id)
        assert sale.state == "provisional"
        sales.append(sale)
    return t, co, sales


def test_offline_sales_adjusted_or_rejected_are_flagged_never_dropped(make_terminal, held_port):
    port = held_port.port
    t, co, (adj, rej, ok) = _provisional(make_terminal, port, persons=(1, 2, 3))
    co.print_receipt(rej.sale_id)  # printed while provisional: its upload waits for the settlement
    assert co.print_receipt(adj.sale_id).title_zh.startswith("医保结算单（离线暂存")
    with ScriptedCentre(port) as c:
        def by_person(env):  # answers arrive in any order: decide by person
            psn = env["input"]["druginfo"]["psn_no"]
            if psn == "S000001":
                return 200, envelope_answer(0, setlinfo(env, fund="30.00"))
            if psn == "S000002":
                return 200, envelope_answer(-1, err_msg="DUP-001 重复开药")
            return 200, envelope_answer(0, setlinfo(env))

        c.script["2102"] = [by_person] * 3
        stats = t.sender.drain(timeout_s=10)
        assert stats.remaining == 0
    a, r, o = co.sale(adj.sale_id), co.sale(rej.sale_id), co.sale(ok.sale_id)
    assert (a.state, r.state, o.state) == ("uploaded", "rejected", "settled")
    assert a.fund == Decimal("30.00") and a.confirmed
    kinds = {(x.kind, x.sale_id): x for x in _alerts(t)}
    adjusted = kinds[("adjusted", adj.sale_id)]
    assert adjusted.diff_fund == Decimal("-12.00") and adjusted.diff_personal == Decimal("12.00")
    rejected = kinds[("rejected", rej.sale_id)]
    assert rejected.diff_fund == Decimal("-42.00") and "DUP-001" in rejected.message_zh
    assert {i.kind: i.status for i in _items(t, rej.sale_id)} == {"settle": "refused"}  # its upload never queued
    rows = local_settlement_rows(t)
    assert rows[rej.msgid]["status"] == "rejected" and rows[rej.msgid]["reversed_on"] is not None
    assert rows[adj.msgid]["fund"] == Decimal("30.00")
    assert co.status().alerts_open == 2


def test_uploads_of_a_provisional_print_carry_the_platforms_ids_from_the_answer(make_terminal, held_port):
    """A real platform's setl_id/mdtrt_id differ from our msgid: the 3505 of a receipt printed while the 2102
    waited is queued only with the answer, so it carries them (not our msgid)."""
    t, co, (sale,) = _provisional(make_terminal, held_port.port)
    co.print_receipt(sale.sale_id)
    assert [i.kind for i in _items(t, sale.sale_id)] == ["settle"]  # nothing queued before the answer
    with ScriptedCentre(held_port.port) as c:
        def platform(env):
            out = setlinfo(env)
            out["setlinfo"].update(setl_id="420700S0000123", mdtrt_id="420700M0000456")
            return 200, envelope_answer(0, out)

        c.script["2102"] = [platform]
        assert t.sender.drain(timeout_s=10).remaining == 0
        up = next(e for e in c.received if e["infno"] == "3505")["input"]["selinfo"]
    assert (up["setl_id"], up["mdtrt_sn"]) == ("420700S0000123", "420700M0000456")
    assert [(i.kind, i.status, i.depends_on) for i in _items(t, sale.sale_id)] == [
        ("settle", "done", None), ("sale_upload", "done", None)]
    assert co.sale(sale.sale_id).state == "uploaded"


def test_an_upload_queued_at_the_print_by_an_older_version_gets_the_ids_too(make_terminal, held_port):
    """A store upgraded with a 3505 queued the old way (at the print, waiting on the 2102): the answer fills in
    the platform's ids and frees it; nothing is queued twice."""
    from core.sync import outbox as ob

    t, co, (sale,) = _provisional(make_terminal, held_port.port)
    co.print_receipt(sale.sale_id)
    with t.write() as s, s.begin():
        (settle,) = _items(t, sale.sale_id)
        ob.reserve(s, t.cipher, kind="sale_upload", infno="3505", msgid=t.allocate_msgid(s),
                   business_key=f"sale_upload:{sale.sale_id}:1", input_node={"selinfo": {"setl_id": sale.msgid}},
                   sale_id=sale.sale_id, lane=settle.lane, depends_on=settle.id, now=t.utcnow())
    with ScriptedCentre(held_port.port) as c:
        def platform(env):
            out = setlinfo(env)
            out["setlinfo"].update(setl_id="420700S0000789", mdtrt_id="420700M0000789")
            return 200, envelope_answer(0, out)

        c.script["2102"] = [platform]
        assert t.sender.drain(timeout_s=10).remaining == 0
        (up,) = [e["input"]["selinfo"] for e in c.received if e["infno"] == "3505"]
    assert (up["setl_id"], up["mdtrt_sn"]) == ("420700S0000789", "420700M0000789") and up["drugtracinfo"]
    assert [i.kind for i in _items(t, sale.sale_id)] == ["settle", "sale_upload"]


def test_total_beyond_tolerance_is_cancelled(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    scripted.script["2102"] = [lambda env: (200, envelope_answer(0, setlinfo(env, total="90.00")))]
    sale = co.settle(co.pre_settle(_audited(co, t, 1).sale_id).sale_id)
    assert sale.state == "returning"
    t.sender.drain(timeout_s=5)
    sale = co.sale(sale.sale_id)
    assert sale.state == "returned" and any(a["kind"] == "total_mismatch" for a in sale.alerts)
    cancel = next(e for e in scripted.received if e["infno"] == "2103")["input"]["data"]
    assert cancel["setl_id"] == sale.msgid
    assert local_settlement_rows(t)[sale.msgid]["status"] == "returned"


def test_return_cancels_and_returns_the_uploaded_codes(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    sale = co.settle(co.pre_settle(_audited(co, t, 1).sale_id).sale_id)
    co.print_receipt(sale.sale_id)
    t.sender.drain(timeout_s=5)
    sale = co.return_sale(sale.sale_id, operator="OP01", reason="customer returned the goods")
    t.sender.drain(timeout_s=5)
    sale = co.sale(sale.sale_id)
    assert sale.state == "returned"
    infnos = [e["infno"] for e in scripted.received if e["infno"] in ("2102", "3505", "2103", "3506")]
    assert infnos == ["2102", "3505", "2103", "3506"]
    ret = next(e for e in scripted.received if e["infno"] == "3506")["input"]["selinfo"]
    up = next(e for e in scripted.received if e["infno"] == "3505")
    assert ret["medins_prod_sel_no"] == up["msgid"]
    rows = local_settlement_rows(t)
    assert rows[sale.msgid]["status"] == "returned"
    with pytest.raises(CheckoutError):
        co.print_receipt(sale.sale_id) if False else co.cancel(sale.sale_id, reason="x")


def test_return_before_the_upload_went_out_cancels_the_upload(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    sale = co.settle(co.pre_settle(_audited(co, t, 1).sale_id).sale_id)
    co.print_receipt(sale.sale_id)
    co.return_sale(sale.sale_id, operator="OP01", reason="changed mind")
    t.sender.drain(timeout_s=5)
    assert co.sale(sale.sale_id).state == "returned"
    assert {i.kind: i.status for i in _items(t, sale.sale_id)} == {
        "settle": "done", "sale_upload": "cancelled", "cancel": "done"}
    assert scripted.count("3505") == 0 and scripted.count("3506") == 0


def test_pre_settlement_total_beyond_tolerance_is_blocked(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    scripted.script["2101"] = [lambda env: (200, envelope_answer(0, setlinfo(env, total="84.50")))]
    sale = _audited(co, t, 1)
    with pytest.raises(CheckoutError) as info:
        co.pre_settle(sale.sale_id)
    assert info.value.code == "total_mismatch" and "0.10" in info.value.message_zh
    assert co.sale(sale.sale_id).state == "audited" and scripted.count("2102") == 0


def test_refused_settlement_online(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    scripted.script["2102"] = ["refuse:审核不通过 audit refused: DUP-002"]
    sale = co.settle(co.pre_settle(_audited(co, t, 1).sale_id).sale_id)
    assert sale.state == "rejected" and "DUP-002" in sale.reason
    assert not sale.alerts  # online: the cashier sees it at once, nothing was handed out
    assert local_settlement_rows(t)[sale.msgid]["status"] == "rejected"


def test_warnings_need_an_acknowledgement(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    from dataclasses import replace

    basket = basket_for(1, rx_date=t.today())
    line = replace(basket.lines[0], trace_codes=(), uncoded_stock=True)  # TRC-001 as WARN (无码库)
    sale = co.audit(replace(basket, lines=(line,)), Identification("id_card", id_number(1)), operator="OP01")
    assert sale.verdict == "WARN"
    with pytest.raises(CheckoutError) as info:
        co.pre_settle(sale.sale_id)
    assert info.value.code == "warn_not_acknowledged"
    co.acknowledge_warnings(sale.sale_id, operator="OP01")
    assert co.pre_settle(sale.sale_id).state == "pre_settled"
    assert any(e["kind"] == "sale.warn_ack" for e in co.journal(sale.sale_id))


def test_blocked_audit_stays_draft(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    from dataclasses import replace

    basket = basket_for(1, rx_date=t.today())
    sale = co.audit(replace(basket, lines=(replace(basket.lines[0], trace_codes=()),)),
                    Identification("id_card", id_number(1)), operator="OP01")
    assert sale.state == "draft" and sale.verdict == "BLOCK"
    with pytest.raises(CheckoutError):
        co.pre_settle(sale.sale_id)
    assert co.cancel(sale.sale_id, reason="no codes").state == "cancelled"
    assert scripted.count("2101") == 0


def test_outbox_body_is_encrypted_at_rest(make_terminal, scripted):
    t, co = _checkout(make_terminal, scripted.url)
    co.settle(co.pre_settle(_audited(co, t, 1).sale_id).sale_id)
    (item,) = [i for i in _items(t) if i.kind == "settle"]
    assert id_number(1) not in item.payload and "druginfo" not in item.payload
    from core.sync.outbox import input_of

    assert input_of(item, t.cipher)["druginfo"]["mdtrt_cert_no"] == id_number(1)
    sent = next(e for e in scripted.received if e["infno"] == "2102")
    assert json.dumps(sent["input"], sort_keys=True) == json.dumps(input_of(item, t.cipher), sort_keys=True)


def test_registration_goes_through_the_outbox(make_terminal, scripted):
    import datetime as dt

    from core.domain import Scheme
    from core.sync.documents import queue_registration
    from core.sync.models import SyncRegistration
    from core.sync.outbox import DuplicateBusinessKey

    t, co = _checkout(make_terminal, scripted.url)
    with t.write() as s, s.begin():
        reg = queue_registration(s, t, person_no="S000001", insutype="390", scheme=Scheme.MT, disease="M03900",
                                 disease_name="高血压病", begin=dt.date(2025, 11, 1), end=None, operator="OP01")
        request_id = reg.request_id
    with pytest.raises(DuplicateBusinessKey):  # the same registration twice (double click) is refused
        with t.write() as s, s.begin():
            queue_registration(s, t, person_no="S000001", insutype="390", scheme=Scheme.MT, disease="M03900",
                               disease_name="高血压病", begin=dt.date(2025, 11, 1), end=None, operator="OP01")
    scripted.script["2503"] = ["drop"]  # processed, answer lost: asked again with the same msgid
    t.sender.drain(timeout_s=5, idle_exit=False)
    with t.read() as s:
        assert s.get(SyncRegistration, request_id).state == "done"
    sent = [e for e in scripted.received if e["infno"] == "2503"]
    assert len(sent) == 2 and sent[0]["msgid"] == sent[1]["msgid"]
    assert sent[0]["input"]["data"]["opsp_dise_code"] == "M03900"
