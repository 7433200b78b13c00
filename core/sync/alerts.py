"""Supervisor alerts: what the centre rejected or adjusted, and anything else a person must decide.

An alert is never deleted; a supervisor resolves it with a note (the resolution is journaled).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.store.base import utcnow
from core.sync import journal
from core.sync.models import SyncAlert

REJECTED = "rejected"  # an offline (provisional) sale the centre refused: the fund did not pay
ADJUSTED = "adjusted"  # the centre paid a different amount than the provisional one
TOTAL_MISMATCH = "total_mismatch"  # local total and medfee_sumamt differ beyond the tolerance: cancelled
REVERSAL_REFUSED = "reversal_refused"
CANCEL_REFUSED = "cancel_refused"
UPLOAD_REFUSED = "upload_refused"
UPLOAD_CANCELLED = "upload_cancelled"
REGISTRATION_REFUSED = "registration_refused"
BAD_ANSWER = "bad_answer"


@dataclass(frozen=True)
class AlertView:
    id: int
    kind: str
    sale_id: str | None
    msgid: str | None
    message_zh: str
    message_en: str
    diff_fund: Decimal | None
    diff_personal: Decimal | None
    created_at: dt.datetime
    resolved: bool


def raise_alert(session: Session, kind: str, *, sale_id: str | None, msgid: str | None, zh: str, en: str,
                diff_fund: Decimal | None = None, diff_personal: Decimal | None = None,
                now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    session.add(SyncAlert(kind=kind, sale_id=sale_id, msgid=msgid, message_zh=zh, message_en=en,
                          diff_fund=diff_fund, diff_personal=diff_personal, created_at=now, note=""))
    journal.append(session, "alert", sale_id=sale_id, data={
        "kind": kind, "msgid": msgid, "en": en, "diff_fund": diff_fund, "diff_personal": diff_personal}, at=now)


def open_alerts(session: Session, limit: int = 500) -> list[AlertView]:
    rows = session.scalars(select(SyncAlert).where(SyncAlert.resolved_at.is_(None)).order_by(SyncAlert.id).limit(limit))
    return [_view(r) for r in rows]


def all_alerts(session: Session, sale_id: str | None = None) -> list[AlertView]:
    stmt = select(SyncAlert).order_by(SyncAlert.id)
    if sale_id is not None:
        stmt = stmt.where(SyncAlert.sale_id == sale_id)
    return [_view(r) for r in session.scalars(stmt)]


def open_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(SyncAlert).where(SyncAlert.resolved_at.is_(None))) or 0)


def resolve(session: Session, alert_id: int, by: str, note: str, now: dt.datetime | None = None) -> None:
    row = session.get(SyncAlert, alert_id)
    if row is None or row.resolved_at is not None:
        return
    row.resolved_at, row.resolved_by, row.note = now or utcnow(), by, note
    journal.append(session, "alert.resolved", sale_id=row.sale_id, data={"id": alert_id, "by": by, "note": note},
                   at=row.resolved_at)


def _view(r: SyncAlert) -> AlertView:
    return AlertView(r.id, r.kind, r.sale_id, r.msgid, r.message_zh, r.message_en, r.diff_fund, r.diff_personal,
                     r.created_at, r.resolved_at is not None)


__all__ = ["AlertView", "all_alerts", "open_alerts", "open_count", "raise_alert", "resolve"]
