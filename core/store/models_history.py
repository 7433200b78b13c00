"""Settlement history the audit reads: settlements, dispensed supply per drug chain, sold trace codes.

Indexes follow the HistoryRepository queries one to one: (person_no, date) for a person's settlements in a
period, (person_no, chain_key, date) for supply chaining, code for the trace-code registry.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.domain import DispenseRecord, Scheme, SettlementRecord, TraceSale
from core.store.base import ROW_ID, Base, utcnow


class SettlementRow(Base):
    """One settlement; `settlement_id` is the platform message id (msgid), the idempotency key end to end."""

    __tablename__ = "settlement"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_no: Mapped[str] = mapped_column(String(32), ForeignKey("person.person_no"))
    date: Mapped[dt.date]
    time: Mapped[dt.time | None]
    facility_code: Mapped[str] = mapped_column(String(32))
    city: Mapped[str] = mapped_column(String(12), default="")  # of the facility, for 短时异地结算 (FRD-001)
    scheme: Mapped[str] = mapped_column(String(2))
    period: Mapped[str] = mapped_column(String(7))  # "2025" (yearly) or "2025-09" (monthly)
    total: Mapped[Decimal]
    fund: Mapped[Decimal]
    personal: Mapped[Decimal]
    deductible_applied: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    expense_counted: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    reversed_on: Mapped[dt.date | None]
    status: Mapped[str] = mapped_column(String(16), default="settled")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_settlement_person_no_date", "person_no", "date"),)

    def to_domain(self) -> SettlementRecord:
        return SettlementRecord(
            settlement_id=self.settlement_id, person_no=self.person_no, date=self.date,
            facility_code=self.facility_code, scheme=Scheme(self.scheme), fund=self.fund,
            deductible_applied=self.deductible_applied, expense_counted=self.expense_counted,
            time=self.time, reversed_on=self.reversed_on, city=self.city or "",
        )


class DispenseRow(Base):
    """Supply dispensed for one drug line: `days` of `chain_key` (ATC level 5 or 12-character code prefix)."""

    __tablename__ = "dispense"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    person_no: Mapped[str] = mapped_column(String(32), ForeignKey("person.person_no"))
    settlement_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("settlement.settlement_id", ondelete="CASCADE")
    )
    date: Mapped[dt.date]
    time: Mapped[dt.time | None]
    facility_code: Mapped[str] = mapped_column(String(32))
    drug_key: Mapped[str] = mapped_column(String(64), default="")
    chain_key: Mapped[str] = mapped_column(String(32))
    days: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_dispense_person_no_chain_key_date", "person_no", "chain_key", "date"),
        Index("ix_dispense_settlement_id", "settlement_id"),
    )

    def to_domain(self) -> DispenseRecord:
        return DispenseRecord(
            person_no=self.person_no, date=self.date, facility_code=self.facility_code, chain_key=self.chain_key,
            days=self.days, settlement_id=self.settlement_id, time=self.time, drug_key=self.drug_key or "",
        )


class TraceSaleRow(Base):
    """One sold traceability code (one box, or units from an opened box when `split`), per settlement line."""

    __tablename__ = "trace_sale"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64))
    # NULL: a sale known from the registry (the centre's 3513 answer, a vector's trace registry) whose
    # settlement is not in this store.
    settlement_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("settlement.settlement_id", ondelete="CASCADE")
    )
    line: Mapped[int] = mapped_column(Integer)
    drug_key: Mapped[str] = mapped_column(String(64), default="")
    date: Mapped[dt.date]
    units: Mapped[int] = mapped_column(Integer)
    split: Mapped[bool] = mapped_column(Boolean, default=False)
    facility_code: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (
        Index("ix_trace_sale_code", "code"),
        UniqueConstraint("settlement_id", "code", "line"),
    )

    def to_domain(self) -> TraceSale:
        return TraceSale(
            code=self.code, date=self.date, units=self.units, split=bool(self.split),
            settlement_id=self.settlement_id, facility_code=self.facility_code or "",
        )


__all__ = ["DispenseRow", "SettlementRow", "TraceSaleRow"]
