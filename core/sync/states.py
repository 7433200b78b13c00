"""The life of one sale at a terminal, as an explicit transition table.

    draft → audited → pre_settled → sending → settled → printed → uploaded
                                       │   ↘ rejected
                                       │   ↘ unknown → settled | rejected | reversing → reversed
                                       ↘ provisional (centre unreachable, inside the offline limits)
    pre_settled → provisional → sending → …   (offline sale, drained in order on reconnection)
    settled | printed | uploaded → returning → returned   (return / 2103 cancel, never an edit)
    draft | audited | pre_settled → cancelled   (nothing was sent)

Meaning of the states that matter for reliability:

- sending: a 2102 is reserved in the outbox with its msgid (committed before any byte is sent). Whether the
  centre has it is not known yet.
- unknown: the cashier's wait ran out without an answer (timeout, reset, garbage). The message is never sent
  again under a new msgid; it is reversed with 2601 (omsgid = its msgid), or settled/rejected if the centre's
  answer arrives first.
- provisional: settled offline within the floor limits; the local quota is spent at once; the same msgid is
  delivered (and, on failure, asked again) until the centre answers.
- reversing: a 2601 for the settlement is reserved; nothing can bring the sale back.

`transition(session, sale, to, …)` checks the table, raises IllegalTransition (a typed error) for anything
else, updates the row and journals the transition in the same transaction.
"""
from __future__ import annotations

from enum import Enum
from typing import Any

from sqlalchemy.orm import Session


class SaleState(str, Enum):
    DRAFT = "draft"
    AUDITED = "audited"
    PRE_SETTLED = "pre_settled"
    PROVISIONAL = "provisional"
    SENDING = "sending"
    UNKNOWN = "unknown"
    SETTLED = "settled"
    REJECTED = "rejected"
    REVERSING = "reversing"
    REVERSED = "reversed"
    PRINTED = "printed"
    UPLOADED = "uploaded"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"


S = SaleState

TRANSITIONS: dict[SaleState, frozenset[SaleState]] = {
    S.DRAFT: frozenset({S.AUDITED, S.CANCELLED}),
    S.AUDITED: frozenset({S.AUDITED, S.DRAFT, S.PRE_SETTLED, S.CANCELLED}),
    S.PRE_SETTLED: frozenset({S.SENDING, S.PROVISIONAL, S.AUDITED, S.DRAFT, S.CANCELLED}),
    # sending -> pre_settled: the centre was never reached (connection refused), the message is withdrawn
    # sending -> provisional: the same, and the sale fits the offline limits: same msgid, queued
    S.SENDING: frozenset({S.SETTLED, S.REJECTED, S.UNKNOWN, S.PROVISIONAL, S.PRE_SETTLED}),
    S.PROVISIONAL: frozenset({S.SENDING}),
    S.UNKNOWN: frozenset({S.SETTLED, S.REJECTED, S.REVERSING}),
    S.REVERSING: frozenset({S.REVERSED}),
    S.SETTLED: frozenset({S.PRINTED, S.RETURNING}),
    S.PRINTED: frozenset({S.UPLOADED, S.RETURNING}),
    S.UPLOADED: frozenset({S.RETURNING}),
    S.RETURNING: frozenset({S.RETURNED}),
    S.REJECTED: frozenset(),
    S.REVERSED: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}

TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
# A message for the sale may be at the centre without its answer here.
IN_FLIGHT = frozenset({S.SENDING, S.UNKNOWN, S.REVERSING, S.PROVISIONAL, S.RETURNING})
# The settlement counts (locally) against the person's quota.
SPENDING = frozenset({S.PROVISIONAL, S.SENDING, S.UNKNOWN, S.REVERSING, S.SETTLED, S.PRINTED, S.UPLOADED,
                      S.RETURNING})
SETTLED_LIKE = frozenset({S.SETTLED, S.PRINTED, S.UPLOADED})

LABEL_ZH = {
    S.DRAFT: "开单", S.AUDITED: "已审核", S.PRE_SETTLED: "已预结算", S.PROVISIONAL: "离线暂存",
    S.SENDING: "结算中", S.UNKNOWN: "结果未知", S.SETTLED: "已结算", S.REJECTED: "中心拒绝",
    S.REVERSING: "冲正中", S.REVERSED: "已冲正", S.PRINTED: "已打印", S.UPLOADED: "已上传",
    S.RETURNING: "退货中", S.RETURNED: "已退货", S.CANCELLED: "已取消",
}


class IllegalTransition(Exception):
    """A transition the table does not allow; nothing was changed."""

    def __init__(self, sale_id: str, current: SaleState | str, wanted: SaleState | str) -> None:
        cur, want = SaleState(current), SaleState(wanted)
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[cur])) or "none (final state)"
        super().__init__(f"sale {sale_id}: {cur.value} -> {want.value} is not allowed (from {cur.value}: {allowed})")
        self.sale_id, self.current, self.wanted = sale_id, cur, want
        self.message_zh = f"单据 {sale_id} 不能从「{LABEL_ZH[cur]}」变为「{LABEL_ZH[want]}」"


def allowed(current: SaleState | str, wanted: SaleState | str) -> bool:
    return SaleState(wanted) in TRANSITIONS[SaleState(current)]


def check(sale_id: str, current: SaleState | str, wanted: SaleState | str) -> None:
    if not allowed(current, wanted):
        raise IllegalTransition(sale_id, current, wanted)


def transition(session: Session, sale: Any, to: SaleState, *, reason: str = "", data: dict | None = None,
               now=None) -> None:
    """Move `sale` (a SyncSale row) to `to` inside the caller's transaction, journaling it."""
    from core.store.base import utcnow
    from core.sync import journal

    check(sale.sale_id, sale.state, to)
    before = sale.state
    sale.state = SaleState(to).value
    sale.updated_at = now or utcnow()
    if reason:
        sale.reason = reason
    journal.append(session, "sale.transition", sale_id=sale.sale_id, from_state=before, to_state=sale.state,
                   data={"reason": reason, **(data or {})}, at=sale.updated_at)


__all__ = [
    "IN_FLIGHT", "IllegalTransition", "LABEL_ZH", "SETTLED_LIKE", "SPENDING", "SaleState", "TERMINAL", "TRANSITIONS",
    "allowed", "check", "transition",
]
