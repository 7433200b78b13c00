"""The arithmetic of a settlement, step by step, as a pharmacist reads it (and as the vectors write it)."""
from __future__ import annotations

from core.audit.result import LineResult
from core.domain import fmt
from core.policy.calculator import SettlementPreview


def _num(value) -> str:
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def line_text(line: LineResult, price, pack_size: int, preselfpay_ratio) -> str:
    a = line.amounts
    if line.split:
        text = f"L{line.line} {line.drug_name} {a.units}/{pack_size} x {fmt(price)} = {fmt(a.amount)}"
    else:
        text = f"L{line.line} {line.drug_name} {a.units // pack_size} x {fmt(price)} = {fmt(a.amount)}"
    if a.fulamt_ownpay:
        text += " (全自费 full self-pay)"
    elif a.preselfpay:
        text += f" (乙类 先行自付 {_num(preselfpay_ratio * 100)}% = {fmt(a.preselfpay)}, eligible {fmt(a.eligible)})"
    return text


def settlement_steps(s: SettlementPreview) -> list[str]:
    steps = [
        f"total {fmt(s.total)}, self-pay {fmt(s.fulamt_ownpay)}, 先行自付 {fmt(s.preselfpay)}, eligible {fmt(s.eligible)}",
        f"deductible {fmt(s.deductible_total)} (used before {fmt(s.deductible_used_before)}) -> applied "
        f"{fmt(s.deductible_applied)}; base = {fmt(s.eligible)} - {fmt(s.deductible_applied)} = {fmt(s.base)}",
        f"raw fund = {fmt(s.base)} x {s.ratio:.2f} = {fmt(s.raw_fund)}",
    ]
    if s.cap_basis == "eligible_expense":
        e = s.expense
        steps.append(
            f"quota {fmt(e['expense_quota'])}; used {fmt(e['expense_used_before'])} -> remaining "
            f"{fmt(e['expense_remaining_before'])}; counted = min({fmt(s.base)}, {fmt(e['expense_remaining_before'])}) = "
            f"{fmt(e['expense_counted'])}"
        )
        steps.append(
            f"fund = {fmt(e['expense_counted'])} x {s.ratio:.2f} = {fmt(s.fund_payment)}; personal = "
            f"{fmt(s.total)} - {fmt(s.fund_payment)} = {fmt(s.personal_payment)}"
        )
        return steps
    caps = [fmt(c) for c in s.cap_components]
    cap_expr = caps[0] if len(caps) == 1 else f"max({', '.join(caps)}) + others"
    steps.append(f"cap = {cap_expr} = {fmt(s.cap_total)}; used {fmt(s.cap_used_before)} -> remaining {fmt(s.cap_remaining_before)}")
    steps.append(
        f"fund = min({fmt(s.raw_fund)}, {fmt(s.cap_remaining_before)}) = {fmt(s.fund_payment)}; personal = "
        f"{fmt(s.total)} - {fmt(s.fund_payment)} = {fmt(s.personal_payment)}"
    )
    return steps
