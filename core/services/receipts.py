"""The receipt of a sale or a return, built from the settlement record and the centre's answer. Pure.

    content = build_receipt(record, pharmacy="康济大药房", institution="P420…", terminal="T01",
                            operator="李药师", copy_no=0)
    content.text_lines(32)        # plain lines for an ESC/POS printer (32 or 42 columns)

What it carries (what the rules ask a pharmacy receipt to show): the pharmacy, date and time, every line
with its quantity and amount and the traceability code of each box (无码库 lines say so), the total, the
fund's share and the person's (account and cash, with the change), and the centre's settlement id. A copy
(reprint) says so in its title. A provisional sale (settled offline within the floor limits, not yet confirmed
by the centre) says so in its title and where the settlement id stands, in Chinese and English, with its
offline number: its figures are the local calculation until the centre answers.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from core.domain import fmt
from core.pos.tenders import mask_reference
from core.services.ports import SaleRecord


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    spec: str
    qty: int
    unit: str  # 盒 / 片 …
    price: str  # unit price, formatted
    amount: str
    codes: tuple[str, ...]
    note: str = ""
    split: bool = False  # 拆零
    days: int = 0

    @property
    def qty_text(self) -> str:
        """"2盒 x 28.00（拆零）  28天", as the text receipt and the PDF print it."""
        return f"{self.qty}{self.unit} x {self.price}" + ("（拆零）" if self.split else "") + f"  {self.days}天"


@dataclass(frozen=True)
class ReceiptContent:
    title: str
    pharmacy: str
    institution: str
    terminal: str
    receipt_no: str
    kind: str  # sale / return
    time: str
    operator: str
    person: str
    lines: tuple[ReceiptLine, ...]
    total: str
    fund: str
    personal: str
    account: str
    cash: str
    tendered: str
    change: str
    setl_id: str
    copy_no: int = 0  # 0 = the original
    provisional: bool = False  # settled offline: the centre has not confirmed it yet
    offline_no: str = ""
    lifestyle: tuple[str, ...] = ()  # heading + short advice of the lifestyle prescription (双处方), sales only
    pharmacists: tuple[str, ...] = ()  # 审方/调配/核对 of the sale (issue 19)
    # the mixed basket (issue 17): non-insured goods (name, "qty x price", amount) and the tenders (name, amount,
    # slip reference); printed when the sale had goods or a tender other than cash and the accounts
    goods: tuple[tuple[str, str, str], ...] = ()
    goods_total: str = ""
    due: str = ""
    tenders: tuple[tuple[str, str, str], ...] = ()

    @property
    def is_copy(self) -> bool:
        return self.copy_no > 0

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the money part, in print order."""
        out = [("医疗费总额", self.total), ("统筹基金支付", self.fund), ("个人负担", self.personal),
               ("个人账户支付", self.account), ("现金支付", self.cash)]
        if self.kind == "sale":
            out += [("实收现金", self.tendered), ("找零", self.change)]
        return out

    def text_lines(self, width: int = 32) -> list[str]:
        def pad(left: str, right: str) -> str:
            gap = width - _w(left) - _w(right)
            return left + " " * max(1, gap) + right

        out = [self.title.center(max(0, width - (_w(self.title) - len(self.title)))), self.pharmacy,
               f"{self.institution} {self.terminal}", f"小票号 {self.receipt_no}", f"时间 {self.time}",
               f"收银 {self.operator}", f"参保人 {self.person}", "-" * width]
        if self.goods:
            out.append("【医保部分】")
        for l in self.lines:
            out.append(f"{l.name} {l.spec}".strip())
            out.append(pad(f"  {l.qty_text}", l.amount))
            for c in l.codes:
                out.append(f"  追溯码 {c}")
            if l.note:
                out.append(f"  {l.note}")
        out.append("-" * width)
        out += [pad(k, v) for k, v in self.rows()]
        out += self._mixed_lines(pad, width)
        out += ["-" * width, f"结算ID {self.setl_id}"]
        if self.pharmacists:
            out += ["-" * width, *self.pharmacists]
        if self.lifestyle:
            out += ["-" * width, *self.lifestyle]
        if self.provisional:
            out += [f"** {PROVISIONAL_ZH} **", f"** {PROVISIONAL_EN} **"]
        if self.is_copy:
            out.append(f"** 重打副本 第 {self.copy_no} 次 **")
        return out

    def _mixed_lines(self, pad, width: int) -> list[str]:  # noqa: ANN001
        out: list[str] = []
        if self.goods:
            out += ["-" * width, "【非医保部分（自费）】"]
            for name, qty, amount in self.goods:
                out += [name, pad(f"  {qty}", amount)]
            out += [pad("非医保合计", self.goods_total), pad("合计应收（个人负担+非医保）", self.due)]
        if self.tenders:
            out += ["-" * width, "【付款方式】" if self.kind == "sale" else "【退回原付款方式】"]
            for name, amount, ref in self.tenders:
                out.append(pad(f"  {name}", amount))
                if ref:
                    out.append(f"    凭证号 {ref}")
        return out


