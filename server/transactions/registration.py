"""Registration (备案) of a chronic disease, from application to effective registration, and its cancellation.

National transactions:
    2503 人员慢特病备案      the clerk's re-review approves an application: the registration is written, effective
                             from the date the benefit profile says (`registration_effective`: next_month |
                             same_day; default next_month), 门诊慢特病 for `registration_valid_months` (default 24)
    2504 人员慢特病备案撤销  ends a registration (by trt_dcla_detl_sn, or psn_no + opsp_dise_code)

Our extensions of the review workflow (the national platform leaves it to the region):
    2510 备案申请登记        start an application: person, scheme (LB 两病 / MT 门诊慢特病), diseases with diagnoses
    2511 备案材料上传        one part of an evidence file (base64), stored with its SHA-256 once complete
    2512 备案申请提交        MT: two experts are drawn at random from the pool (centre_expert) and review
                             independently; LB: the qualified doctor's diagnosis suffices, straight to the clerk
    2513 备案审核意见        an expert's opinion (病史及诊断, 治疗方案, approve/reject), or the clerk's rejection
    2514 备案申请查询        an application, or all of a person's (what the kiosk shows), with steps and reviews
    2515 备案申请列表        applications by status (the counter's review queues)
    2516 备案申请修改        complete or correct a draft (e.g. the clerk adds the doctor to a kiosk application)
    2517 专家库维护          add or change experts of the pool

Every step is a row of centre_application_step (who, when, what) and an entry of the hash-chained journal.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import random
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field
from sqlalchemy import delete, func, insert, select, update

from core.domain import Registration, Scheme
from core.store.models import FacilityRow, PersonRow, RegistrationRow
from server import chronic, db, people, reference, staff
from server.envelope import PlatformError
from server.models import profile as profile_table
from server.models_chronic import application, application_step, contact, evidence, evidence_part, expert, review
from server.transactions import Input, transaction

OPEN = ("draft", "expert_review", "clerk_review")
STATUS_ZH = {"draft": "待提交", "expert_review": "专家评审中", "clerk_review": "经办复审中", "approved": "已备案",
             "rejected": "未通过", "cancelled": "已撤销"}
STEP_ZH = {"created": "登记申请", "updated": "补充修改", "evidence": "上传材料", "submitted": "提交审核", "experts_drawn": "抽取专家",
           "expert_review": "专家意见", "experts_done": "专家评审完成", "approved": "复审通过，已备案",
           "rejected": "审核未通过", "cancelled": "备案撤销",
           "lb_fallback": "未达慢特病标准，转两病保障"}
EXPERTS_PER_APPLICATION = 2
PART_BYTES = 36 * 1024  # raw bytes per 2511 part: base64 of it fits the 64 KB envelope with room to spare
MAX_EVIDENCE_BYTES = 8 * 1024 * 1024
EVIDENCE_KINDS = ("diagnosis", "record", "lab", "photo", "id", "other")
_rng = random.SystemRandom()


# ---- policy: when a registration takes effect and how long it lasts -------------------------------------------
def _raw_profile(ctx, profile_id: str | None) -> dict:
    pid = profile_id or reference.settings(ctx.centre, ctx.conn).get("default_profile")

    def build() -> dict:
        text = ctx.conn.execute(select(profile_table.c.data).where(profile_table.c.profile_id == pid)).scalar()
        data = json.loads(text) if text else {}
        bundled = Path(__file__).resolve().parents[2] / "resources" / "policies" / f"{pid}.json"
        keys = ("registration_effective", "registration_valid_months")
        if any(k not in data for k in keys) and bundled.exists():  # the shipped profile fills what the centre's lacks
            extra = json.loads(bundled.read_text(encoding="utf-8"))
            for key in keys:
                if key not in data and key in extra:
                    data[key] = extra[key]
        return data

    return ctx.centre.cached(f"registration.profile.{pid}", build, reference.TTL)


def effective_rule(raw: dict) -> str:
    rule = str(raw.get("registration_effective", "next_month"))
    if rule not in ("next_month", "same_day"):
        raise PlatformError(f"benefit profile: registration_effective must be next_month or same_day, not {rule!r}")
    return rule


def effective_from(rule: str, approved_on: dt.date) -> dt.date:
    if rule == "same_day":
        return approved_on
    return dt.date(approved_on.year + (approved_on.month == 12), approved_on.month % 12 + 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    import calendar

    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def valid_until(scheme: str, begin: dt.date, raw: dict) -> dt.date | None:
    if scheme == "LB":
        return None  # 两病: long-term, ends only by change or exit
    months = int(raw.get("registration_valid_months", 24))
    return add_months(begin, months) - dt.timedelta(days=1)


# ---- helpers ---------------------------------------------------------------------------------------------------
def _who(ctx) -> tuple[str, str]:
    return ctx.env.opter, ctx.env.opter_name


def step(ctx, app_no: str, name: str, detail: dict[str, Any] | None = None) -> None:
    who, who_name = _who(ctx)
    detail = detail or {}
    ctx.conn.execute(insert(application_step).values(
        app_no=app_no, at=ctx.now_text, step=name, who=who, who_name=who_name, institution=ctx.code,
        detail=json.dumps(detail, ensure_ascii=False, default=str)))
    ctx.journal(f"registration.{name}", {"app_no": app_no, "who": who, "who_name": who_name, **detail})


def _app(ctx, app_no: str, *, lock: bool = True):
    row = ctx.conn.execute(select(application).where(application.c.app_no == app_no)).first()
    if row is None:
        raise PlatformError(f"application {app_no} not found (备案申请不存在)")
    if lock:
        db.lock_person(ctx.conn, row.person_no)
        row = ctx.conn.execute(select(application).where(application.c.app_no == app_no)).first()
    return row


def _set(ctx, app_no: str, **values) -> None:
    ctx.conn.execute(update(application).where(application.c.app_no == app_no).values(updated_at=ctx.now_text, **values))


def _scope(ctx, scheme: str):
    policy = reference.profile_for(ctx.centre, ctx.conn, None).scheme(Scheme(scheme))
    if policy is None:
        raise PlatformError(f"the benefit profile has no {scheme} scheme")
    return policy


def _save_contact(ctx, person_no: str, tel: str, addr: str) -> None:
    if not tel and not addr:
        return
    row = ctx.conn.execute(select(contact).where(contact.c.person_no == person_no)).first()
    values = {"tel": tel or (row.tel if row else ""), "addr": addr or (row.addr if row else ""), "updated_at": ctx.now_text}
    if row is None:
        ctx.conn.execute(insert(contact).values(person_no=person_no, **values))
    else:
        ctx.conn.execute(update(contact).where(contact.c.person_no == person_no).values(**values))


def view(conn, row, *, centre=None, full: bool = True) -> dict:
    """An application as the counter and the kiosk see it."""
    person = conn.execute(select(PersonRow.name, PersonRow.sex, PersonRow.birth_date, PersonRow.insurance_type)
                          .where(PersonRow.person_no == row.person_no)).first()
    out = {
        "app_no": row.app_no, "psn_no": row.person_no, "psn_name": person.name if person else "",
        "gend": person.sex if person else "", "brdy": person.birth_date.isoformat() if person else "",
        "insutype": person.insurance_type if person else "",
        "scheme": row.scheme, "status": row.status, "status_name": STATUS_ZH.get(row.status, row.status),
        "diseases": json.loads(row.diseases), "tel": row.tel, "addr": row.addr, "source": row.source,
        "diag_dr_codg": row.diag_dr_codg, "diag_dr_name": row.diag_dr_name, "ide_fixmedins_no": row.ide_fixmedins_no,
        "hosp_ide_date": row.hosp_ide_date.isoformat() if row.hosp_ide_date else None,
        "fixmedins_code": row.fixmedins_code, "created_by": row.created_by, "created_by_name": row.created_by_name,
        "created_at": row.created_at, "decided_by": row.decided_by, "decided_at": row.decided_at,
        "hosp_opinion": row.hosp_opinion,
        "effective_from": row.effective_from.isoformat() if row.effective_from else None,
        "effective_until": row.effective_until.isoformat() if row.effective_until else None,
        "trt_dcla_detl_sn": row.trt_dcla_detl_sn,
    }
    if not full:
        return out
    out["steps"] = [
        {"at": s.at, "step": s.step, "step_name": STEP_ZH.get(s.step, s.step), "who": s.who, "who_name": s.who_name,
         "institution": s.institution, "detail": json.loads(s.detail or "{}")}
        for s in conn.execute(select(application_step).where(application_step.c.app_no == row.app_no)
                              .order_by(application_step.c.id))
    ]
    out["reviews"] = [
        {"stage": r.stage, "reviewer_code": r.reviewer_code, "reviewer_name": r.reviewer_name, "drawn_at": r.drawn_at,
         "decision": r.decision, "history_dx": r.history_dx, "plan": r.plan, "decided_at": r.decided_at}
        for r in conn.execute(select(review).where(review.c.app_no == row.app_no).order_by(review.c.id))
    ]
    out["evidence"] = [
        {"id": e.id, "kind": e.kind, "filename": e.filename, "mime": e.mime, "sha256": e.sha256, "size": e.size,
         "complete": bool(e.content), "added_at": e.added_at, "added_by": e.added_by}
        for e in conn.execute(select(evidence.c.id, evidence.c.kind, evidence.c.filename, evidence.c.mime,
                                     evidence.c.sha256, evidence.c.size, evidence.c.added_at, evidence.c.added_by,
                                     (evidence.c.content.is_not(None)).label("content"))
                              .where(evidence.c.app_no == row.app_no).order_by(evidence.c.id))
    ]
    return out


# ---- 2510 start an application --------------------------------------------------------------------------------
class DiseaseNode(Input):
    opsp_dise_code: str = Field(min_length=1, max_length=16)
    opsp_dise_name: str = Field(default="", max_length=100)
    diag_code: str = Field(default="", max_length=30)
    diag_name: str = Field(default="", max_length=100)


class ApplyData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    scheme: str = Field(pattern="^(LB|MT)$")
    diseases: list[DiseaseNode] = Field(min_length=1, max_length=6)
    tel: str = Field(default="", max_length=30)
    addr: str = Field(default="", max_length=200)
    source: str = Field(default="counter", pattern="^(counter|discovery|kiosk|doctor)$")  # (+ mt_fallback, by the centre)
    diag_dr_codg: str = Field(default="", max_length=30)
    diag_dr_name: str = Field(default="", max_length=50)
    ide_fixmedins_no: str = Field(default="", max_length=30)
    hosp_ide_date: str = Field(default="", max_length=10)


class ApplyInput(Input):
    data: ApplyData


def _diseases(ctx, scheme: str, nodes) -> list[dict]:
    """Validated disease entries: codes of the scheme, no repeats, diagnoses within the disease's scope."""
    policy = _scope(ctx, scheme)
    names = json.loads(reference.settings(ctx.centre, ctx.conn).get("disease_names", "{}"))
    diseases, seen = [], set()
    for node in nodes:
        code = node.opsp_dise_code.upper()
        if code not in policy.drug_scope:
            allowed = ", ".join(sorted(policy.drug_scope))
            raise PlatformError(f"病种 {code} 不属于{'两病' if scheme == 'LB' else '门诊慢特病'}备案范围 ({allowed})")
        if code in seen:
            raise PlatformError(f"病种 {code} 重复")
        seen.add(code)
        dx = node.diag_code.strip()
        prefixes = policy.diagnosis_scope.get(code, ())
        if dx and prefixes and not any(dx.upper().startswith(p) for p in prefixes):
            raise PlatformError(f"诊断 {dx} 与申报病种 {code} 不符（应为 {'/'.join(prefixes)}）")
        if scheme == "LB" and not dx:
            raise PlatformError(f"两病备案须有医师诊断：病种 {code} 缺少诊断编码")
        diseases.append({"code": code, "name": node.opsp_dise_name or names.get(code, code),
                         "diag_code": dx, "diag_name": node.diag_name})
    return diseases


