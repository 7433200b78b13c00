"""Tenders of one sale and what they give back (issue 17).

A sale owes two parts: the insured part's personal share (psn_part_amt, after the fund) and the local part (goods
without insurance). Rules, checked before anything is written (TenderError names the reason, Chinese first):
- the tenders must cover the amount due exactly, except cash, which may exceed it: the excess is change, and only
  cash gives change (the cash part tendered minus the change is what the sale keeps in cash);
- account tenders (personal account, family account) pay only the insured part's personal share — never goods;
  their amounts are the centre's answer (acct_pay / acct_mulaid_pay), not the desk's guess;
- an external tender (WeChat, Alipay, UnionPay) carries the reference number of its payment slip (typed or scanned),
  6-64 letters/digits, not used twice in the same sale; no amount is zero or negative.
Refunds go back to the tenders they came from: a whole return gives each tender its kept amount; a partial refund
of `amount` takes it from the tenders in the reverse order of payment (the last tender first), never more than a
tender took, accounts last (their money returns through the centre's 2103, not the drawer).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from core.domain import ZERO, fmt, money


class Kind(str, Enum):
    CASH = "cash"
    ACCOUNT = "account"  # 个人账户
    FAMILY = "family"  # 家庭共济账户
    WECHAT = "wechat"
    ALIPAY = "alipay"
    UNIONPAY = "unionpay"


NAME_ZH = {Kind.CASH: "现金", Kind.ACCOUNT: "个人账户", Kind.FAMILY: "共济账户", Kind.WECHAT: "微信支付",
           Kind.ALIPAY: "支付宝", Kind.UNIONPAY: "银联卡"}
EXTERNAL = frozenset({Kind.WECHAT, Kind.ALIPAY, Kind.UNIONPAY})
ACCOUNTS = frozenset({Kind.ACCOUNT, Kind.FAMILY})
REFERENCE = re.compile(r"^[0-9A-Za-z]{6,64}$")


def mask_reference(reference: str) -> str:
    """A slip's reference as a receipt or a screen shows it: up to 12 characters whole, a longer one as its
    first 4 and last 6 with **** between (the full number stays in the desk's records, for the refund)."""
    ref = reference.strip()
    return ref if len(ref) <= 12 else f"{ref[:4]}****{ref[-6:]}"


class TenderError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Tender:
    kind: Kind
    amount: Decimal  # what the customer handed over on this tender (cash: before change)
    reference: str = ""

    @classmethod
    def of(cls, kind: str, amount, reference: str = "") -> "Tender":
        try:
            k = Kind(kind)
        except ValueError:
            raise TenderError(f"未知付款方式 {kind!r}", f"unknown tender {kind!r}") from None
        return cls(k, money(amount), reference.strip())


@dataclass(frozen=True)
class Paid:
    """One tender as the sale keeps it: `kept` is what it paid of the sale (cash: tendered minus change)."""

    kind: Kind
    kept: Decimal
    reference: str = ""
    tendered: Decimal = ZERO
    change: Decimal = ZERO

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "name": NAME_ZH[self.kind], "kept": fmt(self.kept), "reference": self.reference,
                "tendered": fmt(self.tendered), "change": fmt(self.change)}


@dataclass(frozen=True)
class Payment:
    paid: tuple[Paid, ...]
    change: Decimal

    def by_kind(self) -> dict[Kind, Decimal]:
        out: dict[Kind, Decimal] = {}
        for p in self.paid:
            out[p.kind] = out.get(p.kind, ZERO) + p.kept
        return out


def check_tender(tender: Tender, used: Iterable[str] = ()) -> Tender:
    """One tender on its own (the pay step adds them one by one): amount > 0, an external tender's reference
    (6-64 letters/digits, not one of `used`). Returns the tender; TenderError names the reason."""
    if tender.amount <= ZERO:
        raise TenderError(f"{NAME_ZH[tender.kind]}金额必须大于 0：{fmt(tender.amount)}",
                          f"{tender.kind.value} amount must be > 0")
    if tender.kind in EXTERNAL:
        if not REFERENCE.match(tender.reference):
            raise TenderError(f"{NAME_ZH[tender.kind]}须填写支付凭证号（6-64 位字母或数字）",
                              f"{tender.kind.value} needs the slip's reference number (6-64 letters/digits)")
        if tender.reference in set(used):
            raise TenderError(f"支付凭证号 {tender.reference} 重复", f"reference {tender.reference} used twice")
    return tender


