"""What kind of goods a line is: non-drug goods never enter an insurance settlement; out-of-catalogue
drugs are the person's own cost."""
from __future__ import annotations

from core.audit.context import AuditContext
from core.audit.registry import Finding, rule

CATEGORY_ZH = {"health_food": "保健食品", "food": "食品", "cosmetic": "化妆品", "daily": "日用品", "device": "器械"}


@rule("CAT-002", "lines")
def non_drug_goods(ctx: AuditContext):
    for line in ctx.lines:
        if not line.drug.is_drug:
            kind = CATEGORY_ZH.get(line.drug.category, line.drug.category)
            yield Finding(line.no, f"{line.drug.name} 属非医保商品（{kind}），不能使用医保基金，请单独现金结算",
                          f"non-drug goods ({line.drug.category}) cannot be settled by the fund")


@rule("CAT-001", "lines")
def out_of_catalogue(ctx: AuditContext):
    for line in ctx.lines:
        if line.drug.is_drug and not line.drug.in_catalogue:
            yield Finding(line.no, f"{line.drug.name} 为目录外药品（{line.drug.drug_class or '未匹配'}），全额自费",
                          "not in the medical-insurance catalogue: full self-pay")
