"""Offline floor limits: may this sale be settled provisionally while the centre cannot be reached?

Every figure is computed from the store (never from an in-memory flag), inside the caller's transaction, so
two offline sales on one terminal cannot both spend the same quota: the settle transaction holds the write
lock while it checks and records.

Checks, all reported (not only the first), each with its reason in Chinese and English:
identification by ID card or social security card only (an e-voucher QR is dynamic and never queued);
cached registration younger than N hours; fund per transaction; fund per person and day (offline sales);
the terminal's outstanding offline fund; the time since the centre was last reachable.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.domain import fmt
from core.sync.config import OfflineLimits
from core.sync.models import SyncPersonFresh, SyncSale, SyncState
from core.sync.states import SaleState as S
from core.sync.states import SPENDING

UNCONFIRMED = (S.PROVISIONAL.value, S.SENDING.value, S.UNKNOWN.value)
KIND_ZH = {"evoucher": "医保电子凭证", "id_card": "身份证", "ss_card": "社保卡"}


@dataclass(frozen=True)
class OfflineReason:
    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class OfflineCheck:
    ok: bool
    reasons: tuple[OfflineReason, ...]
    figures: dict = field(default_factory=dict)

    @property
    def text_zh(self) -> str:
        return "；".join(r.zh for r in self.reasons) if self.reasons else "在离线限额内"

    @property
    def text_en(self) -> str:
        return "; ".join(r.en for r in self.reasons) if self.reasons else "within the offline limits"


def _day_bounds_utc(local_day: dt.date, utc_offset_hours: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(local_day, dt.time()) - dt.timedelta(hours=utc_offset_hours)
    return start, start + dt.timedelta(days=1)


def outstanding_offline_fund(session: Session, *, exclude_sale: str | None = None) -> Decimal:
    stmt = select(func.coalesce(func.sum(SyncSale.fund), 0)).where(SyncSale.offline.is_(True),
                                                                   SyncSale.state.in_(UNCONFIRMED))
    if exclude_sale:
        stmt = stmt.where(SyncSale.sale_id != exclude_sale)
    return Decimal(session.scalar(stmt) or 0).quantize(Decimal("0.01"))


def person_offline_fund_on(session: Session, person_no: str, local_day: dt.date, utc_offset_hours: int, *,
                           exclude_sale: str | None = None) -> Decimal:
    start, end = _day_bounds_utc(local_day, utc_offset_hours)
    stmt = select(func.coalesce(func.sum(SyncSale.fund), 0)).where(
        SyncSale.person_no == person_no, SyncSale.offline.is_(True),
        SyncSale.state.in_([s.value for s in SPENDING]), SyncSale.created_at >= start, SyncSale.created_at < end)
    if exclude_sale:
        stmt = stmt.where(SyncSale.sale_id != exclude_sale)
    return Decimal(session.scalar(stmt) or 0).quantize(Decimal("0.01"))


def offline_hours(session: Session, now_utc: dt.datetime) -> float:
    row = session.get(SyncState, "offline_since")
    if row is None or not row.value:
        return 0.0
    return max(0.0, (now_utc - dt.datetime.fromisoformat(row.value)).total_seconds() / 3600)


def registration_age_hours(session: Session, person_no: str, now_utc: dt.datetime) -> float | None:
    row = session.get(SyncPersonFresh, person_no)
    if row is None:
        return None
    return max(0.0, (now_utc - row.refreshed_at).total_seconds() / 3600)


def check(
    session: Session,
    limits: OfflineLimits,
    *,
    person_no: str,
    ident_kind: str,
    fund: Decimal,
    now_utc: dt.datetime,
    local_day: dt.date,
    utc_offset_hours: int,
    exclude_sale: str | None = None,
    account: bool = False,
) -> OfflineCheck:
    reasons: list[OfflineReason] = []
    if account:  # the balance is the centre's: no terminal can know it, nor keep two sales from spending it twice
        reasons.append(OfflineReason(
            "account", "个人账户（含家庭共济）支付需联网：余额在医保中心，离线不能使用，请改用现金等方式支付",
            "personal-account (and family-sharing) payments need the centre: the balance is the centre's; "
            "pay by cash or another tender"))
    if ident_kind not in limits.allowed_identification:
        allowed = "、".join(KIND_ZH.get(k, k) for k in limits.allowed_identification)
        reasons.append(OfflineReason(
            "identification",
            f"离线时只能使用{allowed}识别参保人（{KIND_ZH.get(ident_kind, ident_kind)}不能离线使用，电子凭证二维码为动态码）",
            f"offline, only {', '.join(limits.allowed_identification)} can identify the person "
            f"(not {ident_kind}: an e-voucher QR is dynamic and is never queued)"))
    age = registration_age_hours(session, person_no, now_utc)
    if age is None:
        reasons.append(OfflineReason("registration", "本机没有该参保人的备案缓存，不能离线结算",
                                     "no cached registration for this person on this terminal"))
    elif age > limits.max_registration_age_hours:
        reasons.append(OfflineReason(
            "registration", f"备案缓存已 {age:.0f} 小时未更新（上限 {limits.max_registration_age_hours} 小时）",
            f"the cached registration is {age:.0f} h old (limit {limits.max_registration_age_hours} h)"))
    if fund > limits.max_fund_per_transaction:
        reasons.append(OfflineReason(
            "per_transaction", f"本笔统筹支付 {fmt(fund)} 元超过离线单笔上限 {fmt(limits.max_fund_per_transaction)} 元",
            f"fund {fmt(fund)} exceeds the offline limit per transaction {fmt(limits.max_fund_per_transaction)}"))
    day = person_offline_fund_on(session, person_no, local_day, utc_offset_hours, exclude_sale=exclude_sale)
    if day + fund > limits.max_fund_per_person_per_day:
        reasons.append(OfflineReason(
            "per_person_day",
            f"该参保人今日离线统筹 {fmt(day)} + {fmt(fund)} 元超过每人每日上限 {fmt(limits.max_fund_per_person_per_day)} 元",
            f"this person's offline fund today {fmt(day)} + {fmt(fund)} exceeds the daily limit "
            f"{fmt(limits.max_fund_per_person_per_day)}"))
    total = outstanding_offline_fund(session, exclude_sale=exclude_sale)
    if total + fund > limits.max_terminal_offline_fund:
        reasons.append(OfflineReason(
            "terminal_total",
            f"本终端待上传离线统筹 {fmt(total)} + {fmt(fund)} 元超过上限 {fmt(limits.max_terminal_offline_fund)} 元",
            f"this terminal's outstanding offline fund {fmt(total)} + {fmt(fund)} exceeds the limit "
            f"{fmt(limits.max_terminal_offline_fund)}"))
    hours = offline_hours(session, now_utc)
    if hours > limits.max_offline_hours:
        reasons.append(OfflineReason(
            "duration", f"已离线 {hours:.1f} 小时，超过最长离线时间 {limits.max_offline_hours} 小时",
            f"offline for {hours:.1f} h, longer than the limit of {limits.max_offline_hours} h"))
    figures = {"fund": fmt(fund), "registration_age_h": None if age is None else round(age, 2),
               "person_day_fund": fmt(day + fund), "terminal_outstanding_fund": fmt(total + fund),
               "offline_hours": round(hours, 2)}
    return OfflineCheck(not reasons, tuple(reasons), figures)


__all__ = ["OfflineCheck", "OfflineReason", "check", "offline_hours", "outstanding_offline_fund",
           "person_offline_fund_on", "registration_age_hours"]
