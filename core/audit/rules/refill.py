"""Early refill: supply is chained across fills (start = max(fill date, previous end)), so refilling early
again and again cannot stockpile (vector AV59)."""
from __future__ import annotations

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule


@rule("DUP-001", "history")
def early_refill(ctx: AuditContext):
    window = ctx.profile.refill_window_days
    for line in ctx.lines:
        if line.drug.is_drug and line.remaining_before is not None and line.remaining_before > window:
            yield Finding(line.no, f"{line.drug.name} 上次取药还剩 {line.remaining_before} 天（> {window} 天），提前取药",
                          f"{line.remaining_before} days of previous supply remain (> {window})",
                          {"remaining": line.remaining_before, "window": window})
