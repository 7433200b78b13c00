"""Reminders that reach people: queue them from the worklist (server/worklists.py `reminders`) into the outbox
table centre_notification, one row per person, subject and channel; deliver them through the notification port
(core/care/notify.py); hand desk/kiosk messages out when the person identifies.

    queue_reminders(conn, …)   in the caller's transaction (2590): opted-out people are skipped, a reminder
                               already queued for the same subject and due day is not queued twice
    dispatch(engine, channels) outside any request: claims waiting rows, sends each through its channel,
                               records the outcome (sent / retry / failed after MAX_ATTEMPTS) and journals it.
                               Run by `onewindow remind send` (cron); one dispatcher at a time — a run that
                               died mid-send leaves rows `sending`, which the next run sends again with the
                               same `ref`, so a provider deduplicating on it sends them once.
    take_desk_messages(…)      2592: the person's desk messages, marked shown and journaled
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable, Iterable

from sqlalchemy import Connection, Engine, or_, select, update

from core.care.notify import Channel, Outgoing
from core.store.models import PersonRow
from server import db, journal
from server.models_care import notification, optout
from server.models_chronic import contact

log = logging.getLogger("onewindow.notify")
N, O = notification.c, optout.c
MAX_ATTEMPTS = 3
WAITING = ("queued", "retry", "sending")


def opted_out(conn: Connection, person_nos: Iterable[str]) -> dict[str, set[str]]:
    nos = sorted(set(person_nos))
    out: dict[str, set[str]] = {}
    for i in range(0, len(nos), 500):
        for r in conn.execute(select(O.person_no, O.channel).where(O.person_no.in_(nos[i:i + 500]))):
            out.setdefault(r.person_no, set()).add(r.channel)
    return out


def _blocked(channels: set[str] | None, channel: str) -> bool:
    return bool(channels) and ("all" in channels or channel in channels)


def queue_reminders(conn: Connection, items: list[dict], channels: Iterable[str], *, now_text: str,
                    note: Callable[[str, dict], None]) -> dict:
    """`items` are worklist reminders (kind, psn_no, psn_name, due, message, tel …)."""
    channels = list(channels)
    nos = {i["psn_no"] for i in items}
    outs = opted_out(conn, nos)
    addrs = {r.person_no: r.addr for r in conn.execute(select(contact.c.person_no, contact.c.addr)
                                                       .where(contact.c.person_no.in_(sorted(nos))))} if nos else {}
    queued, skipped_optout, skipped_no_address, already = 0, 0, 0, 0
    for item in items:
        subject = item.get("drug_key") or item.get("disease") or ""
        dedupe = f"{item['kind']}:{item['psn_no']}:{subject}:{item['due']}"
        for channel in channels:
            if _blocked(outs.get(item["psn_no"]), channel):
                skipped_optout += 1
                continue
            address = {"sms": item.get("tel", ""), "letter": addrs.get(item["psn_no"], ""), "desk": ""}[channel]
            if channel != "desk" and not address:
                skipped_no_address += 1
                continue
            exists = conn.execute(select(N.id).where(N.channel == channel, N.dedupe == dedupe)).first()
            if exists is not None:
                already += 1
                continue
            new_id = conn.execute(notification.insert().values(
                person_no=item["psn_no"], channel=channel, kind=item["kind"], dedupe=dedupe, address=address,
                message=item["message"], status="queued", created_at=now_text)).inserted_primary_key[0]
            note("notify.queued", {"id": new_id, "psn_no": item["psn_no"], "channel": channel, "kind": item["kind"],
                                   "dedupe": dedupe})
            queued += 1
    return {"queued": queued, "already_queued": already, "skipped_optout": skipped_optout,
            "skipped_no_address": skipped_no_address}


def _stamp(now: dt.datetime) -> tuple[str, str]:
    return now.strftime("%Y-%m-%d %H:%M:%S"), now.isoformat(timespec="microseconds")


def dispatch(engine: Engine, channels: dict[str, Channel], *, clock: Callable[[], dt.datetime],
             limit: int = 500, max_attempts: int = MAX_ATTEMPTS) -> dict:
    """Send what waits on the given channels (sms, letter). Returns counts by outcome."""
    names = [c for c in channels if c != "desk"]
    counts = {"sent": 0, "retry": 0, "failed": 0, "optout": 0}
    if not names:
        return counts
    with db.transaction(engine) as conn:
        q = (select(notification).where(N.channel.in_(names), N.status.in_(WAITING), N.attempts < max_attempts)
             .order_by(N.id).limit(limit))
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = conn.execute(q).all()
        if rows:
            conn.execute(update(notification).where(N.id.in_([r.id for r in rows])).values(status="sending"))
        outs = opted_out(conn, [r.person_no for r in rows])
        names_by_no = dict(conn.execute(select(PersonRow.person_no, PersonRow.name).where(
            PersonRow.person_no.in_(sorted({r.person_no for r in rows})))).all()) if rows else {}
    for r in rows:
        if _blocked(outs.get(r.person_no), r.channel):  # opted out after it was queued
            outcome, delivery = "optout", None
        else:
            msg = Outgoing(f"N{r.id}", r.person_no, names_by_no.get(r.person_no, ""), r.address, r.message, r.kind)
            try:
                delivery = channels[r.channel].send(msg)
            except Exception as exc:  # noqa: BLE001 - an adapter's bug must not lose the other messages
                log.exception("notification %s: adapter %s failed", r.id, r.channel)
                from core.care.notify import Delivery

                delivery = Delivery(False, error=f"adapter error: {type(exc).__name__}", retry=True)
            attempts = r.attempts + 1
            if delivery.ok:
                outcome = "sent"
            elif delivery.retry and attempts < max_attempts:
                outcome = "retry"
            else:
                outcome = "failed"
        now_text, at = _stamp(clock())
        with db.transaction(engine) as conn:
            values = {"status": outcome}
            if delivery is not None:
                values.update(attempts=N.attempts + 1, last_error=delivery.error, provider_ref=delivery.provider_ref)
                if delivery.ok:
                    values["sent_at"] = now_text
            conn.execute(update(notification).where(N.id == r.id).values(**values))
            journal.append(conn, f"notify.{outcome}", {
                "id": r.id, "psn_no": r.person_no, "channel": r.channel, "kind": r.kind, "attempt": r.attempts + 1,
                "provider_ref": delivery.provider_ref if delivery else "", "error": delivery.error if delivery else ""},
                at=at, code="CENTRE")
        counts[outcome] += 1
    return counts


def take_desk_messages(conn: Connection, person_no: str, *, now_text: str, note: Callable[[str, dict], None]) -> list[dict]:
    outs = opted_out(conn, [person_no]).get(person_no)
    rows = conn.execute(select(notification).where(N.person_no == person_no, N.channel == "desk",
                                                   N.status == "queued").order_by(N.id)).all()
    shown = []
    for r in rows:
        status = "optout" if _blocked(outs, "desk") else "shown"
        conn.execute(update(notification).where(N.id == r.id).values(status=status, sent_at=now_text,
                                                                      attempts=N.attempts + 1))
        note(f"notify.{status}", {"id": r.id, "psn_no": person_no, "channel": "desk", "kind": r.kind})
        if status == "shown":
            shown.append({"id": r.id, "kind": r.kind, "message": r.message, "created_at": r.created_at})
    return shown


def history(conn: Connection, *, person_no: str = "", status: str = "", limit: int = 200) -> list[dict]:
    q = select(notification).order_by(N.id.desc()).limit(limit)
    if person_no:
        q = q.where(N.person_no == person_no)
    if status:
        q = q.where(or_(N.status == status))
    return [{"id": r.id, "psn_no": r.person_no, "channel": r.channel, "kind": r.kind, "address": r.address,
             "message": r.message, "status": r.status, "attempts": r.attempts, "last_error": r.last_error,
             "provider_ref": r.provider_ref, "created_at": r.created_at, "sent_at": r.sent_at}
            for r in conn.execute(q)]


__all__ = ["MAX_ATTEMPTS", "dispatch", "history", "opted_out", "queue_reminders", "take_desk_messages"]
