"""The counter's worklists and reports at the centre (our extensions of the envelope):

    2520 退出预警列表      registrations to end: death, insurance stopped/moved, review overdue (server/worklists.py)
    2521 退出确认          the clerk confirms one: the registrations end on the proposed day (settlements after it
                           are refused by the audit: ELG-004, and ELG-001/002 for death and insurance status)
    2522 人员状态变更      a death or insurance change shared by civil affairs / social security (数据共享)
    2530 主动发现列表      people eligible but not registered, ranked
    2540 提醒清单          refill / review / follow-up reminders, per clerk
    2541 随访登记          a face-to-face follow-up visit of a registered 两病 patient
    2542 管理名单推送      a primary-care unit's roster of people under hypertension/diabetes management
    2550 月报表            附件4/5/6 of seed 001 for a month (server/reports/monthly.py)
"""
from __future__ import annotations

import datetime as dt
import json

from pydantic import Field
from sqlalchemy import insert, select, update

from core.store.models import PersonRow
from server import db, people, reference
from server.chronic import diagnosis_scopes, drug_scopes
from server.envelope import PlatformError
from server.models_chronic import exit_, followup, managed
from server.reports.monthly import ReportError, monthly
from server.transactions import Input, transaction
from server.transactions.registration import end_registrations
from server.worklists import eligible_unregistered, exit_candidates, reminders


def _day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise PlatformError(f"{field}: not a date: {text!r}") from None


def _names(ctx) -> dict:
    return json.loads(reference.settings(ctx.centre, ctx.conn).get("disease_names", "{}"))


class Empty(Input):
    limit: int = Field(default=500, ge=1, le=5000)


class EmptyInput(Input):
    data: Empty = Field(default_factory=Empty)


@transaction("2520", "退出预警列表", EmptyInput)
def exits(ctx, inp: EmptyInput) -> dict:
    return {"warnings": exit_candidates(ctx.conn, ctx.today)[: inp.data.limit]}


class ExitData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    reason: str = Field(pattern="^(death|insurance|review_overdue)$")
    memo: str = Field(default="", max_length=500)


class ExitInput(Input):
    data: ExitData


@transaction("2521", "退出确认", ExitInput)
def confirm_exit(ctx, inp: ExitInput) -> dict:
    d = inp.data
    db.lock_person(ctx.conn, d.psn_no)
    found = [c for c in exit_candidates(ctx.conn, ctx.today, d.psn_no) if c["reason"] == d.reason]
    if not found:
        raise PlatformError(f"{d.psn_no} 没有待确认的“{d.reason}”退出预警（已处理或情况已变化）")
    c = found[0]
    end = dt.date.fromisoformat(c["proposed_end"])
    ids = [r["id"] for r in c["registrations"]]
    changed = end_registrations(ctx, d.psn_no, ids, end) if d.reason != "review_overdue" else []
    record = changed or [{"id": r["id"], "scheme": r["scheme"], "disease": r["disease"], "old_end": r["end"]}
                         for r in c["registrations"]]
    ctx.conn.execute(insert(exit_).values(
        person_no=d.psn_no, reason=d.reason, end_date=end, registrations=json.dumps(record, ensure_ascii=False),
        confirmed_at=ctx.now_text, confirmed_by=ctx.env.opter, institution=ctx.code))
    ctx.journal("registration.exit", {"psn_no": d.psn_no, "reason": d.reason, "end": end.isoformat(),
                                      "who": ctx.env.opter, "who_name": ctx.env.opter_name, "memo": d.memo,
                                      "registrations": record})
    return {"exit": {"psn_no": d.psn_no, "reason": d.reason, "enddate": end.isoformat(), "registrations": record}}


class StatusData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    death_date: str = Field(default="", max_length=10)
    status: str = Field(default="", pattern="^(|active|suspended|stopped|moved)$")
    source: str = Field(default="", max_length=50)


class StatusInput(Input):
    data: StatusData


@transaction("2522", "人员状态变更", StatusInput)
def person_status(ctx, inp: StatusInput) -> dict:
    d = inp.data
    if not d.death_date and not d.status:
        raise PlatformError("death_date or status is required")
    db.lock_person(ctx.conn, d.psn_no)
    row = ctx.session.get(PersonRow, d.psn_no)
    if row is None:
        raise PlatformError(f"person {d.psn_no} not found (人员编号不存在)")
    before = {"death_date": row.death_date.isoformat() if row.death_date else None, "status": row.status}
    if d.death_date:
        row.death_date = _day(d.death_date, "death_date")
    if d.status:
        row.status = d.status
    ctx.session.flush()
    after = {"death_date": row.death_date.isoformat() if row.death_date else None, "status": row.status}
    ctx.journal("person.status", {"psn_no": d.psn_no, "before": before, "after": after, "source": d.source,
                                  "who": ctx.env.opter})
    return {"person": {"psn_no": d.psn_no, **after}}


