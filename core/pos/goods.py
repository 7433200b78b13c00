"""Non-insured goods and the mixed basket (issue 17).

Goods (health products, devices, daily goods) carry only a commodity barcode (EAN-8/UPC-A/EAN-13/GTIN-14); the
local goods catalogue gives their name and price. An unknown barcode is refused with the hint that a supervisor
may add it (quick_add, which checks the barcode's check digit and the price). A mixed sale holds insured lines
(settled with the centre: total, fund, personal share) and goods lines (a local cash part of the same sale): the
customer owes the insured personal share plus the goods, and one receipt shows both parts and the split.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from core.codes.checksums import gs1_valid
from core.domain import ZERO, fmt, money, round_money
from core.pos.tenders import NAME_ZH, Payment


class GoodsError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def gtin14(barcode: str) -> str:
    """The barcode as GTIN-14, after checking its length and check digit."""
    code = barcode.strip()
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        raise GoodsError(f"商品条码应为 8/12/13/14 位数字：{code!r}", f"a commodity barcode has 8/12/13/14 digits: {code!r}")
    if not gs1_valid(code):
        raise GoodsError(f"商品条码校验位错误：{code}", f"bad check digit in {code}")
    return code.zfill(14)


@dataclass(frozen=True)
class Good:
    gtin: str
    name: str
    price: Decimal
    spec: str = ""
    unit: str = "件"


class GoodsCatalogue:
    def __init__(self, goods: Iterable[Good] = ()) -> None:
        self._by: dict[str, Good] = {g.gtin: g for g in goods}

    def find(self, barcode: str) -> Good:
        key = gtin14(barcode)
        good = self._by.get(key)
        if good is None:
            raise GoodsError(f"商品条码 {barcode} 不在本店商品目录中，请主管快速新增",
                             f"barcode {barcode} is not in the goods catalogue: a supervisor may add it")
        return good

    def quick_add(self, barcode: str, name: str, price, *, approver: str, spec: str = "", unit: str = "件") -> Good:
        """A supervisor's quick-add of an unknown barcode (the caller checked the supervisor; `approver` is kept)."""
        if not approver:
            raise GoodsError("新增商品须主管确认", "a supervisor must confirm a new good")
        if not name.strip():
            raise GoodsError("商品名称不能为空", "the good needs a name")
        amount = money(price)
        if amount <= ZERO:
            raise GoodsError(f"商品价格必须大于 0：{fmt(amount)}", f"price must be > 0: {fmt(amount)}")
        key = gtin14(barcode)
        if key in self._by:
            raise GoodsError(f"商品条码 {barcode} 已在目录中", f"barcode {barcode} is already in the catalogue")
        good = Good(key, name.strip(), amount, spec, unit)
        self._by[key] = good
        return good


@dataclass(frozen=True)
class GoodsLine:
    good: Good
    qty: int = 1
    discount: Decimal = ZERO  # a supervisor's line discount (goods only: insured lines are the catalogue's price)

    @property
    def amount(self) -> Decimal:
        gross = round_money(self.good.price * self.qty)
        if self.discount < ZERO or self.discount > gross:
            raise GoodsError(f"折扣 {fmt(self.discount)} 元无效", f"discount {fmt(self.discount)} is out of range")
        return gross - self.discount


@dataclass(frozen=True)
class InsuredPart:
    """The centre's answer for the insured lines: totals and each line's name, amount and trace codes."""

    total: Decimal
    fund: Decimal
    personal: Decimal
    lines: tuple[tuple[str, Decimal, tuple[str, ...]], ...] = ()
    setl_id: str = ""


@dataclass(frozen=True)
class MixedSale:
    insured: InsuredPart | None
    goods: tuple[GoodsLine, ...] = ()

    @property
    def local_total(self) -> Decimal:
        return sum((g.amount for g in self.goods), ZERO)

    @property
    def insured_personal(self) -> Decimal:
        return self.insured.personal if self.insured is not None else ZERO

    @property
    def due(self) -> Decimal:
        return self.insured_personal + self.local_total


def receipt_lines(sale: MixedSale, payment: Payment) -> list[str]:
    """The receipt's body: the insured part (lines, codes, fund and personal), the goods part, the split, tenders."""
    out: list[str] = []
    if sale.insured is not None:
        s = sale.insured
        out.append("【医保部分】" + (f" 结算号 {s.setl_id}" if s.setl_id else ""))
        for name, amount, codes in s.lines:
            out.append(f"  {name}  {fmt(amount)}")
            out += [f"    追溯码 {c}" for c in codes]
        out.append(f"  医疗费总额 {fmt(s.total)}  统筹支付 {fmt(s.fund)}  个人负担 {fmt(s.personal)}")
    if sale.goods:
        out.append("【非医保部分（自费）】")
        for g in sale.goods:
            disc = f"（折扣 -{fmt(g.discount)}）" if g.discount else ""
            out.append(f"  {g.good.name} x{g.qty}  {fmt(g.amount)}{disc}")
        out.append(f"  非医保合计 {fmt(sale.local_total)}")
    out.append(f"【合计应收】 医保个人负担 {fmt(sale.insured_personal)} + 非医保 {fmt(sale.local_total)} = {fmt(sale.due)}")
    for p in payment.paid:
        ref = f"  凭证号 {p.reference}" if p.reference else ""
        tendered = f"  实收 {fmt(p.tendered)}" if p.tendered != p.kept and p.tendered else ""
        out.append(f"  {NAME_ZH[p.kind]} {fmt(p.kept)}{tendered}{ref}")
    if payment.change:
        out.append(f"  找零 {fmt(payment.change)}")
    return out
