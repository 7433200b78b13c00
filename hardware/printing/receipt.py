"""The receipt model: what a sale's receipt says, independent of any printer.

The pharmacy shell fills it from a settlement; amounts are Decimal (yuan, 2 places on paper). Identity
numbers must arrive masked (the model does not mask: it prints what it is given). `copy` marks a reprint
("重打 COPY" at the top: a printed receipt is committed, a second one must say it is a copy).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ReceiptItem:
    name: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    unit: str = ""
    spec: str = ""
    trace_codes: tuple[str, ...] = ()
    note: str = ""          # e.g. 拆零, 甲类 / 乙类


@dataclass(frozen=True)
class ReceiptTotal:
    label: str
    amount: Decimal
    emphasis: bool = False


@dataclass(frozen=True)
class Receipt:
    header_lines: tuple[str, ...]           # first line printed large (the shop's name)
    items: tuple[ReceiptItem, ...]
    totals: tuple[ReceiptTotal, ...]
    settlement_id: str
    meta: tuple[tuple[str, str], ...] = ()  # (label, value): 结算时间, 参保人 (masked), 险种, 收银员, 终端
    footer_lines: tuple[str, ...] = ()
    copy: bool = False
    qr_payload: str = ""                    # "" = the settlement id

    @property
    def qr_text(self) -> str:
        return self.qr_payload or self.settlement_id

    def as_copy(self) -> Receipt:
        return replace(self, copy=True)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Receipt:
        items = tuple(
            ReceiptItem(name=i["name"], quantity=Decimal(i["quantity"]), unit_price=Decimal(i["unit_price"]),
                        amount=Decimal(i["amount"]), unit=i.get("unit", ""), spec=i.get("spec", ""),
                        trace_codes=tuple(i.get("trace_codes", ())), note=i.get("note", ""))
            for i in data.get("items", ()))
        totals = tuple(ReceiptTotal(t["label"], Decimal(t["amount"]), bool(t.get("emphasis", False)))
                       for t in data.get("totals", ()))
        return cls(header_lines=tuple(data.get("header_lines", ())), items=items, totals=totals,
                   settlement_id=data["settlement_id"], meta=tuple(tuple(m) for m in data.get("meta", ())),
                   footer_lines=tuple(data.get("footer_lines", ())), copy=bool(data.get("copy", False)),
                   qr_payload=data.get("qr_payload", ""))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def printer_test_page(printer_name: str = "", when: datetime | None = None) -> Receipt:
    """What "print a test page" prints: Chinese and ASCII, a trace code, amounts, a QR, the cut."""
    stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    return Receipt(
        header_lines=("一窗通 打印测试", "OneWindow printer test"),
        meta=(("打印机", printer_name or "-"), ("时间", stamp)),
        items=(ReceiptItem("阿莫西林胶囊 Amoxicillin", Decimal("2"), Decimal("12.50"), Decimal("25.00"), unit="盒",
                           spec="0.25g×24粒", trace_codes=("81000110000000000001",)),),
        totals=(ReceiptTotal("合计 total", Decimal("25.00"), emphasis=True),
                ReceiptTotal("统筹支付 fund", Decimal("17.50")), ReceiptTotal("个人自付 self-pay", Decimal("7.50"))),
        settlement_id="TEST-0000000001",
        footer_lines=("中文 GB18030：药品追溯码 医保", "If you can read both lines, the code page is right."),
    )


__all__ = ["Receipt", "ReceiptItem", "ReceiptTotal", "printer_test_page"]
