"""The per-scan check of a box's code against the sale (core.services.pharmacy_sale.check_scan)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain import Drug
from core.services.pharmacy_sale import (
    Lookups, OpenBox, Sale, SaleLine, SoldBefore, apply_check, cash_due, change_for, check_scan,
)

D01 = Drug("D01", "苯磺酸氨氯地平片", Decimal("28.00"), 28, drug_class="甲", atc="C08CA01", unit="片", pack_unit="盒",
           trace_prefix="8100011")
D02 = Drug("D02", "盐酸二甲双胍片", Decimal("24.00"), 60, drug_class="甲", atc="A10BA02", unit="片", pack_unit="盒",
           trace_prefix="8100022")


def sale(*lines: SaleLine) -> Sale:
    return Sale("s1", "T0001", "王某", "LB", "9901", ("I10",), "RX1", dt.date(2026, 1, 1), None, "ordinary", False,
                lines or (SaleLine(1, D01, 2, 56), SaleLine(2, D02, 1, 30)))


def code(prefix: str, n: int) -> str:
    return f"{prefix}{n:013d}"


def test_codes_go_to_their_product_line_and_complete_it():
    s = sale()
    c = check_scan(s, code("8100022", 1), focus_line=1)
    assert c.accepted and c.line == 2 and c.tone == "ok" and "本行完成" in c.reason.zh
    s = apply_check(s, c)
    c = check_scan(s, code("8100011", 1))
    assert c.accepted and c.line == 1 and c.tone == "warn" and c.reason.en.startswith("1 of 2 scanned")
    s = apply_check(s, c)
    assert s.line(1).state == "partial" and not s.complete
    s = apply_check(s, check_scan(s, code("8100011", 2)))
    assert s.complete and s.line(1).codes == (code("8100011", 1), code("8100011", 2))
    full = check_scan(s, code("8100011", 3))
    assert not full.accepted and "一盒一码" in full.reason.zh


def test_refusals_say_why_in_both_languages():
    s = sale()
    c = check_scan(s, "6901234567892")
    assert not c.accepted and c.reason.zh == "这是商品条码，请扫描药品追溯码"
    assert c.reason.en == "this is the commodity barcode; scan the traceability code"
    c = check_scan(s, code("8100099", 1))
    assert not c.accepted and "码品不符" in c.reason.zh and "8100099" in c.reason.en
    c = check_scan(s, "8100011000000000001")  # 19 digits
    assert not c.accepted and "20 位" in c.reason.zh
    c = check_scan(s, "420704195703121015")
    assert not c.accepted and "居民身份证" in c.reason.zh
    c = check_scan(s, "00106141411234567897")  # a carton's logistics label (SSCC)
    assert not c.accepted and "物流码，请扫描药盒上的追溯码" in c.reason.zh
    c = check_scan(s, "(8004)ASSET-7")  # a valid GS1 string naming no product: said, not a crash
    assert not c.accepted and c.reason.key == "desk.scan.not_a_box"
    s2 = apply_check(s, check_scan(s, code("8100011", 5)))
    twice = check_scan(s2, code("8100011", 5))
    assert not twice.accepted and "扫过" in twice.reason.zh
    sold = Lookups(sold=lambda c: [SoldBefore("T01-20260101-0001", dt.date(2026, 1, 1), 28, False)])
    c = check_scan(s, code("8100011", 6), sold)
    assert not c.accepted and "T01-20260101-0001" in c.reason.zh and "already sold" in c.reason.en
    assert apply_check(s, c).line(1).tone == "bad"


def test_split_pack_takes_units_from_an_opened_box():
    s = sale(SaleLine(1, D01, 10, 10, split=True))
    c = check_scan(s, code("8100011", 7))  # a fresh box: 28 - 10 left
    assert c.accepted and c.units_left_after == 18 and "18" in c.reason.zh
    opened = Lookups(open_box=lambda c: OpenBox(c, "D01", 28, 8),
                     sold=lambda c: [SoldBefore("R1", dt.date(2026, 1, 1), 20, True)])
    short = check_scan(s, code("8100011", 7), opened)
    assert not short.accepted and "只剩 8" in short.reason.zh
    whole = sale(SaleLine(1, D01, 1, 28))
    c = check_scan(whole, code("8100011", 7), opened)
    assert not c.accepted and "拆零" in c.reason.zh  # an opened box cannot be sold whole
    s = s.with_split(1, None)
    assert not s.line(1).split and s.line(1).qty == 1


def test_uncoded_stock_line_needs_no_code_and_acks_reset_on_change():
    s = sale(SaleLine(1, D01, 1, 28))
    s = s.with_ack("QTY-002", 1)
    s = s.with_uncoded(1, "WM2406")
    assert s.complete and s.line(1).state == "uncoded" and s.acks == frozenset()


def test_payment_arithmetic():
    assert cash_due(Decimal("14.00"), Decimal("20.00"), Decimal("5.00")) == (Decimal("5.00"), Decimal("9.00"))
    assert change_for(Decimal("9.00"), Decimal("10.00")) == Decimal("1.00")
    assert change_for(Decimal("9.00"), Decimal("8.99")) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_scan_gets_an_answer_never_an_exception(text):
    c = check_scan(sale(), text)
    assert c.reason.zh and c.reason.en
    assert c.accepted == (c.line is not None and c.tone in ("ok", "warn"))


def test_a_refusal_is_shown_only_while_it_is_true():
    """#21: a finished line stayed red with "本单第2行已扫过此码" while the audit said PASS."""
    s = sale()
    s = apply_check(s, check_scan(s, code("8100022", 1)))  # line 2 complete
    twice = check_scan(s, code("8100022", 1))
    assert not twice.accepted and twice.line == 2
    after = apply_check(s, twice)
    assert after.line(2).tone == "ok" and after.line(2).note == s.line(2).note  # a finished line stays as it is
    refused = apply_check(s, check_scan(s, code("8100011", 1), Lookups(
        sold=lambda c: [SoldBefore("R1", dt.date(2026, 1, 1), 28, False)])))
    assert refused.line(1).tone == "bad"  # an open line shows why its box was refused …
    ok = apply_check(refused, check_scan(refused, code("8100011", 2)))
    assert ok.line(1).tone == "warn" and ok.line(1).note.key == "desk.scan.ok_partial"
    still = apply_check(refused, check_scan(refused, code("8100022", 9)))  # line 2 full: refused, nothing accepted
    assert still.line(1).tone == "bad"
    fresh = sale()
    marked = apply_check(fresh, check_scan(fresh, "6901234567892", focus_line=1))
    assert marked.line(1).tone == "bad"
    cleared = apply_check(marked, check_scan(marked, code("8100022", 3)))  # … until the next accepted scan
    assert cleared.line(1).tone == "" and cleared.line(1).note is None and cleared.line(2).tone == "ok"


def test_the_stock_ledger_blocks_expired_boxes_and_warns_of_boxes_not_in_stock():
    from core.services.stock import SaleBoxCheck

    verdicts = {code("8100011", 1): SaleBoxCheck("BLOCK", code("8100011", 1), "药品已过期（有效期至 2026-01-01）", "expired"),
                code("8100011", 2): SaleBoxCheck("WARN", code("8100011", 2), "未入库的药品：x", "not in stock"),
                code("8100011", 3): SaleBoxCheck("PASS", code("8100011", 3), fefo_hint="请先发批号 A")}
    lookups = Lookups(stock=verdicts.get)
    s = sale()
    c = check_scan(s, code("8100011", 1), lookups)
    assert not c.accepted and c.tone == "bad" and "已过期" in c.reason.zh
    c = check_scan(s, code("8100011", 2), lookups)
    assert c.accepted and c.tone == "warn" and c.reason.zh.startswith("未入库的药品")
    c = check_scan(s, code("8100011", 3), lookups)
    assert c.accepted and c.extra["fefo_hint"] == "请先发批号 A"
    assert check_scan(s, code("8100011", 4), lookups).tone == "warn"  # no verdict: the usual partial line
