"""The local engine's ordinary insured purchase (issue 17): med_type 41 定点药店购药 and the profile's 门诊统筹 codes,
audited and settled the way the centre does it (server/transactions/settlement.py + ordinary_pay.py), so a desk
that is offline shows, and a provisional sale records, the figures the centre will answer.

A sale is an ordinary purchase when its requested scheme is Scheme.OP (the desk chooses it from the med_type:
core.policy.ordinary.is_ordinary). Order, the same as the centre's:

1. the audit runs under the person's first registered scheme (LB when they have none — any insured person may
   buy), with the chronic-only rules the profile's "ordinary" section lists in rules_off switched off; the
   general rules (health goods, dose, sex/age, duplicate code, trace codes) stay;
2. the chronic settlement the audit computed is replaced by core.policy.ordinary.settle on the same line amounts,
   with the year's usage of scheme OP from the history (this calendar year, reversals excluded);
3. a med_type the profile has no policy for (41 without an "ordinary" section): the fund pays nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Mapping

from core.audit.engine import evaluate
from core.audit.history import HistoryRepository
from core.audit.result import AuditResult
from core.domain import ZERO, AuditRequest, Drug, Facility, Person, Scheme
from core.policy.ordinary import CHRONIC_ONLY_RULES, OrdinaryUsage, settle, usage_from
from core.policy.profile import Profile, RuleSetting


def audit_scheme(person: Person) -> Scheme:
    """The scheme an ordinary purchase is audited under (not settled under): the centre's choice."""
    regs = person.registrations
    return regs[0].scheme if regs else Scheme.LB


def rules_off(profile: Profile, med_type: str) -> tuple[str, ...]:
    """The rules the ordinary policy of `med_type` switches off (all chronic-only ones when the profile has no
    policy for it). The centre switches off the same ones (server/transactions/ordinary_pay.py)."""
    policy = profile.ordinary.get(med_type)
    return policy.rules_off if policy is not None else CHRONIC_ONLY_RULES


def without_chronic_rules(profile: Profile, med_type: str) -> Profile:
    """The profile with `rules_off(profile, med_type)` switched off."""
    off = rules_off(profile, med_type)
    return dataclasses.replace(profile, rules={**profile.rules, **{r: RuleSetting(enabled=False) for r in off}})


def ordinary_settlement(result: AuditResult, profile: Profile, med_type: str, insurance_type: str,
                        usage: OrdinaryUsage, day: dt.date) -> None:
    """Steps 2 and 3: the audit's chronic settlement replaced (in place) by the ordinary one — the policy's figures
    on the same line amounts with the year's usage, or, for a med_type the profile has no policy for, the whole
    amount the person's. The local engine and the centre (with its own reading of the usage) both call this."""
    s = result.settlement
    if s is None:
        return
    policy = profile.ordinary.get(med_type)
    if policy is None:  # no policy data for this code: the whole amount is the person's
        result.settlement = dataclasses.replace(
            s, scheme=Scheme.OP, fund_payment=ZERO, personal_payment=s.total, raw_fund=ZERO, deductible_applied=ZERO,
            expense_counted=ZERO, cap_used_after=s.cap_used_before)
        return
    preview, steps = settle(policy, insurance_type, [line.amounts for line in result.lines], usage, day)
    result.settlement, result.arithmetic = preview, list(steps)


def evaluate_sale(request: AuditRequest, history: HistoryRepository, profile: Profile, catalogue: Mapping[str, Drug],
                  facilities: Mapping[str, Facility] | None = None, *, med_type: str | None = None) -> AuditResult:
    """core.audit.engine.evaluate for a chronic sale; for an ordinary one (requested_scheme OP) the module's order."""
    if request.requested_scheme is not Scheme.OP:
        return evaluate(request, history, profile, catalogue, facilities)
    med = med_type or "41"
    result = evaluate(dataclasses.replace(request, requested_scheme=audit_scheme(request.person)), history,
                      without_chronic_rules(profile, med), catalogue, facilities)
    result.requested_scheme = Scheme.OP
    if result.settlement is None:
        return result
    day = request.date
    usage = usage_from(history.settlements(request.person.person_no, dt.date(day.year, 1, 1), day), day) \
        if med in profile.ordinary else OrdinaryUsage(ZERO, ZERO)
    ordinary_settlement(result, profile, med, request.person.insurance_type, usage, day)
    return result
