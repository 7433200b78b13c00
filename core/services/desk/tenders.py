"""The tenders of a desk sale (issue 17): what the pay step chose, checked before anything is written, and
recorded (core.store.pos) with the centre's settlement; a return gives every amount back to its tender.

The pay step chooses the money that is the desk's (cash with change, WeChat/Alipay/UnionPay with the slip's
reference); what the personal and family accounts paid is the centre's answer (acct_pay / acct_mulaid_pay),
recorded as their own tenders. The check before the settlement uses the preview's personal share and the account
amount asked for; after the centre answered, its figures are the truth: should they differ from the preview (they
do not online: 2102 settles the 2101 figures), the sale is still recorded — with accounts as answered and cash
for the rest — because the centre has settled and the customer has the goods.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from core.domain import ZERO, fmt
from core.i18n import Message
from core.pos.tenders import ACCOUNTS, Kind, Payment as TenderPayment, Tender, TenderError, settle_tenders
from core.services.desk.accounts import CentreAccounts
from core.services.ports import DeskError, Payment

log = logging.getLogger("onewindow.desk")


def refused(exc: TenderError) -> DeskError:
    return DeskError(Message("desk.pay.tenders", exc.zh, exc.en))


def precheck(payment: Payment, personal: Decimal | None, local: Decimal) -> None:
    """Refuse (DeskError naming the reason) tenders that cannot pay the sale the pay step showed, before the
    settlement starts. Without a preview, or with a 共济 holder (the centre decides how much the holder's account
    pays), only the tenders' own rules are checked here."""
    if not payment.tenders:
        return
    if any(t.kind in ACCOUNTS for t in payment.tenders):  # the accounts' amounts are the centre's answer
        raise DeskError(Message("desk.pay.account_tender", "个人账户和共济账户由医保中心结算，请用账户支付键（F8/F6）选择",
                                "accounts are paid through the centre: choose them with the account keys (F8/F6)"))
    try:
        if personal is None or payment.mulaid_psn_no:
            for t in payment.tenders:  # each on its own: amount > 0, the slip's reference
                settle_tenders(ZERO, t.amount, [t])
            return
        account = min(payment.account, personal) if payment.account > ZERO else ZERO
        own = [Tender(Kind.ACCOUNT, account)] if account > ZERO else []
        settle_tenders(personal, local, own + list(payment.tenders))
    except TenderError as exc:
        raise refused(exc) from None


def settled_tenders(payment: Payment, accounts: CentreAccounts | None, account: Decimal, personal: Decimal,
                    local: Decimal) -> list[Tender]:
    """The tenders to record once the centre settled: its account payments, then the pay step's tenders (or, from
    a caller that chose none, cash: what was handed over, at least what was due)."""
    out: list[Tender] = []
    if accounts is not None:
        if accounts.acct_pay > ZERO:
            out.append(Tender(Kind.ACCOUNT, accounts.acct_pay))
        if accounts.acct_mulaid_pay > ZERO:
            out.append(Tender(Kind.FAMILY, accounts.acct_mulaid_pay))
    elif account > ZERO:
        out.append(Tender(Kind.ACCOUNT, account))
    if payment.tenders:
        return out + list(payment.tenders)
    cash_due = personal + local - sum((t.amount for t in out), ZERO)
    cash = max(payment.cash_tendered, cash_due)
    return out + ([Tender(Kind.CASH, cash)] if cash > ZERO else [])


def fallback(tenders: list[Tender], personal: Decimal, local: Decimal, exc: TenderError) -> list[Tender]:
    """The centre's figures differ from the pay step's: accounts as answered, the rest in cash."""
    log.info("tenders %s do not match the settled figures (%s): recorded as cash", tenders, exc.en)
    accounts = [t for t in tenders if t.kind in ACCOUNTS]
    rest = personal + local - sum((t.amount for t in accounts), ZERO)
    return accounts + ([Tender(Kind.CASH, rest)] if rest > ZERO else [])


def cash_figures(pay: TenderPayment) -> tuple[Decimal, Decimal, Decimal]:
    """(cash kept, cash handed over, change) of a recorded payment, for the desk_sale row and the drawer."""
    kept = sum((p.kept for p in pay.paid if p.kind == Kind.CASH), ZERO)
    tendered = sum((p.tendered for p in pay.paid if p.kind == Kind.CASH), ZERO)
    return kept, tendered, pay.change


def summary(pay: TenderPayment) -> str:
    return "，".join(f"{p.kind.value} {fmt(p.kept)}" for p in pay.paid)
