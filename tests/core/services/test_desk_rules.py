"""The desk's decisions as pure functions (core.services.desk.rules): what blocks settling, boxes reserved by
held sales (挂单), a shift with held sales, what a return gives back per tender."""
from __future__ import annotations

from decimal import Decimal

from core.i18n import Message
from core.services.desk.rules import (
    Held,
    close_blockers,
    held_with,
    lines_with_code,
    net_refund,
    refund_for,
    settle_blockers,
)
from core.services.pharmacy_sale import SaleLine
from core.services.ports import AuditView, HitView, SaleRecord
from tests.core.services.test_pharmacy_sale import D01, D02, code, sale


def keys(why: list[Message]) -> list[str]:
    return [m.key for m in why]


def complete_sale():
    s = sale(SaleLine(1, D01, 1, 28), SaleLine(2, D02, 1, 30))
    s = s.with_code(1, code("8100011", 1), "ok", None)
    return s.with_code(2, code("8100022", 1), "ok", None)


def view(verdict="PASS", source="centre", hits=()):
    return AuditView(verdict, tuple(hits), source, None)


WARN = HitView("DUP-002", "WARN", 1, Message("DUP-002", "重复", "duplicate"))


def test_settle_blockers_name_every_reason_and_nothing_when_ready():
    assert keys(settle_blockers(None, None, card_online=True, shift_open=True)) == ["desk.scan.no_sale"]
    s = sale()
    assert keys(settle_blockers(s, None, card_online=True, shift_open=False)) == ["desk.audit.incomplete",
                                                                                   "desk.shift.none"]
    done = complete_sale()
    assert keys(settle_blockers(done, None, card_online=True, shift_open=True)) == ["desk.audit.pending"]
    assert keys(settle_blockers(done, view("BLOCK"), card_online=True, shift_open=True)) == ["desk.audit.blocked"]
    assert keys(settle_blockers(done, view("WARN", hits=[WARN]), card_online=True, shift_open=True)) == [
        "desk.audit.ack_needed"]
    acked = done.with_ack("DUP-002", 1)
    assert settle_blockers(acked, view("WARN", hits=[WARN]), card_online=True, shift_open=True) == []
    # only the centre's pre-settlement (or the offline one the limits allow) may be settled on
    assert keys(settle_blockers(done, view(source="local"), card_online=True, shift_open=True)) == ["desk.audit.pending"]
    assert keys(settle_blockers(done, view(source="local"), card_online=False, shift_open=True)) == ["desk.audit.offline"]
    assert settle_blockers(done, view(), card_online=True, shift_open=True) == []


def test_a_held_sale_reserves_its_boxes_and_holds_the_shift():
    held = complete_sale()
    other = sale()
    h = Held(3, object(), held)
    box = code("8100011", 1)
    assert held_with(box, [h]) is h
    assert held_with(box, [h], besides=held.sale_id) is None  # its own sale, recalled, keeps its boxes
    assert held_with(code("8100011", 2), [h]) is None
    assert close_blockers([]) == []
    (why,) = close_blockers([h, Held(5, object(), other)])
    assert why.key == "desk.shift.held" and "3、5" in why.zh and "2 笔" in why.zh


def record(**kw) -> SaleRecord:
    lines = ({"line": 1, "drug_key": "D01", "drug_name": "A", "qty": 1, "split": False, "amount": "28.00",
              "codes": [code("8100011", 1)]},
             {"line": 2, "drug_key": "D02", "drug_name": "B", "qty": 1, "split": False, "amount": "24.00",
              "codes": [code("8100022", 1)]})
    base = dict(msgid="m", receipt_no="T01-1", kind="sale", status="settled", person_no="T0001", person_name="王某",
                settled_at=None, total=Decimal("52.00"), fund=Decimal("33.00"), personal=Decimal("19.00"),
                account_pay=Decimal("5.00"), cash_pay=Decimal("14.00"), change=Decimal("1.00"), setl_id="S1",
                lines=lines)
    return SaleRecord(**(base | kw))


def test_a_return_says_what_goes_back_per_tender():
    r = record()
    whole = refund_for(r, [1, 2])
    assert whole.whole and (whole.cash, whole.account, whole.fund) == (Decimal("14.00"), Decimal("5.00"),
                                                                       Decimal("33.00"))
    assert "现金 14.00 元" in whole.text().zh and "个人账户 5.00 元" in whole.text().zh
    part = refund_for(r, [2, 9])
    assert not part.whole and part.kept_lines == 1 and part.kept_amount == Decimal("28.00")
    assert "保留的 1 行（28.00 元）" in part.text().zh
    assert refund_for(r, []) is None and refund_for(r, [7]) is None
    for other in (record(status="provisional"), record(status="returned"), record(kind="return")):
        assert refund_for(other, [1, 2]) is None  # nothing to give back from what cannot be returned
    assert net_refund(r, None) == (Decimal("5.00"), Decimal("14.00"))
    kept = record(cash_pay=Decimal("9.50"), account_pay=Decimal("0.00"))
    assert net_refund(r, kept) == (Decimal("5.00"), Decimal("4.50"))


