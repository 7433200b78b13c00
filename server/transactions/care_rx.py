"""Remote prescription review (远程审方) and the lifestyle prescription library at the centre (25xx extensions):

    2574 审方路由设置      which clinics' prescriptions a reviewing unit checks, and within how many hours
    2570 审方队列          the reviewing unit's pending prescriptions, oldest first, each with its deadline and
                           whether it is overdue (the time limit), with the drugs and diagnoses to judge
    2571 审方意见          approve (the prescription circulates: pharmacies can find, download, dispense it) or
                           return with a reason (the clinic sees it, no pharmacy does); once
    2572 审方合格率        per clinic and period: reviewed, approved, returned, pass rate, overdue
    2585 生活方式处方库    the library's classes and templates (core.care.lifestyle), for the prescriber's screen
    2586 我的生活方式处方  a person's newest lifestyle prescription (from a circulating or dispensed
                           e-prescription), what the kiosk shows and prints on the statement

A route applies to uploads (7101) of that clinic from then on; upload, decision and route changes are journaled.
"""
from __future__ import annotations

import datetime as dt
import json

from pydantic import Field
from sqlalchemy import insert, select, update

from core.care.lifestyle import LibraryError, attach, load_library
from server import db, reference
from server.envelope import PlatformError
from server.models import eprescription
from server.models_care import rx_review, rx_route
from server.transactions import Input, transaction

HELD = {"review": "待远程审方", "returned": "审方退回"}
REVIEWERS = ("hospital",)
R, E = rx_review.c, eprescription.c
FMT = "%Y-%m-%d %H:%M:%S"


def lifestyle_of(node: dict) -> dict:
    try:
        return attach(load_library(), node)
    except LibraryError as exc:
        raise PlatformError(str(exc)) from None


def route_upload(ctx, rx_id: str) -> str:
    """Called by 7101 inside its transaction: the status a new prescription starts in."""
    route = ctx.conn.execute(select(rx_route).where(rx_route.c.clinic_code == ctx.code)).first()
    if route is None:
        return "uploaded"
    deadline = ctx.now + dt.timedelta(hours=route.hours)
    ctx.conn.execute(insert(rx_review).values(rx_id=rx_id, issuer_code=ctx.code, reviewer_unit=route.reviewer_unit,
                                              status="pending", queued_at=ctx.now_text, deadline=deadline.strftime(FMT)))
    ctx.journal("rx.review_queued", {"hi_rxno": rx_id, "clinic": ctx.code, "reviewer_unit": route.reviewer_unit,
                                     "deadline": deadline.strftime(FMT)})
    return "review"


class RouteData(Input):
    clinic_code: str = Field(min_length=1, max_length=30)
    hours: int = Field(default=24, ge=1, le=168)
    active: bool = True


class RouteInput(Input):
    data: RouteData


@transaction("2574", "审方路由设置", RouteInput)
def set_route(ctx, inp: RouteInput) -> dict:
    d = inp.data
    me = reference.facility(ctx.centre, ctx.conn, ctx.code)
    if me.kind not in REVIEWERS:
        raise PlatformError(f"{ctx.code} 是{me.kind}，只有医院（县级医院审方中心）可以审方 "
                            f"(only a hospital reviews prescriptions)")
    clinic = reference.facility(ctx.centre, ctx.conn, d.clinic_code)
    if clinic.kind != "clinic":
        raise PlatformError(f"{d.clinic_code} 不是基层医疗机构（{clinic.kind}）(only clinics' prescriptions are routed)")
    ctx.conn.execute(rx_route.delete().where(rx_route.c.clinic_code == d.clinic_code))
    if d.active:
        ctx.conn.execute(insert(rx_route).values(clinic_code=d.clinic_code, reviewer_unit=ctx.code, hours=d.hours,
                                                 updated_at=ctx.now_text))
    ctx.journal("rx.review_route", {"clinic": d.clinic_code, "reviewer_unit": ctx.code, "hours": d.hours,
                                    "active": d.active, "who": ctx.env.opter})
    return {"route": {"clinic_code": d.clinic_code, "reviewer_unit": ctx.code, "hours": d.hours, "active": d.active}}


class QueueData(Input):
    limit: int = Field(default=200, ge=1, le=1000)


class QueueInput(Input):
    data: QueueData = Field(default_factory=QueueData)


@transaction("2570", "审方队列", QueueInput)
def queue(ctx, inp: QueueInput) -> dict:
    rows = ctx.conn.execute(
        select(rx_review, E.payload, E.person_no, E.status.label("rx_status"))
        .join(eprescription, E.rx_id == R.rx_id)
        .where(R.reviewer_unit == ctx.code, R.status == "pending", E.status == "review")
        # same deadline (same second): the clinic's own numbering keeps the queue in the order it wrote them
        .order_by(R.deadline, E.uploaded_at, E.issuer_rxno, R.rx_id).limit(inp.data.limit)).all()
    now = ctx.now_text
    items = []
    for r in rows:
        payload = json.loads(r.payload)
        info = payload["rxinfo"]
        items.append({"hi_rxno": r.rx_id, "fixmedins_code": r.issuer_code, "fixmedins_name": info.get("fixmedins_name", ""),
                      "psn_no": r.person_no, "queued_at": r.queued_at, "deadline": r.deadline, "overdue": r.deadline < now,
                      "dise_codg": info.get("dise_codg", ""), "diag_codes": info.get("diag_codes", []),
                      "prsc_dr_name": info.get("prsc_dr_name", ""),
                      "drugs": [{k: d.get(k) for k in ("medins_list_codg", "drug_name", "cnt", "prd_days", "sin_dos_dscr",
                                                       "used_frqu_dscr")} for d in payload["rxdrugdetail"]],
                      "lifestyle": (payload.get("lifestyle") or {}).get("title")})
    return {"today": ctx.today.isoformat(), "items": items}


