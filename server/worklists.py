"""The counter's worklists, computed at the centre from what it holds: exit warnings (退出预警), people who look
eligible but are not registered (主动发现, "政策找人"), and reminders (refill, review, follow-up).

Pure functions of a Connection, the day and the benefit profile, so the transactions (server/transactions/
worklist.py), the command line and the tests all get the same lists.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import Connection, or_, select

from core.domain.masking import mask_id
from core.store.models import DispenseRow, DrugRow, PersonRow, RegistrationRow, SettlementRow
from server import people
from server.chronic import DISEASE_ZH, DISEASES, disease_of_class, disease_of_diagnosis, lb_disease
from server.models import trace_upload
from core.care.visits import FOLLOWUPS_PER_YEAR, schedule
from server.models_care import contract
from server.models_chronic import application, contact, exit_, followup, managed, settlement_chronic

P, R = PersonRow.__table__.c, RegistrationRow.__table__.c
S, D = SettlementRow.__table__.c, DispenseRow.__table__.c
OPEN_STATUSES = ("draft", "expert_review", "clerk_review")
REASON_ZH = {"death": "参保人死亡", "insurance": "参保状态变化（停保/转出）", "review_overdue": "待遇到期未复审"}
SCHEME_ZH = {"LB": "两病", "MT": "门诊慢特病"}


def _masked(id_enc: str | None) -> str:
    return mask_id(people._decrypt(id_enc) or "")


def _persons(conn: Connection, person_nos: Iterable[str]) -> dict[str, Any]:
    nos = sorted(set(person_nos))
    out = {}
    for i in range(0, len(nos), 500):
        for row in conn.execute(select(P.person_no, P.name, P.sex, P.birth_date, P.insurance_type, P.status,
                                       P.death_date, P.id_number_enc).where(P.person_no.in_(nos[i:i + 500]))):
            out[row.person_no] = row
    return out


def _registrations(conn: Connection, person_nos: Iterable[str] | None = None) -> dict[str, list]:
    q = select(R.id, R.person_no, R.scheme, R.disease, R.begin_date, R.end_date).order_by(R.id)
    if person_nos is not None:
        nos = sorted(set(person_nos))
        if not nos:
            return {}
        q = q.where(R.person_no.in_(nos))
    out: dict[str, list] = defaultdict(list)
    for r in conn.execute(q):
        out[r.person_no].append(r)
    return out


def _tels(conn: Connection, person_nos: Iterable[str]) -> dict[str, str]:
    nos = sorted(set(person_nos))
    if not nos:
        return {}
    return {r.person_no: r.tel for r in conn.execute(select(contact.c.person_no, contact.c.tel).where(contact.c.person_no.in_(nos)))}


def _open_apps(conn: Connection) -> dict[str, str]:
    return {r.person_no: r.app_no for r in conn.execute(
        select(application.c.person_no, application.c.app_no).where(application.c.status.in_(OPEN_STATUSES)))}


def _reg_dict(r) -> dict:
    return {"id": r.id, "scheme": r.scheme, "disease": r.disease, "begin": r.begin_date.isoformat(),
            "end": r.end_date.isoformat() if r.end_date else None}


# ---- 退出预警 ---------------------------------------------------------------------------------------------------
def exit_candidates(conn: Connection, today: dt.date, person_no: str | None = None) -> list[dict]:
    """Registrations that should end: the person died (end = date of death), insurance stopped or moved
    (end = yesterday), or a 门诊慢特病 registration ended without a review application (待遇到期未复审)."""
    confirmed: set[int] = set()
    for row in conn.execute(select(exit_.c.registrations)):
        confirmed.update(int(x["id"]) for x in json.loads(row.registrations))
    regs = _registrations(conn, [person_no] if person_no else None)
    persons = _persons(conn, regs)
    open_apps = _open_apps(conn)
    out = []
    for pno, rows in regs.items():
        p = persons.get(pno)
        if p is None:
            continue
        live = [r for r in rows if r.id not in confirmed]
        if p.death_date is not None:
            hit = [r for r in live if r.end_date is None or r.end_date > p.death_date]
            if hit:
                out.append(_candidate(p, "death", p.death_date, hit, f"死亡日期 {p.death_date}"))
                continue
        if p.status != "active":
            end = today - dt.timedelta(days=1)
            hit = [r for r in live if r.end_date is None or r.end_date > end]
            if hit:
                out.append(_candidate(p, "insurance", end, hit, f"参保状态：{p.status}"))
                continue
        if pno in open_apps:
            continue
        for r in live:
            if r.end_date is None or r.end_date >= today or r.scheme != "MT":
                continue
            renewed = any(o.id != r.id and o.disease == r.disease and o.scheme == r.scheme and o.begin_date > r.end_date
                          for o in rows)
            if not renewed:
                out.append(_candidate(p, "review_overdue", r.end_date, [r], f"{r.disease} 待遇于 {r.end_date} 到期，未申请复审"))
    order = {"death": 0, "insurance": 1, "review_overdue": 2}
    out.sort(key=lambda c: (order[c["reason"]], c["proposed_end"], c["psn_no"]))
    return out


def _candidate(p, reason: str, end: dt.date, regs: list, detail: str) -> dict:
    return {"psn_no": p.person_no, "psn_name": p.name, "certno_masked": _masked(p.id_number_enc),
            "insutype": p.insurance_type, "reason": reason, "reason_name": REASON_ZH[reason], "detail": detail,
            "proposed_end": end.isoformat(), "registrations": [_reg_dict(r) for r in regs]}


# ---- 主动发现 -----------------------------------------------------------------------------------------------------
@dataclass
class _Evidence:
    """What points to each disease (HTN / DM) for one person."""

    diagnoses: dict = field(default_factory=lambda: defaultdict(int))
    settled_buys: dict = field(default_factory=lambda: defaultdict(int))
    selfpay_boxes: dict = field(default_factory=lambda: defaultdict(int))
    managed_by: dict = field(default_factory=lambda: defaultdict(set))
    diag_codes: dict = field(default_factory=lambda: defaultdict(set))
    last_seen: dict = field(default_factory=dict)

    @property
    def diseases(self) -> set[str]:
        return set(self.diagnoses) | set(self.settled_buys) | set(self.selfpay_boxes) | set(self.managed_by)

    def seen(self, disease: str, day: dt.date | None) -> None:
        if day is not None and (disease not in self.last_seen or day > self.last_seen[disease]):
            self.last_seen[disease] = day


def eligible_unregistered(conn: Connection, today: dt.date, drug_scopes: dict, diagnosis_scopes: dict,
                          *, days: int = 365, limit: int = 500) -> list[dict]:
    """People whose last `days` show hypertension/diabetes diagnoses or medication, or who are under a
    primary-care unit's management, but who have no registration covering that disease; ranked by score."""
    since = today - dt.timedelta(days=days)
    ev: dict[str, _Evidence] = defaultdict(_Evidence)
    # settlements: diagnoses carried and the disease amounts (medication bought under any scheme)
    q = (select(settlement_chronic.c.person_no, settlement_chronic.c.diagnoses, settlement_chronic.c.htn_medfee,
                settlement_chronic.c.dm_medfee, S.date)
         .join(SettlementRow.__table__, S.settlement_id == settlement_chronic.c.setl_id)
         .where(S.date >= since, S.date <= today, S.reversed_on.is_(None)))
    for r in conn.execute(q):
        e = ev[r.person_no]
        for code in filter(None, (r.diagnoses or "").split(",")):
            dis = disease_of_diagnosis(diagnosis_scopes, code)
            if dis:
                e.diagnoses[dis] += 1
                e.diag_codes[dis].add(code)
                e.seen(dis, r.date)
        for dis, amount in ((DISEASES[0], r.htn_medfee), (DISEASES[1], r.dm_medfee)):
            if amount and amount > 0:
                e.settled_buys[dis] += 1
                e.seen(dis, r.date)
    # self-pay sales uploaded with the person's number (3505 without a settlement): full-price buyers
    drug_class = {r.key: (r.atc or r.nhsa_class) for r in conn.execute(select(DrugRow.key, DrugRow.atc, DrugRow.nhsa_class))}
    u = trace_upload.c
    for r in conn.execute(select(u.psn_no, u.drug_key, u.med_list_codg, u.sold_at).where(
            u.psn_no.is_not(None), u.setl_id.is_(None), u.returned_at.is_(None), u.sold_at >= since.isoformat())):
        dis = disease_of_class(drug_scopes, drug_class.get(r.drug_key) or drug_class.get(r.med_list_codg))
        if dis in DISEASES:
            e = ev[r.psn_no]
            e.selfpay_boxes[dis] += 1
            e.seen(dis, dt.date.fromisoformat(r.sold_at[:10]))
    # the management roster
    for r in conn.execute(select(managed).where(or_(managed.c.until.is_(None), managed.c.until >= today))):
        if r.disease in DISEASES:
            e = ev[r.person_no]
            e.managed_by[r.disease].add(r.unit_code)
            e.seen(r.disease, r.since)
    if not ev:
        return []
    regs = _registrations(conn, ev)
    persons = _persons(conn, ev)
    tels = _tels(conn, ev)
    open_apps = _open_apps(conn)
    out = []
    for pno, e in ev.items():
        p = persons.get(pno)
        if p is None or p.death_date is not None or p.status != "active" or pno in open_apps:
            continue
        covered = {lb_disease(r.disease) for r in regs.get(pno, []) if r.end_date is None or r.end_date >= today}
        missing = sorted((d for d in e.diseases if d not in covered), key=DISEASES.index)
        if not missing:
            continue
        units = sorted({u for d in missing for u in e.managed_by.get(d, ())})
        diag = sum(e.diagnoses.get(d, 0) for d in missing)
        buys = sum(e.settled_buys.get(d, 0) for d in missing)
        boxes = sum(e.selfpay_boxes.get(d, 0) for d in missing)
        codes = sorted({c for d in missing for c in e.diag_codes.get(d, ())})
        last = max((e.last_seen[d] for d in missing if d in e.last_seen), default=None)
        score = (40 if units else 0) + 15 * min(diag, 3) + 5 * min(buys + boxes, 10)
        if last is not None and (today - last).days <= 90:
            score += 10
        reasons = []
        if units:
            reasons.append(f"纳入基层管理（{','.join(units)}）")
        if diag:
            reasons.append(f"诊断 {diag} 次（{','.join(codes)}）")
        if buys:
            reasons.append(f"医保购药 {buys} 次")
        if boxes:
            reasons.append(f"自费购药 {boxes} 盒")
        out.append({
            "psn_no": pno, "psn_name": p.name, "certno_masked": _masked(p.id_number_enc), "insutype": p.insurance_type,
            "tel": tels.get(pno, ""), "diseases": missing, "disease_names": [DISEASE_ZH[d] for d in missing],
            "suggested_scheme": "LB", "score": score, "diagnoses": diag, "settled_buys": buys, "selfpay_boxes": boxes,
            "managed_by": units, "last_seen": last.isoformat() if last else None, "reasons": "；".join(reasons),
            "diag_codes": codes,
        })
    out.sort(key=lambda x: (-x["score"], -(dt.date.fromisoformat(x["last_seen"]).toordinal() if x["last_seen"] else 0),
                            x["psn_no"]))
    return out[:limit]


