"""Non-insured goods in a desk sale (issue 17): a commodity barcode scanned at the sale step becomes a goods line
of the same sale (the local goods catalogue, core.store.pos); an unknown barcode is refused with the hint that a
supervisor may add it (quick-add; the flow has the supervisor approve "goods.add" first, core.services.auth)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from core.domain import ZERO, money
from core.i18n import Message
from core.pos.goods import Good, GoodsError, GoodsLine
from core.services.desk.base import DeskBase
from core.services.pharmacy_sale import Sale
from core.services.ports import DeskError
from core.store import pos


def goods_refused(exc: GoodsError, key: str = "desk.goods.refused") -> DeskError:
    return DeskError(Message(key, exc.zh, exc.en))


class Goods(DeskBase):
    def find_goods(self, barcode: str) -> Good:
        """The good of a commodity barcode; DeskError "desk.goods.unknown" (a supervisor may add it) or a bad code."""
        try:
            with self.Session() as s:
                return pos.find_good(s, barcode)
        except GoodsError as exc:
            unknown = "不在本店商品目录中" in exc.zh
            raise goods_refused(exc, "desk.goods.unknown" if unknown else "desk.goods.refused") from None

    def scan_goods(self, sale: Sale, barcode: str, qty: int = 1) -> Sale:
        """The sale with one more of the scanned good (the same good scanned again adds to its line)."""
        if qty <= 0:
            raise DeskError(Message("desk.goods.qty", "数量必须大于 0", "quantity must be > 0"))
        good = self.find_goods(barcode)
        goods = list(sale.goods)
        for i, g in enumerate(goods):
            if g.good.gtin == good.gtin:
                goods[i] = replace(g, qty=g.qty + qty)
                return replace(sale, goods=tuple(goods))
        return replace(sale, goods=(*goods, GoodsLine(good, qty)))

    def remove_goods(self, sale: Sale, gtin: str) -> Sale:
        return replace(sale, goods=tuple(g for g in sale.goods if g.good.gtin != gtin))

    def quick_add_goods(self, barcode: str, name: str, price: Decimal | str, *, approver: str, spec: str = "",
                        unit: str = "件") -> Good:
        """A supervisor's quick-add (`approver`: the user who approved "goods.add"); checked, then written."""
        try:
            amount = money(price)
        except (ArithmeticError, ValueError):
            raise DeskError(Message("desk.goods.price", f"价格无效：{price}", f"invalid price: {price}")) from None
        if amount <= ZERO:
            raise DeskError(Message("desk.goods.price", f"商品价格必须大于 0：{price}", f"price must be > 0: {price}"))
        try:
            with self.WSession() as s:
                return pos.quick_add_good(s, barcode, name, amount, approver=approver, spec=spec, unit=unit)
        except GoodsError as exc:
            raise goods_refused(exc) from None
