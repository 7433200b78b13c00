"""Write settlements to the history: the settlement, its dispensed supply and its sold trace codes together.

    record_settlement(session, NewSettlement(...))   # one transaction, or a savepoint in the caller's
    reverse_settlement(session, settlement_id, on_date)   # idempotent

Everything is validated before the first write; bad input raises a StoreError subclass and leaves the database
as it was. The settlement id is the platform message id: recording it twice raises DuplicateSettlementError
carrying the first record (the caller answers with it, never records a second sale).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.domain import Drug, MoneyError, Scheme, SettlementRecord, money
from core.store.errors import DuplicateSettlementError, InvalidRecordError, UnknownPersonError, UnknownSettlementError
from core.store.models_catalogue import FacilityRow
from core.store.models_history import DispenseRow, SettlementRow, TraceSaleRow
from core.store.models_person import PersonRow
from core.store.tx import atomic


@dataclass(frozen=True)
class DispenseLine:
    """Supply handed out on one prescription line."""

    drug_key: str
    chain_key: str  # Drug.chain_key: ATC level 5, else the 12-character code prefix
    days: int

    @classmethod
    def for_drug(cls, drug: Drug, days: int) -> "DispenseLine":
        return cls(drug.key, drug.chain_key, days)


@dataclass(frozen=True)
class TraceLine:
    """One traceability code sold on a prescription line: a whole box, or `units` from an opened box."""

    code: str
    line: int
    drug_key: str
    units: int = 1
    split: bool = False


@dataclass(frozen=True)
class NewSettlement:
    settlement_id: str  # platform message id
    person_no: str
    date: dt.date
    facility_code: str
    scheme: Scheme | str
    total: Decimal
    fund: Decimal
    personal: Decimal | None = None  # default total - fund
    period: str | None = None  # default the calendar year of `date`
    deductible_applied: Decimal = Decimal("0")
    expense_counted: Decimal = Decimal("0")
    time: dt.time | None = None
    status: str = "settled"
    city: str | None = None  # default the facility's city when the facility is known locally
    dispenses: tuple[DispenseLine, ...] = ()
    trace_sales: tuple[TraceLine, ...] = ()


def _amount(name: str, value: object) -> Decimal:
    try:
        amount = money(value)
    except MoneyError as exc:
        raise InvalidRecordError(f"{name}: {exc}", f"金额无效（{name}）") from exc
    if amount < 0:
        raise InvalidRecordError(f"{name} is negative: {amount}", f"金额不能为负（{name}）")
    return amount


def _text(name: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecordError(f"{name} is empty", f"{name} 为空")
    if len(value) > limit:
        raise InvalidRecordError(f"{name} is longer than {limit} characters", f"{name} 过长")
    return value


def _prepare(s: NewSettlement) -> dict:
    _text("settlement_id", s.settlement_id, 64)
    _text("person_no", s.person_no, 32)
    _text("facility_code", s.facility_code, 32)
    if not isinstance(s.date, dt.date) or isinstance(s.date, dt.datetime):
        raise InvalidRecordError("date is not a date", "结算日期无效")
    if s.time is not None and not isinstance(s.time, dt.time):
        raise InvalidRecordError("time is not a time", "结算时间无效")
    try:
        scheme = Scheme(s.scheme)
    except ValueError as exc:
        raise InvalidRecordError(f"unknown scheme {s.scheme!r}", f"未知待遇类型：{s.scheme}") from exc
    total, fund = _amount("total", s.total), _amount("fund", s.fund)
    personal = _amount("personal", s.personal) if s.personal is not None else total - fund
    if fund > total:
        raise InvalidRecordError(f"fund {fund} exceeds total {total}", "统筹支付超过医疗费总额")
    if personal < 0:
        raise InvalidRecordError("personal is negative", "个人负担为负")
    period = s.period if s.period is not None else str(s.date.year)
    _text("period", period, 7)
    _text("status", s.status, 16)
    seen: set[tuple[str, int]] = set()
    for d in s.dispenses:
        _text("dispense drug_key", d.drug_key, 64)
        _text("dispense chain_key", d.chain_key, 32)
        if not isinstance(d.days, int) or d.days <= 0:
            raise InvalidRecordError(f"dispense of {d.drug_key}: days must be a positive integer",
                                     f"药品 {d.drug_key} 用药天数无效")
    for t in s.trace_sales:
        _text("trace code", t.code, 64)
        if not isinstance(t.line, int) or t.line < 1:
            raise InvalidRecordError(f"trace code {t.code}: bad line {t.line!r}", f"追溯码 {t.code} 行号无效")
        if not isinstance(t.units, int) or t.units <= 0:
            raise InvalidRecordError(f"trace code {t.code}: units must be positive", f"追溯码 {t.code} 数量无效")
        if (t.code, t.line) in seen:
            raise InvalidRecordError(f"trace code {t.code} twice on line {t.line}", f"追溯码 {t.code} 重复")
        seen.add((t.code, t.line))
    return {
        "settlement_id": s.settlement_id, "person_no": s.person_no, "date": s.date, "time": s.time,
        "facility_code": s.facility_code, "scheme": scheme.value, "period": period, "total": total, "fund": fund,
        "personal": personal, "deductible_applied": _amount("deductible_applied", s.deductible_applied),
        "expense_counted": _amount("expense_counted", s.expense_counted), "status": s.status,
    }


def record_settlement(session: Session, settlement: NewSettlement) -> SettlementRecord:
    """Write the settlement with its dispenses and trace sales atomically; returns it as the history sees it.

    Raises InvalidRecordError, UnknownPersonError, DuplicateSettlementError (with `.existing`).
    """
    values = _prepare(settlement)
    sid = settlement.settlement_id
    owned = not session.in_transaction()
    try:
        with atomic(session):
            if session.get(PersonRow, settlement.person_no) is None:
                raise UnknownPersonError(settlement.person_no)
            if session.get(SettlementRow, sid) is not None:
                raise DuplicateSettlementError(sid)
            city = settlement.city
            if city is None:
                city = session.scalar(select(FacilityRow.city).where(FacilityRow.code == settlement.facility_code))
            row = SettlementRow(**values, city=city or "")
            session.add(row)
            session.flush()
            if settlement.dispenses:
                session.execute(insert(DispenseRow), [
                    {"person_no": settlement.person_no, "settlement_id": sid, "date": settlement.date,
                     "time": settlement.time, "facility_code": settlement.facility_code, "drug_key": d.drug_key,
                     "chain_key": d.chain_key, "days": d.days}
                    for d in settlement.dispenses
                ])
            if settlement.trace_sales:
                session.execute(insert(TraceSaleRow), [
                    {"code": t.code, "settlement_id": sid, "line": t.line, "drug_key": t.drug_key,
                     "date": settlement.date, "units": t.units, "split": bool(t.split),
                     "facility_code": settlement.facility_code}
                    for t in settlement.trace_sales
                ])
            record = row.to_domain()
    except DuplicateSettlementError as exc:
        exc.existing = _existing(session, sid, owned)
        raise
    except IntegrityError as exc:
        # A concurrent writer recorded the same id between our check and our insert.
        existing = _existing(session, sid, owned)
        if existing is not None:
            raise DuplicateSettlementError(sid, existing) from exc
        raise InvalidRecordError(f"settlement {sid} violates a constraint: {exc.orig}",
                                 f"结算 {sid} 数据不一致") from exc
    return record


def _existing(session: Session, settlement_id: str, owned: bool) -> SettlementRecord | None:
    row = session.get(SettlementRow, settlement_id, populate_existing=True)
    record = None if row is None else row.to_domain()
    if owned:
        session.rollback()  # end the read transaction this lookup opened; the caller had none
    return record


def reverse_settlement(session: Session, settlement_id: str, on_date: dt.date) -> SettlementRecord:
    """Mark a settlement reversed on `on_date` (cancel 2103 or correction 2601). Reversing again keeps the first
    date. Raises UnknownSettlementError, or InvalidRecordError when `on_date` precedes the settlement."""
    if not isinstance(on_date, dt.date):
        raise InvalidRecordError("on_date is not a date", "冲正日期无效")
    with atomic(session):
        row = session.get(SettlementRow, settlement_id, with_for_update=True)
        if row is None:
            raise UnknownSettlementError(settlement_id)
        if row.reversed_on is None:
            if on_date < row.date:
                raise InvalidRecordError(f"settlement {settlement_id} cannot be reversed before {row.date}",
                                         f"冲正日期早于结算日期 {row.date}")
            row.reversed_on = on_date
            row.status = "reversed"
            session.flush()
        record = row.to_domain()
    return record


def settlement_ids(session: Session, person_no: str) -> list[str]:
    """Every recorded settlement id of a person, oldest first (for screens and reconciliation)."""
    return list(session.scalars(
        select(SettlementRow.settlement_id).where(SettlementRow.person_no == person_no)
        .order_by(SettlementRow.date, SettlementRow.settlement_id)
    ))


def record_settlements(session: Session, settlements: Iterable[NewSettlement]) -> list[SettlementRecord]:
    """Several settlements in one transaction (all or none)."""
    with atomic(session):
        return [record_settlement(session, s) for s in settlements]


__all__ = [
    "DispenseLine", "NewSettlement", "TraceLine", "record_settlement", "record_settlements", "reverse_settlement",
    "settlement_ids",
]
