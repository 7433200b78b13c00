"""Value types shared by the audit engine, the policy calculator, the store and the centre.

Field names are the English names of ../shared/domain/glossary.md; platform field names appear only at the
protocol boundary (core/sync, server endpoints).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


class Scheme(str, Enum):
    LB = "LB"  # 两病 hypertension/diabetes outpatient drugs
    MT = "MT"  # 门诊慢特病 chronic and special diseases
    OP = "OP"  # ordinary insured purchases: 41 定点药店购药 and 门诊统筹 at pharmacies (core.policy.ordinary)


class Severity(str, Enum):
    INFO = "INFO"
    WARN = "WARN"
    BLOCK = "BLOCK"

    @property
    def rank(self) -> int:
        return {"INFO": 0, "WARN": 1, "BLOCK": 2}[self.value]


class Verdict(str, Enum):
    PASS = "PASS"
    WARN = "WARN"
    BLOCK = "BLOCK"


class LineVerdict(str, Enum):
    PASS = "PASS"
    WARN = "WARN"
    SELF_PAY = "SELF_PAY"
    BLOCK = "BLOCK"


@dataclass(frozen=True)
class Registration:
    """A disease registration (备案/认定). end None = open-ended."""

    scheme: Scheme
    disease: str
    begin: dt.date
    end: dt.date | None = None
    designated_facilities: tuple[str, ...] = ()

    def active_on(self, day: dt.date) -> bool:
        return self.begin <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Person:
    person_no: str
    name: str
    sex: str  # GB/T 2261.1: "1" male, "2" female
    birth_date: dt.date
    insurance_type: str  # "310" employee, "390" resident
    status: str = "active"
    death_date: dt.date | None = None
    id_number: str | None = None
    registrations: tuple[Registration, ...] = ()

    def age_on(self, day: dt.date) -> int:
        """Completed years on `day`."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True)
class Drug:
    """A catalogue item. `category` other than "drug" (health_food, food, cosmetic, daily…) is non-drug goods."""

    key: str  # catalogue key used by prescriptions (local item code)
    name: str
    price: Decimal  # per pack
    pack_size: int
    category: str = "drug"
    drug_class: str | None = None  # 甲 / 乙 / 丙, None = not in the catalogue
    preselfpay_ratio: Decimal = Decimal("0")
    nhsa_code: str | None = None
    atc: str | None = None
    nhsa_class: str | None = None  # 5-character class of the national code when no ATC is known
    spec: str = ""
    unit: str = ""
    pack_unit: str = ""
    strength: Decimal | None = None  # per unit (tablet, pen …)
    strength_unit: str = ""
    max_daily: Decimal | None = None  # in strength units
    sex_limit: str | None = None  # "1" male only, "2" female only
    age_limit: str | None = None  # "child", "neonate", "adult"
    min_facility_level: int | None = None  # pharmacy counts as 0
    trace_prefix: str | None = None
    barcode: str | None = None  # commodity barcode (EAN-13)
    # Optional restriction flags (NHSA 两库 batches); no public vector exercises them yet.
    inpatient_only: bool = False  # CAT-007
    insurance_scope: str | None = None  # CAT-008: "work_injury" / "maternity"
    restriction_text: str | None = None  # CAT-005 限定支付范围 free text
    price_ceiling: Decimal | None = None  # CAT-009 payment price ceiling per pack
    course_limit_days: int | None = None  # DRG-006 限定支付疗程
    long_rx_barred: bool = False  # QTY-004 (narcotic, psychotropic I/II, toxic …)

    @property
    def is_drug(self) -> bool:
        return self.category == "drug"

    @property
    def in_catalogue(self) -> bool:
        return self.drug_class in ("甲", "乙")

    @property
    def chain_key(self) -> str:
        """What supply chaining and 一人多开 compare: ATC level 5, else the first 12 characters of the code."""
        if self.atc:
            return self.atc
        return (self.nhsa_code or self.key)[:12]

    @property
    def class4(self) -> str | None:
        """ATC level 4 (5 characters) for same-class duplication."""
        if self.atc and len(self.atc) >= 5:
            return self.atc[:5]
        return None

    @property
    def scope_class(self) -> str | None:
        """Class matched against a disease's drug scope: ATC, else the national code's class part."""
        return self.atc or self.nhsa_class


@dataclass(frozen=True)
class Facility:
    code: str
    name: str
    kind: str  # pharmacy / clinic / hospital
    benefit_level: str  # "1", "2", "3" or "pharmacy": used for benefits, may differ from the hospital grade
    hospital_grade: str | None = None
    city: str = ""

    @property
    def level_number(self) -> int:
        """Benefit level as a number for 限定机构等级 (a pharmacy counts as 0)."""
        return int(self.benefit_level) if self.benefit_level.isdigit() else 0


@dataclass(frozen=True)
class Sig:
    dose: Decimal  # per administration, in the drug's strength unit
    times_per_day: Decimal


@dataclass(frozen=True)
class PrescriptionLine:
    line: int
    drug_key: str
    qty: int  # packs, or units for a split (拆零) sale
    days: int
    sig: Sig | None = None
    split: bool = False
    trace_codes: tuple[str, ...] = ()
    uncoded_stock: bool = False  # the pack comes from the 无码库 (bought before the code rule)


@dataclass(frozen=True)
class Prescription:
    rx_no: str
    rx_date: dt.date
    diagnoses: tuple[str, ...]
    lines: tuple[PrescriptionLine, ...]
    long_rx_confirmed: bool = False
    kind: str = "ordinary"  # ordinary / continuous
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class SettlementRecord:
    """A past settlement as the history sees it (fund, deductible and quota it used)."""

    settlement_id: str
    person_no: str
    date: dt.date
    facility_code: str
    scheme: Scheme
    fund: Decimal
    deductible_applied: Decimal = Decimal("0")
    expense_counted: Decimal = Decimal("0")
    time: dt.time | None = None
    reversed_on: dt.date | None = None
    city: str = ""

    def counts_on(self, day: dt.date) -> bool:
        """A settlement reversed on or before `day` is ignored for caps, deductible, supply and trace codes."""
        return self.reversed_on is None or self.reversed_on > day


@dataclass(frozen=True)
class DispenseRecord:
    person_no: str
    date: dt.date
    facility_code: str
    chain_key: str
    days: int
    settlement_id: str | None = None
    time: dt.time | None = None
    drug_key: str = ""


@dataclass(frozen=True)
class TraceSale:
    code: str
    date: dt.date
    units: int
    split: bool
    settlement_id: str | None = None
    facility_code: str = ""


@dataclass(frozen=True)
class AuditRequest:
    """Everything one audit needs that is not history: who, where, when, what."""

    person: Person
    facility: Facility
    prescription: Prescription
    requested_scheme: Scheme
    date: dt.date
    time: dt.time | None = None
    profile_id: str = ""


@dataclass
class RuleHit:
    rule: str
    severity: Severity
    line: int | None
    message_zh: str
    message_en: str
    data: dict = field(default_factory=dict)
