"""What the pay step collects (issue 17): the arithmetic of the amount due, out of the widget, pure.

    due = pay_due(personal=D("14.00"), goods=D("25.50"), account=D("4.00"), balance=D("2000"),
                  external=[D("10.00")], cash=D("30"))
    due.total      # 39.50  合计应收: the insured part's personal share + the non-insured goods
    due.cash_due   # 25.50  what is left for cash: total − account − family account − external tenders
    due.change     # 4.50   (None: the cash does not cover cash_due)
    due.check()    # TenderError naming the reason when the tenders do not match (nothing may be written then)

Order of operations (the same as the desk's check in core.pos.tenders.settle_tenders):
1. the personal account pays at most the personal share and its balance (never goods: an insurance account);
2. the family account (共济) pays at most what the own account left of the personal share and the holder's
   balance — an estimate: the centre's answer (acct_mulaid_pay) is the final word;
3. the external tenders (WeChat, Alipay, UnionPay card) pay what they say; together they may not exceed what is
   left (only cash gives change);
4. cash pays the rest; what is handed over beyond it is the change. An empty cash field means "exactly".
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from core.domain import ZERO, fmt, money
from core.pos.tenders import TenderError


@dataclass(frozen=True)
class PayDue:
    personal: Decimal  # 个人负担 of the insured part
    goods: Decimal  # 非医保商品
    account: Decimal  # what the personal account pays
    family: Decimal  # what the family account (共济) pays (estimate)
    external: Decimal  # WeChat + Alipay + UnionPay
    cash_due: Decimal  # 应收现金
    tendered: Decimal  # 实收现金 (cash_due when the field is empty)
    balance: Decimal  # the personal account's balance before this payment

    @property
    def total(self) -> Decimal:
        """合计应收: everything the customer owes for this sale, whatever pays it."""
        return self.personal + self.goods

    @property
    def balance_after(self) -> Decimal:
        return self.balance - self.account

    @property
    def change(self) -> Decimal | None:
        """找零, or None when the cash handed over does not cover what is due in cash (or the tenders are wrong)."""
        if self.problem() is not None:
            return None
        return self.tendered - self.cash_due

    def problem(self) -> TenderError | None:
        """Why these tenders cannot pay the sale (None: they can), Chinese first."""
        rest = self.total - self.account - self.family
        if self.external > rest:
            return TenderError(f"非现金付款 {fmt(self.external)} 元超过应收 {fmt(rest)} 元（只有现金可以找零）",
                               f"non-cash tenders {fmt(self.external)} exceed the {fmt(rest)} due (only cash gives change)")
        if self.tendered < self.cash_due:
            return TenderError(f"现金不足：应收 {fmt(self.cash_due)}，实收 {fmt(self.tendered)}",
                               f"cash short: {fmt(self.cash_due)} due, {fmt(self.tendered)} handed over")
        return None

    def check(self) -> None:
        problem = self.problem()
        if problem is not None:
            raise problem


def pay_due(personal: Decimal, goods: Decimal = ZERO, *, account: Decimal = ZERO, balance: Decimal = ZERO,
            family_balance: Decimal | None = None, external: Iterable[Decimal] = (),
            cash: Decimal | None = None) -> PayDue:
    """The pay step's figures (see the module's order of operations). `account` is what the pharmacist asked
    the personal account to pay, `family_balance` the chosen 共济 holder's balance (None: no holder), `external`
    the amounts of the external tenders, `cash` what was handed over (None: exactly the cash due)."""
    personal, goods = money(personal), money(goods)
    for amount in external:
        if money(amount) <= ZERO:
            raise TenderError(f"付款金额必须大于 0：{fmt(money(amount))}", f"tender amount must be > 0: {fmt(money(amount))}")
    used = max(ZERO, min(money(account), personal, money(balance)))
    family = max(ZERO, min(personal - used, money(family_balance))) if family_balance is not None else ZERO
    ext = sum((money(a) for a in external), ZERO)
    cash_due = max(ZERO, personal + goods - used - family - ext)
    tendered = cash_due if cash is None else money(cash)
    return PayDue(personal, goods, used, family, ext, cash_due, tendered, money(balance))


__all__ = ["PayDue", "pay_due"]
