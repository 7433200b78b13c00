"""Supply planning from follow-ups (服药品规通过随访信息同步至药房, seed 003): what the registered patients of a
pharmacy or clinic take, in packs for the coming month, against stock on hand → a 补货建议 list.

Each patient's current drugs come from the newest of: the last follow-up that lists drugs, the last
e-prescription (not revoked, not returned). A follow-up gives dose and frequency ("5mg", "qd"), turned into
units a day with the drug's strength; a prescription gives packs over its days. Pure: the centre gathers the
rows (server/transactions/care_supply.py), this does the arithmetic.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

FREQ_PER_DAY = {"qd": 1.0, "每日1次": 1.0, "每日一次": 1.0, "qn": 1.0, "qm": 1.0, "bid": 2.0, "每日2次": 2.0,
                "每日两次": 2.0, "tid": 3.0, "每日3次": 3.0, "每日三次": 3.0, "qid": 4.0, "每日4次": 4.0, "qod": 0.5,
                "隔日1次": 0.5, "qw": 1 / 7, "每周1次": 1 / 7, "biw": 2 / 7}
UNIT_WORDS = ("片", "粒", "支", "袋", "丸", "tab", "tablet", "tablets", "cap", "")
_DOSE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z\u4e00-\u9fff]*)\s*$")


@dataclass(frozen=True)
class DrugInfo:
    key: str
    name: str
    spec: str
    pack_size: int
    pack_unit: str
    strength: Decimal | None
    strength_unit: str


@dataclass(frozen=True)
class Need:
    """One patient's use of one drug, in packs a day."""
    person_no: str
    drug_key: str
    packs_per_day: float
    source: str  # followup / prescription
    assumed: bool = False  # dose or frequency could not be read: one unit a day assumed


def units_per_day(dose: str, freq: str, drug: DrugInfo) -> tuple[float, bool]:
    per_day = FREQ_PER_DAY.get(freq.strip().lower().replace(" ", ""), None)
    m = _DOSE.match(dose or "")
    assumed = per_day is None or m is None
    per_day = 1.0 if per_day is None else per_day
    if m is None:
        return per_day, True
    amount, unit = float(m.group(1)), m.group(2).lower()
    if unit.lower() in UNIT_WORDS:
        return amount * per_day, assumed
    if drug.strength and unit == drug.strength_unit.lower():
        return amount / float(drug.strength) * per_day, assumed
    if drug.strength and unit == "g" and drug.strength_unit.lower() == "mg":
        return amount * 1000 / float(drug.strength) * per_day, assumed
    return per_day, True


def need_from_followup(person_no: str, drug: DrugInfo, dose: str, freq: str) -> Need:
    units, assumed = units_per_day(dose, freq, drug)
    return Need(person_no, drug.key, units / max(drug.pack_size, 1), "followup", assumed)


def need_from_prescription(person_no: str, drug: DrugInfo, packs: Decimal, days: int) -> Need:
    return Need(person_no, drug.key, float(packs) / max(days, 1), "prescription")


def plan(needs: list[Need], drugs: dict[str, DrugInfo], stock: dict[str, int] | None, days: int = 30) -> list[dict]:
    """Per drug: patients, packs needed for `days`, stock on hand (None = unknown), packs to order."""
    by_drug: dict[str, list[Need]] = {}
    for n in needs:
        by_drug.setdefault(n.drug_key, []).append(n)
    rows = []
    for key, items in by_drug.items():
        d = drugs[key]
        demand = math.ceil(round(sum(n.packs_per_day for n in items) * days, 6))
        on_hand = None if stock is None else int(stock.get(key, 0))
        rows.append({"drug_key": key, "drug_name": d.name, "spec": d.spec, "pack_unit": d.pack_unit or "盒",
                     "patients": len({n.person_no for n in items}), "demand_packs": demand, "stock_packs": on_hand,
                     "suggest_packs": max(demand - on_hand, 0) if on_hand is not None else demand,
                     "sources": sorted({n.source for n in items}), "assumed_doses": sum(n.assumed for n in items)})
    rows.sort(key=lambda r: (-r["suggest_packs"], r["drug_key"]))
    return rows


__all__ = ["DrugInfo", "Need", "need_from_followup", "need_from_prescription", "plan", "units_per_day"]