@transaction("2510", "备案申请登记", ApplyInput)
def apply(ctx, inp: ApplyInput) -> dict:
    d = inp.data
    db.lock_person(ctx.conn, d.psn_no)
    found = people.by_person_no(ctx, d.psn_no).person
    if found.death_date is not None:
        raise PlatformError(f"参保人已于 {found.death_date} 死亡，不能申请备案 (person deceased)")
    if found.status != "active":
        raise PlatformError(f"参保状态异常（{found.status}），不能申请备案 (insurance not active)")
    diseases = _diseases(ctx, d.scheme, d.diseases)
    seen = {x["code"] for x in diseases}
    for r in found.registrations:
        if r.scheme.value == d.scheme and r.disease in seen and r.end is None:
            raise PlatformError(f"已有 {r.disease} 长期有效备案（自 {r.begin}），无需重复申请")
    open_ = ctx.conn.execute(select(application.c.app_no).where(
        application.c.person_no == d.psn_no, application.c.scheme == d.scheme, application.c.status.in_(OPEN))).first()
    if open_ is not None:
        raise PlatformError(f"该参保人已有办理中的申请 {open_.app_no}，请继续办理该申请")
    hosp_day = None
    if d.hosp_ide_date:
        try:
            hosp_day = dt.date.fromisoformat(d.hosp_ide_date)
        except ValueError:
            raise PlatformError(f"hosp_ide_date: not a date: {d.hosp_ide_date!r}") from None
    app_no = f"BA{ctx.now:%Y%m%d}{secrets.token_hex(4).upper()}"
    who, who_name = _who(ctx)
    ctx.conn.execute(insert(application).values(
        app_no=app_no, person_no=d.psn_no, scheme=d.scheme, status="draft",
        diseases=json.dumps(diseases, ensure_ascii=False), tel=d.tel, addr=d.addr, source=d.source,
        diag_dr_codg=d.diag_dr_codg, diag_dr_name=d.diag_dr_name, ide_fixmedins_no=d.ide_fixmedins_no,
        hosp_ide_date=hosp_day, fixmedins_code=ctx.code, created_by=who, created_by_name=who_name,
        created_at=ctx.now_text, updated_at=ctx.now_text, registration_ids="[]"))
    _save_contact(ctx, d.psn_no, d.tel, d.addr)
    step(ctx, app_no, "created", {"psn_no": d.psn_no, "scheme": d.scheme, "diseases": [x["code"] for x in diseases],
                                  "source": d.source})
    return {"application": view(ctx.conn, _app(ctx, app_no, lock=False))}


