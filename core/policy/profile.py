"""Benefit profiles: one data file per city/profile under resources/policies/, validated on load.

A profile is data, not code: caps, ratios, deductibles, day limits, drug and diagnosis scopes, history
windows and rule severities. Loading refuses anything that would make the arithmetic wrong (a negative cap,
a ratio above 1, an unknown cap basis) with an error that names the file and the field.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from core.domain import MoneyError, Scheme, Severity, money, ratio

CAP_BASES = ("fund_payment", "eligible_expense")
CAP_PERIODS = ("year", "month")
COMBINE_MODES = ("max_plus_fraction_of_others", "sum", "max", "max_plus_fixed", "pooled")
BENEFIT_LEVELS = ("1", "2", "3", "pharmacy")


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the source and the field."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        super().__init__(f"{source}: {path}: {problem}")
        self.source, self.path, self.problem = source, path, problem


@dataclass(frozen=True)
class Combine:
    mode: str = "max_plus_fraction_of_others"
    fraction: Decimal = Decimal("0.5")
    increment: Decimal = Decimal("0")

    def total(self, caps: list[Decimal]) -> Decimal:
        if not caps:
            return Decimal("0.00")
        top = max(caps)
        if self.mode == "sum":
            return sum(caps, Decimal("0"))
        if self.mode in ("max", "pooled"):
            return top
        if self.mode == "max_plus_fixed":
            return top + (self.increment if len(caps) > 1 else Decimal("0"))
        return top + self.fraction * (sum(caps, Decimal("0")) - top)


@dataclass(frozen=True)
class SchemePolicy:
    scheme: Scheme
    cap_basis: str
    cap_period: str
    ratios: Mapping[str, Mapping[str, Decimal]]  # insurance type -> benefit level (or "*") -> ratio
    deductibles: Mapping[str, Decimal]  # insurance type -> yearly deductible
    disease_caps: Mapping[str, Mapping[str, Decimal]]  # disease -> insurance type -> cap
    combine: Combine
    max_days_per_rx: int
    drug_scope: Mapping[str, tuple[str, ...]]
    diagnosis_scope: Mapping[str, tuple[str, ...]]
    person_expense_quota: Decimal | None = None  # one pooled quota per person and period
    stops_when_mt_active: bool = False
    registration_expiry_warn_days: int = 30
    allowed_levels: tuple[str, ...] = BENEFIT_LEVELS

    def ratio_for(self, insurance_type: str, benefit_level: str) -> Decimal | None:
        by_level = self.ratios.get(insurance_type)
        if by_level is None:
            return None
        return by_level.get(benefit_level, by_level.get("*"))

    def deductible_for(self, insurance_type: str) -> Decimal:
        return self.deductibles.get(insurance_type, Decimal("0.00"))

    def cap_for(self, disease: str, insurance_type: str) -> Decimal | None:
        return self.disease_caps.get(disease, {}).get(insurance_type)


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool = True
    severity: Severity | None = None


@dataclass(frozen=True)
class Profile:
    profile_id: str
    label: str
    schemes: Mapping[Scheme, SchemePolicy]
    rx_validity_days: int = 3
    long_rx_threshold_days: int = 28
    refill_window_days: int = 15
    multi_site_window_days: int = 30
    multi_site_threshold: int = 3
    geo_jump_minutes: int = 30
    child_max_age: int = 14
    adult_min_age: int = 14
    neonate_max_age: int = 1
    trace_mandatory_from: str = "2025-07-01"
    trace_exempt_categories: tuple[str, ...] = ()
    require_designated_facility: bool = False
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)
    ordinary: Mapping[str, Any] = field(default_factory=dict)  # med_type -> core.policy.ordinary.OrdinaryPolicy

    def scheme(self, scheme: Scheme) -> SchemePolicy | None:
        return self.schemes.get(scheme)


class _Reader:
    """Walks the raw dict, keeping the path for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> ProfileError:
        return ProfileError(self.source, path, problem)

    def obj(self, data: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(path, "must be an object")
        return data

    def get(self, data: Mapping[str, Any], key: str, path: str, default: Any = ...) -> Any:
        if key not in data:
            if default is ...:
                raise self.fail(f"{path}.{key}", "missing")
            return default
        return data[key]

    def amount(self, value: Any, path: str) -> Decimal:
        try:
            d = money(value)
        except MoneyError as exc:
            raise self.fail(path, str(exc)) from None
        if d < 0:
            raise self.fail(path, f"must not be negative: {value}")
        return d

    def ratio(self, value: Any, path: str) -> Decimal:
        try:
            return ratio(value)
        except MoneyError as exc:
            raise self.fail(path, str(exc)) from None

    def integer(self, value: Any, path: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(path, f"must be a whole number >= {minimum}: {value!r}")
        return value

    def choice(self, value: Any, path: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(path, f"must be one of {', '.join(allowed)}: {value!r}")
        return value

    def prefixes(self, data: Any, path: str) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for disease, items in self.obj(data, path).items():
            if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
                raise self.fail(f"{path}.{disease}", "must be a list of code prefixes")
            out[disease] = tuple(items)
        return out


def _scheme_policy(r: _Reader, scheme: Scheme, data: Mapping[str, Any], path: str) -> SchemePolicy:
    cap_basis = r.choice(r.get(data, "cap_basis", path), f"{path}.cap_basis", CAP_BASES)
    cap_period = r.choice(r.get(data, "cap_period", path), f"{path}.cap_period", CAP_PERIODS)
    drug_scope = r.prefixes(r.get(data, "drug_scope", path), f"{path}.drug_scope")
    diagnosis_scope = r.prefixes(r.get(data, "diagnosis_scope", path, {}), f"{path}.diagnosis_scope")
    combine_raw = r.obj(r.get(data, "combine", path, {}), f"{path}.combine")
    combine = Combine(
        mode=r.choice(combine_raw.get("mode", "max_plus_fraction_of_others"), f"{path}.combine.mode", COMBINE_MODES),
        fraction=r.ratio(combine_raw.get("fraction", "0.5"), f"{path}.combine.fraction"),
        increment=r.amount(combine_raw.get("increment", "0"), f"{path}.combine.increment"),
    )
    ratios: dict[str, dict[str, Decimal]] = {}
    deductibles: dict[str, Decimal] = {}
    caps: dict[str, dict[str, Decimal]] = {}
    if "by_insutype" in data:
        # 两病 style: one cap, ratio and deductible per insurance type, the same for every disease and level.
        for insutype, params in r.obj(data["by_insutype"], f"{path}.by_insutype").items():
            p = f"{path}.by_insutype.{insutype}"
            params = r.obj(params, p)
            ratios[insutype] = {"*": r.ratio(r.get(params, "ratio", p), f"{p}.ratio")}
            deductibles[insutype] = r.amount(params.get("deductible", "0"), f"{p}.deductible")
            base_cap = r.amount(r.get(params, "base_cap", p), f"{p}.base_cap")
            for disease in drug_scope:
                caps.setdefault(disease, {})[insutype] = base_cap
    else:
        for insutype, by_level in r.obj(r.get(data, "ratio", path), f"{path}.ratio").items():
            p = f"{path}.ratio.{insutype}"
            ratios[insutype] = {
                level: r.ratio(value, f"{p}.{level}") for level, value in r.obj(by_level, p).items()
            }
        for insutype, value in r.obj(data.get("deductible", {}), f"{path}.deductible").items():
            deductibles[insutype] = r.amount(value, f"{path}.deductible.{insutype}")
        for disease, by_type in r.obj(data.get("disease_caps", {}), f"{path}.disease_caps").items():
            p = f"{path}.disease_caps.{disease}"
            caps[disease] = {t: r.amount(v, f"{p}.{t}") for t, v in r.obj(by_type, p).items()}
    quota = data.get("person_monthly_expense_quota", data.get("person_expense_quota"))
    quota_amount = None if quota is None else r.amount(quota, f"{path}.person_monthly_expense_quota")
    if cap_basis == "eligible_expense" and quota_amount is None and not caps:
        raise r.fail(f"{path}.person_monthly_expense_quota", "an eligible_expense profile needs a quota or disease caps")
    levels = data.get("allowed_levels", list(BENEFIT_LEVELS))
    if not isinstance(levels, list):
        raise r.fail(f"{path}.allowed_levels", "must be a list")
    return SchemePolicy(
        scheme=scheme,
        cap_basis=cap_basis,
        cap_period=cap_period,
        ratios=ratios,
        deductibles=deductibles,
        disease_caps=caps,
        combine=combine,
        max_days_per_rx=r.integer(r.get(data, "max_days_per_rx", path), f"{path}.max_days_per_rx", 1),
        drug_scope=drug_scope,
        diagnosis_scope=diagnosis_scope,
        person_expense_quota=quota_amount,
        stops_when_mt_active=bool(data.get("stops_when_mt_active", False)),
        registration_expiry_warn_days=r.integer(
            data.get("registration_expiry_warn_days", 30), f"{path}.registration_expiry_warn_days"
        ),
        allowed_levels=tuple(r.choice(v, f"{path}.allowed_levels", BENEFIT_LEVELS) for v in levels),
    )


def profile_from_dict(profile_id: str, data: Any, source: str = "<profile>") -> Profile:
    r = _Reader(source)
    data = r.obj(data, profile_id)
    schemes_raw = r.obj(r.get(data, "schemes", profile_id), f"{profile_id}.schemes")
    schemes: dict[Scheme, SchemePolicy] = {}
    for name, body in schemes_raw.items():
        path = f"{profile_id}.schemes.{name}"
        try:
            scheme = Scheme(name)
        except ValueError:
            raise r.fail(path, f"unknown scheme {name!r} (LB or MT)") from None
        if scheme == Scheme.OP:
            raise r.fail(path, "OP is not a chronic scheme: ordinary purchases go in the profile's \"ordinary\" section")
        schemes[scheme] = _scheme_policy(r, scheme, r.obj(body, path), path)
    rx = r.obj(data.get("rx", {}), f"{profile_id}.rx")
    hist = r.obj(data.get("history", {}), f"{profile_id}.history")
    age = r.obj(data.get("age", {}), f"{profile_id}.age")
    trace = r.obj(data.get("trace", {}), f"{profile_id}.trace")
    rules: dict[str, RuleSetting] = {}
    for rule_id, setting in r.obj(data.get("rules", {}), f"{profile_id}.rules").items():
        p = f"{profile_id}.rules.{rule_id}"
        setting = r.obj(setting, p)
        sev = setting.get("severity")
        if sev is not None:
            sev = Severity(r.choice(sev, f"{p}.severity", ("INFO", "WARN", "BLOCK")))
        rules[rule_id] = RuleSetting(enabled=bool(setting.get("enabled", True)), severity=sev)
    p = profile_id
    return Profile(
        profile_id=profile_id,
        label=str(data.get("label", profile_id)),
        schemes=schemes,
        rx_validity_days=r.integer(rx.get("validity_days", 3), f"{p}.rx.validity_days", 1),
        long_rx_threshold_days=r.integer(rx.get("long_rx_threshold_days", 28), f"{p}.rx.long_rx_threshold_days", 1),
        refill_window_days=r.integer(rx.get("refill_window_days", 15), f"{p}.rx.refill_window_days"),
        multi_site_window_days=r.integer(hist.get("multi_site_window_days", 30), f"{p}.history.multi_site_window_days", 1),
        multi_site_threshold=r.integer(hist.get("multi_site_threshold", 3), f"{p}.history.multi_site_threshold", 2),
        geo_jump_minutes=r.integer(hist.get("geo_jump_minutes", 30), f"{p}.history.geo_jump_minutes", 1),
        child_max_age=r.integer(age.get("child_max_age", 14), f"{p}.age.child_max_age"),
        adult_min_age=r.integer(age.get("adult_min_age", age.get("child_max_age", 14)), f"{p}.age.adult_min_age"),
        neonate_max_age=r.integer(age.get("neonate_max_age", 1), f"{p}.age.neonate_max_age"),
        trace_mandatory_from=str(trace.get("mandatory_from", "2025-07-01")),
        trace_exempt_categories=tuple(trace.get("exempt_categories", ())),
        require_designated_facility=bool(data.get("require_designated_facility", False)),
        rules=rules,
        ordinary=_ordinary(r, data.get("ordinary", {}), f"{profile_id}.ordinary"),
    )


def _ordinary(r: _Reader, data: Any, path: str) -> dict[str, Any]:
    from core.policy.ordinary import parse_ordinary  # ordinary imports the calculator, which imports this module

    return parse_ordinary(r, data, path)


def load_profile(path: str | Path) -> Profile:
    """Load one profile file: {"profile_id": …, …} or {"<id>": {…}} with a single key."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(str(path), "-", f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ProfileError(str(path), "-", f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ProfileError(str(path), "-", "must be a JSON object")
    profile_id = data.get("profile_id") or path.stem
    return profile_from_dict(profile_id, data, str(path))


def bundled_profiles() -> dict[str, Profile]:
    """The profiles shipped in resources/policies/."""
    folder = Path(__file__).resolve().parent.parent.parent / "resources" / "policies"
    return {p.stem: load_profile(p) for p in sorted(folder.glob("*.json"))}
