"""How a settlement's personal share is paid: personal account (个人账户), family sharing (共济) and cash.

The fund's share is the fund's; only the person's share (psn_part_amt) can be drawn from an account. The order,
the same at the centre (server/transactions/account_pay.py) and in the local engine:

1. personal = total - fund (the calculator's personal_payment), never below zero;
2. own account: acct_pay = the amount asked for, or — when none is named — min(personal, own balance); asking for
   more than the balance (the balance would go negative) or more than the personal share is refused;
3. family sharing: the shortfall = personal - acct_pay; acct_mulaid_pay = the amount asked for, or min(shortfall,
   the holder's balance); asking for more than the holder's balance or the shortfall is refused;
4. cash = personal - acct_pay - acct_mulaid_pay (psn_cash_pay).

All amounts are cents (Decimal, two places); nothing here rounds because every input is already a cent amount.
A resident (城乡居民, insutype 390) has no personal account: asking to use one is refused, not silently ignored,
because paying from the account is an explicit choice at the desk — unless a bound holder's account pays (共济).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.domain import ZERO, fmt, money

# Insurance types that carry a personal account (职工基本医疗保险). Residents (390) have none.
ACCOUNT_INSUTYPES = frozenset({"310"})


class AccountError(ValueError):
    """The account payment cannot be made as asked; the message is Chinese first, English second."""


@dataclass(frozen=True)
class AccountSplit:
    personal: Decimal
    acct_pay: Decimal
    mulaid_pay: Decimal
    cash: Decimal
    balance_before: Decimal | None  # None: the person has no account
    holder_balance_before: Decimal | None = None

    @property
    def balance_after(self) -> Decimal | None:
        return None if self.balance_before is None else self.balance_before - self.acct_pay

    @property
    def holder_balance_after(self) -> Decimal | None:
        return None if self.holder_balance_before is None else self.holder_balance_before - self.mulaid_pay

    def to_dict(self) -> dict[str, str | None]:
        def opt(v: Decimal | None) -> str | None:
            return None if v is None else fmt(v)

        return {"personal": fmt(self.personal), "acct_pay": fmt(self.acct_pay), "acct_mulaid_pay": fmt(self.mulaid_pay),
                "psn_cash_pay": fmt(self.cash), "balance_before": opt(self.balance_before),
                "balance_after": opt(self.balance_after), "holder_balance_before": opt(self.holder_balance_before),
                "holder_balance_after": opt(self.holder_balance_after)}


def _asked(value: Decimal | str | None, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = money(value)
    except (ArithmeticError, ValueError):
        raise AccountError(f"{name} 金额无效 / {name} is not an amount: {value!r}") from None
    if amount < ZERO:
        raise AccountError(f"{name} 不能为负数 / {name} must not be negative: {fmt(amount)}")
    return amount


def split(personal: Decimal, *, use_account: bool, balance: Decimal | None,
          asked: Decimal | str | None = None, holder_balance: Decimal | None = None,
          asked_mulaid: Decimal | str | None = None) -> AccountSplit:
    """The payment of `personal` (see the module's order). `balance` None: no own account; `holder_balance`
    None: no family sharing in this sale."""
    personal = max(ZERO, money(personal))
    want, want_mulaid = _asked(asked, "acct_pay"), _asked(asked_mulaid, "acct_mulaid_pay")
    acct = ZERO
    if use_account:
        if balance is None and holder_balance is None:
            raise AccountError("该参保人无个人账户（城乡居民医保不设个人账户），请改用现金等方式 / "
                               "this person has no personal account (residents' insurance has none): pay otherwise")
        if balance is None:  # a relative without an account of their own: only the holder's pays (共济)
            if want:
                raise AccountError("该参保人无个人账户，不能指定账户支付金额 / no own account to pay acct_pay from")
        elif want is None:
            acct = min(personal, max(ZERO, balance))
        else:
            if want > balance:
                raise AccountError(f"个人账户余额不足：余额 {fmt(balance)} 元，拟支付 {fmt(want)} 元 / "
                                   f"the account balance {fmt(balance)} would go negative paying {fmt(want)}")
            if want > personal:
                raise AccountError(f"账户支付 {fmt(want)} 元超过个人负担 {fmt(personal)} 元 / "
                                   f"acct_pay {fmt(want)} exceeds the personal share {fmt(personal)}")
            acct = want
    elif want:
        raise AccountError("未选择使用个人账户（acct_used_flag 0）却指定了账户支付金额 / "
                           "acct_pay given while acct_used_flag is 0")
    mulaid = ZERO
    shortfall = personal - acct
    if holder_balance is not None:
        if want_mulaid is None:
            mulaid = min(shortfall, max(ZERO, holder_balance))
        else:
            if want_mulaid > holder_balance:
                raise AccountError(f"共济账户余额不足：余额 {fmt(holder_balance)} 元，拟支付 {fmt(want_mulaid)} 元 / "
                                   f"the holder's balance {fmt(holder_balance)} would go negative paying "
                                   f"{fmt(want_mulaid)}")
            if want_mulaid > shortfall:
                raise AccountError(f"共济支付 {fmt(want_mulaid)} 元超过尚需支付的 {fmt(shortfall)} 元 / "
                                   f"acct_mulaid_pay {fmt(want_mulaid)} exceeds what is left to pay {fmt(shortfall)}")
            mulaid = want_mulaid
    elif want_mulaid:
        raise AccountError("未指定共济账户持有人却指定了共济支付金额 / acct_mulaid_pay given without a holder")
    return AccountSplit(personal=personal, acct_pay=acct, mulaid_pay=mulaid, cash=personal - acct - mulaid,
                        balance_before=balance, holder_balance_before=holder_balance)
