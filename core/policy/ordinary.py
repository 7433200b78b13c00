"""Ordinary insured purchases at a pharmacy (issue 17): med_type 41 定点药店购药 and 门诊统筹 for outpatient
prescriptions dispensed at a designated pharmacy, as data in a profile's "ordinary" section:

    "ordinary": {"41": {"label": "定点药店购药", "mode": "account_only"},
                 "11": {"label": "门诊统筹（定点药店）", "mode": "pooling", "requires_prescription": true,
                        "deductible": {"310": "200.00"}, "ratio": {"310": "0.60"}, "annual_cap": {"310": "1500.00"},
                        "rules_off": ["ELG-003", …]}}

Order of operations (the same at the centre and in the local engine, vectors in tests/core/policy):
1. line amounts as for every sale (core.policy.calculator.line_amounts: 拆零 by unit, 丙类/full self-pay,
   超限价, 乙类 先行自付) -> eligible (inscp_scp_amt);
2. account_only: the fund pays nothing; the whole total is the person's share (paid from the account or cash);
3. pooling: the year's deductible left = deductible - deductible used this calendar year (this scheme only) ->
   applied = min(eligible, left) -> base = eligible - applied -> raw fund = round(base x ratio of the insurance
   type) -> fund = min(raw fund, annual cap - fund used this year) -> personal = total - fund;
4. the personal share is then paid by core.policy.account.split (own account, 共济, cash).
Usage counts settlements of scheme OP only, in the calendar year of the settlement date, reversals excluded.
An insurance type missing from ratio/annual_cap is not covered: the fund pays 0 (said in the arithmetic).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping

from core.domain import ZERO, Scheme, SettlementRecord, round_money
from core.policy.calculator import LineAmounts, SettlementPreview

MODES = ("account_only", "pooling")
# 定点药店购药: an ordinary purchase even under a profile without an "ordinary" section (the centre's BUILT_IN)
DEFAULT_MED_TYPE = "41"
# the chronic-benefit rules that make no sense for an ordinary purchase (registration, disease scope, refill
# timing, scheme limits, caps); the general ones (health goods, dose, sex/age, duplicate code) stay on
CHRONIC_ONLY_RULES = ("ELG-003", "ELG-004", "ELG-005", "ELG-006", "ELG-007", "ELG-008", "CAT-003", "CAT-004",
                      "DUP-001", "DUP-002", "QTY-001", "QTY-002", "BEN-001", "BEN-002", "BEN-003")


@dataclass(frozen=True)
class OrdinaryPolicy:
    med_type: str
    label: str
    mode: str
    deductibles: Mapping[str, Decimal] = field(default_factory=dict)
    ratios: Mapping[str, Decimal] = field(default_factory=dict)
    annual_caps: Mapping[str, Decimal] = field(default_factory=dict)
    requires_prescription: bool = False
    rules_off: tuple[str, ...] = CHRONIC_ONLY_RULES


@dataclass(frozen=True)
class OrdinaryUsage:
    fund_in_year: Decimal = ZERO
    deductible_in_year: Decimal = ZERO


def parse_ordinary(r: Any, data: Any, path: str) -> dict[str, OrdinaryPolicy]:
    """The profile's "ordinary" section, validated like the chronic schemes (r: core.policy.profile._Reader)."""
    out: dict[str, OrdinaryPolicy] = {}
    for med_type, body in r.obj(data, path).items():
        p = f"{path}.{med_type}"
        body = r.obj(body, p)
        if not str(med_type).isdigit() or len(str(med_type)) > 6:
            raise r.fail(p, f"med_type must be a code of up to 6 digits: {med_type!r}")
        mode = r.choice(r.get(body, "mode", p), f"{p}.mode", MODES)

        ratios, caps, deds = (_table(r, body, p, "ratio", r.ratio), _table(r, body, p, "annual_cap", r.amount),
                              _table(r, body, p, "deductible", r.amount))
        if mode == "pooling":
            if not ratios:
                raise r.fail(f"{p}.ratio", "pooling needs a ratio for at least one insurance type")
            missing = sorted(set(ratios) - set(caps))
            if missing:
                raise r.fail(f"{p}.annual_cap", f"missing for insurance type {', '.join(missing)}")
        elif ratios or caps or deds:
            raise r.fail(p, "account_only takes no ratio, annual_cap or deductible (the fund pays nothing)")
        off = body.get("rules_off", list(CHRONIC_ONLY_RULES))
        if not isinstance(off, list) or not all(isinstance(x, str) for x in off):
            raise r.fail(f"{p}.rules_off", "must be a list of rule ids")
        out[str(med_type)] = OrdinaryPolicy(str(med_type), str(body.get("label", med_type)), mode, deds, ratios, caps,
                                            bool(body.get("requires_prescription", False)), tuple(off))
    return out


