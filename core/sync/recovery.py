"""Start-up recovery: after a crash or a power cut, decide every in-flight message, resolve what the centre
can answer now, and say what was done — before the terminal takes new work.

The rule, per pending item:
- a settlement the cashier was waiting for (interactive 2102) whose process is gone: the cashier was never
  told it settled, so it is reversed — a 2601 with omsgid = its msgid (the centre reverses it if it has it and
  records a tombstone if it never arrived, so a late copy can never settle). It is never sent again.
- everything else (offline sales already handed out, reversals, cancellations, uploads): sent again with the
  same msgid; the centre answers a repeat with its first answer.
Then the outbox is drained for up to `resolve_timeout_s`. Whatever the centre could not answer stays queued,
already decided, and is listed as waiting.
"""
from __future__ import annotations

import datetime as dt
import logging
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.sync import journal
from core.sync import outbox as ob
from core.sync.apply import resolve_by_reversal
from core.sync.lease import holder_alive
from core.sync.models import SyncOutbox, SyncSale
from core.sync.states import LABEL_ZH, SaleState

if TYPE_CHECKING:
    from core.sync.terminal import Terminal

log = logging.getLogger("onewindow.sync")


@dataclass
class RecoveryAction:
    msgid: str
    infno: str
    kind: str
    sale_id: str | None
    decision: str  # reverse / resend / left-to-owner
    outcome: str = ""  # item status after resolution
    sale_state: str | None = None
    reversal_msgid: str | None = None

    def text_zh(self) -> str:
        what = {"reverse": "冲正(2601)", "resend": "按原报文ID重发", "left-to-owner": "由发起进程处理"}[self.decision]
        state = LABEL_ZH.get(SaleState(self.sale_state), self.sale_state) if self.sale_state else "-"
        done = {"done": "中心已确认", "refused": "中心已拒绝", "pending": "等待中心", "superseded": "已转冲正"}.get(
            self.outcome, self.outcome)
        return f"{self.infno} {self.msgid} 单据 {self.sale_id or '-'}：{what}，{done}，单据状态：{state}"


@dataclass
class RecoveryReport:
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    actions: list[RecoveryAction] = field(default_factory=list)
    open_sales: list[str] = field(default_factory=list)  # drafts never sent: nothing to resolve
    drained: int = 0
    waiting: int = 0
    centre_reached: bool = False
    note: str = ""

    @property
    def nothing_to_do(self) -> bool:
        return not self.actions

    def lines_zh(self) -> list[str]:
        if not self.actions:
            return ["启动检查：没有未完成的报文"]
        head = f"启动检查：处理 {len(self.actions)} 条未完成报文，仍等待中心 {self.waiting} 条"
        return [head, *(a.text_zh() for a in self.actions)]

    def to_dict(self) -> dict:
        return {
            "started_at": self.started_at.isoformat(), "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "actions": [a.__dict__ for a in self.actions], "open_sales": self.open_sales, "drained": self.drained,
            "waiting": self.waiting, "centre_reached": self.centre_reached, "note": self.note,
        }


def owner_alive(owner: str, me: str) -> bool:
    """Is the process that reserved an interactive item still running (and not us)? A process on another
    host cannot be checked: its item is treated as abandoned (it is reversed, which is always safe)."""
    if not owner or owner == me or owner.split(":")[0] != socket.gethostname()[:60]:
        return False
    return holder_alive(owner, me)


def recover(t: "Terminal", *, resolve_timeout_s: float = 30.0) -> RecoveryReport:
    report = RecoveryReport(started_at=t.utcnow())
    me = t.lease.holder
    with t.write() as s, s.begin():
        pending = list(s.scalars(select(SyncOutbox).where(SyncOutbox.status == ob.PENDING).order_by(SyncOutbox.id)))
        for item in pending:
            if item.kind == "settle" and item.interactive:
                if owner_alive(item.owner, me):
                    report.actions.append(RecoveryAction(item.msgid, item.infno, item.kind, item.sale_id,
                                                         "left-to-owner"))
                    continue
                rev = resolve_by_reversal(s, t, item, reason="上次运行中断，结算结果未记录 (interrupted before the "
                                                             "answer was recorded: crash or power cut)")
                report.actions.append(RecoveryAction(item.msgid, item.infno, item.kind, item.sale_id, "reverse",
                                                     reversal_msgid=rev.msgid))
            else:
                if item.interactive:
                    item.interactive = False  # nobody waits for it any more
                report.actions.append(RecoveryAction(item.msgid, item.infno, item.kind, item.sale_id, "resend"))
        report.open_sales = list(s.scalars(select(SyncSale.sale_id).where(
            SyncSale.state.in_([SaleState.DRAFT.value, SaleState.AUDITED.value, SaleState.PRE_SETTLED.value]))))
        journal.append(s, "recovery.start", data={"pending": len(pending), "actions": [
            {"msgid": a.msgid, "decision": a.decision, "reversal": a.reversal_msgid} for a in report.actions]})
    if report.actions and resolve_timeout_s > 0:
        stats = t.sender.drain(timeout_s=resolve_timeout_s)
        report.drained = stats.sent
        if stats.not_holder:
            report.note = "another instance holds the sender lease and resolves these messages"
    with t.write() as s, s.begin():
        for a in report.actions:
            item = s.scalar(select(SyncOutbox).where(SyncOutbox.msgid == a.msgid))
            a.outcome = item.status if item else "missing"
            if a.reversal_msgid:
                rev = s.scalar(select(SyncOutbox).where(SyncOutbox.msgid == a.reversal_msgid))
                a.outcome = f"superseded; reversal {rev.status if rev else 'missing'}"
            sale = s.get(SyncSale, a.sale_id) if a.sale_id else None
            a.sale_state = sale.state if sale else None
        report.waiting = sum(ob.waiting(s).values())
        report.centre_reached = t.transport.health.last_ok_monotonic is not None
        report.finished_at = t.utcnow()
        journal.append(s, "recovery.done", data={"drained": report.drained, "waiting": report.waiting,
                                                 "note": report.note})
    for line in report.lines_zh():
        log.info("%s", line)
    return report


__all__ = ["RecoveryAction", "RecoveryReport", "owner_alive", "recover"]
