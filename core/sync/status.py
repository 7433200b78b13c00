"""The sync status line the UI shows at all times: online/offline, items waiting (and the oldest's age), last
success, the offline quota used against its limit, open supervisor alerts.

Computed from the store (plus what the transport saw last), never from an in-memory "synced" flag: a
restarted terminal shows exactly what is still waiting.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.domain import fmt
from core.sync import alerts, outbox
from core.sync.models import SyncSale, SyncState
from core.sync.offline import offline_hours, outstanding_offline_fund
from core.sync.states import SaleState as S

if TYPE_CHECKING:
    from core.sync.terminal import Terminal


@dataclass(frozen=True)
class SyncStatus:
    mode: str  # online / offline / unknown (nothing tried yet)
    waiting: int
    waiting_by_kind: dict[str, int]
    oldest_waiting_s: float | None
    last_success_at: dt.datetime | None
    offline_since: dt.datetime | None
    offline_hours: float
    provisional_sales: int
    unknown_sales: int
    offline_fund_outstanding: Decimal
    offline_fund_limit: Decimal
    alerts_open: int
    last_error: str
    limits: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def text_zh(self) -> str:
        mode = {"online": "在线", "offline": "离线", "unknown": "未连接"}[self.mode]
        parts = [mode, f"待上传 {self.waiting} 条"]
        if self.oldest_waiting_s is not None and self.waiting:
            parts.append(f"最久 {_age(self.oldest_waiting_s)}")
        if self.last_success_at:
            parts.append(f"上次成功 {self.last_success_at:%m-%d %H:%M} (UTC)")
        if self.provisional_sales:
            parts.append(f"离线暂存 {self.provisional_sales} 笔，统筹 {fmt(self.offline_fund_outstanding)}/"
                         f"{fmt(self.offline_fund_limit)} 元")
        if self.alerts_open:
            parts.append(f"待主管处理 {self.alerts_open} 条")
        return " · ".join(parts)

    def to_dict(self) -> dict:
        return {
            "mode": self.mode, "waiting": self.waiting, "waiting_by_kind": self.waiting_by_kind,
            "oldest_waiting_s": self.oldest_waiting_s,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "offline_since": self.offline_since.isoformat() if self.offline_since else None,
            "offline_hours": round(self.offline_hours, 3), "provisional_sales": self.provisional_sales,
            "unknown_sales": self.unknown_sales, "offline_fund_outstanding": fmt(self.offline_fund_outstanding),
            "offline_fund_limit": fmt(self.offline_fund_limit), "alerts_open": self.alerts_open,
            "last_error": self.last_error, "text_zh": self.text_zh,
        }


def _age(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} 秒"
    if seconds < 3600:
        return f"{seconds / 60:.0f} 分钟"
    return f"{seconds / 3600:.1f} 小时"


def _state(session, key: str) -> str:
    row = session.get(SyncState, key)
    return row.value if row is not None else ""


def sync_status(t: "Terminal") -> SyncStatus:
    now = t.utcnow()
    with t.read() as s:
        by_kind = outbox.waiting(s)
        oldest = outbox.oldest_pending(s)
        last_ok = _state(s, "last_success_at")
        since = _state(s, "offline_since")
        counts = dict(s.execute(select(SyncSale.state, func.count()).where(
            SyncSale.state.in_([S.PROVISIONAL.value, S.UNKNOWN.value, S.REVERSING.value]))
            .group_by(SyncSale.state)).all())
        provisional = int(s.scalar(select(func.count()).select_from(SyncSale).where(
            SyncSale.offline.is_(True), SyncSale.state.in_([S.PROVISIONAL.value, S.SENDING.value]))) or 0)
        outstanding = outstanding_offline_fund(s)
        hours = offline_hours(s, now)
        n_alerts = alerts.open_count(s)
        last_error = _state(s, "last_error")
    health = t.transport.health
    if health.last_ok_monotonic is None and health.last_failure_monotonic is None:
        mode = "unknown" if not since else "offline"
    else:
        mode = "offline" if health.believed_offline else "online"
    return SyncStatus(
        mode=mode, waiting=sum(by_kind.values()), waiting_by_kind=by_kind,
        oldest_waiting_s=(now - oldest).total_seconds() if oldest else None,
        last_success_at=dt.datetime.fromisoformat(last_ok) if last_ok else None,
        offline_since=dt.datetime.fromisoformat(since) if since else None, offline_hours=hours,
        provisional_sales=provisional, unknown_sales=counts.get(S.UNKNOWN.value, 0) + counts.get(S.REVERSING.value, 0),
        offline_fund_outstanding=outstanding, offline_fund_limit=t.config.offline.max_terminal_offline_fund,
        alerts_open=n_alerts, last_error=last_error if mode != "online" else "", limits=t.config.offline.rows(),
    )


__all__ = ["SyncStatus", "sync_status"]
