"""Audit cases in the vectors' format: a patient, a facility, a prescription and the history before it.

`parse_case` turns one vector (or case file body) into an AuditRequest plus the history records; every
problem is a WorldError naming the file, the vector and the field, raised before anything is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from core.domain import (
    AuditRequest,
    DispenseRecord,
    Prescription,
    PrescriptionLine,
    Scheme,
    SettlementRecord,
    Sig,
    TraceSale,
)
from core.services.world import FieldReader, World, WorldError

# The 无码库 (stock bought before the trace-code rule) is written differently by different exporters: a flag
# on the line (uncoded_stock, no_code_stock, in_wuma …) or a registry of drugs in the history. Accept the
# spellings that mean it, by the words they contain.
UNCODED_WORDS = ("uncoded", "no_code", "nocode", "wuma", "无码")


def _means_uncoded(key: str, value: Any) -> bool:
    key = key.lower()
    if any(w in key for w in UNCODED_WORDS):
        return bool(value)
    return isinstance(value, str) and value.strip().lower() in ("uncoded", "uncoded_stock", "无码库")


def _uncoded_registry(hist: Mapping[str, Any]) -> set[str]:
    """Drug keys registered in the 无码库 by the history, whatever shape the registry takes."""
    drugs: set[str] = set()
    for key, value in hist.items():
        if not any(w in key.lower() for w in UNCODED_WORDS):
            continue
        items = value.get("drugs", value) if isinstance(value, Mapping) else value
        if isinstance(items, Mapping):
            drugs.update(str(k) for k, v in items.items() if v)
        elif isinstance(items, list):
            for item in items:
                if isinstance(item, str):
                    drugs.add(item)
                elif isinstance(item, Mapping) and item.get("drug"):
                    drugs.add(str(item["drug"]))
    return drugs


@dataclass
class Case:
    case_id: str
    request: AuditRequest
    settlements: list[SettlementRecord]
    dispenses: list[DispenseRecord]
    trace_sales: list[TraceSale]
    expected: Mapping[str, Any] | None = None
    title: str = ""


def parse_case(world: World, data: Any, source: str, case_id: str | None = None) -> Case:
    r = FieldReader(source)
    if not isinstance(data, Mapping):
        raise r.fail(case_id or "case", "must be an object")
    cid = str(data.get("id") or case_id or "case")
    w = f"vector {cid}"

    profile_id = r.text(data, "profile", w)
    if profile_id not in world.profiles:
        raise r.fail(f"{w}.profile", f"unknown profile {profile_id!r}")
    patient_key = r.text(data, "patient", w)
    person = world.patients.get(patient_key)
    if person is None:
        raise r.fail(f"{w}.patient", f"unknown patient {patient_key!r}")
    try:
        scheme = Scheme(r.text(data, "requested_scheme", w))
    except ValueError:
        raise r.fail(f"{w}.requested_scheme", "must be LB or MT") from None

    setl = r.obj(r.req(data, "settlement", w), f"{w}.settlement")
    facility = _facility(r, world, r.text(setl, "facility", f"{w}.settlement"), f"{w}.settlement.facility")
    day = r.date(setl, "date", f"{w}.settlement")
    time = r.time(setl, "time", f"{w}.settlement")

    rx = r.obj(r.req(data, "prescription", w), f"{w}.prescription")
    pw = f"{w}.prescription"
    hist_raw = data.get("history") or {}
    uncoded_drugs = _uncoded_registry(hist_raw) if isinstance(hist_raw, Mapping) else set()
    lines = []
    numbers = set()
    for i, raw in enumerate(r.lst(r.req(rx, "lines", pw), f"{pw}.lines")):
        lw = f"{pw}.lines[{i}]"
        raw = r.obj(raw, lw)
        drug_key = r.text(raw, "drug", lw)
        if drug_key not in world.catalogue:
            raise r.fail(f"{lw}.drug", f"unknown drug {drug_key!r}")
        no = r.integer(raw, "line", lw, minimum=1, default=i + 1)
        if no in numbers:
            raise r.fail(f"{lw}.line", f"line number {no} used twice")
        numbers.add(no)
        sig = None
        if raw.get("sig") is not None:
            sw = f"{lw}.sig"
            s = r.obj(raw["sig"], sw)
            dose, times = r.number(s, "dose", sw), r.number(s, "times_per_day", sw)
            if dose is None or times is None:
                raise r.fail(sw, "needs dose and times_per_day")
            sig = Sig(dose, times)
        codes = r.lst(raw.get("trace_codes") or [], f"{lw}.trace_codes")
        if not all(isinstance(c, str) for c in codes):
            raise r.fail(f"{lw}.trace_codes", "must be a list of text codes")
        lines.append(
            PrescriptionLine(
                line=no,
                drug_key=drug_key,
                qty=r.integer(raw, "qty", lw, minimum=1),
                days=r.integer(raw, "days", lw, minimum=1),
                sig=sig,
                split=bool(raw.get("split", False)),
                trace_codes=tuple(codes),
                uncoded_stock=drug_key in uncoded_drugs or any(_means_uncoded(k, v) for k, v in raw.items()),
            )
        )
    if not lines:
        raise r.fail(f"{pw}.lines", "a prescription needs at least one line")
    diagnoses = r.lst(rx.get("diagnoses") or [], f"{pw}.diagnoses")
    prescription = Prescription(
        rx_no=str(rx.get("rx_no") or cid),
        rx_date=r.date(rx, "rx_date", pw),
        diagnoses=tuple(str(d) for d in diagnoses),
        lines=tuple(lines),
        long_rx_confirmed=bool(rx.get("long_rx_confirmed", False)),
        kind=str(rx.get("type") or "ordinary"),
        valid_until=r.date(rx, "valid_until", pw, optional=True),
    )
    request = AuditRequest(person, facility, prescription, scheme, day, time, profile_id)
    settlements, dispenses, sales = _history(r, world, hist_raw, person.person_no, w)
    return Case(cid, request, settlements, dispenses, sales, data.get("expected"), str(data.get("title") or ""))


def _facility(r: FieldReader, world: World, key: str, where: str):
    facility = world.facilities.get(key) or world.facility_by_code().get(key)
    if facility is None:
        raise r.fail(where, f"unknown facility {key!r}")
    return facility


def _history(r: FieldReader, world: World, hist: Any, person_no: str, w: str):
    hw = f"{w}.history"
    hist = r.obj(hist, hw)
    settlements = []
    for i, s in enumerate(r.lst(hist.get("settlements") or [], f"{hw}.settlements")):
        sw = f"{hw}.settlements[{i}]"
        s = r.obj(s, sw)
        facility = _facility(r, world, r.text(s, "facility", sw), f"{sw}.facility")
        try:
            scheme = Scheme(r.text(s, "scheme", sw))
        except ValueError:
            raise r.fail(f"{sw}.scheme", "must be LB or MT") from None
        settlements.append(
            SettlementRecord(
                settlement_id=r.text(s, "setl_id", sw),
                person_no=person_no,
                date=r.date(s, "date", sw),
                facility_code=facility.code,
                scheme=scheme,
                fund=r.amount(s, "fund", sw),
                deductible_applied=r.amount(s, "deductible_applied", sw, default=Decimal("0.00")),
                expense_counted=r.amount(s, "expense_counted", sw, default=Decimal("0.00")),
                time=r.time(s, "time", sw),
                reversed_on=r.date(s, "reversed_on", sw, optional=True),
                city=facility.city,
            )
        )
    dispenses = []
    for i, d in enumerate(r.lst(hist.get("dispenses") or [], f"{hw}.dispenses")):
        dw = f"{hw}.dispenses[{i}]"
        d = r.obj(d, dw)
        drug_key = r.text(d, "drug", dw)
        drug = world.catalogue.get(drug_key)
        if drug is None:
            raise r.fail(f"{dw}.drug", f"unknown drug {drug_key!r}")
        dispenses.append(
            DispenseRecord(
                person_no=person_no,
                date=r.date(d, "date", dw),
                facility_code=_facility(r, world, r.text(d, "facility", dw), f"{dw}.facility").code,
                chain_key=drug.chain_key,
                days=r.integer(d, "days", dw, minimum=0),
                settlement_id=d.get("setl_id"),
                time=r.time(d, "time", dw),
                drug_key=drug_key,
            )
        )
    sales = []
    for code, entry in r.obj(hist.get("trace_registry") or {}, f"{hw}.trace_registry").items():
        tw = f"{hw}.trace_registry.{code}"
        for i, sale in enumerate(r.lst(r.obj(entry, tw).get("sales") or [], f"{tw}.sales")):
            sw = f"{tw}.sales[{i}]"
            sale = r.obj(sale, sw)
            fac = sale.get("facility")
            sales.append(
                TraceSale(
                    code=code,
                    date=r.date(sale, "date", sw),
                    units=r.integer(sale, "units", sw, minimum=1),
                    split=bool(sale.get("split", False)),
                    settlement_id=sale.get("setl_id"),
                    facility_code=_facility(r, world, fac, f"{sw}.facility").code if fac else "",
                )
            )
    return settlements, dispenses, sales


def parse_vectors(world: World, data: Any, source: str) -> list[Case]:
    if not isinstance(data, Mapping) or not isinstance(data.get("vectors"), list):
        raise WorldError(source, "vectors", "missing or not a list")
    cases = [parse_case(world, v, source, f"vectors[{i}]") for i, v in enumerate(data["vectors"])]
    seen: set[str] = set()
    for c in cases:
        if c.case_id in seen:
            raise WorldError(source, f"vector {c.case_id}", "id used twice")
        seen.add(c.case_id)
    return cases
