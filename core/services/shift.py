"""Shift close: push what can still go out, then reconcile the shift's period with the centre (3201) and keep
the result with its per-settlement differences.

    shift = ShiftService(terminal)
    close = shift.close(operator="OP01")           # today, by default
    close.reconciliation.balanced, close.reconciliation.differences, close.waiting

A shift may close with items still waiting (the centre is down): the close shows them, they stay in the
outbox and go out later; nothing is dropped.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.sync.reconcile import Reconciliation, reconcile, stored
from core.sync.status import SyncStatus, sync_status
from core.sync.terminal import Terminal


@dataclass(frozen=True)
class ShiftClose:
    reconciliation: Reconciliation
    status: SyncStatus
    drained: int

    @property
    def waiting(self) -> int:
        return self.status.waiting

    def to_dict(self) -> dict:
        return {"reconciliation": self.reconciliation.to_dict(), "status": self.status.to_dict(),
                "drained": self.drained}


class ShiftService:
    def __init__(self, terminal: Terminal) -> None:
        self.t = terminal

    def close(self, *, operator: str, since: dt.date | None = None, until: dt.date | None = None,
              drain_s: float = 10.0, detail: bool | None = None) -> ShiftClose:
        day = self.t.today()
        since, until = since or day, until or day
        drained = self.t.sender.drain(timeout_s=drain_s).sent if drain_s > 0 else 0
        rec = reconcile(self.t, since, until, operator=operator, detail=detail)
        return ShiftClose(rec, sync_status(self.t), drained)

    def history(self, limit: int = 20) -> list[dict]:
        return stored(self.t, limit)


__all__ = ["ShiftClose", "ShiftService"]
