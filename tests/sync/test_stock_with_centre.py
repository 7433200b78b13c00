"""Stock end to end against the real centre over HTTP (SQLite and PostgreSQL): a delivery received by scanning,
counted, partly written off, a box sent back to the supplier, sold and returned — each step uploaded exactly once
(3503, 3501, 3502, 3504, 3505, 3506),
the 3505 carrying batch and dates from the ledger, and the centre's stock of the batch equal to the ledger's."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select, text

from core.services.checkout import CheckoutService, Identification
from core.services import stock_reports
from core.services.stock import StockService
from core.stock.domain import StockError
from core.store import stock as ledger
from core.sync import outbox as ob
from core.sync.models import SyncAlert, SyncOutbox
from core.sync.refdata import sync_catalogue
from core.sync.synthetic import basket_for, id_number, trace_code
from tests.sync.fixtures import new_persons, start_centre


@pytest.fixture(params=["sqlite", "postgres"])
def stock_centre(request, tmp_path):
    tpl = request.getfixturevalue("sqlite_template" if request.param == "sqlite" else "pg_template")
    c = start_centre(tpl, tmp_path)
    yield c
    c.process.close()


def centre_rows(centre, sql: str, **params) -> list[tuple]:
    engine = create_engine(centre.db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params).all()]
    finally:
        engine.dispose()


def test_receive_count_write_off_sell_return_each_uploaded_once(make_terminal, stock_centre, tmp_path):
    centre = stock_centre
    (i,) = new_persons(1)
    t = make_terminal(centre.url, centre.secrets["P42070000001"])
    sync_catalogue(t)
    svc, co = StockService(t), CheckoutService(t)
    codes = [trace_code(i, 0, b) for b in range(6)]

    draft = svc.new_draft()
    for c in codes:
        assert svc.scan_into(draft, c).drug_key == "D01"
    with pytest.raises(StockError) as twice:
        svc.scan_into(draft, codes[0])
    assert "两次" in twice.value.zh
    receipt = svc.post_receipt(draft, supplier="九州通医药", invoice_no="INV-9", operator="OP01", lot="L2611",
                               manu_date="2026-01-01", expiry="2028-12-31")
    (batch,) = receipt.batches
    counted = svc.count(codes[:5])
    assert counted.missing == (codes[5],)
    svc.confirm_count(counted, supervisor="SUP1", operator="OP01")
    svc.write_off([codes[4]], change_kind="loss", supervisor="SUP1", operator="OP01", note="破损")
    assert svc.check_sale_box(codes[4]).level == "WARN"  # written off: not in stock
    svc.return_to_supplier([codes[3]], supplier="九州通医药", operator="OP01", note="外包装破损")

    who = co.identify(Identification("id_card", id_number(i)), operator="OP01")
    sale = co.audit(basket_for(i, 0, rx_date=t.today()), who.identification, operator="OP01")
    sale = co.settle(co.pre_settle(sale.sale_id).sale_id)
    co.print_receipt(sale.sale_id)
    assert svc.on_hand("D01") == []  # all sold
    t.sender.drain(timeout_s=20)
    co.return_sale(sale.sale_id, operator="OP01", reason="退货")
    t.sender.drain(timeout_s=20)
    assert co.sale(sale.sale_id).state == "returned"

    with t.read() as s:
        items = list(s.scalars(select(SyncOutbox).order_by(SyncOutbox.id)))
        upload = next(x for x in items if x.kind == "sale_upload")
        sel = ob.input_of(upload, t.cipher)["selinfo"]
    assert all(x.status == ob.DONE for x in items), [(x.infno, x.status, x.last_error) for x in items]
    assert (sel["fixmedins_bchno"], sel["manu_lotnum"], sel["manu_date"], sel["expy_end"]) == (
        batch.bchno, "L2611", "2026-01-01", "2028-12-31")
    sent = [infno for infno, code in centre.messages().values() if infno.startswith("35") and code == 0]
    assert sorted(sent) == ["3501", "3502", "3503", "3504", "3505", "3506"]
    (qty,) = centre_rows(centre, "SELECT qty FROM centre_stock_level WHERE fixmedins_code = :c AND fixmedins_bchno = :b",
                         c="P42070000001", b=batch.bchno)[0]
    assert int(qty) == svc.on_hand("D01")[0].boxes == 3
    states = dict(centre_rows(centre, "SELECT code, state FROM centre_stock_code WHERE code LIKE :p",
                              p=codes[0][:15] + "%"))
    assert states[codes[4]] == "written_off" and states[codes[3]] == "supplier_returned"
    assert states[codes[0]] == "in_stock"

    # the centre's rows: one document per stock step, one sale upload per box sold, each returned once — and a
    # retry of every upload (each sent again with its msgid, as after a lost answer) changes none of them
    def centre_view():
        docs = centre_rows(centre, "SELECT infno, COUNT(*) FROM centre_stock_doc WHERE fixmedins_code = :c "
                                   "AND fixmedins_bchno = :b AND deleted_at IS NULL GROUP BY infno",
                           c="P42070000001", b=batch.bchno)
        sold = centre_rows(centre, "SELECT code, msgid, returned_at IS NOT NULL FROM centre_trace_upload "
                                   "WHERE code LIKE :p ORDER BY code", p=codes[0][:15] + "%")
        level = centre_rows(centre, "SELECT qty, units FROM centre_stock_level WHERE fixmedins_bchno = :b",
                            b=batch.bchno)
        return dict(docs), sold, level, sorted(centre.messages().items())

    first = centre_view()
    assert first[0] == {"3501": 1, "3502": 1, "3503": 1, "3504": 1}
    assert [(code, back) for code, _, back in first[1]] == [(c, True) for c in codes[:3]]
    uploads = [x.id for x in items if x.infno in ("3501", "3502", "3503", "3504", "3505", "3506")]
    with t.write() as s, s.begin():
        for x in s.scalars(select(SyncOutbox).where(SyncOutbox.id.in_(uploads))):
            x.status = ob.PENDING
    assert t.sender.drain(timeout_s=20).sent == len(uploads) == 6  # each sent again
    with t.read() as s:
        again = {x.id: x.status for x in s.scalars(select(SyncOutbox).where(SyncOutbox.id.in_(uploads)))}
    assert set(again.values()) == {ob.DONE} and centre_view() == first

    # reconciliation with the centre's 3508/3511: the ledger and the centre agree
    diffs, totals = stock_reports.reconcile(t, operator="OP01")
    assert diffs == [] and totals["centre_sale_uploads"] >= 1 and totals["local_batches"] == 1
    # the movement ledger of the day, as XLSX and as PDF
    from openpyxl import load_workbook

    xlsx = stock_reports.movement_ledger(svc, t.today(), t.today(), tmp_path / "moves.xlsx")
    rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0][1] == "类型" and {r[1] for r in rows[1:]} >= {"采购入库", "盘亏", "报损", "采购退货", "销售", "销售退货"}
    pdf = stock_reports.movement_ledger(svc, t.today(), t.today(), tmp_path / "moves.pdf")
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_expired_and_near_expiry_boxes_at_the_sale(make_terminal, stock_centre):
    centre = stock_centre
    (i,) = new_persons(1)
    t = make_terminal(centre.url, centre.secrets["P42070000001"])
    sync_catalogue(t)
    svc = StockService(t)
    old, near, fresh = (trace_code(i, 1, b) for b in range(3))
    today = t.today()
    for code, expiry in ((old, today - dt.timedelta(days=1)), (near, today + dt.timedelta(days=30)),
                         (fresh, today + dt.timedelta(days=700))):
        draft = svc.new_draft()
        svc.scan_into(draft, code)
        svc.post_receipt(draft, supplier="供", invoice_no="I", operator="OP01", lot=f"L{code[-2:]}",
                         manu_date=(today - dt.timedelta(days=800)).isoformat(), expiry=expiry.isoformat())
    assert svc.check_sale_box(old).level == "BLOCK"
    check = svc.check_sale_box(fresh)
    assert check.level == "PASS" and "请先发批号" in check.fefo_hint  # FEFO: the near-expiry batch first
    assert svc.check_sale_box(near).level == "WARN"
    assert svc.check_sale_box(trace_code(i, 1, 9)).message_zh.startswith("未入库的药品")


def test_split_sale_reconciles_with_the_centre(make_terminal, stock_centre):
    """A split (拆零) sale leaves the opened box on hand with its remainder, at the client and at the centre:
    the reconciliation (3508 boxes and units) finds no difference."""
    from core.sync.basket import BasketLine

    centre = stock_centre
    (i,) = new_persons(1)
    t = make_terminal(centre.url, centre.secrets["P42070000001"])
    sync_catalogue(t)
    svc, co = StockService(t), CheckoutService(t)
    codes = [trace_code(i, 2, b) for b in range(2)]
    draft = svc.new_draft()
    for c in codes:
        svc.scan_into(draft, c)
    svc.post_receipt(draft, supplier="九州通医药", invoice_no="INV-S", operator="OP01", lot="L2612",
                     manu_date="2026-01-01", expiry="2028-12-31")
    (before,) = svc.on_hand("D01")
    base = basket_for(i, 2, rx_date=t.today())
    basket = dataclasses.replace(base, lines=(BasketLine("D01", 7, 7, split=True, trace_codes=(codes[0],),
                                                         dose=Decimal("5"), times_per_day=Decimal("1")),))
    who = co.identify(Identification("id_card", id_number(i)), operator="OP01")
    sale = co.audit(basket, who.identification, operator="OP01")
    sale = co.settle(co.pre_settle(sale.sale_id).sale_id)
    co.print_receipt(sale.sale_id)
    t.sender.drain(timeout_s=20)
    (after,) = svc.on_hand("D01")
    assert (after.boxes, after.units) == (2, before.units - 7)
    reply = t.transport.call("3508", {"data": {"fixmedins_bchno": after.bchno}}, operator="OP01")
    (row,) = reply.output["data"]
    assert (row["inv_cnt"], row["inv_units"]) == ("2", str(after.units))
    diffs, _ = stock_reports.reconcile(t, operator="OP01")
    assert diffs == []


def test_undoing_an_upload_is_mirrored_in_the_ledger(make_terminal, stock_centre):
    """3507 at the centre undoes the batch's documents of that type; the ledger records the opposite movement in
    the same transaction as the queued 3507, so both agree — and a box that moved since refuses both."""
    centre = stock_centre
    (i,) = new_persons(1)
    t = make_terminal(centre.url, centre.secrets["P42070000001"])
    sync_catalogue(t)
    svc = StockService(t)
    codes = [trace_code(i, 3, b) for b in range(3)]
    draft = svc.new_draft()
    for c in codes:
        svc.scan_into(draft, c)
    receipt = svc.post_receipt(draft, supplier="九州通医药", invoice_no="INV-U", operator="OP01", lot="L2613",
                               manu_date="2026-01-01", expiry="2028-12-31")
    loss = svc.write_off([codes[0]], change_kind="loss", supervisor="SUP1", operator="OP01")
    with pytest.raises(StockError) as no_sup:
        svc.undo_upload(loss, supervisor="", operator="OP01")
    assert "主管" in no_sup.value.zh
    with pytest.raises(StockError) as moved:  # the receipt's box was written off since: undo that first
        svc.undo_upload(receipt.doc_no, supervisor="SUP1", operator="OP01")
    assert "此后已有变动" in moved.value.zh and codes[0] in moved.value.zh
    with t.read() as s:
        assert not [x for x in s.scalars(select(SyncOutbox)) if x.infno == "3507"]
    assert svc.on_hand("D01")[0].boxes == 2

    assert svc.undo_upload(loss, supervisor="SUP1", operator="OP01") == 1
    (batch,) = svc.on_hand("D01")
    assert batch.boxes == 3 and svc.check_sale_box(codes[0]).level == "PASS"
    t.sender.drain(timeout_s=20)
    assert stock_reports.reconcile(t, operator="OP01")[0] == []
    (qty,) = centre_rows(centre, "SELECT qty FROM centre_stock_level WHERE fixmedins_bchno = :b", b=batch.bchno)[0]
    assert int(qty) == 3

    assert svc.undo_upload(receipt.doc_no, supervisor="SUP1", operator="OP01") == 1
    assert svc.on_hand("D01") == [] and svc.check_sale_box(codes[1]).message_zh.startswith("未入库的药品")
    t.sender.drain(timeout_s=20)
    with t.read() as s:
        items = list(s.scalars(select(SyncOutbox)))
    assert all(x.status == ob.DONE for x in items), [(x.infno, x.status, x.last_error) for x in items]
    assert stock_reports.reconcile(t, operator="OP01")[0] == []
    with t.read() as s:
        undone = [m for m in ledger.movements(s, dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1)) if m.kind == "undo"]
    assert sorted(m.code for m in undone) == sorted([codes[0], *codes])  # the loss, then the three receipts
    assert "撤销上传（3507）" in {r[1] for r in stock_reports.movement_rows(undone)}


def test_transfer_between_branches_out_and_in(make_terminal, stock_centre):
    """调拨: branch A writes the boxes off as 调拨出库 (3502, 103); branch B of the chain scans them in naming A and
    its outgoing document (3502, 201, the same codes); the centre holds them at B (at A they arrived: transferred),
    and both ledgers reconcile."""
    centre = stock_centre
    engine = create_engine(centre.db_url)
    with engine.begin() as conn:  # both branches of one chain (centre setting stock.chain.<code>)
        for code in ("P42070000001", "P42070000002"):
            conn.execute(text("INSERT INTO centre_setting (key, value) VALUES (:k, '鄂州连锁')"),
                         {"k": f"stock.chain.{code}"})
    engine.dispose()
    (i,) = new_persons(1)
    a = make_terminal(centre.url, centre.secrets["P42070000001"], name="branch_a")
    b = make_terminal(centre.url, centre.secrets["P42070000002"], code="P42070000002", name="branch_b")
    for t in (a, b):
        sync_catalogue(t)
    sa, sb = StockService(a), StockService(b)
    codes = [trace_code(i, 4, n) for n in range(3)]
    draft = sa.new_draft()
    for c in codes:
        sa.scan_into(draft, c)
    sa.post_receipt(draft, supplier="九州通医药", invoice_no="INV-T", operator="OP01", lot="L2614",
                    manu_date="2026-01-01", expiry="2028-12-31")
    out = sa.write_off(codes[:2], change_kind="transfer_out", supervisor="SUP1", operator="OP01", note="调往二店")
    a.sender.drain(timeout_s=20)  # the centre knows the boxes are in transit before B's transfer in arrives

    into = sb.new_draft()
    for c in codes[:2]:
        sb.scan_into(into, c)
    for bad, words in (({"from_branch": "", "out_doc": out, "supervisor": "SUP2"}, "调出门店"),
                       ({"from_branch": "P42070000001", "out_doc": out, "supervisor": ""}, "主管")):
        with pytest.raises(StockError) as refused:
            sb.transfer_in(into, operator="OP02", lot="L2614", manu_date="2026-01-01", expiry="2028-12-31", **bad)
        assert words in refused.value.zh
    assert sb.on_hand("D01") == []
    sb.transfer_in(into, from_branch="P42070000001", out_doc=out, supervisor="SUP2", operator="OP02", lot="L2614",
                   manu_date="2026-01-01", expiry="2028-12-31")
    assert sb.on_hand("D01")[0].boxes == 2 and sa.on_hand("D01")[0].boxes == 1
    with pytest.raises(StockError):
        sb.write_off(codes[:1], change_kind="transfer_in", supervisor="SUP2", operator="OP02")  # not a way out
    for t in (a, b):
        t.sender.drain(timeout_s=20)
        with t.read() as s:
            items = list(s.scalars(select(SyncOutbox)))
        assert all(x.status == ob.DONE for x in items), [(x.infno, x.status, x.last_error) for x in items]
        assert stock_reports.reconcile(t, operator="OP01")[0] == []
    with b.read() as s:
        (item,) = [x for x in s.scalars(select(SyncOutbox)) if x.kind == "stock"]
        node = ob.input_of(item, b.cipher)["invinfo"]
    assert item.infno == "3502" and node["inv_chg_type"] == "201" and out in node["memo"]
    assert sorted(x["drug_trac_codg"] for x in node["drugtracinfo"]) == sorted(codes[:2])
    states = centre_rows(centre, "SELECT fixmedins_code, state FROM centre_stock_code WHERE code = :c", c=codes[0])
    assert sorted(states) == [("P42070000001", "transferred"), ("P42070000002", "in_stock")]
    (left,) = centre_rows(centre, "SELECT state FROM centre_stock_code WHERE code = :c", c=codes[2])
    assert left == ("in_stock",)

    # a box still on A's shelf (not yet transferred out: B was quicker than A's upload) scanned in at B: the centre
    # refuses it by the box's chain, B's ledger takes it back out (an undo document) and the alert says so — both
    # ledgers still reconcile; once A's 调拨出库 is uploaded, B scans it in again and the centre accepts it
    def transfer_codes_2(doc: str) -> None:
        draft = sb.new_draft()
        sb.scan_into(draft, codes[2])
        sb.transfer_in(draft, from_branch="P42070000001", out_doc=doc, supervisor="SUP2", operator="OP02",
                       lot="L2614", manu_date="2026-01-01", expiry="2028-12-31")
        b.sender.drain(timeout_s=20)

    transfer_codes_2(out)
    with b.read() as s:
        (refused,) = [x for x in s.scalars(select(SyncOutbox)) if x.kind == "stock" and x.status != ob.DONE]
        (alert,) = s.scalars(select(SyncAlert.message_zh).where(SyncAlert.msgid == refused.msgid)).all()
    assert refused.status == ob.REFUSED and "仍在 P42070000001 的库存中" in alert and "调拨入库已撤回" in alert
    assert centre_rows(centre, "SELECT fixmedins_code, state FROM centre_stock_code WHERE code = :c",
                       c=codes[2]) == [("P42070000001", "in_stock")]
    assert sb.check_sale_box(codes[2]).message_zh.startswith("未入库的药品") and sb.on_hand("D01")[0].boxes == 2
    assert stock_reports.reconcile(b, operator="OP02")[0] == []
    late = sa.write_off(codes[2:], change_kind="transfer_out", supervisor="SUP1", operator="OP01")
    a.sender.drain(timeout_s=20)
    transfer_codes_2(late)
    assert sorted(centre_rows(centre, "SELECT fixmedins_code, state FROM centre_stock_code WHERE code = :c",
                              c=codes[2])) == [("P42070000001", "transferred"), ("P42070000002", "in_stock")]
    assert sb.check_sale_box(codes[2]).level == "PASS"

    # and back: B transfers a box out to A, which scans in a box it once sent away (its ledger knows it as gone)
    back = sb.write_off(codes[:1], change_kind="transfer_out", supervisor="SUP2", operator="OP02", note="调回一店")
    b.sender.drain(timeout_s=20)
    home = sa.new_draft()
    sa.scan_into(home, codes[0])
    with pytest.raises(StockError) as purchase:  # not as a purchase: it left by transfer
        sa.post_receipt(home, supplier="九州通医药", invoice_no="INV-X", operator="OP01", lot="L2614",
                        manu_date="2026-01-01", expiry="2028-12-31")
    assert "该盒已入库" in purchase.value.zh
    sa.transfer_in(home, from_branch="P42070000002", out_doc=back, supervisor="SUP1", operator="OP01", lot="L2614",
                   manu_date="2026-01-01", expiry="2028-12-31")
    a.sender.drain(timeout_s=20)
    assert sa.check_sale_box(codes[0]).level == "PASS"
    assert sorted(centre_rows(centre, "SELECT fixmedins_code, state FROM centre_stock_code WHERE code = :c",
                              c=codes[0])) == [("P42070000001", "in_stock"), ("P42070000002", "transferred")]
    for t in (a, b):
        with t.read() as s:
            stuck = [(x.infno, x.last_error) for x in s.scalars(select(SyncOutbox))
                     if x.status != ob.DONE and not (t is b and x.id == refused.id)]
        assert stuck == []
        assert stock_reports.reconcile(t, operator="OP01")[0] == []
