"""Ordinary insured purchases at the centre (issue 17): med_type 41 定点药店购药 and the profiles' 门诊统筹 codes,
settled by core.policy.ordinary with the person's benefit profile's "ordinary" section — the same function the
local engine runs. The audit still runs (general rules: health goods, dose, sex/age, duplicate code); the
chronic-only rules the profile names in rules_off are off. Usage (deductible and annual cap) is the person's
scheme-OP settlements of the calendar year at every institution, read under the person lock of 2102.
"""
from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from core.domain import Scheme, money
from core.policy.ordinary import CHRONIC_ONLY_RULES, OrdinaryPolicy, OrdinaryUsage, settle
from core.store.models import SettlementRow
from server import reference
from server.envelope import PlatformError

BUILT_IN = frozenset({"41"})  # 定点药店购药 is accepted even by a profile without an "ordinary" section


def med_types(ctx) -> frozenset[str]:
    """Every med_type that is an ordinary purchase in some loaded profile (and 41)."""
    def build() -> frozenset[str]:
        found = set(BUILT_IN)
        for p in reference.profiles(ctx.centre, ctx.conn).values():
            found.update(p.ordinary)
        return frozenset(found)

    return ctx.centre.cached("ordinary.med_types", build)


def policy_of(profile, med_type: str) -> OrdinaryPolicy | None:
    return profile.ordinary.get(med_type)


def rules_off(profile, med_type: str) -> tuple[str, ...]:
    p = policy_of(profile, med_type)
    return p.rules_off if p is not None else CHRONIC_ONLY_RULES


def _usage(ctx, person_no: str) -> OrdinaryUsage:
    year = ctx.today.year
    fund, ded = ctx.conn.execute(
        select(func.coalesce(func.sum(SettlementRow.fund), 0), func.coalesce(func.sum(SettlementRow.deductible_applied), 0))
        .where(SettlementRow.person_no == person_no, SettlementRow.scheme == Scheme.OP.value,
               SettlementRow.period == str(year), SettlementRow.reversed_on.is_(None))).one()
    return OrdinaryUsage(money(fund), money(ded))


def apply(ctx, prep, profile, result) -> None:
    """Replace the audit's chronic settlement by the ordinary one (result.settlement, result.arithmetic)."""
    policy = policy_of(profile, prep.info.med_type)
    s = result.settlement
    if s is None:
        return
    if policy is None:  # no policy data for this code: the whole amount is the person's (as before issue 17)
        result.settlement = dataclasses.replace(
            s, fund_payment=money(0), personal_payment=s.total, raw_fund=money(0), deductible_applied=money(0),
            expense_counted=money(0), cap_used_after=s.cap_used_before)
        return
    if policy.requires_prescription and not (prep.details[0].rxno or prep.info.expContent.get("rxno")):
        raise PlatformError(f"{policy.label}须凭处方：缺少处方号 rxno / med_type {policy.med_type} needs a prescription "
                            "number (drugdetail.rxno)")
    lines = [line.amounts for line in result.lines]
    preview, steps = settle(policy, prep.found.person.insurance_type, lines, _usage(ctx, prep.found.person.person_no),
                            ctx.today)
    result.settlement = preview
    result.arithmetic = list(steps)
