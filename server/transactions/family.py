"""家庭共济 bindings (our extensions 2594-2596, issue 17): a relative bound to an employee's personal account may be
paid for from it at the desk (2102 expContent.mulaid_psn_no, server/transactions/account_pay.py).

2594 binds and 2595 ends a binding at the agency's counter (server/permissions.py: agency only) — the HOLDER
confirms with their own credential (mdtrt_cert_type 01 e-voucher token, 02 ID number, 03 social security card),
which must resolve to the holder; the clerk is the envelope's opter. Both are journaled. 2596 lists the open
bindings of a person (as holder or relative) for the desk, the holder's name masked.
Refused with nothing written: a holder without an account, a relative bound twice to the same holder, a person
bound to themself, a relative who is already a holder (or a holder who is a relative: no chains), an unknown binding.
"""
from __future__ import annotations

from pydantic import Field
from sqlalchemy import and_, insert, or_, select, update

from core.domain import fmt
from server import accounts, db, people
from server.envelope import PlatformError
from server.models_account import family_binding as fb
from server.transactions import Input, transaction
from core.domain.masking import mask_name

RELATIONS = {"1": "配偶", "2": "父母", "3": "子女", "9": "其他近亲属"}


class BindData(Input):
    holder_psn_no: str = Field(min_length=1, max_length=30)
    relative_psn_no: str = Field(min_length=1, max_length=30)
    relation: str = Field(pattern="^[1239]$")
    holder_cert_type: str = Field(min_length=2, max_length=3)
    holder_cert_no: str = Field(min_length=1, max_length=200)
    holder_card_sn: str = Field(default="", max_length=32)


class BindInput(Input):
    data: BindData


class PersonData(Input):
    psn_no: str = Field(min_length=1, max_length=30)


class ListInput(Input):
    data: PersonData


def _confirm(ctx, d) -> None:
    who = people.by_certificate(ctx, d.holder_cert_type, d.holder_cert_no, d.holder_card_sn).person
    if who.person_no != d.holder_psn_no:
        raise PlatformError("账户持有人确认失败：所出示凭证不属于持有人本人 / the credential shown is not the holder's")


def _open(conn, **where):
    cond = [fb.c.ended_at.is_(None)] + [getattr(fb.c, k) == v for k, v in where.items()]
    return conn.execute(select(fb).where(and_(*cond))).mappings().all()


@transaction("2594", "家庭共济绑定", BindInput)
def bind(ctx, inp: BindInput) -> dict:
    d = inp.data
    if d.holder_psn_no == d.relative_psn_no:
        raise PlatformError("不能与本人绑定共济 / a person cannot be bound to themself")
    holder = people.by_person_no(ctx, d.holder_psn_no).person
    people.by_person_no(ctx, d.relative_psn_no)
    _confirm(ctx, d)
    db.lock_person(ctx.conn, d.holder_psn_no)
    if accounts.balance(ctx.conn, holder.person_no, holder.insurance_type) is None:
        raise PlatformError(f"{d.holder_psn_no} 无个人账户（仅职工医保参保人可共济） / the holder has no personal account")
    if _open(ctx.conn, holder_no=d.holder_psn_no, relative_no=d.relative_psn_no):
        raise PlatformError("该亲属已绑定此账户 / the relative is already bound to this holder")
    if _open(ctx.conn, holder_no=d.relative_psn_no) or _open(ctx.conn, relative_no=d.holder_psn_no):
        raise PlatformError("共济关系不能串联：持有人不能是他人的共济亲属，亲属也不能是持有人 / "
                            "no chains: a holder cannot be someone's relative and a relative cannot be a holder")
    bid = ctx.conn.execute(insert(fb).values(
        holder_no=d.holder_psn_no, relative_no=d.relative_psn_no, relation=d.relation, insutype=holder.insurance_type,
        confirmed_by=d.holder_cert_type, begun_at=ctx.now_text, begun_by=f"{ctx.code}/{ctx.env.opter}",
    ).returning(fb.c.id)).scalar()
    ctx.journal("family.bind", {"binding": bid, "holder": d.holder_psn_no, "relative": d.relative_psn_no,
                                "relation": d.relation, "confirmed_by": d.holder_cert_type, "opter": ctx.env.opter})
    return {"data": {"binding_id": str(bid), "holder_psn_no": d.holder_psn_no, "relative_psn_no": d.relative_psn_no,
                     "relation": d.relation, "relation_name": RELATIONS[d.relation], "begntime": ctx.now_text}}


class UnbindData(Input):
    holder_psn_no: str = Field(min_length=1, max_length=30)
    relative_psn_no: str = Field(min_length=1, max_length=30)
    holder_cert_type: str = Field(min_length=2, max_length=3)
    holder_cert_no: str = Field(min_length=1, max_length=200)
    holder_card_sn: str = Field(default="", max_length=32)


class UnbindInput(Input):
    data: UnbindData


@transaction("2595", "家庭共济解绑", UnbindInput)
def unbind(ctx, inp: UnbindInput) -> dict:
    d = inp.data
    _confirm(ctx, d)
    db.lock_person(ctx.conn, d.holder_psn_no)
    rows = _open(ctx.conn, holder_no=d.holder_psn_no, relative_no=d.relative_psn_no)
    if not rows:
        raise PlatformError(f"{d.relative_psn_no} 与 {d.holder_psn_no} 无有效共济绑定 / no open binding to end")
    ctx.conn.execute(update(fb).where(fb.c.id == rows[0]["id"]).values(
        ended_at=ctx.now_text, ended_by=f"{ctx.code}/{ctx.env.opter}"))
    ctx.journal("family.unbind", {"binding": rows[0]["id"], "holder": d.holder_psn_no,
                                  "relative": d.relative_psn_no, "opter": ctx.env.opter})
    return {"data": {"binding_id": str(rows[0]["id"]), "endtime": ctx.now_text}}


@transaction("2596", "家庭共济关系查询", ListInput)
def bindings(ctx, inp: ListInput) -> dict:
    """The open bindings where the person is the holder or the relative, with the holder's masked name and
    balance: the desk offers these accounts when the customer's own is short."""
    psn = inp.data.psn_no
    people.by_person_no(ctx, psn)
    rows = ctx.conn.execute(select(fb).where(fb.c.ended_at.is_(None), or_(fb.c.holder_no == psn, fb.c.relative_no == psn))
                            .order_by(fb.c.id)).mappings().all()
    out = []
    for r in rows:
        holder = people.by_person_no(ctx, r["holder_no"]).person
        bal = accounts.balance(ctx.conn, holder.person_no, holder.insurance_type)
        out.append({"binding_id": str(r["id"]), "holder_psn_no": r["holder_no"], "holder_name": mask_name(holder.name),
                    "relative_psn_no": r["relative_no"], "relation": r["relation"],
                    "relation_name": RELATIONS.get(r["relation"], ""), "begntime": r["begun_at"],
                    "holder_balc": fmt(bal) if bal is not None else None})
    return {"feedetail": out}