# ---- 2516 complete a draft ---------------------------------------------------------------------------------------
class UpdateData(Input):
    app_no: str = Field(min_length=1, max_length=40)
    diseases: list[DiseaseNode] | None = Field(default=None, min_length=1, max_length=6)
    tel: str | None = Field(default=None, max_length=30)
    addr: str | None = Field(default=None, max_length=200)
    diag_dr_codg: str | None = Field(default=None, max_length=30)
    diag_dr_name: str | None = Field(default=None, max_length=50)
    ide_fixmedins_no: str | None = Field(default=None, max_length=30)
    hosp_ide_date: str | None = Field(default=None, max_length=10)


class UpdateInput(Input):
    data: UpdateData


@transaction("2516", "备案申请修改", UpdateInput)
def update_application(ctx, inp: UpdateInput) -> dict:
    """Complete or correct an application before it is submitted (e.g. one started at the kiosk: the clerk adds
    the diagnosing doctor). Only the fields given change; every change is a step."""
    d = inp.data
    row = _app(ctx, d.app_no)
    if row.status != "draft":
        raise PlatformError(f"申请 {row.app_no} 已提交（{STATUS_ZH.get(row.status, row.status)}），不能再修改")
    values: dict[str, Any] = {}
    if d.diseases is not None:
        values["diseases"] = json.dumps(_diseases(ctx, row.scheme, d.diseases), ensure_ascii=False)
    for key in ("tel", "addr", "diag_dr_codg", "diag_dr_name", "ide_fixmedins_no"):
        if getattr(d, key) is not None:
            values[key] = getattr(d, key)
    if d.hosp_ide_date is not None:
        try:
            values["hosp_ide_date"] = dt.date.fromisoformat(d.hosp_ide_date) if d.hosp_ide_date else None
        except ValueError:
            raise PlatformError(f"hosp_ide_date: not a date: {d.hosp_ide_date!r}") from None
    if not values:
        raise PlatformError("nothing to change")
    _set(ctx, row.app_no, **values)
    _save_contact(ctx, row.person_no, values.get("tel", ""), values.get("addr", ""))
    step(ctx, row.app_no, "updated", {"fields": sorted(values)})
    return {"application": view(ctx.conn, _app(ctx, row.app_no, lock=False))}


