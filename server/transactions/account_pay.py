"""Paying a settlement's personal share from personal accounts (2101/2102), issue 17.

core.policy.account.split decides the amounts (the same order offline and here); this module reads the balances,
checks the family-sharing binding, pays out inside the 2102 transaction and writes the answer's fields:
`acct_pay` (own account), `acct_mulaid_pay` (a bound holder's account, 共济), `psn_cash_pay` (the rest), `balc`
(the own balance after). The desk asks with druginfo.acct_used_flag 1 and, for 共济, expContent.mulaid_psn_no
(the holder's psn_no); expContent.acct_pay / acct_mulaid_pay name exact amounts (else: as much as the balance
allows). Any refusal (balance short, relative not bound, holder without an account) is an infcode -1 with
nothing written: the settlement's own writes come after these checks, in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.domain import fmt
from core.domain.masking import mask_name
from core.policy.account import AccountError, AccountSplit, split
from server import accounts, people
from server.envelope import PlatformError


@dataclass(frozen=True)
class AccountPlan:
    split: AccountSplit
    person_no: str
    insutype: str
    holder_no: str | None = None
    holder_name: str = ""


def plan(ctx, prep, settlement) -> AccountPlan:
    info, person = prep.info, prep.found.person
    ext = info.expContent
    insutype = person.insurance_type
    known = getattr(ctx, "balances", None)  # read ahead with the person (settlement._LockAndRead)
    if known is not None and known[0] == person.person_no:
        own = accounts.from_row(known[1].get(insutype))
    else:
        own = accounts.balance(ctx.conn, person.person_no, insutype)
    holder_no = str(ext.get("mulaid_psn_no") or "").strip() or None
    holder_balance, holder_name = None, ""
    if holder_no is not None:
        if holder_no == person.person_no:
            raise PlatformError("共济账户持有人不能是本人 / mulaid_psn_no is the person themself: use acct_used_flag")
        if accounts.bound_holder(ctx.conn, person.person_no, holder_no) is None:
            raise PlatformError(f"参保人 {person.person_no} 未与 {holder_no} 绑定家庭共济（或已解除） / "
                                f"{person.person_no} is not bound to account holder {holder_no} (家庭共济)")
        holder = people.by_person_no(ctx, holder_no).person
        holder_balance = accounts.balance(ctx.conn, holder_no, holder.insurance_type)
        if holder_balance is None:
            raise PlatformError(f"共济账户持有人 {holder_no} 无个人账户 / the holder {holder_no} has no personal account")
        holder_name = mask_name(holder.name)
    try:
        s = split(settlement.personal_payment, use_account=info.acct_used_flag == "1", balance=own,
                  asked=ext.get("acct_pay"), holder_balance=holder_balance, asked_mulaid=ext.get("acct_mulaid_pay"))
    except AccountError as exc:
        raise PlatformError(str(exc)) from None
    return AccountPlan(s, person.person_no, insutype, holder_no, holder_name)


def pay(ctx, p: AccountPlan, setl_id: str) -> None:
    """2102: pay out, the accounts in person-number order (two sales of a mutually bound pair cannot deadlock)."""
    holder_type = None
    if p.holder_no is not None:
        holder_type = people.by_person_no(ctx, p.holder_no).person.insurance_type
    steps = [(p.person_no, p.insutype, p.split.acct_pay, "acct"), (p.holder_no, holder_type, p.split.mulaid_pay, "mulaid")]
    for person_no, insutype, amount, kind in sorted((s for s in steps if s[0] and s[2] > 0), key=lambda s: s[0]):
        after = accounts.debit(ctx.conn, person_no=person_no, insutype=insutype, amount=amount, setl_id=setl_id,
                               patient_no=p.person_no, kind=kind, code=ctx.code, at=ctx.now_text)
        if after is None:  # another sale took the money between our read and this write
            raise PlatformError(f"个人账户余额不足（{person_no} 余额已变化），请重新预结算 / the balance of {person_no} "
                                "changed and is now short: pre-settle again")


def merge(out: dict, p: AccountPlan) -> dict:
    s = p.split
    info = out["setlinfo"]
    info.update(acct_pay=fmt(s.acct_pay), acct_mulaid_pay=fmt(s.mulaid_pay), psn_cash_pay=fmt(s.cash),
                balc=fmt(s.balance_after) if s.balance_after is not None else "0.00")
    info["expContent"]["account"] = {**s.to_dict(), "mulaid_psn_no": p.holder_no, "mulaid_psn_name": p.holder_name}
    return out


def journal_fields(p: AccountPlan) -> dict:
    s = p.split
    return {"acct_pay": fmt(s.acct_pay), "acct_mulaid_pay": fmt(s.mulaid_pay), "mulaid_psn_no": p.holder_no}

