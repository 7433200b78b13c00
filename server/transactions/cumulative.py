"""5206 人员累计信息查询: what a person has used of each scheme's cap in the current period, and what is left.

Computed with the same calculator the settlement uses (core.policy.calculator.settle with no lines), on the
centre's complete history, for every scheme the person has an active registration in. The pharmacy desk
shows it on the patient card ("quota used and left this period").
"""
from __future__ import annotations

import datetime as dt

from pydantic import Field

from core.audit.context import resolve_scheme
from core.domain import Scheme, fmt
from core.policy.calculator import period_start, settle, usage_from
from server import people, reference
from server.history import CentreHistory
from server.transactions import Input, transaction


class CumulativeQuery(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    cum_ym: str = Field(default="", max_length=7)


class CumulativeInput(Input):
    data: CumulativeQuery


@transaction("5206", "人员累计信息查询", CumulativeInput)
def cumulative(ctx, inp: CumulativeInput) -> dict:
    found = people.by_person_no(ctx, inp.data.psn_no)
    person = found.person
    profile = reference.profile_for(ctx.centre, ctx.conn, getattr(found, "profile_id", None))
    facility = reference.facility(ctx.centre, ctx.conn, ctx.code)
    day = ctx.today
    history = CentreHistory(ctx.conn)
    records = history.settlements(person.person_no, dt.date(day.year - 1, 1, 1), day)
    out = []
    for scheme in (Scheme.MT, Scheme.LB):
        active = [r for r in person.registrations if r.scheme == scheme and r.active_on(day)]
        policy = profile.scheme(scheme)
        if not active or policy is None:
            continue
        resolved, _ = resolve_scheme(person, scheme, day, profile)
        if resolved != scheme:
            continue
        level = facility.benefit_level if facility.benefit_level in policy.allowed_levels else policy.allowed_levels[0]
        usage = usage_from(records, scheme, day, policy.cap_period)
        preview = settle(policy, person.insurance_type, level, [r.disease for r in active], [], usage, day)
        out.append({
            "scheme": scheme.value, "period": preview.period,
            "begndate": period_start(day, policy.cap_period).isoformat(),
            "cap_total": fmt(preview.cap_total), "cum_fund_pay": fmt(preview.cap_used_before),
            "cap_left": fmt(preview.cap_remaining_before),
        })
    return {"cuminfo": out}