def test_a_box_scanned_on_the_return_screen_picks_its_line_only():
    r = record()
    assert lines_with_code(r, code("8100022", 1)) == [2]
    assert lines_with_code(r, "T01-1") == []


def test_the_dose_carries_its_unit():
    from core.services.desk.prescriptions import dose_text

    assert dose_text(D01, "5", "每日1次") == "5 片 每日1次"  # no strength unit in this drug: its unit
    mg = D01.__class__(**{**D01.__dict__, "strength_unit": "mg"})
    assert dose_text(mg, "5", "每日1次", "口服") == "5 mg 每日1次 口服"
    assert dose_text(mg, "5mg", "每日一次") == "5mg 每日一次"  # written with its unit: as written
    assert dose_text(mg, "", "每日一次") == "每日一次" and dose_text(mg, None) == ""


def test_what_the_pharmacist_reads_is_chinese():
    """#21: error texts mixed English into Chinese. The desk's messages are Chinese in Chinese (a few key and
    format names aside), and a sync state's reason reaches the desk without its English log tag."""
    import re

    from core.i18n.desk import MESSAGES
    from core.services.desk.settlement import centre_words

    allowed = {"PDF", "PIN", "Enter", "Esc", "Tab", "Ctrl", "QR", "ID", "PASS", "WARN", "BLOCK", "Del", "OK"}
    english = {k: zh for k, (zh, _en) in MESSAGES.items()
               if "_en}" in zh or set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", "", zh))) - allowed}
    assert english == {}
    assert centre_words("中心拒绝 refused: 年度限额已用完") == "年度限额已用完"
    assert centre_words("审核不通过 blocked") == "审核不通过"
    assert centre_words("") == ""


def test_a_return_gives_back_to_the_tenders_it_came_from():
    """WeChat 30 + cash (5.60 kept) for 19.00 personal + 16.60 goods: a whole return gives each its amount; a
    partial one (line 2 of 52.00 kept: personal 19 x 24/52 = 8.77 estimated, goods kept) takes cash first."""
    wx = "4200001234567890123456789012"
    r = record(tenders=({"kind": "wechat", "kept": "30.00", "reference": wx}, {"kind": "cash", "kept": "5.60"}),
               goods=({"name": "口罩", "amount": "16.60", "returned": False},))
    whole = refund_for(r, [1, 2])
    assert [(p.kind.value, f"{p.kept:.2f}") for p in whole.tenders] == [("cash", "5.60"), ("wechat", "30.00")]
    assert "微信支付 30.00 元（凭证号 4200****789012）" in whole.text().zh and "统筹 33.00" in whole.text().zh
    part = refund_for(r, [1])
    assert [(p.kind.value, f"{p.kept:.2f}") for p in part.tenders] == [("cash", "5.60"), ("wechat", "4.63")]
    assert "预计应退" in part.text().zh and "保留的 1 行（24.00 元）" in part.text().zh


def test_goods_lines_ticked_on_their_own_or_with_drug_lines():
    """WeChat 30 + cash 5.60 for 19.00 personal + goods 10.00 (line 1) and 6.60 (line 2). Goods 2 alone: exactly
    6.60 back, cash first (5.60) then WeChat 1.00, the insured part untouched. Line 2 (drug) with goods 1: the
    kept sale keeps goods 2 only, so 10.00 more goes back than with the goods kept. Every drug line with a goods
    line kept, a goods line not sold or given back already: nothing to show (refused)."""
    wx = "4200001234567890123456789012"
    r = record(tenders=({"kind": "wechat", "kept": "30.00", "reference": wx}, {"kind": "cash", "kept": "5.60"}),
               goods=({"line": 1, "name": "口罩", "amount": "10.00", "returned": False},
                      {"line": 2, "name": "洗手液", "amount": "6.60", "returned": False}))
    alone = refund_for(r, [], [2])
    assert [(p.kind.value, f"{p.kept:.2f}") for p in alone.tenders] == [("cash", "5.60"), ("wechat", "1.00")]
    assert "应退商品 6.60 元" in alone.text().zh and "医保部分不变" in alone.text().zh
    with_goods = refund_for(r, [1], [1])
    without = refund_for(r, [1])
    assert sum(p.kept for p in with_goods.tenders) == sum(p.kept for p in without.tenders) + Decimal("10.00")
    assert refund_for(r, [1, 2], [1]) is None  # goods 2 would have no sale left
    assert refund_for(r, [1, 2], [1, 2]).whole
    assert refund_for(r, [], [3]) is None and refund_for(r, [1], [3]) is None
    done = record(tenders=r.tenders, goods=({"line": 1, "name": "口罩", "amount": "10.00", "returned": True},))
    assert refund_for(done, [], [1]) is None
