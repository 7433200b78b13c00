"""3201 对总账: the institution's totals for a period against the centre's."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field
from sqlalchemy import func, select

from core.domain import fmt
from core.store.models import PersonRow, SettlementRow
from server.accounts import PAID_KINDS
from server.envelope import PlatformError
from server.models_account import account_move
from server.transactions import Input, transaction


class StatementData(Input):
    insutype: str = Field(default="", max_length=6)
    clr_type: str = Field(default="", max_length=6)
    setl_optins: str = Field(default="", max_length=6)
    stmt_begndate: str = Field(min_length=10, max_length=19)
    stmt_enddate: str = Field(min_length=10, max_length=19)
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal = Decimal("0")
    fixmedins_setl_cnt: int = Field(ge=0)
    refd_setl_flag: str = Field(default="0", pattern="^[01]$")


class StatementInput(Input):
    data: StatementData


def _day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise PlatformError(f"{name}: not a date: {text!r}") from None


def totals(session, code: str, since: dt.date, until: dt.date, insutype: str = "", include_reversed: bool = False):
    stmt = (
        select(func.count(), func.coalesce(func.sum(SettlementRow.total), 0), func.coalesce(func.sum(SettlementRow.fund), 0))
        .select_from(SettlementRow)
        .where(SettlementRow.facility_code == code, SettlementRow.date >= since, SettlementRow.date <= until)
    )
    if not include_reversed:
        stmt = stmt.where(SettlementRow.reversed_on.is_(None))
    if insutype:
        stmt = stmt.join(PersonRow, PersonRow.person_no == SettlementRow.person_no).where(PersonRow.insurance_type == insutype)
    count, total, fund = session.execute(stmt).one()
    return int(count), Decimal(total).quantize(Decimal("0.01")), Decimal(fund).quantize(Decimal("0.01"))


def account_total(session, code: str, since: dt.date, until: dt.date, insutype: str = "",
                  include_reversed: bool = False) -> Decimal:
    """What personal accounts paid (own acct_pay and 共济 acct_mulaid_pay) for the same settlements as `totals`."""
    stmt = (
        select(func.coalesce(func.sum(account_move.c.amount), 0))
        .select_from(account_move)
        .join(SettlementRow, SettlementRow.settlement_id == account_move.c.setl_id)
        .where(account_move.c.kind.in_(PAID_KINDS), SettlementRow.facility_code == code,
               SettlementRow.date >= since, SettlementRow.date <= until)
    )
    if not include_reversed:
        stmt = stmt.where(SettlementRow.reversed_on.is_(None))
    if insutype:
        stmt = stmt.join(PersonRow, PersonRow.person_no == SettlementRow.person_no).where(PersonRow.insurance_type == insutype)
    return (-Decimal(session.execute(stmt).scalar())).quantize(Decimal("0.01"))


@transaction("3201", "对总账", StatementInput)
def statement(ctx, inp: StatementInput) -> dict:
    d = inp.data
    since, until = _day(d.stmt_begndate, "stmt_begndate"), _day(d.stmt_enddate, "stmt_enddate")
    if until < since:
        raise PlatformError("stmt_enddate is before stmt_begndate")
    count, total, fund = totals(ctx.session, ctx.code, since, until, d.insutype, d.refd_setl_flag == "1")
    acct = account_total(ctx.session, ctx.code, since, until, d.insutype, d.refd_setl_flag == "1")
    diffs = []
    if count != d.fixmedins_setl_cnt:
        diffs.append(f"笔数 count: institution {d.fixmedins_setl_cnt}, centre {count}")
    if Decimal(d.medfee_sumamt).quantize(Decimal("0.01")) != total:
        diffs.append(f"医疗费总额 medfee_sumamt: institution {fmt(d.medfee_sumamt)}, centre {fmt(total)}")
    if Decimal(d.fund_pay_sumamt).quantize(Decimal("0.01")) != fund:
        diffs.append(f"基金支付 fund_pay_sumamt: institution {fmt(d.fund_pay_sumamt)}, centre {fmt(fund)}")
    if Decimal(d.acct_pay).quantize(Decimal("0.01")) != acct:
        diffs.append(f"个人账户支付 acct_pay: institution {fmt(d.acct_pay)}, centre {fmt(acct)}")
    return {"stmtinfo": {
        "setl_optins": d.setl_optins or ctx.env.mdtrtarea_admvs,
        "stmt_rslt": "0" if not diffs else "1",
        "stmt_rslt_dscr": "账平" if not diffs else "账不平: " + "; ".join(diffs),
        "medfee_sumamt": fmt(total), "fund_pay_sumamt": fmt(fund), "acct_pay": fmt(acct),
        "fixmedins_setl_cnt": count,
    }}
