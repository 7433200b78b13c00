"""Person and registration: deceased, insurance status, registration missing / expired / not started /
ending soon, 就高不就低, designated institution."""
from __future__ import annotations

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule
from core.domain import Scheme

SCHEME_ZH = {Scheme.LB: "两病", Scheme.MT: "门诊慢特病"}


@rule("ELG-001", "person")
def deceased(ctx: AuditContext):
    death = ctx.person.death_date
    if death is not None and ctx.day >= death:
        yield Finding(None, f"参保人已于 {death} 死亡，不能使用医保结算", f"insured person died on {death}",
                      {"death_date": death.isoformat()})


@rule("ELG-002", "person")
def insurance_status(ctx: AuditContext):
    if ctx.person.status != "active":
        yield Finding(None, f"参保状态异常（{ctx.person.status}），基金不能支付，可自费购药",
                      f"insurance status is {ctx.person.status}: no fund payment (cash sale possible)")


@rule("ELG-003", "person")
def no_registration(ctx: AuditContext):
    if not ctx.scheme_registrations:
        name = SCHEME_ZH[ctx.resolved_scheme]
        yield Finding(None, f"无{name}备案，不能按{name}结算", f"no {ctx.resolved_scheme.value} registration")


@rule("ELG-004", "person")
def expired(ctx: AuditContext):
    if ctx.active or not ctx.scheme_registrations:
        return
    ended = [r.end for r in ctx.scheme_registrations if r.end is not None and r.end < ctx.day]
    if ended:
        last = max(ended)
        yield Finding(None, f"待遇已于 {last} 到期，请办理复审", f"registration expired on {last}; re-assessment (复审) required",
                      {"end": last.isoformat()})


@rule("ELG-006", "person")
def not_started(ctx: AuditContext):
    if ctx.active:
        return
    future = [r for r in ctx.scheme_registrations if r.begin > ctx.day]
    if future:
        first = min(r.begin for r in future)
        yield Finding(None, f"备案待遇自 {first} 起生效，今日尚未生效", f"registration effective only from {first}",
                      {"begin": first.isoformat()})


@rule("ELG-005", "person")
def ending_soon(ctx: AuditContext):
    policy = ctx.policy
    warn_days = policy.registration_expiry_warn_days if policy else 30
    for reg in ctx.active:
        if reg.end is not None and 0 <= (reg.end - ctx.day).days <= warn_days:
            left = (reg.end - ctx.day).days
            yield Finding(None, f"{reg.disease} 待遇将于 {reg.end} 到期（还有 {left} 天），请提醒复审",
                          f"registration {reg.disease} ends on {reg.end} ({left} days): remind re-assessment",
                          {"end": reg.end.isoformat(), "days_left": left})
            return


@rule("ELG-007", "person")
def lb_superseded(ctx: AuditContext):
    if ctx.switched_to_mt:
        yield Finding(None, "已有门诊慢特病待遇，两病待遇不再适用（就高不就低），按慢特病结算",
                      "active 门诊慢特病 registration: 两病 no longer applies (就高不就低); settled under MT")


@rule("ELG-008", "person")
def not_designated(ctx: AuditContext):
    if not ctx.profile.require_designated_facility or not ctx.active:
        return
    designated = {code for reg in ctx.active for code in reg.designated_facilities}
    if designated and ctx.facility.code not in designated:
        yield Finding(None, "本机构不是备案定点机构", "this institution is not the registered designated one")
