"""The settlement calculator, in the order of ../shared/domain/business-rules.md §2.4:

line amount (拆零 by unit) -> full self-pay and 乙类 先行自付 -> eligible -> yearly deductible -> ratio by
insurance type and facility benefit level -> cap left (yearly or monthly; several diseases combine as the
profile says) -> fund and personal share.

Everything is Decimal, rounded half-up to the cent at the points the conventions name: each line amount,
each 先行自付, and the fund once per settlement.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from core.domain import ZERO, Drug, Scheme, SettlementRecord, fmt, round_money
from core.policy.profile import SchemePolicy


class PolicyError(ValueError):
    """The profile has no number for this case (e.g. no ratio for the insurance type)."""


@dataclass(frozen=True)
class LineAmounts:
    units: int
    amount: Decimal
    fulamt_ownpay: Decimal
    preselfpay: Decimal
    overlimit: Decimal
    eligible: Decimal


def line_amounts(drug: Drug, qty: int, split: bool, self_pay: bool) -> LineAmounts:
    """Amounts of one line. `self_pay` marks a line the fund never pays (丙类, facility-restricted …)."""
    if split:
        units = qty
        amount = round_money(drug.price * qty / drug.pack_size)
    else:
        units = qty * drug.pack_size
        amount = round_money(drug.price * qty)
    if self_pay or not drug.is_drug:
        return LineAmounts(units, amount, amount, ZERO, ZERO, ZERO)
    overlimit = ZERO
    if drug.price_ceiling is not None and drug.price > drug.price_ceiling:
        # 超限价: the part above the payment ceiling is the person's (CAT-009).
        ceiling_amount = round_money(drug.price_ceiling * (Decimal(qty) / drug.pack_size if split else qty))
        overlimit = amount - ceiling_amount
    preselfpay = round_money((amount - overlimit) * drug.preselfpay_ratio)
    eligible = amount - overlimit - preselfpay
    return LineAmounts(units, amount, ZERO, preselfpay, overlimit, eligible)


def period_label(day: dt.date, cap_period: str) -> str:
    return f"{day.year}" if cap_period == "year" else f"{day.year}-{day.month:02d}"


def period_start(day: dt.date, cap_period: str) -> dt.date:
    return dt.date(day.year, 1, 1) if cap_period == "year" else dt.date(day.year, day.month, 1)


@dataclass(frozen=True)
class Usage:
    """What earlier settlements used in the periods of this one (reversals already taken out)."""

    fund_in_period: Decimal = ZERO
    expense_in_period: Decimal = ZERO
    deductible_in_year: Decimal = ZERO


def usage_from(records: Iterable[SettlementRecord], scheme: Scheme, day: dt.date, cap_period: str) -> Usage:
    """Sum the usage of `scheme` before or on `day`, by the ORIGINAL settlement's period.

    A settlement reversed on or before `day` gives its usage back; because usage is counted in the period
    of the settlement date, reversing a December sale in January frees nothing in the new year.
    """
    start, year_start = period_start(day, cap_period), dt.date(day.year, 1, 1)
    fund = expense = deductible = ZERO
    for s in records:
        if s.scheme != scheme or s.date > day or not s.counts_on(day):
            continue
        if s.date >= start:
            fund += s.fund
            expense += s.expense_counted
        if s.date >= year_start:
            deductible += s.deductible_applied
    return Usage(fund, expense, deductible)


@dataclass(frozen=True)
class SettlementPreview:
    scheme: Scheme
    period: str
    total: Decimal
    fulamt_ownpay: Decimal
    preselfpay: Decimal
    overlimit: Decimal
    eligible: Decimal
    deductible_total: Decimal
    deductible_used_before: Decimal
    deductible_applied: Decimal
    base: Decimal
    ratio: Decimal
    cap_basis: str
    cap_components: tuple[Decimal, ...]
    cap_total: Decimal
    cap_used_before: Decimal
    cap_remaining_before: Decimal
    raw_fund: Decimal
    fund_payment: Decimal
    personal_payment: Decimal
    cap_used_after: Decimal
    expense_counted: Decimal = ZERO
    expense: dict = field(default_factory=dict)  # eligible_expense basis: quota figures

    @property
    def cap_limited(self) -> bool:
        return self.fund_payment < self.raw_fund

    def to_dict(self) -> dict:
        out: dict[str, object] = {
            "scheme": self.scheme.value,
            "period": self.period,
            "total": fmt(self.total),
            "fulamt_ownpay": fmt(self.fulamt_ownpay),
            "preselfpay": fmt(self.preselfpay),
            "overlmt_selfpay": fmt(self.overlimit),
            "eligible": fmt(self.eligible),
            "deductible_total": fmt(self.deductible_total),
            "deductible_used_before": fmt(self.deductible_used_before),
            "deductible_applied": fmt(self.deductible_applied),
            "base": fmt(self.base),
            "ratio": f"{self.ratio:.2f}",
            "cap_basis": self.cap_basis,
        }
        if self.cap_basis == "fund_payment":
            out["cap_components"] = [fmt(c) for c in self.cap_components]
            out["cap_used_before"] = fmt(self.cap_used_before)
        out.update(
            cap_total=fmt(self.cap_total),
            cap_remaining_before=fmt(self.cap_remaining_before),
        )
        for key, value in self.expense.items():
            out[key] = fmt(value)
        out.update(
            raw_fund=fmt(self.raw_fund),
            fund_payment=fmt(self.fund_payment),
            personal_payment=fmt(self.personal_payment),
            cap_used_after=fmt(self.cap_used_after),
        )
        return out


def settle(
    policy: SchemePolicy,
    insurance_type: str,
    benefit_level: str,
    diseases: list[str],
    lines: list[LineAmounts],
    usage: Usage,
    day: dt.date,
) -> SettlementPreview:
    """Compute one settlement (one scheme, one person, one period) from its line amounts."""
    total = sum((l.amount for l in lines), ZERO)
    fulamt = sum((l.fulamt_ownpay for l in lines), ZERO)
    preself = sum((l.preselfpay for l in lines), ZERO)
    overlimit = sum((l.overlimit for l in lines), ZERO)
    eligible = sum((l.eligible for l in lines), ZERO)

    deductible = policy.deductible_for(insurance_type)
    deductible_left = max(ZERO, deductible - usage.deductible_in_year)
    applied = min(eligible, deductible_left)
    base = eligible - applied

    if benefit_level in policy.allowed_levels:
        ratio = policy.ratio_for(insurance_type, benefit_level)
        if ratio is None:
            raise PolicyError(
                f"no {policy.scheme.value} ratio for insurance type {insurance_type} at level {benefit_level}"
            )
    else:
        ratio = Decimal("0")  # the scheme does not pay at this level at all
    raw_fund = round_money(base * ratio)
    period = period_label(day, policy.cap_period)
    expense: dict[str, Decimal] = {}
    counted = ZERO

    if policy.cap_basis == "eligible_expense":
        components: tuple[Decimal, ...]
        if policy.person_expense_quota is not None:
            quota = policy.person_expense_quota
            components = (quota,)
        else:
            components = _disease_caps(policy, diseases, insurance_type)
            quota = policy.combine.total(list(components))
        used = usage.expense_in_period
        remaining = max(ZERO, quota - used)
        counted = min(base, remaining)
        fund = round_money(counted * ratio)
        expense = {
            "expense_quota": quota,
            "expense_used_before": used,
            "expense_remaining_before": remaining,
            "expense_counted": counted,
            "expense_used_after": used + counted,
        }
        cap_total, cap_used_before, cap_remaining, cap_used_after = quota, used, remaining, used + counted
    else:
        components = _disease_caps(policy, diseases, insurance_type)
        cap_total = round_money(policy.combine.total(list(components)))
        cap_used_before = usage.fund_in_period
        cap_remaining = max(ZERO, cap_total - cap_used_before)
        fund = min(raw_fund, cap_remaining)
        cap_used_after = cap_used_before + fund

    return SettlementPreview(
        scheme=policy.scheme,
        period=period,
        total=total,
        fulamt_ownpay=fulamt,
        preselfpay=preself,
        overlimit=overlimit,
        eligible=eligible,
        deductible_total=deductible,
        deductible_used_before=usage.deductible_in_year,
        deductible_applied=applied,
        base=base,
        ratio=ratio,
        cap_basis=policy.cap_basis,
        cap_components=components,
        cap_total=cap_total,
        cap_used_before=cap_used_before,
        cap_remaining_before=cap_remaining,
        raw_fund=raw_fund,
        fund_payment=fund,
        personal_payment=total - fund,
        cap_used_after=cap_used_after,
        expense_counted=counted,
        expense=expense,
    )


def _disease_caps(policy: SchemePolicy, diseases: list[str], insurance_type: str) -> tuple[Decimal, ...]:
    caps = []
    for disease in diseases:
        cap = policy.cap_for(disease, insurance_type)
        if cap is None:
            raise PolicyError(f"no {policy.scheme.value} cap for disease {disease} and insurance type {insurance_type}")
        caps.append(cap)
    return tuple(caps)