def is_ordinary(profile: Any, med_type: str | None) -> bool:
    """Whether `med_type` is an ordinary insured purchase under `profile` (41, or a code of its "ordinary"
    section such as 11 门诊统筹): the desk and the centre choose the same way from the same data."""
    return bool(med_type) and (med_type == DEFAULT_MED_TYPE or med_type in getattr(profile, "ordinary", {}))


def _table(r: Any, body: Mapping[str, Any], p: str, key: str, read: Any) -> dict[str, Decimal]:
    raw = r.obj(body.get(key, {}), f"{p}.{key}")
    return {str(k): read(v, f"{p}.{key}.{k}") for k, v in raw.items()}


def usage_from(records: Iterable[SettlementRecord], day: dt.date) -> OrdinaryUsage:
    """What earlier ordinary (OP) settlements of the person used in `day`'s calendar year, reversals excluded."""
    fund = ded = ZERO
    for s in records:
        if s.scheme != Scheme.OP or s.date > day or s.date.year != day.year or not s.counts_on(day):
            continue
        fund += s.fund
        ded += s.deductible_applied
    return OrdinaryUsage(fund, ded)


def settle(policy: OrdinaryPolicy, insurance_type: str, lines: list[LineAmounts], usage: OrdinaryUsage,
           day: dt.date) -> tuple[SettlementPreview, list[str]]:
    """One ordinary settlement from its line amounts (the module's order); the preview and its arithmetic."""
    total = sum((l.amount for l in lines), ZERO)
    fulamt = sum((l.fulamt_ownpay for l in lines), ZERO)
    preself = sum((l.preselfpay for l in lines), ZERO)
    overlimit = sum((l.overlimit for l in lines), ZERO)
    eligible = sum((l.eligible for l in lines), ZERO)
    steps = [f"{policy.med_type} {policy.label}: total {total}, eligible {eligible}"]
    deductible = applied = raw = fund = ZERO
    ratio, cap, left = Decimal("0"), ZERO, ZERO
    if policy.mode == "pooling" and insurance_type in policy.ratios:
        deductible = policy.deductibles.get(insurance_type, ZERO)
        applied = min(eligible, max(ZERO, deductible - usage.deductible_in_year))
        ratio = policy.ratios[insurance_type]
        raw = round_money((eligible - applied) * ratio)
        cap = policy.annual_caps[insurance_type]
        left = max(ZERO, cap - usage.fund_in_year)
        fund = min(raw, left)
        steps.append(f"deductible {deductible} (used {usage.deductible_in_year}) applied {applied}; "
                     f"({eligible} - {applied}) x {ratio} = {raw}; cap {cap} left {left} -> fund {fund}")
    elif policy.mode == "pooling":
        steps.append(f"insurance type {insurance_type} not covered by {policy.med_type}: fund 0")
    else:
        steps.append("account only: fund 0")
    preview = SettlementPreview(
        scheme=Scheme.OP, period=str(day.year), total=total, fulamt_ownpay=fulamt, preselfpay=preself,
        overlimit=overlimit, eligible=eligible, deductible_total=deductible,
        deductible_used_before=usage.deductible_in_year, deductible_applied=applied, base=eligible - applied,
        ratio=ratio, cap_basis="fund_payment", cap_components=(cap,), cap_total=cap, cap_used_before=usage.fund_in_year,
        cap_remaining_before=left, raw_fund=raw, fund_payment=fund, personal_payment=total - fund,
        cap_used_after=usage.fund_in_year + fund)
    return preview, steps
