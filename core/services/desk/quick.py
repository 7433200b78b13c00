"""Quick keys of the sale (issue 17, item 6) as rules on the desk's Sale, pure: no Qt, no SQL.

    qty = parse_quantity("3")                         # "3*": 1..MAX_QTY, else DeskError with the reason
    sale = with_quantity(sale, ("line", 2), qty)      # an insured line: never above what the prescription gives
    sale = with_quantity(sale, ("goods", gtin), qty)  # a non-insured good
    amount = parse_discount("5")
    sale = with_discount(sale, ("goods", gtin), amount, approver="zhang")   # goods only, never above the line
    blocker = repeat_blocker(sale)                    # why the last sale may not replace this basket (None: may)

A refused change raises DeskError (Chinese first, then English) and the sale stays as it was: the caller keeps
its Sale, since every rule returns a new one.

Why insured lines take no discount: they settle with the centre at the catalogue's price (the centre refuses a
line priced differently, issue 17 "Bad input"), so a discount there would make the receipt lie about what the
fund paid. Why an insured line's quantity stays within the prescription: the pharmacy may dispense fewer boxes
than prescribed (the patient buys part), never more than the doctor wrote.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from core.domain import ZERO, fmt, round_money
from core.i18n import Message
from core.services.pharmacy_sale import Sale
from core.services.ports import DeskError

MAX_QTY = 99  # boxes or pieces on one line at a desk: more is digits of a code typed before "*", not a count
LineRef = tuple[str, object]  # ("line", insured line no) or ("goods", the good's GTIN-14)


def _refuse(key: str, zh: str, en: str) -> DeskError:
    return DeskError(Message(f"desk.quick.{key}", zh, en))


def parse_quantity(text: str) -> int:
    """The number typed before "*": whole, 1..MAX_QTY."""
    value = (text or "").strip()
    if not value.isdigit():
        raise _refuse("qty", f"数量应为 1-{MAX_QTY} 的整数：{value or '（空）'}",
                      f"a quantity is a whole number 1-{MAX_QTY}: {value or '(empty)'}")
    qty = int(value)
    if qty < 1:
        raise _refuse("qty", "数量不能为 0", "the quantity cannot be 0")
    if qty > MAX_QTY:
        raise _refuse("qty", f"数量 {qty} 过大（一行最多 {MAX_QTY}）", f"quantity {qty} is too big (at most {MAX_QTY} a line)")
    return qty


def parse_discount(text: str) -> Decimal:
    """The amount typed before the discount key: yuan, > 0, at most two decimals."""
    value = (text or "").strip()
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= ZERO or amount != round_money(amount):
        raise _refuse("discount", f"折扣金额应为大于 0 的元数（最多两位小数）：{value or '（空）'}",
                      f"a discount is an amount > 0 in yuan (two decimals at most): {value or '(empty)'}")
    return amount


def with_quantity(sale: Sale, ref: LineRef, qty: int) -> Sale:
    """The sale with line `ref` at `qty`. An insured line: 1..the prescribed count, and not fewer boxes than
    codes already scanned on it (Del takes a code off first); a 拆零 line counts units of one box."""
    if qty < 1 or qty > MAX_QTY:
        raise _refuse("qty", f"数量 {qty} 无效（1-{MAX_QTY}）", f"quantity {qty} is invalid (1-{MAX_QTY})")
    kind, key = ref
    if kind == "goods":
        goods = list(sale.goods)
        for i, g in enumerate(goods):
            if g.good.gtin == key:
                if g.discount > round_money(g.good.price * qty):
                    raise _refuse("qty_discount", f"{g.good.name} 有折扣 {fmt(g.discount)} 元，数量 {qty} 时超过金额",
                                  f"{g.good.name} carries a discount of {fmt(g.discount)}, more than {qty} of it cost")
                goods[i] = replace(g, qty=qty)
                return replace(sale, goods=tuple(goods))
        raise _refuse("no_line", "没有选中的商品行", "no such goods line")
    line = next((l for l in sale.lines if l.no == key), None)
    if line is None:
        raise _refuse("no_line", "没有选中的药品行", "no such line")
    if line.split:
        if qty > line.drug.pack_size:
            raise _refuse("qty_split", f"拆零数量 {qty} 超过一盒 {line.drug.pack_size}{line.drug.unit}",
                          f"split quantity {qty} is more than one box ({line.drug.pack_size})")
        return sale.with_split(line.no, qty)
    prescribed = line.rx_qty or line.qty
    if qty > prescribed:
        raise _refuse("qty_rx", f"第 {line.no} 行处方开 {prescribed} 盒，不能发 {qty} 盒",
                      f"line {line.no}: the prescription gives {prescribed} boxes, not {qty}")
    if len(line.codes) > qty:
        raise _refuse("qty_codes", f"第 {line.no} 行已扫 {len(line.codes)} 个码，先按 Del 删除多余的码",
                      f"line {line.no} already has {len(line.codes)} codes: take the extra ones off (Del) first")
    return sale._with_line(replace(line, qty=qty, rx_qty=prescribed))


def discount_blocker(sale: Sale, ref: LineRef) -> DeskError | None:
    """Why line `ref` takes no discount at all (asked before a supervisor is called), or None."""
    kind, key = ref
    if kind == "line":
        line = next((l for l in sale.lines if l.no == key), None)
        name = line.drug.name if line is not None else str(key)
        return _refuse("discount_insured", f"{name} 是医保药品，按医保目录价结算，不能打折（折扣只用于非医保商品）",
                       f"{name} is insured: it settles at the catalogue price, no discount (discounts are for "
                       "non-insured goods only)")
    if not any(g.good.gtin == key for g in sale.goods):
        return _refuse("no_line", "没有选中的商品行", "no such goods line")
    return None


def with_discount(sale: Sale, ref: LineRef, amount: Decimal, *, approver: str) -> Sale:
    """A supervisor's discount on a non-insured goods line (replaces an earlier one): > 0, at most the line's
    price × quantity; `approver` is the supervisor who allowed it (kept by the caller in the staff journal)."""
    blocker = discount_blocker(sale, ref)
    if blocker is not None:
        raise blocker
    if not approver:
        raise _refuse("discount_approver", "折扣须主管授权", "a discount needs a supervisor")
    if amount <= ZERO:
        raise _refuse("discount", f"折扣金额必须大于 0：{fmt(amount)}", f"a discount must be > 0: {fmt(amount)}")
    goods = list(sale.goods)
    i = next(i for i, g in enumerate(goods) if g.good.gtin == ref[1])
    gross = round_money(goods[i].good.price * goods[i].qty)
    if amount > gross:
        raise _refuse("discount_over", f"折扣 {fmt(amount)} 元超过 {goods[i].good.name} 的金额 {fmt(gross)} 元",
                      f"discount {fmt(amount)} is more than {goods[i].good.name} costs ({fmt(gross)})")
    goods[i] = replace(goods[i], discount=amount)
    return replace(sale, goods=tuple(goods))


def repeat_blocker(sale: Sale | None) -> DeskError | None:
    """The last sale may replace the basket on the desk only while no box of it has been scanned (the codes would
    be lost) and no good is in it."""
    if sale is None:
        return None
    if sale.all_codes or any(l.uncoded for l in sale.lines) or sale.goods:
        return _refuse("repeat_busy", "本单已扫码或已加商品：先结算、挂单 (F9) 或换新顾客 (F2)，再重复上次购药",
                       "this basket already has codes or goods: settle, hold (F9) or start anew (F2) first")
    return None


__all__ = ["LineRef", "MAX_QTY", "discount_blocker", "parse_discount", "parse_quantity", "repeat_blocker",
           "with_discount", "with_quantity"]
