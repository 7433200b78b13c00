"""Ordinary insured purchases at the centre (issue 17): med_type 41 定点药店购药 and the profiles' 门诊统筹 codes,
settled by core.audit.ordinary.ordinary_settlement (core.policy.ordinary with the person's benefit profile's
"ordinary" section) — the same rules the local engine runs; the centre adds only its reading of the usage and the
prescription check. The audit still runs (general rules: health goods, dose, sex/age, duplicate code); the
chronic-only rules the profile names in rules_off are off. Usage (deductible and annual cap) is the person's
scheme-OP settlements of the calendar year at every institution, read under the person lock of 2102.
"""
from __future__ import annotations

from sqlalchemy import func, select

from core.audit import ordinary
from core.domain import Scheme, money
from core.policy.ordinary import OrdinaryPolicy, OrdinaryUsage
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
    return ordinary.rules_off(profile, med_type)


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
    if result.settlement is None:
        return
    if policy is not None and policy.requires_prescription and not (prep.details[0].rxno or prep.info.expContent.get("rxno")):
        raise PlatformError(f"{policy.label}须凭处方：缺少处方号 rxno / med_type {policy.med_type} needs a prescription "
                            "number (drugdetail.rxno)")
    person = prep.found.person
    usage = _usage(ctx, person.person_no) if policy is not None else OrdinaryUsage(money(0), money(0))
    ordinary.ordinary_settlement(result, profile, prep.info.med_type, person.insurance_type, usage, ctx.today)
