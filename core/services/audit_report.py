"""Human-readable explanation of one audit, as the pharmacist sees it: verdict, each hit, each line, and
the settlement arithmetic step by step."""
from __future__ import annotations

from core.audit.result import AuditResult
from core.domain import fmt
from core.services.cases import Case
from core.services.world import World

VERDICT_ZH = {"PASS": "通过", "WARN": "警示（需确认）", "BLOCK": "拦截（不能结算）"}
LINE_ZH = {"PASS": "通过", "WARN": "警示", "SELF_PAY": "自费", "BLOCK": "拦截"}
SEVERITY_ZH = {"INFO": "提示", "WARN": "警示", "BLOCK": "拦截"}


def explain(case: Case, result: AuditResult, world: World, lang: str = "zh") -> str:
    zh = lang == "zh"
    req = case.request
    out = []
    title = f"{case.case_id} {case.title}".strip()
    out.append(title)
    out.append(
        f"{'参保人' if zh else 'person'} {req.person.name} ({req.person.person_no})  "
        f"{'机构' if zh else 'facility'} {req.facility.name}  {'日期' if zh else 'date'} {req.date}"
    )
    scheme = result.scheme.value if result.scheme else "-"
    verdict = result.verdict.value
    out.append(f"{'结论' if zh else 'verdict'}: {VERDICT_ZH[verdict] + ' ' if zh else ''}{verdict}   "
               f"{'险种方案' if zh else 'scheme'}: {scheme}")
    if result.hits:
        out.append("")
        out.append("规则命中 rule hits:" if zh else "rule hits:")
        for h in result.hits:
            where = f" L{h.line}" if h.line is not None else ""
            sev = f"{SEVERITY_ZH[h.severity.value]} " if zh else ""
            out.append(f"  [{sev}{h.severity.value}] {h.rule}{where}: {h.message_zh if zh else h.message_en}")
    out.append("")
    out.append("明细 lines:" if zh else "lines:")
    for l in result.lines:
        a = l.amounts
        supply = ""
        if l.new_supply_end:
            supply = f"  {'剩余' if zh else 'left'} {l.remaining_supply_days_before}d -> {'新供药至' if zh else 'supply to'} {l.new_supply_end}"
        verdict_text = LINE_ZH[l.verdict.value] if zh else l.verdict.value
        out.append(
            f"  L{l.line} {l.drug_name} x{a.units}  {'金额' if zh else 'amount'} {fmt(a.amount)}  "
            f"{'全自费' if zh else 'self-pay'} {fmt(a.fulamt_ownpay)}  {'先行自付' if zh else 'pre-self-pay'} {fmt(a.preselfpay)}  "
            f"{'政策内' if zh else 'eligible'} {fmt(a.eligible)}  [{verdict_text}]{supply}"
        )
    out.append("")
    if result.settlement is not None:
        s = result.settlement
        out.append("结算计算 arithmetic:" if zh else "arithmetic:")
        for step in result.arithmetic:
            out.append(f"  {step}")
        out.append(
            f"{'基金支付' if zh else 'fund pays'} {fmt(s.fund_payment)}   {'个人支付' if zh else 'person pays'} "
            f"{fmt(s.personal_payment)}   {'本期已用' if zh else 'used this period'} {fmt(s.cap_used_after)} / {fmt(s.cap_total)}"
        )
    else:
        out.append("不能结算：请处理拦截项。" if zh else "cannot settle: clear the blocking hits first.")
        if result.settlement_if_blocked_lines_removed is not None:
            s = result.settlement_if_blocked_lines_removed
            out.append(
                (f"去掉被拦截的行后：基金支付 {fmt(s.fund_payment)}，个人支付 {fmt(s.personal_payment)}")
                if zh else f"without the blocked lines: fund {fmt(s.fund_payment)}, person {fmt(s.personal_payment)}"
            )
    return "\n".join(out)
