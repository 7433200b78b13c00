"""Days and quantity: scheme maximum days, long prescriptions, quantity against the sig."""
from __future__ import annotations

import math
from fractions import Fraction

from core.audit.context import AuditContext, LineFacts
from core.audit.registry import Finding, rule


def units_needed(line: LineFacts) -> Fraction | None:
    """Units (tablets, pens …) the sig needs for the declared days; None when it cannot be known."""
    sig, strength = line.spec.sig, line.drug.strength
    if sig is None or not strength:
        return None
    return Fraction(line.spec.days) * Fraction(sig.dose) * Fraction(sig.times_per_day) / Fraction(strength)


def units_allowed(line: LineFacts) -> int | None:
    needed = units_needed(line)
    if needed is None:
        return None
    if line.spec.split:
        return math.ceil(needed)
    pack = line.drug.pack_size
    return math.ceil(needed / pack) * pack  # whole packs: rounded up to the next pack


@rule("QTY-001", "lines")
def days_above_max(ctx: AuditContext):
    policy = ctx.policy or ctx.profile.scheme(ctx.request.requested_scheme)
    if policy is None:
        return
    for line in ctx.lines:
        if line.drug.is_drug and line.spec.days > policy.max_days_per_rx:
            yield Finding(line.no, f"{line.drug.name} 处方 {line.spec.days} 天，超过最长 {policy.max_days_per_rx} 天",
                          f"{line.spec.days} days > {policy.max_days_per_rx}",
                          {"days": line.spec.days, "max": policy.max_days_per_rx})


@rule("QTY-002", "lines")
def long_rx_unconfirmed(ctx: AuditContext):
    if ctx.request.prescription.long_rx_confirmed:
        return
    limit = ctx.profile.long_rx_threshold_days
    for line in ctx.lines:
        if line.drug.is_drug and line.spec.days > limit:
            yield Finding(line.no, f"长期处方（{line.spec.days} 天 > {limit} 天）缺少医生评估/患者签字确认",
                          f"long prescription (>{limit} days) without documented assessment/patient confirmation")


@rule("QTY-003", "lines")
def over_quantity(ctx: AuditContext):
    for line in ctx.lines:
        if not line.drug.is_drug:
            continue
        allowed = units_allowed(line)
        if allowed is not None and line.units > allowed:
            unit = line.drug.unit
            yield Finding(line.no, f"{line.drug.name} 发药 {line.units}{unit}，按用法 {line.spec.days} 天只需 {allowed}{unit}",
                          f"{line.units} units supplied, declared {line.spec.days} days allows {allowed}",
                          {"units": line.units, "allowed": allowed})


@rule("QTY-004", "lines")
def barred_from_long_rx(ctx: AuditContext):
    limit = ctx.profile.long_rx_threshold_days
    for line in ctx.lines:
        if line.drug.is_drug and line.drug.long_rx_barred and line.spec.days > limit:
            yield Finding(line.no, f"{line.drug.name} 不得开具长期处方（{line.spec.days} 天）",
                          f"drug barred from long prescriptions ({line.spec.days} days > {limit})")
