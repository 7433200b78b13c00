"""A desk record's settlement, read through from its sync sale (nothing is copied, so nothing has to be kept
in step)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from core.services.desk.base import SETTLED_STATES
from core.sync.models import SyncOutbox, SyncSale
from core.sync.states import SaleState as S


@dataclass(frozen=True)
class Through:
    """A desk record's settlement, read through from its sync sale."""

    status: str  # settled / provisional / rejected / unknown / reversed / returned / pending / unsent …
    total: Decimal
    fund: Decimal
    personal: Decimal
    setl_id: str
    offline_no: str
    confirmed: bool  # the figures are the centre's
    answer: dict = field(default_factory=dict)  # the centre's 2102 output


def read_through(session, row) -> Through | None:
    """The settlement behind a desk_sale row (sale or return), from core.sync's tables in `session`; None for
    a row recorded before the desk settled through the sync layer (its own columns hold the figures)."""
    sale_id = getattr(row, "sync_sale_id", None)
    if not sale_id:
        return None
    ss = session.get(SyncSale, sale_id)
    if ss is None:
        return None
    confirmed = ss.centre_total is not None
    total = ss.centre_total if confirmed else ss.total
    fund = ss.centre_fund if confirmed else ss.fund
    personal = ss.centre_personal if confirmed else ss.personal
    answer: dict = {}
    if ss.msgid:
        item = session.scalar(select(SyncOutbox).where(SyncOutbox.msgid == ss.msgid))
        if item is not None and item.status == "done" and item.response:
            from core.store.persons import default_cipher
            from core.sync.outbox import response_of

            answer = (response_of(item, default_cipher()) or {}).get("output") or {}
    state = ss.state
    if row.kind == "return":
        status = "settled" if state == S.RETURNED.value else "pending"  # the 2103 waits in the outbox
        sign = Decimal("-1")
    else:
        sign = Decimal("1")
        if row.status != "settled":  # the desk's own word: pending, failed, returned
            status = row.status
        elif state in SETTLED_STATES:
            status = "settled"
        elif state == S.PROVISIONAL.value or (state == S.SENDING.value and ss.offline):
            status = "provisional"
        elif state == S.REJECTED.value:
            status = "rejected"
        elif state in (S.RETURNING.value, S.RETURNED.value):
            status = "returned"
        elif state in (S.UNKNOWN.value, S.REVERSING.value):
            status = "unknown"
        else:
            status = state
    z = Decimal("0.00")
    return Through(status, sign * (total or z), sign * (fund or z), sign * (personal or z), ss.setl_id or "",
                   ss.offline_no or "", confirmed, answer)

