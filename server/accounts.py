"""Personal accounts at the centre (个人账户) and their movements; family-sharing bindings (家庭共济).

The balance is the centre's alone: it changes only here, inside the request's transaction, by a guarded UPDATE
(`balance >= amount`) so two sales paying from the same account at once can never take it below zero — the
second one finds the balance short and is refused, whatever the order the database runs them in. Every change
writes a row in centre_account_move naming the settlement, so a reversal gives each amount back to the account
it came from.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from core.domain import ZERO, fmt, money
from server.models_account import account, account_move, family_binding

OPENING = Path(__file__).resolve().parents[1] / "resources" / "demo" / "accounts.json"
PAID_KINDS = ("acct", "mulaid")


_BALANCE = select(account.c.balance).where(account.c.person_no == bindparam("p"), account.c.insutype == bindparam("t"))


def balance(conn: Connection, person_no: str, insutype: str) -> Decimal | None:
    """The account's balance, or None when the person has no account of this insurance type."""
    return from_row(conn.execute(_BALANCE, {"p": person_no, "t": insutype}).scalar())  # prebuilt: ~3× cheaper


def from_row(value) -> Decimal | None:  # noqa: ANN001
    """A balance column's value as balance() answers it."""
    return None if value is None else money(value)


def debit(conn: Connection, *, person_no: str, insutype: str, amount: Decimal, setl_id: str, patient_no: str,
          kind: str, code: str, at: str) -> Decimal | None:
    """Pay `amount` out of the account; the new balance, or None when the balance is short (nothing written)."""
    if amount <= ZERO:
        return balance(conn, person_no, insutype)
    n = conn.execute(update(account).where(
        account.c.person_no == person_no, account.c.insutype == insutype, account.c.balance >= amount,
    ).values(balance=account.c.balance - amount, updated_at=at)).rowcount
    if n != 1:
        return None
    after = balance(conn, person_no, insutype)
    assert after is not None
    conn.execute(insert(account_move), {"setl_id": setl_id, "person_no": person_no, "insutype": insutype,
                                        "patient_no": patient_no, "kind": kind, "amount": -amount,
                                        "balance_after": after, "fixmedins_code": code, "at": at})
    return after


def give_back(conn: Connection, setl_id: str, *, code: str, at: str) -> list[dict]:
    """A cancelled or reversed settlement: every amount paid from an account goes back to THAT account (the
    holder's for 共济). Safe to call twice: a settlement already given back gives nothing."""
    moves = conn.execute(select(account_move).where(account_move.c.setl_id == setl_id)
                         .order_by(account_move.c.id)).mappings().all()
    if any(m["kind"] == "return" for m in moves):
        return []
    done = []
    for m in moves:
        if m["kind"] not in PAID_KINDS:
            continue
        amount = -money(m["amount"])
        conn.execute(update(account).where(account.c.person_no == m["person_no"], account.c.insutype == m["insutype"])
                     .values(balance=account.c.balance + amount, updated_at=at))
        after = balance(conn, m["person_no"], m["insutype"])
        conn.execute(insert(account_move), {"setl_id": setl_id, "person_no": m["person_no"], "insutype": m["insutype"],
                                            "patient_no": m["patient_no"], "kind": "return", "amount": amount,
                                            "balance_after": after, "fixmedins_code": code, "at": at})
        done.append({"person_no": m["person_no"], "kind": m["kind"], "amount": fmt(amount), "balance_after": fmt(after)})
    return done


def paid(conn: Connection, setl_id: str) -> tuple[Decimal, Decimal]:
    """(own account, family sharing) paid by one settlement, before any return."""
    rows = conn.execute(select(account_move.c.kind, func.sum(account_move.c.amount))
                        .where(account_move.c.setl_id == setl_id, account_move.c.kind.in_(PAID_KINDS))
                        .group_by(account_move.c.kind)).all()
    got = {k: -money(v) for k, v in rows}
    return got.get("acct", ZERO), got.get("mulaid", ZERO)


def bound_holder(conn: Connection, relative_no: str, holder_no: str) -> dict | None:
    """The open binding of `relative_no` to `holder_no`, or None."""
    row = conn.execute(select(family_binding).where(and_(
        family_binding.c.relative_no == relative_no, family_binding.c.holder_no == holder_no,
        family_binding.c.ended_at.is_(None)))).mappings().first()
    return dict(row) if row else None


def open_account(conn: Connection, person_no: str, insutype: str, amount: Decimal, *, at: str) -> bool:
    """Create an account with an opening balance; an existing account is left as it is (its balance is live)."""
    if balance(conn, person_no, insutype) is not None:
        return False
    conn.execute(insert(account), {"person_no": person_no, "insutype": insutype, "balance": amount, "updated_at": at})
    conn.execute(insert(account_move), {"setl_id": "", "person_no": person_no, "insutype": insutype,
                                        "patient_no": person_no, "kind": "open", "amount": amount,
                                        "balance_after": amount, "fixmedins_code": "", "at": at})
    return True


def seed_opening(conn: Connection, person_types: dict[str, str], *, at: str, path: Path = OPENING) -> int:
    """Opening balances of the demo and vectors' worlds (resources/demo/accounts.json): the listed employees get
    their amount, every other employee (310) the file's default; residents get no account. Re-seeding never
    touches an existing balance."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    listed = {k: money(v) for k, v in spec.get("balances", {}).items()}
    default = money(spec.get("default_employee_balance", "0"))
    made = 0
    for person_no, insutype in sorted(person_types.items()):
        if insutype not in spec.get("insutypes_with_account", ["310"]):
            continue
        made += open_account(conn, person_no, insutype, listed.get(person_no, default), at=at)
    return made
