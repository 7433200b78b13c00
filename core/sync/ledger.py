"""The local settlement record of a sale (core.store's settlement, dispense and trace_sale rows).

It is written when the sale is reserved for sending (or settled offline), so the person's quota, the supply
chain and the sold trace codes count at once — locally, the same way the centre will count them — and it
follows the sale's fate: `settled` with the centre's figures, or voided (`rejected`, `reversed`, `returned`,
`withdrawn`) with reversed_on set so that it no longer counts. The settlement id is the 2102 msgid, which is
the centre's setl_id as well.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.audit.result import AuditResult
from core.domain import LineVerdict
from core.store.models import DispenseRow, SettlementRow, TraceSaleRow
from core.store.writer import DispenseLine, NewSettlement, TraceLine, record_settlement
from core.sync.basket import Basket
from core.sync.transactions import CentreSettlement

VOID_STATUSES = ("rejected", "reversed", "returned", "withdrawn")


def record(session: Session, *, settlement_id: str, basket: Basket, result: AuditResult, drugs, facility_code: str,
           when: dt.datetime, status: str) -> None:
    """Write the local settlement of `basket` as the audit `result` computed it."""
    s = result.settlement
    assert s is not None
    dispenses, traces = [], []
    for line in result.lines:
        if line.verdict == LineVerdict.BLOCK:
            continue
        drug = drugs[line.drug_key]
        if drug.is_drug:
            dispenses.append(DispenseLine(drug.key, line.chain_key, line.days))
        for code in line.trace_codes:
            traces.append(TraceLine(code, line.line, drug.key,
                                    units=line.amounts.units if line.split else drug.pack_size, split=line.split))
    record_settlement(session, NewSettlement(
        settlement_id=settlement_id, person_no=basket.person_no, date=when.date(), facility_code=facility_code,
        scheme=s.scheme, total=s.total, fund=s.fund_payment, personal=s.personal_payment, period=s.period,
        deductible_applied=s.deductible_applied, expense_counted=s.expense_counted,
        time=when.time().replace(microsecond=0, tzinfo=None), status=status,
        dispenses=tuple(dispenses), trace_sales=tuple(traces),
    ))


def set_status(session: Session, settlement_id: str, status: str) -> None:
    session.execute(update(SettlementRow).where(SettlementRow.settlement_id == settlement_id).values(status=status))


def settle(session: Session, settlement_id: str, centre: CentreSettlement) -> None:
    """The centre settled it: keep its figures and its date (the centre dates an offline sale on arrival)."""
    row = session.get(SettlementRow, settlement_id)
    if row is None:
        return
    row.status = "settled"
    row.total, row.fund, row.personal = centre.total, centre.fund, centre.personal
    if centre.deductible is not None:
        row.deductible_applied = centre.deductible
    if centre.period:
        row.period = centre.period
    if centre.setl_time is not None:
        day, time = centre.setl_time.date(), centre.setl_time.time().replace(microsecond=0)
        if row.date != day:  # an offline sale drained on a later day: the centre counts it on that day
            session.execute(update(DispenseRow).where(DispenseRow.settlement_id == settlement_id)
                            .values(date=day, time=time))
            session.execute(update(TraceSaleRow).where(TraceSaleRow.settlement_id == settlement_id).values(date=day))
        row.date, row.time = day, time


def void(session: Session, settlement_id: str, status: str, on_date: dt.date) -> None:
    """It no longer counts: rejected or withdrawn (never counted), reversed or returned (from `on_date`)."""
    assert status in VOID_STATUSES
    row = session.get(SettlementRow, settlement_id)
    if row is None:
        return
    row.status = status
    if row.reversed_on is None:
        row.reversed_on = row.date if status in ("rejected", "withdrawn") else max(on_date, row.date)


def figures(session: Session, settlement_id: str) -> tuple[Decimal, Decimal, Decimal] | None:
    row = session.get(SettlementRow, settlement_id)
    return None if row is None else (row.total, row.fund, row.personal)


__all__ = ["VOID_STATUSES", "figures", "record", "set_status", "settle", "void"]
