"""Drug within the registered disease's drug scope, and catalogue payment restrictions."""
from __future__ import annotations

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule


@rule("CAT-003", "lines")
def drug_outside_scope(ctx: AuditContext):
    policy = ctx.policy
    if policy is None or not ctx.active:
        return  # no active disease to match (ELG-003/004/006)
    prefixes = [p for d in ctx.active_diseases() for p in policy.drug_scope.get(d, ())]
    for line in ctx.lines:
        if not line.drug.is_drug:
            continue
        cls = line.drug.scope_class or ""
        if not any(cls.upper().startswith(p.upper()) for p in prefixes):
            yield Finding(line.no, f"{line.drug.name} 不在备案病种（{'、'.join(ctx.active_diseases())}）的用药范围内",
                          "drug not within the registered disease's drug scope", {"class": cls})


@rule("CAT-005", "lines")
def payment_restriction(ctx: AuditContext):
    for line in ctx.lines:
        if line.drug.is_drug and line.drug.restriction_text:
            yield Finding(line.no, f"{line.drug.name} 限定支付：{line.drug.restriction_text}，请药师确认",
                          f"payment restriction: {line.drug.restriction_text}; pharmacist must confirm")


@rule("CAT-007", "lines")
def inpatient_only(ctx: AuditContext):
    for line in ctx.lines:
        if line.drug.is_drug and line.drug.inpatient_only:
            yield Finding(line.no, f"{line.drug.name} 限住院使用，门诊/药店不能医保结算", "inpatient-only drug in an outpatient sale")


@rule("CAT-008", "lines")
def other_insurance_only(ctx: AuditContext):
    for line in ctx.lines:
        scope = line.drug.insurance_scope
        if line.drug.is_drug and scope:
            zh = {"work_injury": "工伤保险", "maternity": "生育保险"}.get(scope, scope)
            yield Finding(line.no, f"{line.drug.name} 仅限{zh}支付", f"drug is paid by {scope} insurance only")


@rule("CAT-009", "lines")
def above_price_ceiling(ctx: AuditContext):
    for line in ctx.lines:
        d = line.drug
        if d.is_drug and d.in_catalogue and d.price_ceiling is not None and d.price > d.price_ceiling:
            yield Finding(line.no, f"{d.name} 单价 {d.price} 超过支付限价 {d.price_ceiling}，超出部分自付",
                          f"price {d.price} above the payment ceiling {d.price_ceiling}: the excess is self-pay")