# ---- 2511 evidence ---------------------------------------------------------------------------------------------
class EvidenceData(Input):
    app_no: str = Field(min_length=1, max_length=40)
    kind: str = Field(default="other", max_length=20)
    filename: str = Field(min_length=1, max_length=200)
    mime: str = Field(default="", max_length=60)
    sha256: str = Field(pattern="^[0-9a-fA-F]{64}$")
    size: int = Field(ge=1, le=MAX_EVIDENCE_BYTES)
    part: int = Field(default=1, ge=1)
    parts: int = Field(default=1, ge=1, le=MAX_EVIDENCE_BYTES // PART_BYTES + 1)
    data: str = Field(min_length=1)


class EvidenceInput(Input):
    data: EvidenceData


@transaction("2511", "备案材料上传", EvidenceInput)
def add_evidence(ctx, inp: EvidenceInput) -> dict:
    d = inp.data
    row = _app(ctx, d.app_no)
    if row.status not in OPEN:
        raise PlatformError(f"申请 {d.app_no} 已{STATUS_ZH.get(row.status, row.status)}，不能再上传材料")
    if d.kind not in EVIDENCE_KINDS:
        raise PlatformError(f"kind must be one of {', '.join(EVIDENCE_KINDS)}")
    if d.part > d.parts:
        raise PlatformError(f"part {d.part} of {d.parts}?")
    try:
        chunk = base64.b64decode(d.data, validate=True)
    except (binascii.Error, ValueError):
        raise PlatformError("data is not valid base64") from None
    digest = d.sha256.lower()
    ev = ctx.conn.execute(select(evidence.c.id, evidence.c.parts, evidence.c.size, (evidence.c.content.is_not(None)).label("done"))
                          .where(evidence.c.app_no == d.app_no, evidence.c.sha256 == digest)).first()
    if ev is not None and ev.done:
        return {"evidence": {"id": ev.id, "sha256": digest, "complete": True, "duplicate": True}}
    if ev is None or d.part == 1:
        if ev is not None:
            ctx.conn.execute(delete(evidence_part).where(evidence_part.c.evidence_id == ev.id))
            ctx.conn.execute(delete(evidence).where(evidence.c.id == ev.id))
        ev_id = ctx.conn.execute(insert(evidence).values(
            app_no=d.app_no, kind=d.kind, filename=d.filename, mime=d.mime, sha256=digest, size=d.size, content=None,
            parts=d.parts, added_at=ctx.now_text, added_by=ctx.env.opter).returning(evidence.c.id)).scalar()
        parts_expected = d.parts
    else:
        ev_id, parts_expected = ev.id, ev.parts
    ctx.conn.execute(delete(evidence_part).where(evidence_part.c.evidence_id == ev_id, evidence_part.c.part == d.part))
    ctx.conn.execute(insert(evidence_part).values(evidence_id=ev_id, part=d.part, data=chunk))
    have = ctx.conn.execute(select(func.count()).select_from(evidence_part).where(evidence_part.c.evidence_id == ev_id)).scalar()
    if have < parts_expected:
        return {"evidence": {"id": ev_id, "sha256": digest, "complete": False, "parts_received": have}}
    blob = b"".join(r.data for r in ctx.conn.execute(
        select(evidence_part.c.data).where(evidence_part.c.evidence_id == ev_id).order_by(evidence_part.c.part)))
    if len(blob) != d.size or hashlib.sha256(blob).hexdigest() != digest:
        raise PlatformError(f"材料 {d.filename} 校验失败：收到 {len(blob)} 字节，SHA-256 与申报不符，请重新上传")
    ctx.conn.execute(update(evidence).where(evidence.c.id == ev_id).values(content=blob))
    ctx.conn.execute(delete(evidence_part).where(evidence_part.c.evidence_id == ev_id))
    step(ctx, d.app_no, "evidence", {"filename": d.filename, "kind": d.kind, "sha256": digest, "size": d.size})
    return {"evidence": {"id": ev_id, "sha256": digest, "complete": True}}


# ---- 2512 submit ----------------------------------------------------------------------------------------------
class AppNo(Input):
    app_no: str = Field(min_length=1, max_length=40)


class AppNoInput(Input):
    data: AppNo


@transaction("2512", "备案申请提交", AppNoInput)
def submit(ctx, inp: AppNoInput) -> dict:
    row = _app(ctx, inp.data.app_no)
    if row.status != "draft":
        raise PlatformError(f"申请 {row.app_no} 当前为“{STATUS_ZH.get(row.status, row.status)}”，不能再次提交")
    n_evidence = ctx.conn.execute(select(func.count()).select_from(evidence).where(
        evidence.c.app_no == row.app_no, evidence.c.content.is_not(None))).scalar()
    if row.scheme == "LB":
        if not row.diag_dr_codg or not row.diag_dr_name or not row.ide_fixmedins_no:
            raise PlatformError("两病备案须由有资质的医师诊断：请填写诊断医师编码、姓名和所在定点医疗机构")
        fac = ctx.session.get(FacilityRow, row.ide_fixmedins_no)
        if fac is None or fac.kind == "pharmacy":
            raise PlatformError(f"{row.ide_fixmedins_no} 不是定点医疗机构，其医师诊断不能作为两病备案依据")
        _set(ctx, row.app_no, status="clerk_review")
        step(ctx, row.app_no, "submitted", {"route": "doctor", "doctor": row.diag_dr_codg, "facility": fac.code,
                                            "evidence": n_evidence})
    else:
        if n_evidence < 1:
            raise PlatformError("门诊慢特病申请须上传病历、检查检验等材料后再提交专家评审")
        pool = [r for r in ctx.conn.execute(select(expert.c.code, expert.c.name).where(expert.c.active.is_(True))
                                             .order_by(expert.c.code))]
        if len(pool) < EXPERTS_PER_APPLICATION:
            raise PlatformError(f"专家库可用专家不足 {EXPERTS_PER_APPLICATION} 名，无法抽取（请维护专家库 2517）")
        drawn = _rng.sample(pool, EXPERTS_PER_APPLICATION)
        for e in drawn:
            ctx.conn.execute(insert(review).values(app_no=row.app_no, stage="expert", reviewer_code=e.code,
                                                   reviewer_name=e.name, drawn_at=ctx.now_text))
        _set(ctx, row.app_no, status="expert_review")
        step(ctx, row.app_no, "submitted", {"route": "experts", "evidence": n_evidence})
        step(ctx, row.app_no, "experts_drawn", {"experts": [e.code for e in drawn], "pool": len(pool)})
    return {"application": view(ctx.conn, _app(ctx, row.app_no, lock=False))}


# ---- 2513 review opinions ---------------------------------------------------------------------------------------
class ReviewData(Input):
    app_no: str = Field(min_length=1, max_length=40)
    stage: str = Field(pattern="^(expert|clerk)$")
    reviewer_code: str = Field(default="", max_length=30)
    decision: str = Field(pattern="^(approve|reject)$")
    history_dx: str = Field(default="", max_length=2000)
    plan: str = Field(default="", max_length=2000)
    opinion: str = Field(default="", max_length=2000)
    # the expert's own centre password (server.staff): an expert records their opinion themselves
    staff_password: str = Field(default="", max_length=200)


class ReviewInput(Input):
    data: ReviewData


@transaction("2513", "备案审核意见", ReviewInput)
def record_review(ctx, inp: ReviewInput) -> dict:
    d = inp.data
    row = _app(ctx, d.app_no)
    if d.stage == "clerk":
        if d.decision == "approve":
            raise PlatformError("经办复审通过请用 2503 人员慢特病备案（备案在同一笔交易中写入）")
        if row.status not in ("clerk_review", "expert_review", "draft"):
            raise PlatformError(f"申请 {row.app_no} 当前为“{STATUS_ZH.get(row.status, row.status)}”，不能退回")
        who, who_name = _who(ctx)
        ctx.conn.execute(insert(review).values(app_no=row.app_no, stage="clerk", reviewer_code=who, reviewer_name=who_name,
                                               drawn_at=ctx.now_text, decision="reject", history_dx="", plan=d.opinion,
                                               decided_at=ctx.now_text, recorded_by=who))
        _set(ctx, row.app_no, status="rejected", decided_by=who, decided_at=ctx.now_text, hosp_opinion=d.opinion)
        step(ctx, row.app_no, "rejected", {"stage": "clerk", "opinion": d.opinion})
        return {"application": view(ctx.conn, _app(ctx, row.app_no, lock=False))}
    if row.status != "expert_review":
        raise PlatformError(f"申请 {row.app_no} 当前为“{STATUS_ZH.get(row.status, row.status)}”，不在专家评审阶段")
    mine = ctx.conn.execute(select(review).where(review.c.app_no == row.app_no, review.c.stage == "expert",
                                                 review.c.reviewer_code == d.reviewer_code)).first()
    if mine is None:
        raise PlatformError(f"专家 {d.reviewer_code} 不是本申请抽取的评审专家")
    if mine.decision is not None:
        raise PlatformError(f"专家 {d.reviewer_code} 已于 {mine.decided_at} 提交意见，不能重复评审")
    if not d.history_dx.strip():
        raise PlatformError("请填写病史及诊断意见")
    expert_self = staff.require(staff.authenticate(ctx.conn, ctx.code, d.reviewer_code, d.staff_password), "expert")
    ctx.conn.execute(update(review).where(review.c.id == mine.id).values(
        decision=d.decision, history_dx=d.history_dx, plan=d.plan, decided_at=ctx.now_text,
        recorded_by=expert_self.user_id))
    step(ctx, row.app_no, "expert_review", {"expert": d.reviewer_code, "decision": d.decision,
                                            "authenticated": expert_self.user_id})
    decisions = [r.decision for r in ctx.conn.execute(select(review.c.decision).where(
        review.c.app_no == row.app_no, review.c.stage == "expert"))]
    if all(x is not None for x in decisions):
        if all(x == "approve" for x in decisions):
            _set(ctx, row.app_no, status="clerk_review")
            step(ctx, row.app_no, "experts_done", {"result": "approve"})
        else:
            _set(ctx, row.app_no, status="rejected", decided_at=ctx.now_text, decided_by=ctx.env.opter)
            step(ctx, row.app_no, "experts_done", {"result": "reject"})
            step(ctx, row.app_no, "rejected", {"stage": "expert"})
            _lb_fallback(ctx, row)
    return {"application": view(ctx.conn, _app(ctx, row.app_no, lock=False))}


def _lb_fallback(ctx, row) -> str | None:
    """Seed 001: a 门诊慢特病 applicant for hypertension/diabetes whose complete file misses the MT threshold is
    taken into the 两病 scheme directly (申报资料规范但未达到准入标准的“两病”患者，直接纳入专项保障范围): a 两病
    application goes straight to the clerk's re-review, no second diagnosis needed."""
    lb = [d for d in json.loads(row.diseases) if chronic.lb_disease(d["code"]) and d["code"] not in chronic.DISEASES]
    if not lb:
        return None
    person = people.by_person_no(ctx, row.person_no).person
    held = {r.disease for r in person.registrations if r.scheme.value == "LB" and r.end is None}
    diseases = [{"code": chronic.lb_disease(d["code"]), "name": chronic.DISEASE_ZH[chronic.lb_disease(d["code"])],
                 "diag_code": d.get("diag_code", ""), "diag_name": d.get("diag_name", "")}
                for d in lb if chronic.lb_disease(d["code"]) not in held]
    if not diseases or ctx.conn.execute(select(application.c.app_no).where(
            application.c.person_no == row.person_no, application.c.scheme == "LB",
            application.c.status.in_(OPEN))).first() is not None:
        return None
    app_no = f"BA{ctx.now:%Y%m%d}{secrets.token_hex(4).upper()}"
    who, who_name = _who(ctx)
    ctx.conn.execute(insert(application).values(
        app_no=app_no, person_no=row.person_no, scheme="LB", status="clerk_review",
        diseases=json.dumps(diseases, ensure_ascii=False), tel=row.tel, addr=row.addr, source="mt_fallback",
        diag_dr_codg="", diag_dr_name="", ide_fixmedins_no=row.ide_fixmedins_no, hosp_ide_date=row.hosp_ide_date,
        fixmedins_code=ctx.code, created_by=row.created_by, created_by_name=row.created_by_name,
        created_at=ctx.now_text, updated_at=ctx.now_text, registration_ids="[]"))
    step(ctx, app_no, "created", {"psn_no": row.person_no, "scheme": "LB", "diseases": [d["code"] for d in diseases],
                                  "source": "mt_fallback", "from": row.app_no})
    step(ctx, row.app_no, "lb_fallback", {"lb_app_no": app_no})
    return app_no


# ---- 2503 registration (the clerk's approval) ------------------------------------------------------------------------
def _final_approver(ctx, row, exp: dict) -> "staff.StaffIdentity":
    """The re-reviewer (复审) who approves: a reviewer of this agency who logs in with their own password
    (expContent.staff_user / staff_password) and is neither of the application's experts (separation of duties)."""
    user = str(exp.get("staff_user") or "")
    who = staff.require(staff.authenticate(ctx.conn, ctx.code, user, str(exp.get("staff_password") or "")), "reviewer")
    experts: set[str] = set()
    for r in ctx.conn.execute(select(review.c.reviewer_code, review.c.recorded_by).where(
            review.c.app_no == row.app_no, review.c.stage == "expert")):
        experts.update(x for x in (r.reviewer_code, r.recorded_by) if x)
    if who.user_id in experts:
        raise PlatformError(f"复审人 {who.name}（{who.user_id}）是本申请的评审专家，不能终审 / the final approver must "
                            "not be one of the application's experts (separation of duties)")
    return who


class RegisterData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    insutype: str = Field(default="", max_length=6)
    opsp_dise_code: str = Field(default="", max_length=30)
    opsp_dise_name: str = Field(default="", max_length=100)
    tel: str = Field(default="", max_length=30)
    addr: str = Field(default="", max_length=200)
    insu_optins: str = Field(default="", max_length=6)
    ide_fixmedins_no: str = Field(default="", max_length=30)
    ide_fixmedins_name: str = Field(default="", max_length=200)
    hosp_ide_date: str = Field(default="", max_length=19)
    diag_dr_codg: str = Field(default="", max_length=30)
    diag_dr_name: str = Field(default="", max_length=50)
    begndate: str = Field(default="", max_length=19)
    enddate: str = Field(default="", max_length=19)
    expContent: dict[str, Any] = Field(default_factory=dict)


class RegisterInput(Input):
    data: RegisterData


@transaction("2503", "人员慢特病备案", RegisterInput)
def register(ctx, inp: RegisterInput) -> dict:
    d = inp.data
    app_no = str(d.expContent.get("app_no") or "")
    if not app_no:
        raise PlatformError("expContent.app_no is required: a registration comes from a reviewed application (2510-2513)")
    row = _app(ctx, app_no)
    if row.person_no != d.psn_no:
        raise PlatformError(f"申请 {app_no} 不是参保人 {d.psn_no} 的申请")
    if row.status != "clerk_review":
        raise PlatformError(f"申请 {app_no} 当前为“{STATUS_ZH.get(row.status, row.status)}”，不能备案"
                            + ("（须两名专家评审通过）" if row.status == "expert_review" else ""))
    approver = _final_approver(ctx, row, d.expContent)
    person = people.by_person_no(ctx, d.psn_no)
    if person.person.death_date is not None or person.person.status != "active":
        raise PlatformError("参保人已死亡或参保状态异常，不能备案")
    raw = _raw_profile(ctx, person.profile_id)
    rule = effective_rule(raw)
    begin0 = effective_from(rule, ctx.today)
    diseases = json.loads(row.diseases)
    existing = {(r.scheme.value, r.disease): r for r in person.person.registrations}
    ids, regs = [], []
    for dis in diseases:
        begin = begin0
        old = existing.get((row.scheme, dis["code"]))
        if old is not None and old.end is not None and old.end >= begin:
            begin = old.end + dt.timedelta(days=1)  # 复审 renewal: the new period follows the old one
        end = valid_until(row.scheme, begin, raw)
        reg = RegistrationRow.from_domain(Registration(Scheme(row.scheme), dis["code"], begin, end))
        reg.person_no = d.psn_no
        ctx.session.add(reg)
        regs.append((reg, dis))
    ctx.session.flush()
    for reg, dis in regs:
        ids.append(reg.id)
    sn = "TD" + app_no[2:]
    first = min(r.begin for r, _ in regs)
    last = max((r.end for r, _ in regs if r.end is not None), default=None)
    who, who_name = approver.user_id, approver.name
    opinion = str(d.expContent.get("opinion") or "")
    ctx.conn.execute(insert(review).values(app_no=app_no, stage="clerk", reviewer_code=who, reviewer_name=who_name,
                                           drawn_at=ctx.now_text, decision="approve", history_dx="", plan=opinion,
                                           decided_at=ctx.now_text, recorded_by=who))
    _set(ctx, app_no, status="approved", decided_by=who, decided_at=ctx.now_text, hosp_opinion=opinion,
         effective_from=first, effective_until=last, trt_dcla_detl_sn=sn, registration_ids=json.dumps(ids))
    _save_contact(ctx, d.psn_no, d.tel, d.addr)
    step(ctx, app_no, "approved", {
        "trt_dcla_detl_sn": sn, "rule": rule, "approver": who, "registrations": [
            {"id": r.id, "scheme": row.scheme, "disease": dis["code"], "begin": r.begin.isoformat(),
             "end": r.end.isoformat() if r.end else None} for r, dis in regs]})
    return {"result": {"trt_dcla_detl_sn": sn, "begndate": first.isoformat(), "enddate": last.isoformat() if last else None},
            "application": view(ctx.conn, _app(ctx, app_no, lock=False))}


# ---- 2504 cancellation ----------------------------------------------------------------------------------------------
class CancelData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    trt_dcla_detl_sn: str = Field(default="", max_length=40)
    opsp_dise_code: str = Field(default="", max_length=30)
    memo: str = Field(default="", max_length=500)


class CancelInput(Input):
    data: CancelData


def end_registrations(ctx, person_no: str, reg_ids: list[int], end: dt.date) -> list[dict]:
    """End the given registrations on `end` (inclusive); one that would not have started by then is removed.
    Returns what changed, for the journal."""
    changed = []
    for reg in ctx.session.scalars(select(RegistrationRow).where(RegistrationRow.person_no == person_no,
                                                                 RegistrationRow.id.in_(reg_ids))):
        before = {"id": reg.id, "scheme": reg.scheme, "disease": reg.disease, "begin": reg.begin.isoformat(),
                  "old_end": reg.end.isoformat() if reg.end else None}
        if reg.begin > end:
            ctx.session.delete(reg)
            changed.append({**before, "removed": True})
        elif reg.end is None or reg.end > end:
            reg.end = end
            changed.append({**before, "new_end": end.isoformat()})
    ctx.session.flush()
    return changed


@transaction("2504", "人员慢特病备案撤销", CancelInput)
def cancel(ctx, inp: CancelInput) -> dict:
    d = inp.data
    db.lock_person(ctx.conn, d.psn_no)
    people.by_person_no(ctx, d.psn_no)
    app_no = None
    if d.trt_dcla_detl_sn:
        row = ctx.conn.execute(select(application).where(application.c.trt_dcla_detl_sn == d.trt_dcla_detl_sn)).first()
        if row is None or row.person_no != d.psn_no:
            raise PlatformError(f"备案 {d.trt_dcla_detl_sn} 不存在或不属于 {d.psn_no}")
        app_no, ids = row.app_no, json.loads(row.registration_ids)
    elif d.opsp_dise_code:
        ids = [r for r in ctx.conn.execute(select(RegistrationRow.id).where(
            RegistrationRow.person_no == d.psn_no, RegistrationRow.disease == d.opsp_dise_code)).scalars()]
    else:
        raise PlatformError("trt_dcla_detl_sn or opsp_dise_code is required")
    end = ctx.today - dt.timedelta(days=1)
    changed = end_registrations(ctx, d.psn_no, ids, end)
    if not changed:
        raise PlatformError("没有可撤销的有效备案（已结束或已撤销）")
    if app_no:
        _set(ctx, app_no, status="cancelled")
        step(ctx, app_no, "cancelled", {"memo": d.memo, "registrations": changed})
    else:
        ctx.journal("registration.cancelled", {"psn_no": d.psn_no, "who": ctx.env.opter, "memo": d.memo,
                                               "registrations": changed})
    return {"result": {"psn_no": d.psn_no, "enddate": end.isoformat(), "registrations": changed}}


# ---- 2514 / 2515 queries -------------------------------------------------------------------------------------------
class QueryData(Input):
    app_no: str = Field(default="", max_length=40)
    psn_no: str = Field(default="", max_length=30)


class QueryInput(Input):
    data: QueryData


@transaction("2514", "备案申请查询", QueryInput)
def query(ctx, inp: QueryInput) -> dict:
    d = inp.data
    if d.app_no:
        return {"applications": [view(ctx.conn, _app(ctx, d.app_no, lock=False))]}
    if not d.psn_no:
        raise PlatformError("app_no or psn_no is required")
    rows = ctx.conn.execute(select(application).where(application.c.person_no == d.psn_no)
                            .order_by(application.c.created_at.desc(), application.c.app_no)).all()
    return {"applications": [view(ctx.conn, r) for r in rows]}


class ListData(Input):
    status: str = Field(default="", max_length=100)  # comma-separated
    scheme: str = Field(default="", max_length=2)
    created_by: str = Field(default="", max_length=30)
    reviewer_code: str = Field(default="", max_length=30)
    limit: int = Field(default=200, ge=1, le=1000)


class ListInput(Input):
    data: ListData


@transaction("2515", "备案申请列表", ListInput)
def listing(ctx, inp: ListInput) -> dict:
    d = inp.data
    q = select(application)
    if d.status:
        q = q.where(application.c.status.in_([s.strip() for s in d.status.split(",") if s.strip()]))
    if d.scheme:
        q = q.where(application.c.scheme == d.scheme)
    if d.created_by:
        q = q.where(application.c.created_by == d.created_by)
    if d.reviewer_code:
        q = q.where(application.c.app_no.in_(select(review.c.app_no).where(review.c.reviewer_code == d.reviewer_code)))
    rows = ctx.conn.execute(q.order_by(application.c.created_at, application.c.app_no).limit(d.limit)).all()
    out = []
    for r in rows:
        v = view(ctx.conn, r, full=False)
        v["reviews"] = [{"stage": x.stage, "reviewer_code": x.reviewer_code, "reviewer_name": x.reviewer_name,
                         "decision": x.decision} for x in ctx.conn.execute(
                             select(review).where(review.c.app_no == r.app_no).order_by(review.c.id))]
        out.append(v)
    return {"applications": out}


# ---- 2517 expert pool --------------------------------------------------------------------------------------------
class ExpertNode(Input):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=50)
    specialty: str = Field(default="", max_length=50)
    active: bool = True


