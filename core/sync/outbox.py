"""The outbox: reserve a message (committed with the business record) before it is ever sent.

    item = reserve(session, kind="settle", infno="2102", msgid=…, business_key=f"settle:{sale_id}", input_node=…)

An item is `pending` until the centre answers it: `done` (infcode 0) or `refused` (the centre's refusal).
Items that will never be sent end as `superseded` (an unknown settlement replaced by its reversal),
`cancelled` (what it depended on failed) or `withdrawn` (the centre was never reached and the cashier did
not go offline). Rows are kept after the answer: they are the terminal's record of what was sent.

Order: within a lane (the person) items go strictly in reservation order, so quota-changing messages of one
person reach the centre in the order they were made; different lanes may overlap.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, defer

from core.store.base import utcnow
from core.store.crypto import DataCipher
from core.sync import journal
from core.sync.envelope import dumps
from core.sync.models import SyncOutbox

PENDING = "pending"
DONE = "done"
REFUSED = "refused"
SUPERSEDED = "superseded"
CANCELLED = "cancelled"
WITHDRAWN = "withdrawn"
FINAL = frozenset({DONE, REFUSED, SUPERSEDED, CANCELLED, WITHDRAWN})

KINDS = ("settle", "reverse", "cancel", "sale_upload", "sale_return", "registration", "stock")


class DuplicateBusinessKey(Exception):
    """The business event is already in the outbox (double click, retry loop, second instance)."""

    def __init__(self, business_key: str, existing: SyncOutbox) -> None:
        super().__init__(f"{business_key} is already queued as {existing.msgid} ({existing.status})")
        self.business_key, self.existing = business_key, existing


def reserve(
    session: Session,
    cipher: DataCipher,
    *,
    kind: str,
    infno: str,
    msgid: str,
    business_key: str,
    input_node: dict,
    sale_id: str | None = None,
    lane: str = "",
    depends_on: int | None = None,
    interactive: bool = False,
    owner: str = "",
    psn_no: str = "",
    insuplc_admdvs: str = "",
    opter: str = "",
    opter_name: str = "",
    now: dt.datetime | None = None,
) -> SyncOutbox:
    """Add an item inside the caller's transaction. Raises DuplicateBusinessKey with the existing item."""
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    existing = session.scalar(select(SyncOutbox).where(SyncOutbox.business_key == business_key))
    if existing is not None:
        raise DuplicateBusinessKey(business_key, existing)
    item = SyncOutbox(
        msgid=msgid, infno=infno, kind=kind, business_key=business_key, sale_id=sale_id, lane=lane,
        depends_on=depends_on, interactive=interactive, owner=owner, payload=cipher.encrypt_text(dumps(input_node)),
        psn_no=psn_no, insuplc_admdvs=insuplc_admdvs, opter=opter, opter_name=opter_name, status=PENDING,
        attempts=0, created_at=now or utcnow(), last_error="",
    )
    session.add(item)
    session.flush()
    journal.append(session, "outbox.reserve", sale_id=sale_id,
                   data={"id": item.id, "msgid": msgid, "infno": infno, "kind": kind, "key": business_key,
                         "interactive": interactive, "depends_on": depends_on}, at=item.created_at)
    return item


def input_of(item: SyncOutbox, cipher: DataCipher, payload: str | None = None) -> dict:
    return json.loads(cipher.decrypt(payload if payload is not None else item.payload))


def response_of(item: SyncOutbox, cipher: DataCipher) -> dict:
    """The centre's answer as recorded (stored encrypted like the payload; plain text from older stores)."""
    text = item.response or ""
    if text and not text.startswith("{"):
        text = cipher.decrypt(text)
    return json.loads(text) if text else {}


def payloads(session: Session, ids: list[int]) -> dict[int, str]:
    """The encrypted input nodes of several items in one query (selection leaves them unloaded)."""
    if not ids:
        return {}
    return dict(session.execute(select(SyncOutbox.id, SyncOutbox.payload).where(SyncOutbox.id.in_(ids))).all())


def finish(session: Session, item: SyncOutbox, status: str, *, reason: str = "", now: dt.datetime | None = None) -> None:
    """End an item without an answer (superseded, cancelled, withdrawn)."""
    assert status in (SUPERSEDED, CANCELLED, WITHDRAWN)
    item.status = status
    item.done_at = now or utcnow()
    item.last_error = reason or item.last_error
    journal.append(session, f"outbox.{status}", sale_id=item.sale_id,
                   data={"id": item.id, "msgid": item.msgid, "infno": item.infno, "reason": reason}, at=item.done_at)


def waiting(session: Session) -> dict[str, int]:
    """Pending items by kind."""
    rows = session.execute(select(SyncOutbox.kind, func.count()).where(SyncOutbox.status == PENDING)
                           .group_by(SyncOutbox.kind))
    return {k: int(n) for k, n in rows}


def oldest_pending(session: Session) -> dt.datetime | None:
    return session.scalar(select(func.min(SyncOutbox.created_at)).where(SyncOutbox.status == PENDING))


@dataclass
class Selection:
    ready: list[SyncOutbox]
    blocked_by_dependency: list[SyncOutbox]  # their dependency ended without success: to cancel
    waiting: int  # pending but not ready (backoff, lane busy, dependency pending)


def select_ready(session: Session, now: dt.datetime, *, limit: int, skip_ids: Iterable[int] = (),
                 busy_lanes: Iterable[str] = (), window: int | None = None) -> Selection:
    """Pending items that may be sent now, oldest first, at most one per lane."""
    skip = set(skip_ids)
    lanes_blocked = set(busy_lanes)
    # Reversals go first: they end an unknown outcome, and later messages of the person should meet the
    # centre's history without it.
    first = case((SyncOutbox.kind == "reverse", 0), else_=1)
    rows = list(session.scalars(select(SyncOutbox).where(SyncOutbox.status == PENDING)
                                .options(defer(SyncOutbox.payload), defer(SyncOutbox.response))
                                .order_by(first, SyncOutbox.id).limit(window or max(limit * 2, 100))))
    deps = {r.depends_on for r in rows if r.depends_on is not None}
    dep_status = dict(session.execute(select(SyncOutbox.id, SyncOutbox.status).where(SyncOutbox.id.in_(deps)))
                      .all()) if deps else {}
    ready: list[SyncOutbox] = []
    doomed: list[SyncOutbox] = []
    waiting_n = 0
    for r in rows:
        lane = r.lane or f"#{r.id}"
        if lane in lanes_blocked or r.id in skip:
            lanes_blocked.add(lane)
            waiting_n += 1
            continue
        lanes_blocked.add(lane)  # nothing later in this lane may overtake this item
        if r.depends_on is not None:
            st = dep_status.get(r.depends_on)
            if st == PENDING:
                waiting_n += 1
                continue
            if st is not None and st != DONE:
                doomed.append(r)
                continue
        if r.not_before is not None and r.not_before > now:
            waiting_n += 1
            continue
        if len(ready) < limit:
            ready.append(r)
        else:
            waiting_n += 1
    return Selection(ready, doomed, waiting_n)


__all__ = [
    "CANCELLED", "DONE", "DuplicateBusinessKey", "FINAL", "KINDS", "PENDING", "REFUSED", "SUPERSEDED", "Selection",
    "WITHDRAWN", "finish", "input_of", "oldest_pending", "payloads", "reserve", "select_ready", "waiting",
]
