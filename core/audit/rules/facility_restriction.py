"""限定机构等级: a drug the catalogue pays only at higher-level institutions becomes self-pay below them."""
from __future__ import annotations

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule


@rule("CAT-006", "lines")
def below_required_level(ctx: AuditContext):
    level = ctx.facility.level_number
    for line in ctx.lines:
        need = line.drug.min_facility_level
        if line.drug.is_drug and need is not None and level < need:
            yield Finding(line.no, f"{line.drug.name} 限{need}级及以上医疗机构使用，本机构该药自费",
                          f"restricted to level {need}+ institutions (this one: {ctx.facility.benefit_level}): self-pay",
                          {"required": need, "level": level})