class ExpertsData(Input):
    experts: list[ExpertNode] = Field(min_length=1, max_length=500)


class ExpertsInput(Input):
    data: ExpertsData


def upsert_experts(conn, experts: list[dict]) -> int:
    n = 0
    for e in experts:
        row = conn.execute(select(expert).where(expert.c.code == e["code"])).first()
        values = {"name": e["name"], "specialty": e.get("specialty", ""), "active": bool(e.get("active", True))}
        if row is None:
            conn.execute(insert(expert).values(code=e["code"], **values))
            n += 1
        elif (row.name, row.specialty, row.active) != (values["name"], values["specialty"], values["active"]):
            conn.execute(update(expert).where(expert.c.code == e["code"]).values(**values))
            n += 1
    return n


@transaction("2517", "专家库维护", ExpertsInput)
def experts(ctx, inp: ExpertsInput) -> dict:
    items = [e.model_dump() for e in inp.data.experts]
    changed = upsert_experts(ctx.conn, items)
    if changed:
        ctx.journal("registration.experts", {"who": ctx.env.opter, "experts": items})
    pool = ctx.conn.execute(select(expert).order_by(expert.c.code)).all()
    return {"changed": changed, "experts": [{"code": p.code, "name": p.name, "specialty": p.specialty,
                                              "active": bool(p.active)} for p in pool]}


__all__ = ["add_months", "effective_from", "effective_rule", "end_registrations", "upsert_experts", "valid_until", "view"]
