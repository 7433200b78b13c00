"""Personal-account payments at the desk (issue 17): the pay step's choice travels to the centre in the basket,
and the amounts the centre paid from the accounts come back from the sync layer's journal.

The balance is the centre's (server.accounts): the desk never computes what an account pays, it asks (2101/2102
with acct_used_flag 1, expContent.acct_pay / mulaid_psn_no) and records the answer. Offline, a sale that asks for
an account is refused by the offline floor (core.sync.offline: reason "account"), whose message tells the
pharmacist to take cash instead.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select

from core.domain import ZERO, fmt, money
from core.i18n import Message
from core.policy.account import ACCOUNT_INSUTYPES, AccountError, split
from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.desk.base import DeskBase
from core.services.pharmacy_sale import Sale
from core.services.ports import DeskError, PatientCard, Payment
from core.sync.models import SyncJournal

OFFLINE = Message("desk.account.offline", "个人账户及家庭共济须联网使用，请改用现金等方式支付",
                  "personal and family accounts need the centre: take cash or another tender")


@dataclass(frozen=True)
class FamilyHolder:
    """A bound account holder who may pay for this customer (2596): name masked by the centre."""

    psn_no: str
    name_masked: str
    relation: str
    balance: Decimal | None


@dataclass(frozen=True)
class CentreAccounts:
    acct_pay: Decimal
    acct_mulaid_pay: Decimal
    balance_after: Decimal | None

    @property
    def total(self) -> Decimal:
        return self.acct_pay + self.acct_mulaid_pay


def account_extra(sale: Sale) -> dict:
    """The basket's extra["account"] for this sale ({} when no account pays: the basket stays as before)."""
    if not (sale.account_use or sale.mulaid_psn_no):
        return {}
    choice: dict = {"use": bool(sale.account_use)}
    if sale.account_use and sale.account_amount is not None:
        choice["acct_pay"] = fmt(sale.account_amount)
    if sale.mulaid_psn_no:
        choice["mulaid_psn_no"] = sale.mulaid_psn_no
    return {"account": choice}


def with_payment(sale: Sale, payment: Payment, personal: Decimal | None) -> Sale:
    """The sale as it is settled: the account amount typed at the pay step (capped at the personal share the
    preview showed) or the 共济 holder chosen there; a payment without any account leaves the sale as it was."""
    if payment.account <= ZERO and not payment.mulaid_psn_no:
        return sale
    amount = None
    if payment.account > ZERO:
        amount = min(payment.account, personal) if personal is not None else payment.account
    return replace(sale, account_use=payment.account > ZERO, account_amount=amount,
                   mulaid_psn_no=payment.mulaid_psn_no)


def check_account(payment: Payment, card: PatientCard, personal: Decimal | None) -> None:
    """Refuse, before anything is written, an account payment the desk already knows cannot be made: offline (the
    balance is the centre's; the message offers cash), no personal account (residents), or an amount the balance
    shown at identification cannot pay (it would go negative). The centre checks again under its lock (2102)."""
    if payment.account <= ZERO and not payment.mulaid_psn_no:
        return
    if not card.online:
        raise DeskError(OFFLINE)
    if payment.account <= ZERO:
        return  # 共济 only: the holder's balance is the centre's to check
    asked = min(payment.account, personal) if personal is not None else payment.account
    balance = card.balance if card.insurance_type in ACCOUNT_INSUTYPES else None
    try:
        split(personal if personal is not None else asked, use_account=True, balance=balance, asked=asked)
    except AccountError as exc:
        zh, _, en = str(exc).partition(" / ")
        raise DeskError(Message("desk.account.refused", zh, en or zh)) from None


def centre_accounts(session, sync_id: str) -> CentreAccounts | None:
    """What the centre's 2102 answer said the accounts paid (the sync layer journals it with the settled
    transition); None while the centre has not answered (offline: no account payment was allowed)."""
    rows = session.scalars(select(SyncJournal.data).where(
        SyncJournal.sale_id == sync_id, SyncJournal.to_state == "settled").order_by(SyncJournal.seq.desc())).all()
    for data in rows:
        centre = (json.loads(data or "{}") or {}).get("centre")
        if isinstance(centre, dict):
            balc = centre.get("balc")
            return CentreAccounts(money(centre.get("acct_pay") or "0"), money(centre.get("acct_mulaid_pay") or "0"),
                                  None if balc in (None, "") else money(balc))
    return None


class FamilyAccounts(DeskBase):
    def family_holders(self, psn_no: str) -> list[FamilyHolder]:
        """The holders whose accounts may pay for `psn_no` (open 共济 bindings, the centre's balances); online only."""
        if self.link is None:
            raise DeskError(OFFLINE)
        try:
            rows = self.link.call(self._infno("family_accounts"), {"data": {"psn_no": psn_no}}).get("feedetail", [])
        except CentreUnreachable:
            raise DeskError(OFFLINE) from None
        except CentreRefused as exc:
            raise DeskError(Message("desk.account.refused", f"共济关系查询被拒绝：{exc.err_msg}",
                                    f"the family-account query was refused: {exc.err_msg}")) from None
        out = []
        for r in rows:
            if r.get("relative_psn_no") != psn_no:
                continue  # the customer is the holder of this binding, not a relative
            bal = r.get("holder_balc")
            out.append(FamilyHolder(str(r["holder_psn_no"]), str(r.get("holder_name") or ""),
                                    str(r.get("relation_name") or ""), None if bal in (None, "") else money(bal)))
        return out