def settle_tenders(insured_personal: Decimal, local: Decimal, tenders: Iterable[Tender]) -> Payment:
    """Check `tenders` against what the sale owes (see the module's rules) and say what each keeps."""
    tenders = list(tenders)
    insured_personal, local = money(insured_personal), money(local)
    due = insured_personal + local
    if not tenders and due > ZERO:
        raise TenderError(f"未选择付款方式，应收 {fmt(due)} 元", f"no tender for {fmt(due)} due")
    refs: list[str] = []
    for t in tenders:
        check_tender(t, refs)
        if t.kind in EXTERNAL:
            refs.append(t.reference)
    accounts = sum((t.amount for t in tenders if t.kind in ACCOUNTS), ZERO)
    if accounts > insured_personal:
        raise TenderError(f"账户支付 {fmt(accounts)} 元超过医保个人负担 {fmt(insured_personal)} 元（非医保商品不能用医保账户）",
                          f"accounts {fmt(accounts)} exceed the insured personal share {fmt(insured_personal)} "
                          "(goods cannot be paid from an insurance account)")
    non_cash = sum((t.amount for t in tenders if t.kind != Kind.CASH), ZERO)
    cash = sum((t.amount for t in tenders if t.kind == Kind.CASH), ZERO)
    if non_cash > due:
        raise TenderError(f"非现金付款 {fmt(non_cash)} 元超过应收 {fmt(due)} 元（只有现金可以找零）",
                          f"non-cash tenders {fmt(non_cash)} exceed the amount due {fmt(due)} (only cash gives change)")
    if non_cash + cash < due:
        raise TenderError(f"付款合计 {fmt(non_cash + cash)} 元不足应收 {fmt(due)} 元",
                          f"tenders total {fmt(non_cash + cash)}, less than {fmt(due)} due")
    change = non_cash + cash - due
    cash_kept = cash - change
    paid = []
    for t in tenders:
        if t.kind == Kind.CASH:
            paid.append(Paid(t.kind, ZERO, "", t.amount, ZERO))
        else:
            paid.append(Paid(t.kind, t.amount, t.reference, t.amount))
    # the change comes out of the cash tenders as a whole: the sale keeps cash_kept, shown on the last cash line
    cash_rows = [i for i, p in enumerate(paid) if p.kind == Kind.CASH]
    left = cash_kept
    for n, i in enumerate(cash_rows):
        p = paid[i]
        last = n == len(cash_rows) - 1
        kept = left if last else min(p.tendered, left)
        left -= kept
        paid[i] = Paid(p.kind, kept, "", p.tendered, p.tendered - kept if last else ZERO)
    return Payment(tuple(paid), change)


def refund(payment: Payment, amount: Decimal | None = None) -> tuple[Paid, ...]:
    """What goes back to each tender: everything kept (amount None: a whole return), or `amount` taken from the
    last tender first, accounts last. Refuses more than the sale kept."""
    kept = sum((p.kept for p in payment.paid), ZERO)
    want = kept if amount is None else money(amount)
    if want < ZERO or want > kept:
        raise TenderError(f"退款 {fmt(want)} 元超过原付款 {fmt(kept)} 元", f"refund {fmt(want)} exceeds {fmt(kept)} paid")
    order = [p for p in reversed(payment.paid) if p.kind not in ACCOUNTS] + \
            [p for p in reversed(payment.paid) if p.kind in ACCOUNTS]
    out, left = [], want
    for p in order:
        back = min(p.kept, left)
        if back > ZERO:
            out.append(Paid(p.kind, back, p.reference))
            left -= back
    return tuple(out)


@dataclass(frozen=True)
class TenderTotal:
    kind: Kind
    count: int
    paid: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.paid - self.refunded


def totals(sales: Iterable[tuple[Paid, ...]], refunds: Iterable[tuple[Paid, ...]] = ()) -> dict[Kind, TenderTotal]:
    """X/Z per tender: sales (count and amount kept) and refunds, for every tender kind (zero rows included)."""
    count = {k: 0 for k in Kind}
    paid = {k: ZERO for k in Kind}
    back = {k: ZERO for k in Kind}
    for sale in sales:
        for p in sale:
            if p.kept > ZERO:
                count[p.kind] += 1
                paid[p.kind] += p.kept
    for r in refunds:
        for p in r:
            back[p.kind] += p.kept
    return {k: TenderTotal(k, count[k], paid[k], back[k]) for k in Kind}