# ---- 提醒 ---------------------------------------------------------------------------------------------------------
def _assignees(conn: Connection) -> dict[str, str]:
    """The clerk who handled a person's latest application: whose worklist the person is on."""
    out: dict[str, str] = {}
    for r in conn.execute(select(application.c.person_no, application.c.created_by, application.c.decided_by,
                                 application.c.created_at).order_by(application.c.created_at, application.c.app_no)):
        out[r.person_no] = r.created_by
    return out


def _active(r, today: dt.date) -> bool:
    return r.begin_date <= today and (r.end_date is None or r.end_date >= today)


def reminders(conn: Connection, today: dt.date, *, kinds: Iterable[str] = ("refill", "review", "followup"),
              refill_days: int = 7, review_days: int = 60, refill_window: int = 15, assignee: str = "",
              drug_names: dict[str, str] | None = None, disease_names: dict[str, str] | None = None) -> list[dict]:
    kinds = set(kinds)
    regs = _registrations(conn)
    persons = _persons(conn, regs)
    living = {pno for pno, p in persons.items() if p.death_date is None and p.status == "active"}
    active = {pno: [r for r in rows if _active(r, today)] for pno, rows in regs.items() if pno in living}
    active = {k: v for k, v in active.items() if v}
    open_apps = _open_apps(conn)
    owners = _assignees(conn)
    names = disease_names or {}
    items: list[dict] = []
    if "refill" in kinds and active:
        drug_names = drug_names or {r.key: r.name for r in conn.execute(select(DrugRow.key, DrugRow.name))}
        since = today - dt.timedelta(days=400)
        q = (select(D.person_no, D.chain_key, D.drug_key, D.date, D.days, D.facility_code)
             .join(SettlementRow.__table__, S.settlement_id == D.settlement_id)
             .where(S.reversed_on.is_(None), D.date >= since, D.date <= today, D.person_no.in_(sorted(active)))
             .order_by(D.person_no, D.chain_key, D.date, D.id))
        chains: dict[tuple[str, str], dict] = {}
        for r in conn.execute(q):
            key = (r.person_no, r.chain_key)
            c = chains.get(key)
            start = r.date if c is None else max(r.date, c["end"])
            chains[key] = {"end": start + dt.timedelta(days=r.days), "last": r.date, "drug": r.drug_key,
                           "facility": r.facility_code}
        for (pno, chain), c in sorted(chains.items()):
            left = (c["end"] - today).days
            if -30 <= left <= refill_days:
                allowed = c["end"] - dt.timedelta(days=refill_window)
                p = persons[pno]
                drug = drug_names.get(c["drug"], c["drug"])
                items.append({
                    "kind": "refill", "kind_name": "续配取药", "psn_no": pno, "psn_name": p.name, "drug_key": c["drug"],
                    "drug_name": drug, "last_date": c["last"].isoformat(), "supply_end": c["end"].isoformat(),
                    "days_left": left, "next_allowed": allowed.isoformat(), "due": c["end"].isoformat(),
                    "detail": f"{drug} 上次取药 {c['last']}，预计 {c['end']} 用完（{'剩' + str(left) + '天' if left >= 0 else '已断药' + str(-left) + '天'}），"
                              f"{max(allowed, today)} 起可续配",
                    "message": f"【一窗通】{p.name}您好，您的{drug}预计于{c['end']:%m月%d日}用完，"
                               f"自{max(allowed, today):%m月%d日}起可续配取药。",
                })
    if "review" in kinds:
        until = today + dt.timedelta(days=review_days)
        for pno, rows in active.items():
            if pno in open_apps:
                continue
            for r in rows:
                if r.end_date is None or r.end_date > until:
                    continue
                renewed = any(o.disease == r.disease and o.scheme == r.scheme and o.begin_date > r.end_date
                              for o in regs[pno])
                if renewed:
                    continue
                p = persons[pno]
                dn = names.get(r.disease, r.disease)
                items.append({
                    "kind": "review", "kind_name": "待遇复审", "psn_no": pno, "psn_name": p.name, "disease": r.disease,
                    "disease_name": dn, "scheme": r.scheme, "end": r.end_date.isoformat(),
                    "days_left": (r.end_date - today).days, "due": r.end_date.isoformat(),
                    "detail": f"{SCHEME_ZH.get(r.scheme, r.scheme)} {dn} 待遇 {r.end_date} 到期",
                    "message": f"【一窗通】{p.name}您好，您的{dn}{SCHEME_ZH.get(r.scheme, '')}待遇将于"
                               f"{r.end_date:%Y年%m月%d日}到期，请及时到服务中心申请复审。",
                })
    if "followup" in kinds:
        # 两病 registrations and family-doctor contracts; the schedule (core.care.visits) from the visits recorded
        lb = {pno for pno, rows in active.items() if any(r.scheme == "LB" and r.disease in DISEASES for r in rows)}
        signed = {r.person_no: r.signed_on for r in conn.execute(select(contract.c.person_no, contract.c.signed_on)
                                                                 .where(contract.c.ended_on.is_(None)))
                  if r.person_no in living}
        under_care = sorted(lb | set(signed))
        visits: dict[str, list] = defaultdict(list)
        for i in range(0, len(under_care), 500):
            for r in conn.execute(select(followup.c.person_no, followup.c.visit_date, followup.c.next_visit).where(
                    followup.c.visit_date <= today, followup.c.person_no.in_(under_care[i:i + 500]))
                    .order_by(followup.c.visit_date, followup.c.id)):
                visits[r.person_no].append(r)
        extra = _persons(conn, [p for p in under_care if p not in persons])
        for pno in under_care:
            rows = visits[pno]
            s = schedule([r.visit_date for r in rows], today, rows[-1].next_visit if rows else None,
                         since=signed.get(pno))
            if s.status == "ok" and s.done >= s.expected_by_quarter_end:
                continue
            p = persons.get(pno) or extra[pno]
            items.append({
                "kind": "followup", "kind_name": "随访", "psn_no": pno, "psn_name": p.name, "visits": s.done,
                "expected": s.expected_by_quarter_end, "status": s.status,
                "last_visit": s.last_visit.isoformat() if s.last_visit else None, "due": s.next_due.isoformat(),
                "days_left": (s.next_due - today).days,
                "detail": f"今年已随访 {s.done} 次（本季度末应达 {s.expected_by_quarter_end} 次，全年不少于 "
                          f"{FOLLOWUPS_PER_YEAR} 次），{s.status_zh}",
                "message": f"【一窗通】{p.name}您好，今年您已随访{s.done}次，请于{s.next_due:%m月%d日}前到家庭医生处"
                           f"面对面随访（每年不少于{FOLLOWUPS_PER_YEAR}次）。",
            })
    tels = _tels(conn, [i["psn_no"] for i in items])
    for i in items:
        i["tel"] = tels.get(i["psn_no"], "")
        i["assignee"] = owners.get(i["psn_no"], "")
    if assignee:
        items = [i for i in items if i["assignee"] in (assignee, "")]
    order = {"refill": 0, "review": 1, "followup": 2}
    items.sort(key=lambda i: (i["due"], order[i["kind"]], i["psn_no"]))
    return items


__all__ = ["REASON_ZH", "eligible_unregistered", "exit_candidates", "reminders"]