class DecideData(Input):
    hi_rxno: str = Field(min_length=1, max_length=40)
    decision: str = Field(pattern="^(approve|return)$")
    reason: str = Field(default="", max_length=500)
    reviewer_code: str = Field(min_length=1, max_length=30)
    reviewer_name: str = Field(default="", max_length=50)


class DecideInput(Input):
    data: DecideData


@transaction("2571", "审方意见", DecideInput)
def decide(ctx, inp: DecideInput) -> dict:
    d = inp.data
    db.lock_key(ctx.conn, db.LOCK_RX, d.hi_rxno)
    row = ctx.conn.execute(select(rx_review).where(R.rx_id == d.hi_rxno)).first()
    if row is None:
        raise PlatformError(f"处方 {d.hi_rxno} 不在审方队列中 (not in remote review)")
    if row.reviewer_unit != ctx.code:
        raise PlatformError(f"处方 {d.hi_rxno} 由 {row.reviewer_unit} 审方，不是本机构 (reviewed by another unit)")
    if row.status != "pending":
        raise PlatformError(f"处方 {d.hi_rxno} 已审方（{row.status}），不能重复审核 (already decided)")
    rx = ctx.conn.execute(select(E.status).where(E.rx_id == d.hi_rxno)).first()
    if rx is None or rx.status != "review":
        raise PlatformError(f"处方 {d.hi_rxno} 已撤销或状态为 {rx.status if rx else '不存在'} (no longer in review)")
    reason = d.reason.strip()
    if d.decision == "return" and not reason:
        raise PlatformError("退回处方须写明理由 (a returned prescription needs a reason)")
    status = "approved" if d.decision == "approve" else "returned"
    ctx.conn.execute(update(rx_review).where(R.rx_id == d.hi_rxno).values(
        status=status, reviewer_code=d.reviewer_code, reviewer_name=d.reviewer_name, decided_at=ctx.now_text,
        reason=reason))
    ctx.conn.execute(update(eprescription).where(E.rx_id == d.hi_rxno).values(
        status="uploaded" if status == "approved" else "returned"))
    overdue = row.deadline < ctx.now_text
    ctx.journal("rx.review_decided", {"hi_rxno": d.hi_rxno, "decision": status, "reason": reason,
                                      "reviewer": d.reviewer_code, "clinic": row.issuer_code, "overdue": overdue})
    return {"review": {"hi_rxno": d.hi_rxno, "status": status, "reason": reason, "decided_at": ctx.now_text,
                       "overdue": overdue, "rx_stas": "uploaded" if status == "approved" else "returned"}}


class RateData(Input):
    since: str = Field(default="", max_length=10)
    until: str = Field(default="", max_length=10)


class RateInput(Input):
    data: RateData = Field(default_factory=RateData)


@transaction("2572", "审方合格率", RateInput)
def pass_rate(ctx, inp: RateInput) -> dict:
    since = inp.data.since or f"{ctx.today.year}-01-01"
    until = inp.data.until or ctx.today.isoformat()
    q = (select(R.issuer_code, R.status, R.decided_at, R.deadline)
         .where(R.reviewer_unit == ctx.code, R.queued_at >= since, R.queued_at <= until + " 23:59:59"))
    per: dict[str, dict] = {}
    for r in ctx.conn.execute(q):
        c = per.setdefault(r.issuer_code, {"fixmedins_code": r.issuer_code, "approved": 0, "returned": 0, "pending": 0,
                                           "decided_late": 0, "pending_overdue": 0})
        c[r.status] += 1
        if r.decided_at and r.decided_at > r.deadline:
            c["decided_late"] += 1
        if r.status == "pending" and r.deadline < ctx.now_text:
            c["pending_overdue"] += 1
    facilities = reference.facilities(ctx.centre, ctx.conn)
    out = []
    for code, c in sorted(per.items()):
        reviewed = c["approved"] + c["returned"]
        out.append({**c, "fixmedins_name": facilities[code].name if code in facilities else "", "reviewed": reviewed,
                    "pass_rate": f"{100 * c['approved'] / reviewed:.1f}" if reviewed else None})
    return {"since": since, "until": until, "reviewer_unit": ctx.code, "clinics": out}


class LibraryInput(Input):
    data: dict = Field(default_factory=dict)


@transaction("2585", "生活方式处方库", LibraryInput)
def library(ctx, inp: LibraryInput) -> dict:
    lib = load_library()
    return {"sections": lib.section_names, "classes": lib.catalogue()}


class MineData(Input):
    psn_no: str = Field(min_length=1, max_length=30)


class MineInput(Input):
    data: MineData


@transaction("2586", "我的生活方式处方", MineInput)
def mine(ctx, inp: MineInput) -> dict:
    rows = ctx.conn.execute(select(E.rx_id, E.uploaded_at, E.issuer_code, E.payload).where(
        E.person_no == inp.data.psn_no, E.status.in_(("uploaded", "dispensed"))).order_by(E.uploaded_at.desc())).all()
    for r in rows:
        payload = json.loads(r.payload)
        if payload.get("lifestyle"):
            return {"lifestyle": payload["lifestyle"], "hi_rxno": r.rx_id, "prsc_time": r.uploaded_at,
                    "fixmedins_name": payload["rxinfo"].get("fixmedins_name", ""),
                    "prsc_dr_name": payload["rxinfo"].get("prsc_dr_name", "")}
    return {"lifestyle": None}
