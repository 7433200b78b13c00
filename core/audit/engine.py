"""The audit engine: AuditRequest + history + profile -> verdict, hits and settlement preview.

Pure and synchronous: it reads history only through the HistoryRepository given to it and writes nothing,
so the client (SQLite cache, offline) and the centre (PostgreSQL, inside its locked settlement
transaction) run exactly the same rules.
"""
from __future__ import annotations

from typing import Mapping

from core.audit.catalogue import RULES
from core.audit.context import AuditContext, build_context
from core.audit.explain import line_text, settlement_steps
from core.audit.history import HistoryRepository
from core.audit.registry import Finding, registered
from core.audit.result import AuditResult, LineResult
from core.audit.rules.benefit import benefit_findings
from core.domain import AuditRequest, Drug, Facility, LineVerdict, RuleHit, Severity, Verdict
from core.policy.calculator import SettlementPreview, line_amounts, settle, usage_from
from core.policy.profile import Profile


def _hit(profile: Profile, rule_id: str, finding: Finding) -> RuleHit | None:
    setting = profile.rules.get(rule_id)
    if setting is not None and not setting.enabled:
        return None
    if finding.severity is not None:
        severity = Severity(finding.severity)
    elif setting is not None and setting.severity is not None:
        severity = setting.severity
    else:
        severity = RULES[rule_id].severity
    return RuleHit(rule_id, severity, finding.line, finding.zh, finding.en, dict(finding.data))


def _verdict(hits: list[RuleHit]) -> Verdict:
    worst = max((h.severity.rank for h in hits), default=0)
    return Verdict.BLOCK if worst == 2 else Verdict.WARN if worst == 1 else Verdict.PASS


def evaluate(
    request: AuditRequest,
    history: HistoryRepository,
    profile: Profile,
    catalogue: Mapping[str, Drug],
    facilities: Mapping[str, Facility] | None = None,
) -> AuditResult:
    """Audit one prescription. `facilities` (by institution code) lets FRD-001 know other institutions' cities."""
    ctx = build_context(request, history, profile, catalogue, facilities)
    hits: list[RuleHit] = []
    for reg in registered():
        for finding in reg.check(ctx):
            hit = _hit(profile, reg.rule_id, finding)
            if hit is not None:
                hits.append(hit)

    lines = [_line_result(ctx, line, hits) for line in ctx.lines]
    verdict = _verdict(hits)
    has_scheme = ctx.has_active_registration
    settlement = suggestion = None
    arithmetic: list[str] = []
    if verdict != Verdict.BLOCK:
        settlement = _settle(ctx, lines)
        for rule_id, finding in benefit_findings(settlement):
            hit = _hit(profile, rule_id, finding)
            if hit is not None:
                hits.append(hit)
        verdict = _verdict(hits)
        arithmetic = _arithmetic(ctx, lines, settlement)
    elif has_scheme and all(h.line is not None for h in hits if h.severity == Severity.BLOCK):
        kept = [l for l in lines if l.verdict != LineVerdict.BLOCK]
        if kept:
            suggestion = _settle(ctx, kept)
    return AuditResult(
        verdict=verdict,
        scheme=ctx.resolved_scheme if has_scheme else None,
        requested_scheme=request.requested_scheme,
        hits=hits,
        lines=lines,
        settlement=settlement,
        settlement_if_blocked_lines_removed=suggestion,
        arithmetic=arithmetic,
    )


def _line_result(ctx: AuditContext, line, hits: list[RuleHit]) -> LineResult:
    mine = [h for h in hits if h.line == line.no]
    if any(h.severity == Severity.BLOCK for h in mine):
        verdict = LineVerdict.BLOCK
    elif line.self_pay:
        verdict = LineVerdict.SELF_PAY
    elif any(h.severity == Severity.WARN for h in mine):
        verdict = LineVerdict.WARN
    else:
        verdict = LineVerdict.PASS
    drug = line.drug
    return LineResult(
        line=line.no,
        drug_key=drug.key,
        drug_name=drug.name,
        chain_key=drug.chain_key,
        days=line.spec.days,
        split=line.spec.split,
        amounts=line_amounts(drug, line.spec.qty, line.spec.split, line.self_pay),
        verdict=verdict,
        remaining_supply_days_before=line.remaining_before if drug.is_drug else None,
        new_supply_end=line.new_supply_end if drug.is_drug else None,
        trace_codes=line.spec.trace_codes,
    )


def _settle(ctx: AuditContext, lines: list[LineResult]) -> SettlementPreview:
    policy = ctx.policy
    assert policy is not None  # build_context refuses a profile without the requested scheme
    usage = usage_from(ctx.settlements, ctx.resolved_scheme, ctx.day, policy.cap_period)
    return settle(
        policy,
        ctx.person.insurance_type,
        ctx.facility.benefit_level,
        ctx.active_diseases(),
        [l.amounts for l in lines],
        usage,
        ctx.day,
    )


def _arithmetic(ctx: AuditContext, lines: list[LineResult], s: SettlementPreview) -> list[str]:
    by_no = {l.no: l.drug for l in ctx.lines}
    texts = [line_text(l, by_no[l.line].price, by_no[l.line].pack_size, by_no[l.line].preselfpay_ratio) for l in lines]
    return ["; ".join(texts), *settlement_steps(s)]
