"""Quick keys' rules (core.services.desk.quick) and when the cash drawer opens (core.services.desk.drawer)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from core.pos.goods import Good, GoodsLine
from core.services.desk.drawer import kick_due
from core.services.desk.quick import (MAX_QTY, discount_blocker, parse_discount, parse_quantity, repeat_blocker,
                                      with_discount, with_quantity)
from core.services.ports import DeskError, SaleRecord
from tests.core.services.test_pharmacy_sale import D01, D02, code, sale
from core.services.pharmacy_sale import SaleLine

MASK = Good("06901234567892", "医用口罩", Decimal("12.50"))
BP = Good("06920000000018", "电子血压计", Decimal("199.00"))


def basket():
    return replace(sale(SaleLine(1, D01, 2, 56), SaleLine(2, D02, 3, 30, split=False)),
                   goods=(GoodsLine(MASK, 2), GoodsLine(BP, 1)))


def refused(key: str, fn, *args, **kw) -> DeskError:
    with pytest.raises(DeskError) as info:
        fn(*args, **kw)
    assert info.value.message.key == f"desk.quick.{key}", info.value.message
    return info.value


@pytest.mark.parametrize("typed", ["0", "", "abc", "1.5", "-2", str(MAX_QTY + 1), "100000"])
def test_a_quantity_is_a_whole_number_from_1_to_the_most_a_line_holds(typed):
    e = refused("qty", parse_quantity, typed)
    assert e.message.zh and e.message.en


def test_quantities_that_are_fine():
    assert parse_quantity("3") == 3 and parse_quantity(f" {MAX_QTY} ") == MAX_QTY and parse_quantity("1") == 1


def test_an_insured_line_takes_fewer_boxes_never_more_than_prescribed():
    s = basket()
    fewer = with_quantity(s, ("line", 2), 1)
    assert fewer.line(2).qty == 1 and fewer.line(2).rx_qty == 3 and fewer.line(1) == s.line(1)
    back = with_quantity(fewer, ("line", 2), 3)  # back up to the prescription is fine
    assert back.line(2).qty == 3
    e = refused("qty_rx", with_quantity, fewer, ("line", 2), 4)  # the prescription's 3, not what is on the line
    assert "处方开 3 盒" in e.message.zh
    refused("qty_rx", with_quantity, s, ("line", 1), 3)
    assert s.line(1).qty == 2  # nothing changed


def test_an_insured_line_keeps_no_fewer_boxes_than_codes_scanned():
    s = basket()
    s = s.with_code(1, code("8100011", 1), "warn", None).with_code(1, code("8100011", 2), "ok", None)
    e = refused("qty_codes", with_quantity, s, ("line", 1), 1)
    assert "Del" in e.message.zh
    assert s.line(1).qty == 2


def test_a_split_line_counts_units_of_one_box():
    s = sale(SaleLine(1, D01, 14, 14, split=True))
    assert with_quantity(s, ("line", 1), 7).line(1).qty == 7
    refused("qty_split", with_quantity, s, ("line", 1), D01.pack_size + 1)


def test_goods_quantity_and_bad_targets():
    s = basket()
    assert with_quantity(s, ("goods", MASK.gtin), 5).goods[0].qty == 5
    refused("qty", with_quantity, s, ("goods", MASK.gtin), 0)
    refused("qty", with_quantity, s, ("goods", MASK.gtin), MAX_QTY + 1)
    refused("no_line", with_quantity, s, ("goods", "0" * 14), 1)
    refused("no_line", with_quantity, s, ("line", 9), 1)


def test_a_discount_goes_on_goods_only_with_a_supervisor_and_never_above_the_line():
    s = basket()
    d = with_discount(s, ("goods", MASK.gtin), Decimal("5.00"), approver="zhang")
    assert d.goods[0].discount == Decimal("5.00") and d.goods[0].amount == Decimal("20.00")
    assert d.goods_total == s.goods_total - Decimal("5.00") and d.lines == s.lines
    whole = with_discount(s, ("goods", MASK.gtin), Decimal("25.00"), approver="zhang")  # the whole line: allowed
    assert whole.goods[0].amount == Decimal("0.00")
    e = refused("discount_over", with_discount, s, ("goods", MASK.gtin), Decimal("25.01"), approver="zhang")
    assert "超过" in e.message.zh and "25.00" in e.message.zh
    refused("discount_approver", with_discount, s, ("goods", MASK.gtin), Decimal("1"), approver="")
    refused("discount", with_discount, s, ("goods", MASK.gtin), Decimal("0"), approver="zhang")
    assert s.goods[0].discount == Decimal("0")  # nothing changed


def test_a_discount_on_an_insured_line_is_refused_with_the_reason():
    s = basket()
    e = refused("discount_insured", with_discount, s, ("line", 1), Decimal("1.00"), approver="zhang")
    assert "医保" in e.message.zh and "不能打折" in e.message.zh and "insured" in e.message.en
    assert discount_blocker(s, ("line", 2)) is not None and discount_blocker(s, ("goods", BP.gtin)) is None
    assert s.line(1) == basket().line(1)


def test_a_smaller_quantity_never_leaves_a_discount_above_the_goods_amount():
    s = with_discount(basket(), ("goods", MASK.gtin), Decimal("20.00"), approver="zhang")
    refused("qty_discount", with_quantity, s, ("goods", MASK.gtin), 1)


@pytest.mark.parametrize("typed", ["", "0", "-1", "abc", "1.234", "NaN", "Infinity"])
def test_a_discount_amount_is_money_above_zero(typed):
    refused("discount", parse_discount, typed)


def test_discount_amounts_that_are_fine():
    assert parse_discount("5") == Decimal("5") and parse_discount("0.50") == Decimal("0.50")


def test_the_last_sale_replaces_only_an_untouched_basket():
    assert repeat_blocker(None) is None and repeat_blocker(sale()) is None
    assert repeat_blocker(sale().with_code(1, code("8100011", 1), "warn", None)) is not None
    assert repeat_blocker(sale().with_uncoded(1, "B1")) is not None
    assert repeat_blocker(basket()) is not None  # goods in it


def record(tenders=(), cash=Decimal("0.00"), change=Decimal("0.00")) -> SaleRecord:
    z = Decimal("0.00")
    return SaleRecord("M1", "R1", "sale", "settled", "T0001", "王某", dt.datetime(2026, 1, 1), z, z, z, z, cash, change,
                      "", (), tenders=tuple(tenders))


def test_the_drawer_opens_for_cash_only_and_never_for_a_copy():
    cash = {"kind": "cash", "kept": "7.00", "tendered": "10.00", "change": "3.00"}
    wechat = {"kind": "wechat", "kept": "20.00", "tendered": "0.00", "change": "0.00", "reference": "WX123456"}
    account = {"kind": "account", "kept": "5.00"}
    assert kick_due(record([wechat, cash]))
    assert not kick_due(record([wechat]))
    assert not kick_due(record([account, wechat]))
    assert not kick_due(record([wechat, cash]), copy_no=1)
    assert kick_due(record([{"kind": "cash", "kept": "-7.00"}]))  # a refund paid out in cash
    assert not kick_due(record([{"kind": "cash", "kept": "0.00", "tendered": "0.00", "change": "0.00"}]))
    assert kick_due(record(cash=Decimal("7.00")))  # recorded before tenders were kept
    assert not kick_due(record())
