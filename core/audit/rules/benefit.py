"""Benefit rules: run only when a settlement is produced (not on a blocked transaction)."""
from __future__ import annotations

from core.audit.registry import Finding
from core.domain import ZERO, fmt
from core.policy.calculator import SettlementPreview

# Benefit rules read the computed settlement rather than the context, so they are not in the registry's
# evaluation loop; the engine calls benefit_findings() after the calculator.


def benefit_findings(s: SettlementPreview) -> list[tuple[str, Finding]]:
    out: list[tuple[str, Finding]] = []
    quota = s.cap_basis == "eligible_expense"
    what_zh = "额度" if quota else ("月度限额" if len(s.period) > 4 else "年度限额")
    if s.cap_remaining_before == ZERO:
        out.append(("BEN-001", Finding(None, f"本期{what_zh}已用完，基金支付 0 元，需个人全额支付，请告知参保人",
                                       f"{'quota' if quota else 'fund cap'} exhausted: fund pays 0")))
    else:
        wanted = s.base if quota else s.raw_fund
        if s.cap_remaining_before < wanted:
            out.append(("BEN-002", Finding(None, f"{what_zh}仅剩 {fmt(s.cap_remaining_before)} 元（本次需 {fmt(wanted)} 元）",
                                           f"{'quota' if quota else 'cap'} partially available: {fmt(s.cap_remaining_before)} of {fmt(wanted)}")))
    if s.deductible_applied > ZERO:
        out.append(("BEN-003", Finding(None, f"本次扣减起付线 {fmt(s.deductible_applied)} 元",
                                       f"deductible applied {fmt(s.deductible_applied)}")))
    return out
