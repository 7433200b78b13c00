"""Family-doctor contracts and measured follow-up visits at the centre (our extensions of the envelope, in the
25xx range the region's chronic-disease workflow uses; see server/transactions/registration.py):

    2560 家庭医生签约        sign a person with a primary-care unit's team and doctor (one open contract per person)
    2561 家庭医生解约        end the open contract (day and reason)
    2562 随访记录            a measured face-to-face visit: BP, glucose, HbA1c, weight/BMI, smoking, adherence,
                             adverse reactions, assessment, next visit, referral, the drugs taken
                             (validated by core.care.visits: out of range is refused, nothing written)
    2563 健康时间线          a person's visits, contracts, settlements, supply and e-prescriptions, newest first,
                             with the ≥4-a-year count and due/overdue from the visits recorded
    2564 签约居民随访情况    a unit's signed people with their schedule (the doctor's work list)

Every change is journaled in the same transaction. The older 2541 (date, doctor, note) writes the same table,
so both count towards the four visits a year.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from pydantic import Field
from sqlalchemy import insert, select, update

from core.care.visits import ADHERENCE, ASSESSMENT, SMOKING, VisitError, parse_day, schedule, validate_visit
from core.store.models import DispenseRow, PersonRow, SettlementRow
from server import db, people, reference
from server.envelope import PlatformError
from server.models import eprescription
from server.models_care import contract
from server.models_chronic import followup
from server.transactions import Input, transaction
from server.transactions.registration import _save_contact as save_contact

F = followup.c


class SignData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    team: str = Field(min_length=1, max_length=60)
    doctor_code: str = Field(min_length=1, max_length=30)
    doctor_name: str = Field(min_length=1, max_length=50)
    sign_date: str = Field(min_length=8, max_length=30)
    tel: str = Field(default="", max_length=30)  # for reminders (SMS) and letters
    addr: str = Field(default="", max_length=200)


class SignInput(Input):
    data: SignData


def _day(value: str, name: str, zh: str) -> dt.date:
    try:
        return parse_day(value, name, zh)
    except VisitError as exc:
        raise PlatformError(str(exc)) from None


def _open_contract(conn, person_no: str):
    return conn.execute(select(contract).where(contract.c.person_no == person_no, contract.c.ended_on.is_(None))).first()


def contract_view(row) -> dict:
    return {"contract_id": row.id, "psn_no": row.person_no, "unit_code": row.unit_code, "team": row.team,
            "doctor_code": row.doctor_code, "doctor_name": row.doctor_name, "sign_date": row.signed_on.isoformat(),
            "end_date": row.ended_on.isoformat() if row.ended_on else None, "end_reason": row.end_reason,
            "status": "ended" if row.ended_on else "active", "status_name": "已解约" if row.ended_on else "签约中"}


@transaction("2560", "家庭医生签约", SignInput)
def sign(ctx, inp: SignInput) -> dict:
    d = inp.data
    db.lock_person(ctx.conn, d.psn_no)
    found = people.by_person_no(ctx, d.psn_no).person
    if found.death_date is not None:
        raise PlatformError(f"参保人已于 {found.death_date} 死亡，不能签约 (person deceased)")
    day = _day(d.sign_date, "sign_date", "签约日期")
    if day > ctx.today:
        raise PlatformError(f"签约日期 {day} 晚于今天 (sign_date is in the future)")
    current = _open_contract(ctx.conn, d.psn_no)
    if current is not None:
        raise PlatformError(f"该参保人已与 {current.team}（{current.doctor_name}）签约（自 {current.signed_on}），"
                            f"请先解约 (already signed with another team: end that contract first)")
    new_id = ctx.conn.execute(insert(contract).values(
        person_no=d.psn_no, unit_code=ctx.code, team=d.team, doctor_code=d.doctor_code, doctor_name=d.doctor_name,
        signed_on=day, signed_by=ctx.env.opter, at=ctx.now_text)).inserted_primary_key[0]
    save_contact(ctx, d.psn_no, d.tel, d.addr)
    ctx.journal("care.contract_sign", {"contract_id": new_id, "psn_no": d.psn_no, "unit": ctx.code, "team": d.team,
                                       "doctor_code": d.doctor_code, "sign_date": day.isoformat(), "who": ctx.env.opter})
    return {"contract": contract_view(ctx.conn.execute(select(contract).where(contract.c.id == new_id)).first())}


class EndData(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    end_date: str = Field(min_length=8, max_length=30)
    reason: str = Field(min_length=1, max_length=200)


class EndInput(Input):
    data: EndData


@transaction("2561", "家庭医生解约", EndInput)
def end(ctx, inp: EndInput) -> dict:
    d = inp.data
    db.lock_person(ctx.conn, d.psn_no)
    current = _open_contract(ctx.conn, d.psn_no)
    if current is None:
        raise PlatformError(f"{d.psn_no} 没有签约中的家庭医生合同 (no active contract)")
    day = _day(d.end_date, "end_date", "解约日期")
    if day < current.signed_on or day > ctx.today:
        raise PlatformError(f"解约日期 {day} 应在签约日 {current.signed_on} 与今天之间 "
                            f"(end_date must lie between the signing day and today)")
    ctx.conn.execute(update(contract).where(contract.c.id == current.id).values(ended_on=day, end_reason=d.reason))
    ctx.journal("care.contract_end", {"contract_id": current.id, "psn_no": d.psn_no, "end_date": day.isoformat(),
                                      "reason": d.reason, "who": ctx.env.opter})
    return {"contract": contract_view(ctx.conn.execute(select(contract).where(contract.c.id == current.id)).first())}


class VisitInput(Input):
    # The visit node stays a plain dict: core.care.visits validates it with zh+en messages per field.
    data: dict[str, Any]


def visit_view(row) -> dict:
    def num(value):
        return None if value is None else str(value)

    return {"id": row.id, "psn_no": row.person_no, "visit_date": row.visit_date.isoformat(), "place": row.place or "",
            "fixmedins_code": row.facility_code, "doctor": row.doctor, "doctor_code": row.doctor_code or "",
            "sbp": row.sbp, "dbp": row.dbp, "fpg": num(row.fpg), "rpg": num(row.rpg), "hba1c": num(row.hba1c),
            "weight_kg": num(row.weight_kg), "height_cm": num(row.height_cm), "bmi": num(row.bmi),
            "smoking": row.smoking, "smoking_name": SMOKING.get(row.smoking or "", ""), "cigarettes": row.cigarettes,
            "adherence": row.adherence, "adherence_name": ADHERENCE.get(row.adherence or "", ""),
            "adverse": row.adverse or "", "assessment": row.assessment,
            "assessment_name": ASSESSMENT.get(row.assessment or "", ""),
            "next_visit": row.next_visit.isoformat() if row.next_visit else None, "referral": row.referral or "",
            "note": row.note, "drugs": json.loads(row.drugs) if row.drugs else []}


@transaction("2562", "随访记录", VisitInput)
def record_visit(ctx, inp: VisitInput) -> dict:
    raw = inp.data
    psn_no = str(raw.get("psn_no") or "").strip()
    if not psn_no:
        raise PlatformError("请填写人员编号 (psn_no is required)")
    db.lock_person(ctx.conn, psn_no)
    people.by_person_no(ctx, psn_no)
    try:
        v = validate_visit(raw, ctx.today)
    except VisitError as exc:
        raise PlatformError(f"{exc.field}: {exc.zh} ({exc.en})") from None
    cat = reference.catalogue(ctx.centre, ctx.conn)
    for drug in v.drugs:
        if drug.drug_key not in cat.by_key:
            raise PlatformError(f"drugs: 药品 {drug.drug_key} 不在目录中 (unknown drug {drug.drug_key})")
    drugs = [{"drug_key": d.drug_key, "drug_name": d.drug_name or cat.by_key[d.drug_key].name,
              "spec": d.spec or cat.by_key[d.drug_key].spec, "dose": d.dose, "freq": d.freq} for d in v.drugs]
    new_id = ctx.conn.execute(insert(followup).values(
        person_no=psn_no, visit_date=v.visit_date, facility_code=ctx.code, doctor=v.doctor_name, note=v.note,
        at=ctx.now_text, place=v.place, doctor_code=v.doctor_code, sbp=v.sbp, dbp=v.dbp, fpg=v.fpg, rpg=v.rpg,
        hba1c=v.hba1c, weight_kg=v.weight_kg, height_cm=v.height_cm, bmi=v.bmi, smoking=v.smoking,
        cigarettes=v.cigarettes, adherence=v.adherence, adverse=v.adverse, assessment=v.assessment,
        next_visit=v.next_visit, referral=v.referral, drugs=json.dumps(drugs, ensure_ascii=False),
        recorded_by=ctx.env.opter)).inserted_primary_key[0]
    row = ctx.conn.execute(select(followup).where(F.id == new_id)).first()
    view = visit_view(row)
    ctx.journal("care.visit", {**{k: view[k] for k in ("id", "psn_no", "visit_date", "place", "doctor", "sbp", "dbp",
                                                      "fpg", "rpg", "hba1c", "bmi", "assessment", "next_visit")},
                               "who": ctx.env.opter})
    return {"visit": view, "schedule": person_schedule(ctx.conn, psn_no, ctx.today)}


def _visits(conn, person_no: str) -> list:
    return conn.execute(select(followup).where(F.person_no == person_no).order_by(F.visit_date.desc(), F.id.desc())).all()


def person_schedule(conn, person_no: str, today: dt.date, visits=None) -> dict:
    rows = _visits(conn, person_no) if visits is None else visits
    current = _open_contract(conn, person_no)
    next_visit = rows[0].next_visit if rows else None
    return schedule([r.visit_date for r in rows], today, next_visit,
                    since=current.signed_on if current else None).as_dict()


class PersonData(Input):
    psn_no: str = Field(min_length=1, max_length=30)


class PersonInput(Input):
    data: PersonData


@transaction("2563", "健康时间线", PersonInput)
def timeline(ctx, inp: PersonInput) -> dict:
    psn_no = inp.data.psn_no
    people.by_person_no(ctx, psn_no)
    rows = _visits(ctx.conn, psn_no)
    cat = reference.catalogue(ctx.centre, ctx.conn)
    events: list[dict] = []
    for r in rows:
        v = visit_view(r)
        bp = f"血压 {r.sbp}/{r.dbp} mmHg" if r.sbp else ""
        glu = f"空腹血糖 {v['fpg']}" if v["fpg"] else (f"随机血糖 {v['rpg']}" if v["rpg"] else "")
        events.append({"date": v["visit_date"], "kind": "visit", "kind_name": "随访", "where": v["place"] or r.facility_code,
                       "summary": "，".join(x for x in (bp, glu, v["assessment_name"]) if x) or r.note, "visit": v})
    contracts = ctx.conn.execute(select(contract).where(contract.c.person_no == psn_no).order_by(contract.c.id)).all()
    for c in contracts:
        events.append({"date": c.signed_on.isoformat(), "kind": "contract", "kind_name": "家庭医生签约",
                       "where": c.unit_code, "summary": f"{c.team} {c.doctor_name}"})
        if c.ended_on:
            events.append({"date": c.ended_on.isoformat(), "kind": "contract_end", "kind_name": "家庭医生解约",
                           "where": c.unit_code, "summary": c.end_reason})
    S, D = SettlementRow.__table__.c, DispenseRow.__table__.c
    for s in ctx.conn.execute(select(S.settlement_id, S.date, S.facility_code, S.scheme, S.total, S.fund, S.reversed_on)
                              .where(S.person_no == psn_no).order_by(S.date.desc()).limit(200)):
        events.append({"date": s.date.isoformat(), "kind": "settlement", "kind_name": "结算", "where": s.facility_code,
                       "summary": f"{s.scheme} 总额 {s.total} 元，统筹 {s.fund} 元" + ("（已冲销）" if s.reversed_on else ""),
                       "setl_id": s.settlement_id})
    supply = defaultdict(list)
    for r in ctx.conn.execute(select(D.date, D.drug_key, D.days, D.facility_code, D.settlement_id)
                              .where(D.person_no == psn_no).order_by(D.date.desc()).limit(400)):
        drug = cat.by_key.get(r.drug_key)
        supply[(r.date, r.facility_code)].append(f"{drug.name if drug else r.drug_key} {r.days}天")
    for (day, facility), parts in supply.items():
        events.append({"date": day.isoformat(), "kind": "supply", "kind_name": "取药", "where": facility,
                       "summary": "；".join(parts)})
    for rx in ctx.conn.execute(select(eprescription.c.rx_id, eprescription.c.uploaded_at, eprescription.c.issuer_code,
                                      eprescription.c.status).where(eprescription.c.person_no == psn_no)):
        events.append({"date": rx.uploaded_at[:10], "kind": "prescription", "kind_name": "电子处方",
                       "where": rx.issuer_code, "summary": f"{rx.rx_id}（{rx.status}）"})
    order = {"visit": 0, "prescription": 1, "settlement": 2, "supply": 3, "contract": 4, "contract_end": 5}
    events.sort(key=lambda e: (e["date"], -order[e["kind"]]), reverse=True)
    trend = [{"date": r.visit_date.isoformat(), "sbp": r.sbp, "dbp": r.dbp,
              "fpg": str(r.fpg) if r.fpg is not None else None, "rpg": str(r.rpg) if r.rpg is not None else None}
             for r in reversed(rows) if r.sbp is not None or r.fpg is not None or r.rpg is not None]
    current = _open_contract(ctx.conn, psn_no)
    return {"psn_no": psn_no, "contract": contract_view(current) if current else None,
            "schedule": person_schedule(ctx.conn, psn_no, ctx.today, rows), "trend": trend, "events": events}


class RosterData(Input):
    unit_code: str = Field(default="", max_length=30)
    status: str = Field(default="", pattern="^(|ok|due|overdue)$")


class RosterInput(Input):
    data: RosterData = Field(default_factory=RosterData)


@transaction("2564", "签约居民随访情况", RosterInput)
def roster(ctx, inp: RosterInput) -> dict:
    unit = inp.data.unit_code or ctx.code
    signed = ctx.conn.execute(select(contract).where(contract.c.unit_code == unit, contract.c.ended_on.is_(None))
                              .order_by(contract.c.person_no)).all()
    nos = [c.person_no for c in signed]
    visits: dict[str, list] = defaultdict(list)
    names = {}
    if nos:
        for r in ctx.conn.execute(select(followup).where(F.person_no.in_(nos)).order_by(F.visit_date.desc(), F.id.desc())):
            visits[r.person_no].append(r)
        names = dict(ctx.conn.execute(select(PersonRow.person_no, PersonRow.name).where(PersonRow.person_no.in_(nos))).all())
    out = []
    for c in signed:
        rows = visits[c.person_no]
        sched = schedule([r.visit_date for r in rows], ctx.today, rows[0].next_visit if rows else None,
                         since=c.signed_on).as_dict()
        if inp.data.status and sched["status"] != inp.data.status:
            continue
        out.append({**contract_view(c), "psn_name": names.get(c.person_no, ""), "schedule": sched})
    out.sort(key=lambda x: (x["schedule"]["next_due"], x["psn_no"]))
    return {"unit_code": unit, "today": ctx.today.isoformat(), "people": out}
