"""Sex and age restrictions (NHSA 两库 batch 1). A mismatch is also a sign of 一卡多用."""
from __future__ import annotations

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule

SEX_ZH = {"1": "男", "2": "女"}


@rule("DRG-001", "lines")
def sex_restriction(ctx: AuditContext):
    for line in ctx.lines:
        limit = line.drug.sex_limit
        if line.drug.is_drug and limit and limit != ctx.person.sex:
            yield Finding(line.no, f"{line.drug.name} 限{SEX_ZH.get(limit, limit)}性使用，与参保人性别不符（疑似一卡多用）",
                          f"drug restricted to sex {limit}, patient sex {ctx.person.sex}")


@rule("DRG-002", "lines")
def child_only(ctx: AuditContext):
    age = ctx.person.age_on(ctx.day)
    for line in ctx.lines:
        if line.drug.is_drug and line.drug.age_limit == "child" and age > ctx.profile.child_max_age:
            yield Finding(line.no, f"{line.drug.name} 限儿童使用，参保人 {age} 岁", f"children-only drug, patient age {age}",
                          {"age": age})


@rule("DRG-003", "lines")
def other_age_limit(ctx: AuditContext):
    age = ctx.person.age_on(ctx.day)
    for line in ctx.lines:
        limit = line.drug.age_limit
        if not line.drug.is_drug:
            continue
        if limit == "neonate" and age > ctx.profile.neonate_max_age:
            yield Finding(line.no, f"{line.drug.name} 限新生儿使用，参保人 {age} 岁", f"neonatal drug, patient age {age}")
        elif limit == "adult" and age < ctx.profile.adult_min_age:
            yield Finding(line.no, f"{line.drug.name} 限成人使用，参保人 {age} 岁", f"adult-only drug, patient age {age}")
