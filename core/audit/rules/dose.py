"""Dose and course: daily dose above the label maximum, same-class duplication, payment course limit."""
from __future__ import annotations

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule


def _num(d) -> str:
    return f"{d.normalize():f}"


@rule("DRG-004", "lines")
def daily_dose_above_max(ctx: AuditContext):
    for line in ctx.lines:
        sig, drug = line.spec.sig, line.drug
        if not drug.is_drug or sig is None or drug.max_daily is None:
            continue
        daily = sig.dose * sig.times_per_day
        if daily > drug.max_daily:
            unit = drug.strength_unit
            yield Finding(line.no, f"{drug.name} 日剂量 {_num(daily)}{unit} 超过最大日剂量 {_num(drug.max_daily)}{unit}，请药师确认",
                          f"daily dose {_num(daily)}{unit} exceeds max {_num(drug.max_daily)}",
                          {"daily": _num(daily), "max": _num(drug.max_daily)})


@rule("DRG-005", "lines")
def same_class_duplicate(ctx: AuditContext):
    seen: dict[str, int] = {}
    for line in ctx.lines:
        cls = line.drug.class4 if line.drug.is_drug else None
        if cls is None:
            continue
        if cls in seen:
            yield Finding(line.no, f"{line.drug.name} 与第 {seen[cls]} 行为同类药（{cls}），重复用药请药师确认",
                          f"same pharmacological class ({cls}) as line {seen[cls]}", {"class": cls, "other_line": seen[cls]})
        else:
            seen[cls] = line.no


@rule("DRG-006", "lines")
def course_limit(ctx: AuditContext):
    for line in ctx.lines:
        limit = line.drug.course_limit_days
        if line.drug.is_drug and limit is not None and line.spec.days > limit:
            yield Finding(line.no, f"{line.drug.name} 限定支付疗程 {limit} 天，本次 {line.spec.days} 天",
                          f"{line.spec.days} days exceed the payment course limit of {limit} days")