class EligibleData(Input):
    days: int = Field(default=365, ge=7, le=1100)
    limit: int = Field(default=200, ge=1, le=2000)


class EligibleInput(Input):
    data: EligibleData = Field(default_factory=EligibleData)


@transaction("2530", "主动发现列表", EligibleInput)
def eligible(ctx, inp: EligibleInput) -> dict:
    profile = reference.profile_for(ctx.centre, ctx.conn, None)
    return {"people": eligible_unregistered(ctx.conn, ctx.today, drug_scopes(profile), diagnosis_scopes(profile),
                                            days=inp.data.days, limit=inp.data.limit)}


class ReminderData(Input):
    kinds: str = Field(default="refill,review,followup", max_length=40)
    refill_days: int = Field(default=7, ge=0, le=90)
    review_days: int = Field(default=60, ge=0, le=366)
    assignee: str = Field(default="", max_length=30)


class ReminderInput(Input):
    data: ReminderData = Field(default_factory=ReminderData)


@transaction("2540", "提醒清单", ReminderInput)
def reminder_list(ctx, inp: ReminderInput) -> dict:
    d = inp.data
    kinds = [k.strip() for k in d.kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in ("refill", "review", "followup")]
    if bad:
        raise PlatformError(f"unknown reminder kind {bad[0]!r}: refill, review, followup")
    profile = reference.profile_for(ctx.centre, ctx.conn, None)
    drugs = {k: v.name for k, v in reference.catalogue(ctx.centre, ctx.conn).by_key.items()}
    return {"today": ctx.today.isoformat(), "items": reminders(
        ctx.conn, ctx.today, kinds=kinds, refill_days=d.refill_days, review_days=d.review_days,
        refill_window=profile.refill_window_days, assignee=d.assignee, drug_names=drugs, disease_names=_names(ctx))}


class FollowupData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    visit_date: str = Field(min_length=10, max_length=10)
    doctor: str = Field(default="", max_length=50)
    note: str = Field(default="", max_length=1000)


class FollowupInput(Input):
    data: FollowupData


@transaction("2541", "随访登记", FollowupInput)
def record_followup(ctx, inp: FollowupInput) -> dict:
    d = inp.data
    people.by_person_no(ctx, d.psn_no)
    day = _day(d.visit_date, "visit_date")
    if day > ctx.today:
        raise PlatformError(f"visit_date {day} is in the future")
    ctx.conn.execute(insert(followup).values(person_no=d.psn_no, visit_date=day, facility_code=ctx.code, doctor=d.doctor,
                                             note=d.note, at=ctx.now_text))
    ctx.journal("followup", {"psn_no": d.psn_no, "visit_date": day.isoformat(), "doctor": d.doctor, "who": ctx.env.opter})
    return {"followup": {"psn_no": d.psn_no, "visit_date": day.isoformat()}}


class RosterNode(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    disease: str = Field(pattern="^(HTN|DM)$")
    since: str = Field(min_length=10, max_length=10)
    until: str = Field(default="", max_length=10)


class RosterData(Input):
    people: list[RosterNode] = Field(min_length=1, max_length=500)


class RosterInput(Input):
    data: RosterData


@transaction("2542", "管理名单推送", RosterInput)
def roster(ctx, inp: RosterInput) -> dict:
    added = changed = 0
    for node in inp.data.people:
        people.by_person_no(ctx, node.psn_no)
        since = _day(node.since, "since")
        until = _day(node.until, "until") if node.until else None
        row = ctx.conn.execute(select(managed).where(managed.c.person_no == node.psn_no, managed.c.disease == node.disease,
                                                     managed.c.unit_code == ctx.code)).first()
        if row is None:
            ctx.conn.execute(insert(managed).values(person_no=node.psn_no, disease=node.disease, unit_code=ctx.code,
                                                    since=since, until=until, updated_at=ctx.now_text))
            added += 1
        elif (row.since, row.until) != (since, until):
            ctx.conn.execute(update(managed).where(managed.c.id == row.id).values(since=since, until=until,
                                                                                  updated_at=ctx.now_text))
            changed += 1
    if added or changed:
        ctx.journal("roster", {"unit": ctx.code, "added": added, "changed": changed, "who": ctx.env.opter})
    return {"roster": {"unit": ctx.code, "added": added, "changed": changed}}


class ReportData(Input):
    month: str = Field(min_length=7, max_length=7)
    form: str = Field(pattern="^[456]$")


class ReportInput(Input):
    data: ReportData


@transaction("2550", "两病月报表", ReportInput)
def monthly_report(ctx, inp: ReportInput) -> dict:
    try:
        return {"report": monthly(ctx.conn, inp.data.month, inp.data.form)}
    except ReportError as exc:
        raise PlatformError(str(exc)) from None

