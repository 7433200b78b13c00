"""Reminders through the notification port (server/notify.py; 25xx extensions):

    2590 提醒生成    queue the worklist's reminders (refill / review / followup) on channels sms, letter, desk;
                     opted-out people skipped; the same reminder is never queued twice
    2591 提醒退订    opt a person out of (or back into) a channel or all ("all"); honoured when queuing and sending
    2592 到店提醒    the person's desk/kiosk messages, handed out once when they identify (marked shown)
    2593 提醒记录    notifications of a person or in a status, with attempts and the provider's reference

Delivery itself happens outside requests: `onewindow remind send` (server/notify.py dispatch).
"""
from __future__ import annotations

from pydantic import Field
from sqlalchemy import delete, insert, select

from server import people, reference
from server.envelope import PlatformError
from server.models_care import optout
from server.notify import history, queue_reminders, take_desk_messages
from server.transactions import Input, transaction
from server.transactions.worklist import _names
from server.worklists import reminders

CHANNELS = ("sms", "letter", "desk")


class QueueData(Input):
    kinds: str = Field(default="refill,review,followup", max_length=40)
    channels: str = Field(default="sms", max_length=30)
    refill_days: int = Field(default=7, ge=0, le=90)
    review_days: int = Field(default=60, ge=0, le=366)
    psn_no: str = Field(default="", max_length=30)


class QueueInput(Input):
    data: QueueData = Field(default_factory=QueueData)


def _split(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    bad = [x for x in items if x not in allowed]
    if bad or not items:
        raise PlatformError(f"{what}: 应为 {', '.join(allowed)}，收到 {bad[0] if bad else '空'} (unknown {what})")
    return items


@transaction("2590", "提醒生成", QueueInput)
def queue(ctx, inp: QueueInput) -> dict:
    d = inp.data
    kinds = _split(d.kinds, ("refill", "review", "followup"), "kinds")
    channels = _split(d.channels, CHANNELS, "channels")
    profile = reference.profile_for(ctx.centre, ctx.conn, None)
    drugs = {k: v.name for k, v in reference.catalogue(ctx.centre, ctx.conn).by_key.items()}
    items = reminders(ctx.conn, ctx.today, kinds=kinds, refill_days=d.refill_days, review_days=d.review_days,
                      refill_window=profile.refill_window_days, drug_names=drugs, disease_names=_names(ctx))
    if d.psn_no:
        items = [i for i in items if i["psn_no"] == d.psn_no]
    counts = queue_reminders(ctx.conn, items, channels, now_text=ctx.now_text, note=ctx.journal)
    return {"reminders": len(items), **counts}


class OptData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    channel: str = Field(default="all", pattern="^(all|sms|letter|desk)$")
    optout: bool = True
    source: str = Field(default="counter", max_length=30)


class OptInput(Input):
    data: OptData


@transaction("2591", "提醒退订", OptInput)
def opt(ctx, inp: OptInput) -> dict:
    d = inp.data
    people.by_person_no(ctx, d.psn_no)
    ctx.conn.execute(delete(optout).where(optout.c.person_no == d.psn_no, optout.c.channel == d.channel))
    if d.optout:
        ctx.conn.execute(insert(optout).values(person_no=d.psn_no, channel=d.channel, at=ctx.now_text, source=d.source))
    ctx.journal("notify.optout" if d.optout else "notify.optin", {"psn_no": d.psn_no, "channel": d.channel,
                                                                  "source": d.source, "who": ctx.env.opter})
    now = sorted(r.channel for r in ctx.conn.execute(select(optout.c.channel).where(optout.c.person_no == d.psn_no)))
    return {"psn_no": d.psn_no, "opted_out": now}


class PersonData(Input):
    psn_no: str = Field(min_length=1, max_length=30)


class PersonInput(Input):
    data: PersonData


@transaction("2592", "到店提醒", PersonInput)
def desk(ctx, inp: PersonInput) -> dict:
    people.by_person_no(ctx, inp.data.psn_no)
    return {"messages": take_desk_messages(ctx.conn, inp.data.psn_no, now_text=ctx.now_text, note=ctx.journal)}


class HistoryData(Input):
    psn_no: str = Field(default="", max_length=30)
    status: str = Field(default="", pattern="^(|queued|retry|sending|sent|failed|shown|optout)$")
    limit: int = Field(default=200, ge=1, le=2000)


class HistoryInput(Input):
    data: HistoryData = Field(default_factory=HistoryData)


@transaction("2593", "提醒记录", HistoryInput)
def records(ctx, inp: HistoryInput) -> dict:
    d = inp.data
    return {"items": history(ctx.conn, person_no=d.psn_no, status=d.status, limit=d.limit)}