PROVISIONAL_ZH = "离线暂存，待中心确认"
PROVISIONAL_EN = "PROVISIONAL: settled offline, awaiting the centre's confirmation"


def _w(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def build_receipt(record: SaleRecord, *, pharmacy: str, institution: str, terminal: str, operator: str,
                  copy_no: int = 0, now: dt.datetime | None = None) -> ReceiptContent:
    sign = Decimal("-1") if record.kind == "return" else Decimal("1")
    lines = []
    for l in record.lines:
        note = f"无码库存 批号 {l['uncoded_batch']}" if l.get("uncoded_batch") else ""
        amount = fmt(Decimal(l["amount"]) * sign)
        lines.append(ReceiptLine(l["drug_name"], l.get("spec", ""), int(l["qty"]), l.get("unit") or "", str(l["price"]),
                                 amount, tuple(l.get("codes", [])), note, bool(l.get("split")), int(l.get("days") or 0)))
    at = record.settled_at or now or dt.datetime.now()
    if record.settled_at is not None:  # stored in UTC
        at = (record.settled_at + dt.timedelta(hours=8))
    cash_tendered = record.cash_pay + record.change
    title = ("医保药店购药小票" if record.scheme == "OP" else "门诊慢特病购药小票") if record.kind == "sale" else "退货小票"
    provisional = record.status == "provisional"
    setl_id = record.setl_id
    if provisional:
        title += "（离线暂存 PROVISIONAL）"
        setl_id = f"离线暂存 {record.offline_no}（{PROVISIONAL_ZH}）/ provisional {record.offline_no}"
    if copy_no:
        title += "（副本 COPY）"
    goods = tuple((g["name"], f"{g['qty']} x {g['price']}" + (f"（折扣 -{g['discount']}）" if Decimal(g["discount"]) else ""),
                   fmt(Decimal(g["amount"]) * sign)) for g in record.goods)
    goods_total = sum((Decimal(g["amount"]) for g in record.goods), Decimal("0.00"))
    external = any(p["kind"] not in ("cash", "account", "family") for p in record.tenders)
    # the slip's reference masked (a long one as its first 4 and last 6): the full number stays in the desk's
    # records for the refund; the receipt is the customer's and may be lost
    tenders = tuple((p["name"], fmt(Decimal(p["kept"]) * sign), mask_reference(p.get("reference") or ""))
                    for p in record.tenders) if goods or external else ()
    return ReceiptContent(
        title=title, pharmacy=pharmacy, institution=institution, terminal=terminal, receipt_no=record.receipt_no,
        kind=record.kind, time=at.strftime("%Y-%m-%d %H:%M:%S"), operator=operator, person=record.person_name,
        lines=tuple(lines), total=fmt(record.total), fund=fmt(record.fund), personal=fmt(record.personal),
        account=fmt(record.account_pay), cash=fmt(record.cash_pay), tendered=fmt(cash_tendered),
        change=fmt(record.change), setl_id=setl_id, copy_no=copy_no, provisional=provisional,
        offline_no=record.offline_no, lifestyle=record.lifestyle if record.kind == "sale" else (),
        pharmacists=record.pharmacists if record.kind == "sale" else (),
        goods=goods, goods_total=fmt(goods_total * sign), due=fmt((record.personal + goods_total) * sign),
        tenders=tenders,
    )


__all__ = ["PROVISIONAL_EN", "PROVISIONAL_ZH", "ReceiptContent", "ReceiptLine", "build_receipt"]
