"""AuditContext: the facts every rule reads, computed once per audit.

Rules stay small because the expensive or subtle facts live here: which scheme applies (就高不就低), which
registrations are active, each line's units and supply chain, and the history rows fetched with one query
per kind.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from core.audit.history import HistoryRepository
from core.domain import (
    AuditRequest,
    DispenseRecord,
    Drug,
    Facility,
    Person,
    PrescriptionLine,
    Registration,
    Scheme,
    SettlementRecord,
    TraceSale,
)
from core.policy.profile import Profile, SchemePolicy


class AuditInputError(ValueError):
    """The request names something the engine does not know (a drug, a scheme)."""


@dataclass
class LineFacts:
    spec: PrescriptionLine
    drug: Drug
    units: int
    self_pay: bool
    remaining_before: int | None = None
    new_supply_end: dt.date | None = None

    @property
    def no(self) -> int:
        return self.spec.line


@dataclass
class AuditContext:
    request: AuditRequest
    profile: Profile
    history: HistoryRepository
    lines: list[LineFacts]
    facilities: Mapping[str, Facility]
    resolved_scheme: Scheme
    switched_to_mt: bool
    scheme_registrations: list[Registration]
    active: list[Registration]
    settlements: list[SettlementRecord] = field(default_factory=list)
    dispenses: list[DispenseRecord] = field(default_factory=list)
    reversed_on: dict[str, dt.date | None] = field(default_factory=dict)
    trace_sales: dict[str, list[TraceSale]] = field(default_factory=dict)

    # ---- convenience -------------------------------------------------------------------------------
    @property
    def person(self) -> Person:
        return self.request.person

    @property
    def facility(self) -> Facility:
        return self.request.facility

    @property
    def day(self) -> dt.date:
        return self.request.date

    @property
    def policy(self) -> SchemePolicy | None:
        return self.profile.scheme(self.resolved_scheme)

    @property
    def has_active_registration(self) -> bool:
        return bool(self.active)

    def active_diseases(self) -> list[str]:
        seen: list[str] = []
        for reg in self.active:
            if reg.disease not in seen:
                seen.append(reg.disease)
        return seen

    def counts(self, settlement_id: str | None) -> bool:
        """Whether a history row tied to this settlement still counts today (not reversed by now)."""
        if settlement_id is None:
            return True
        reversed_on = self.reversed_on.get(settlement_id)
        return reversed_on is None or reversed_on > self.day

    def city_of(self, facility_code: str, fallback: str = "") -> str:
        facility = self.facilities.get(facility_code)
        return facility.city if facility else fallback


def resolve_scheme(person: Person, requested: Scheme, day: dt.date, profile: Profile) -> tuple[Scheme, bool]:
    """就高不就低: an active 慢特病 registration stops 两病 settlement when the profile says so."""
    lb = profile.scheme(Scheme.LB)
    if requested == Scheme.LB and lb is not None and lb.stops_when_mt_active:
        if any(r.scheme == Scheme.MT and r.active_on(day) for r in person.registrations):
            return Scheme.MT, True
    return requested, False


def chain_supply(fills: list[tuple[dt.date, int]], day: dt.date) -> tuple[dt.date | None, int]:
    """Chain fills: each starts at max(fill date, previous end); returns (end, days remaining on `day`)."""
    end: dt.date | None = None
    for fill_date, days in sorted(fills):
        start = fill_date if end is None or fill_date > end else end
        end = start + dt.timedelta(days=days)
    remaining = max(0, (end - day).days) if end is not None else 0
    return end, remaining


def build_context(
    request: AuditRequest,
    history: HistoryRepository,
    profile: Profile,
    catalogue: Mapping[str, Drug],
    facilities: Mapping[str, Facility] | None = None,
) -> AuditContext:
    person, day = request.person, request.date
    if profile.scheme(request.requested_scheme) is None:
        raise AuditInputError(f"profile {profile.profile_id} has no scheme {request.requested_scheme.value}")
    scheme, switched = resolve_scheme(person, request.requested_scheme, day, profile)
    regs = [r for r in person.registrations if r.scheme == scheme]
    active = [r for r in regs if r.active_on(day)]

    lines: list[LineFacts] = []
    for spec in request.prescription.lines:
        drug = catalogue.get(spec.drug_key)
        if drug is None:
            raise AuditInputError(f"line {spec.line}: unknown drug {spec.drug_key!r}")
        units = spec.qty if spec.split else spec.qty * drug.pack_size
        restricted = drug.min_facility_level is not None and request.facility.level_number < drug.min_facility_level
        self_pay = drug.is_drug and (not drug.in_catalogue or restricted)
        lines.append(LineFacts(spec, drug, units, self_pay))

    fac = dict(facilities or {})
    fac.setdefault(request.facility.code, request.facility)
    ctx = AuditContext(request, profile, history, lines, fac, scheme, switched, regs, active)
    _load_history(ctx)
    return ctx


def _load_history(ctx: AuditContext) -> None:
    """One query per kind of history, sized to the widest window any rule needs."""
    day, profile = ctx.day, ctx.profile
    since = min(dt.date(day.year, 1, 1), day - dt.timedelta(days=profile.multi_site_window_days + 1))
    ctx.settlements = ctx.history.settlements(ctx.person.person_no, since, day)
    drug_lines = [l for l in ctx.lines if l.drug.is_drug]
    keys = {l.drug.chain_key for l in drug_lines}
    ctx.dispenses = ctx.history.dispenses(ctx.person.person_no, keys) if keys else []
    codes = {c for l in drug_lines for c in l.spec.trace_codes}
    ctx.trace_sales = ctx.history.trace_sales(codes) if codes else {}
    linked = {d.settlement_id for d in ctx.dispenses if d.settlement_id}
    linked |= {s.settlement_id for sales in ctx.trace_sales.values() for s in sales if s.settlement_id}
    ctx.reversed_on = {s.settlement_id: s.reversed_on for s in ctx.settlements}
    missing = linked - ctx.reversed_on.keys()
    if missing:
        ctx.reversed_on.update(ctx.history.reversed_settlements(missing))

    for line in drug_lines:
        fills = [
            (d.date, d.days)
            for d in ctx.dispenses
            if d.chain_key == line.drug.chain_key and d.date <= day and ctx.counts(d.settlement_id)
        ]
        end, remaining = chain_supply(fills, day)
        start = day if end is None or end < day else end
        line.remaining_before = remaining
        line.new_supply_end = start + dt.timedelta(days=line.spec.days)
