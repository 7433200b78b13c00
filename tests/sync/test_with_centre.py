"""Against the real centre (a process on loopback): identification, reference data, sign-in, the sale from
audit to upload, returns, what the centre refuses, reconciliation at shift close."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.services.checkout import CheckoutError, CheckoutService, Identification
from core.services.shift import ShiftService
from core.sync.models import SyncPersonFresh
from core.sync.refdata import refresh_registrations, sync_catalogue
from core.sync.synthetic import basket_for, id_number
from tests.sync.fixtures import local_settlement_rows, new_persons
from tests.sync.helpers import P01_CERTNO, PH1, PH2


def _terminal(make_terminal, centre, code=PH1, name="term", **sections):
    t = make_terminal(centre.url, centre.secrets[code], code=code, name=name, **sections)
    sync_catalogue(t)
    return t, CheckoutService(t)


def _sell(co, t, i, n=0, *, print_it=True):
    who = co.identify(Identification("id_card", id_number(i)), operator="OP01")
    sale = co.audit(basket_for(i, n, rx_date=t.today()), who.identification, operator="OP01")
    sale = co.settle(co.pre_settle(sale.sale_id).sale_id)
    if print_it and sale.state in ("settled", "provisional"):
        co.print_receipt(sale.sale_id)
    return co.sale(sale.sale_id)


def test_identify_and_reference_data(make_terminal, shared_centre):
    t, co = _terminal(make_terminal, shared_centre)
    again = sync_catalogue(t)
    assert again.version_before == again.version_after and again.items == 0  # incremental: nothing new
    who = co.identify(Identification("id_card", P01_CERTNO), operator="OP01")
    assert who.online and who.person_no == "T0001" and who.masked_id == "420704********1015"
    assert [(r.scheme.value, r.disease) for r in who.registrations] == [("LB", "HTN")]
    with pytest.raises(CheckoutError) as info:
        co.identify(Identification("id_card", id_number(99999)), operator="OP01")
    assert info.value.code == "identify_refused"
    assert refresh_registrations(t, ["T0001"]) == {"T0001": "ok"}
    with t.read() as s:
        assert s.get(SyncPersonFresh, "T0001") is not None


def test_sale_from_audit_to_upload(make_terminal, shared_centre):
    (i,) = new_persons(1)
    t, co = _terminal(make_terminal, shared_centre)
    sale = _sell(co, t, i)
    assert sale.state == "printed"
    t.sender.drain(timeout_s=10)
    sale = co.sale(sale.sale_id)
    assert sale.state == "uploaded" and sale.confirmed
    live = shared_centre.live_settlements()
    assert live[sale.msgid]["fund"] == sale.fund and live[sale.msgid]["person_no"] == f"S{i:06d}"
    uploads = [code for code, msgid in shared_centre.live_trace_uploads() if code.startswith(f"8100011{i:08d}")]
    assert len(uploads) == 3
    assert local_settlement_rows(t)[sale.msgid]["fund"] == sale.fund


def test_return_at_the_centre(make_terminal, shared_centre):
    (i,) = new_persons(1)
    t, co = _terminal(make_terminal, shared_centre)
    sale = _sell(co, t, i)
    t.sender.drain(timeout_s=10)
    sale = co.return_sale(sale.sale_id, operator="OP01", reason="退货")
    t.sender.drain(timeout_s=10)
    sale = co.sale(sale.sale_id)
    assert sale.state == "returned", sale.reason
    assert shared_centre.settlements()[sale.msgid]["reversed_on"] is not None
    assert not [c for c, _ in shared_centre.live_trace_uploads() if c.startswith(f"8100011{i:08d}")]
    assert local_settlement_rows(t)[sale.msgid]["status"] == "returned"


def test_sign_in_once_per_operator_and_again_after_a_sign_out(make_terminal, shared_centre):
    t, co = _terminal(make_terminal, shared_centre, code=PH2, name="ph2")
    for _ in range(3):
        co.identify(Identification("id_card", P01_CERTNO), operator="OP01")
    co.identify(Identification("id_card", P01_CERTNO), operator="OP02")
    signins = [m for m, (infno, _) in shared_centre.messages(PH2).items() if infno == "9001"]
    assert len(signins) == 3  # SYS (catalogue), OP01, OP02
    sign_no = t.signins.get("OP01", t.today())
    out = t.transport.call("9002", {"signOut": {"sign_no": sign_no, "opter_no": "OP01"}}, operator="OP01")
    assert out.ok
    who = co.identify(Identification("id_card", P01_CERTNO), operator="OP01")  # refused session -> new 9001
    assert who.online and t.signins.get("OP01", t.today()) != sign_no
    assert len([m for m, (infno, _) in shared_centre.messages(PH2).items() if infno == "9001"]) == 4


def test_what_another_terminal_settled_first_is_refused_by_the_centre(make_terminal, shared_centre):
    (i,) = new_persons(1)
    a, co_a = _terminal(make_terminal, shared_centre, name="a")
    b, co_b = _terminal(make_terminal, shared_centre, name="b", terminal_id="T02")
    co_a.identify(Identification("id_card", id_number(i)), operator="OP01")  # cached at A
    a.config = a.config.with_centre("http://127.0.0.1:9")  # A loses the network
    a.transport.config = a.config
    sale_a = co_a.audit(basket_for(i, rx_date=a.today()), Identification("id_card", id_number(i)), operator="OP01")
    sale_a = co_a.settle(co_a.pre_settle(sale_a.sale_id).sale_id)
    assert sale_a.state == "provisional"
    sale_b = _sell(co_b, b, i, n=1)  # meanwhile the person buys the same supply at B, online
    assert sale_b.state == "printed"
    a.config = a.config.with_centre(shared_centre.url)  # A is back
    a.transport.config = a.config
    a.sender.drain(timeout_s=10)
    sale_a = co_a.sale(sale_a.sale_id)
    assert sale_a.state == "rejected" and "DUP" in sale_a.reason
    (alert,) = sale_a.alerts
    assert alert["kind"] == "rejected" and alert["diff_fund"] == f"-{sale_a.fund:.2f}"
    assert sale_a.msgid not in shared_centre.live_settlements()
    assert local_settlement_rows(a)[sale_a.msgid]["status"] == "rejected"


def test_shift_close_reconciles_with_the_centre(make_terminal, centre):
    from core.gateway.conform import check_input
    from core.gateway.profiles import load_profile

    t, co = _terminal(make_terminal, centre)
    persons = new_persons(3)
    sales = [_sell(co, t, i) for i in persons]
    co.return_sale(sales[2].sale_id, operator="OP01", reason="退货")
    sent, call = [], t.transport.call
    t.transport.call = lambda infno, node, **kw: (sent.append((infno, node)), call(infno, node, **kw))[1]
    close = ShiftService(t).close(operator="OP01")
    rec = close.reconciliation
    statements = [node for infno, node in sent if infno == "3201"]
    national = load_profile("national").tables
    for node in statements:  # what the runtime sends passes the national field lists (insutype, setl_optins set)
        assert check_input(national, "3201", node) == [], check_input(national, "3201", node)
    assert [(n["data"]["insutype"], n["data"]["setl_optins"], n["data"]["fixmedins_setl_cnt"]) for n in statements] == [
        ("390", t.config.centre.admvs, 2)]  # one per insurance type settled (the synthetic persons are residents)
    assert rec.centre_reached and rec.balanced, rec.to_dict()
    assert rec.local_count == 2 and rec.local_total == Decimal("168.00") and rec.centre_count == 2
    assert close.waiting == 0 and rec.differences == []
    detail = ShiftService(t).close(operator="OP01", detail=True).reconciliation
    assert detail.balanced and detail.differences == []
    assert len(ShiftService(t).history()) == 2


def test_shift_close_lists_what_is_not_confirmed(make_terminal, centre):
    t, co = _terminal(make_terminal, centre)
    (i, j) = new_persons(2)
    _sell(co, t, i)
    co.identify(Identification("id_card", id_number(j)), operator="OP01")
    centre.process.stop()  # the centre goes down; one more sale is provisional
    pending = co.settle(co.pre_settle(co.audit(basket_for(j, rx_date=t.today()),
                                               Identification("id_card", id_number(j)), operator="OP01").sale_id).sale_id)
    assert pending.state == "provisional"
    rec = ShiftService(t).close(operator="OP01", drain_s=0.5).reconciliation
    assert not rec.centre_reached and rec.pending == 1
    assert [(d.kind, d.settlement_id) for d in rec.differences] == [("pending", pending.msgid)]
    centre.process.start()
    close = ShiftService(t).close(operator="OP01")
    assert close.reconciliation.balanced and close.reconciliation.local_count == 2 and close.waiting == 0
    with t.read() as s:
        from core.sync.models import SyncReconciliation

        assert [r.balanced for r in s.scalars(select(SyncReconciliation).order_by(SyncReconciliation.id))] == [False, True]


def test_the_desk_link_over_the_sync_transport(make_terminal, shared_centre):
    from core.services.centre_link import CentreRefused, CentreUnreachable
    from core.services.sync_link import TerminalCentreLink

    t, _ = _terminal(make_terminal, shared_centre, name="link")
    link = TerminalCentreLink(t, operator=("OP07", "药师"))
    out = link.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}})
    assert out["baseinfo"]["psn_no"] == "T0001" and link.online is True and link.ping()
    with pytest.raises(CentreRefused):
        link.call("5301", {"data": {"psn_no": "NOBODY"}})
    msgid = link.new_msgid()
    assert len(msgid) == 30 and msgid.startswith(PH1)
    down = make_terminal("http://127.0.0.1:9", shared_centre.secrets[PH1], name="link_down")
    with pytest.raises(CentreUnreachable) as info:
        TerminalCentreLink(down).call("1101", {"data": {}})
    assert info.value.maybe_sent is False


def test_registration_through_the_outbox_at_the_centre(make_terminal, shared_centre):
    """A 两病 application reviewed at the centre (2510, 2512), then registered (2503) through the outbox."""
    import datetime as dt

    from core.domain import Scheme
    from core.sync.documents import queue_registration
    from core.sync.models import SyncRegistration
    from core.sync.refdata import fetch_registrations

    from tests.server.helpers import AGY, STAFF_PASSWORDS

    (i,) = new_persons(1)
    t, co = _terminal(make_terminal, shared_centre, code=AGY, name="reg")  # registrations are the agency's
    person = f"S{i:06d}"
    applied = t.transport.call("2510", {"data": {
        "psn_no": person, "scheme": "LB", "diseases": [{"opsp_dise_code": "DM", "diag_code": "E11.900"}],
        "diag_dr_codg": "D001", "diag_dr_name": "张医生", "ide_fixmedins_no": "H42070000011"}}, operator="OP01")
    assert applied.ok, applied.err_msg
    app_no = applied.output["application"]["app_no"]
    submitted = t.transport.call("2512", {"data": {"app_no": app_no}}, operator="OP01")
    assert submitted.ok, submitted.err_msg
    with t.write() as s, s.begin():
        reg = queue_registration(s, t, person_no=person, insutype="390", scheme=Scheme.LB, disease="DM",
                                 disease_name="糖尿病", begin=t.today(), end=None, operator="OP01",
                                 exp_content={"app_no": app_no, "staff_user": "zhao",
                                              "staff_password": STAFF_PASSWORDS["zhao"]})
        request_id = reg.request_id
    t.sender.drain(timeout_s=10)
    with t.read() as s:
        row = s.get(SyncRegistration, request_id)
        assert row.state == "done", row.result
    regs = fetch_registrations(t, person, operator="OP01")
    assert {(r.scheme.value, r.disease) for r in regs} >= {("LB", "HTN"), ("LB", "DM")}
    assert all(r.begin >= dt.date(2023, 1, 1) for r in regs)
