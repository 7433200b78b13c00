"""Catalogue tables: drug (the local item master with its national codes and restriction flags) and facility."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from core.domain import Drug, Facility
from core.store.base import MONEY, QUANTITY, RATIO, Base, utcnow
from core.store.pinyin import pinyin_keys


class DrugRow(Base):
    """One catalogue item. `key` is the local item code prescriptions use (medins_list_codg)."""

    __tablename__ = "drug"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(String(100), default="")
    unit: Mapped[str] = mapped_column(String(16), default="")
    pack_unit: Mapped[str] = mapped_column(String(16), default="")
    pack_size: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(MONEY)
    category: Mapped[str] = mapped_column(String(32), default="drug")
    drug_class: Mapped[str | None] = mapped_column(String(4))
    preselfpay_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0"))
    nhsa_code: Mapped[str | None] = mapped_column(String(32))
    atc: Mapped[str | None] = mapped_column(String(16))
    nhsa_class: Mapped[str | None] = mapped_column(String(8))
    strength: Mapped[Decimal | None] = mapped_column(QUANTITY)
    strength_unit: Mapped[str] = mapped_column(String(16), default="")
    max_daily: Mapped[Decimal | None] = mapped_column(QUANTITY)
    sex_limit: Mapped[str | None] = mapped_column(String(1))
    age_limit: Mapped[str | None] = mapped_column(String(16))
    min_facility_level: Mapped[int | None] = mapped_column(Integer)
    trace_prefix: Mapped[str | None] = mapped_column(String(16))
    barcode: Mapped[str | None] = mapped_column(String(32))
    inpatient_only: Mapped[bool] = mapped_column(Boolean, default=False)
    insurance_scope: Mapped[str | None] = mapped_column(String(32))
    restriction_text: Mapped[str | None] = mapped_column(Text)
    price_ceiling: Mapped[Decimal | None] = mapped_column(MONEY)
    course_limit_days: Mapped[int | None] = mapped_column(Integer)
    long_rx_barred: Mapped[bool] = mapped_column(Boolean, default=False)
    # Search keys, computed from `name` whenever it is written (see core.store.pinyin):
    # initials are space-separated, the common reading first ("bhsaldpp bksaldpp").
    pinyin_initials: Mapped[str] = mapped_column(String(255), default="")
    pinyin_full: Mapped[str] = mapped_column(String(512), default="")
    catalogue_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_drug_nhsa_code", "nhsa_code"),
        Index("ix_drug_barcode", "barcode"),
        Index("ix_drug_trace_prefix", "trace_prefix"),
        Index("ix_drug_pinyin_initials", "pinyin_initials"),
        Index("ix_drug_pinyin_full", "pinyin_full"),
    )

    @validates("name")
    def _name_written(self, _key: str, name: str) -> str:
        keys = pinyin_keys(name)
        self.pinyin_initials = keys.initials_text
        self.pinyin_full = keys.full
        return name

    def to_domain(self) -> Drug:
        return Drug(
            key=self.key,
            name=self.name,
            price=self.price,
            pack_size=self.pack_size,
            category=self.category,
            drug_class=self.drug_class,
            preselfpay_ratio=self.preselfpay_ratio if self.preselfpay_ratio is not None else Decimal("0"),
            nhsa_code=self.nhsa_code,
            atc=self.atc,
            nhsa_class=self.nhsa_class,
            spec=self.spec or "",
            unit=self.unit or "",
            pack_unit=self.pack_unit or "",
            strength=self.strength,
            strength_unit=self.strength_unit or "",
            max_daily=self.max_daily,
            sex_limit=self.sex_limit,
            age_limit=self.age_limit,
            min_facility_level=self.min_facility_level,
            trace_prefix=self.trace_prefix,
            barcode=self.barcode,
            inpatient_only=bool(self.inpatient_only),
            insurance_scope=self.insurance_scope,
            restriction_text=self.restriction_text,
            price_ceiling=self.price_ceiling,
            course_limit_days=self.course_limit_days,
            long_rx_barred=bool(self.long_rx_barred),
        )

    @classmethod
    def from_domain(cls, drug: Drug, *, catalogue_version: int = 0) -> "DrugRow":
        return cls(**drug_row_values(drug, catalogue_version=catalogue_version))


_DRUG_FIELDS = (
    "key", "name", "price", "pack_size", "category", "drug_class", "preselfpay_ratio", "nhsa_code", "atc",
    "nhsa_class", "spec", "unit", "pack_unit", "strength", "strength_unit", "max_daily", "sex_limit", "age_limit",
    "min_facility_level", "trace_prefix", "barcode", "inpatient_only", "insurance_scope", "restriction_text",
    "price_ceiling", "course_limit_days", "long_rx_barred",
)


def drug_row_values(drug: Drug, *, catalogue_version: int = 0) -> dict[str, Any]:
    """Column values of a drug row, pinyin keys included: for ORM rows and for bulk (Core) inserts alike."""
    values = {name: getattr(drug, name) for name in _DRUG_FIELDS}
    keys = pinyin_keys(drug.name)
    values["pinyin_initials"] = keys.initials_text
    values["pinyin_full"] = keys.full
    values["catalogue_version"] = catalogue_version
    values["updated_at"] = utcnow()
    return values


class FacilityRow(Base):
    """A designated institution; benefit_level ("1"/"2"/"3"/"pharmacy") may differ from the hospital grade."""

    __tablename__ = "facility"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    benefit_level: Mapped[str] = mapped_column(String(16))
    hospital_grade: Mapped[str | None] = mapped_column(String(8))
    city: Mapped[str] = mapped_column(String(12), default="")

    def to_domain(self) -> Facility:
        return Facility(
            code=self.code, name=self.name, kind=self.kind, benefit_level=self.benefit_level,
            hospital_grade=self.hospital_grade, city=self.city or "",
        )

    @classmethod
    def from_domain(cls, facility: Facility) -> "FacilityRow":
        return cls(**facility_row_values(facility))


def facility_row_values(facility: Facility) -> dict[str, Any]:
    return {
        "code": facility.code, "name": facility.name, "kind": facility.kind,
        "benefit_level": facility.benefit_level, "hospital_grade": facility.hospital_grade, "city": facility.city,
    }


__all__ = ["DrugRow", "FacilityRow", "drug_row_values", "facility_row_values"]
