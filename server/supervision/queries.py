"""The big screen's panels and the drill-downs, read from the aggregates (server.supervision.models).

Every panel is one or two indexed range reads over at most a month of daily rows (or a day of hourly rows), so
its cost does not grow with the number of settlements. Money leaves here in yuan (2 decimals), boxes in boxes.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, case, desc, func, select

from core.domain.masking import mask_name
from core.store.models import DrugRow, FacilityRow, PersonRow, SettlementRow
from server.models_stock import stock_level
from server.supervision import alerts as alert_rules
from server.supervision.models import (
    sv_alert,
    sv_day,
    sv_drug_day,
    sv_drug_month,
    sv_hour,
    sv_settlement,
    sv_settlement_drug,
    sv_trace_day,
)
from server.supervision.rules import Rules

LEVELS = {"1": "一级 level 1", "2": "二级 level 2", "3": "三级 level 3", "pharmacy": "定点药店 pharmacy"}
# ATC level 2 of the drug classes a 慢特病 centre dispenses most (name of the class, Chinese first).
ATC_CLASSES = {
    "C02": "抗高血压药 antihypertensives", "C03": "利尿剂 diuretics", "C07": "β受体阻滞剂 beta blockers",
    "C08": "钙通道阻滞剂 calcium channel blockers", "C09": "肾素-血管紧张素系统药 RAS agents",
    "C10": "调脂药 lipid modifiers", "A10": "降糖药 antidiabetics", "B01": "抗血栓药 antithrombotics",
}


def _yuan(c) -> float:
    return round(int(c or 0) / 100, 2)


def _sum(col):
    return func.coalesce(func.sum(col), 0)


def summary(conn: Connection, today: dt.date) -> dict:
    """服务人次, settlements, fund paid, personal share: today (hourly rows) and this month (daily rows)."""
    cols = (_sum(sv_hour.c.services), _sum(sv_hour.c.settlements), _sum(sv_hour.c.total_c), _sum(sv_hour.c.fund_c),
            _sum(sv_hour.c.personal_c))
    day = conn.execute(select(*cols).where(sv_hour.c.hour >= f"{today.isoformat()} 00",
                                           sv_hour.c.hour <= f"{today.isoformat()} 23")).one()
    m = (_sum(sv_day.c.services), _sum(sv_day.c.settlements), _sum(sv_day.c.total_c), _sum(sv_day.c.fund_c),
         _sum(sv_day.c.personal_c))
    month = conn.execute(select(*m).where(sv_day.c.day >= today.replace(day=1).isoformat(),
                                          sv_day.c.day <= today.isoformat())).one()

    def pack(r):
        return {"services": int(r[0]), "settlements": int(r[1]), "total": _yuan(r[2]), "fund": _yuan(r[3]),
                "personal": _yuan(r[4])}

    hours = conn.execute(
        select(sv_hour.c.hour, _sum(sv_hour.c.settlements), _sum(sv_hour.c.fund_c))
        .where(sv_hour.c.hour >= f"{today.isoformat()} 00", sv_hour.c.hour <= f"{today.isoformat()} 23")
        .group_by(sv_hour.c.hour)
    ).all()
    by_hour = {h[11:13]: (int(n), _yuan(f)) for h, n, f in hours}
    return {"date": today.isoformat(), "today": pack(day), "month": pack(month),
            "hours": [{"hour": f"{h:02d}", "settlements": by_hour.get(f"{h:02d}", (0, 0))[0],
                       "fund": by_hour.get(f"{h:02d}", (0, 0))[1]} for h in range(24)]}


def _month_where(today: dt.date):
    return (sv_day.c.day >= today.replace(day=1).isoformat(), sv_day.c.day <= today.isoformat())


def fund_flow(conn: Connection, today: dt.date, top_n: int) -> dict:
    """This month's fund by disease, by facility level and by institution (top N)."""
    d = conn.execute(select(_sum(sv_day.c.htn_fund_c), _sum(sv_day.c.dm_fund_c), _sum(sv_day.c.other_fund_c))
                     .where(*_month_where(today))).one()
    by_fac = conn.execute(
        select(sv_day.c.facility_code, _sum(sv_day.c.fund_c).label("fund"), _sum(sv_day.c.settlements))
        .where(*_month_where(today)).group_by(sv_day.c.facility_code)
    ).all()
    facs = {r.code: r for r in conn.execute(select(FacilityRow.code, FacilityRow.name, FacilityRow.benefit_level,
                                                   FacilityRow.kind, FacilityRow.city))}
    levels: dict[str, int] = {}
    for code, fund, _n in by_fac:
        f = facs.get(code)
        level = LEVELS.get(f.benefit_level, f.benefit_level) if f else "未知 unknown"
        levels[level] = levels.get(level, 0) + int(fund)
    top = sorted(by_fac, key=lambda r: -int(r[1]))[:top_n]
    return {
        "by_disease": [{"name": "高血压 hypertension", "fund": _yuan(d[0])}, {"name": "糖尿病 diabetes", "fund": _yuan(d[1])},
                       {"name": "其他慢特病 other chronic", "fund": _yuan(d[2])}],
        "by_level": [{"name": k, "fund": _yuan(v)} for k, v in sorted(levels.items())],
        "by_institution": [{"code": c, "name": facs[c].name if c in facs else c, "fund": _yuan(fund), "settlements": int(n)}
                           for c, fund, n in top],
    }


def regions(conn: Connection, today: dt.date) -> list[dict]:
    """This month by insurance area (统筹区: the institution's area code), without a map."""
    rows = conn.execute(
        select(FacilityRow.city, _sum(sv_day.c.settlements), _sum(sv_day.c.fund_c), _sum(sv_day.c.services))
        .join(FacilityRow, FacilityRow.code == sv_day.c.facility_code)
        .where(*_month_where(today)).group_by(FacilityRow.city).order_by(FacilityRow.city)
    ).all()
    return [{"area": a or "-", "settlements": int(n), "fund": _yuan(f), "services": int(s)} for a, n, f, s in rows]


def _drug_names(conn: Connection, keys) -> dict:
    keys = list(keys)
    if not keys:
        return {}
    return {r.key: r for r in conn.execute(select(DrugRow.key, DrugRow.name, DrugRow.spec, DrugRow.atc)
                                           .where(DrugRow.key.in_(keys)))}


def drug_use(conn: Connection, today: dt.date, top_n: int, days: int = 30) -> dict:
    """Top drugs and classes this month (boxes), and the daily boxes of the last `days` days."""
    month_rows = conn.execute(
        select(sv_drug_day.c.drug_key, _sum(sv_drug_day.c.boxes_m), _sum(sv_drug_day.c.coded_boxes),
               _sum(sv_drug_day.c.supply_days))
        .where(sv_drug_day.c.day >= today.replace(day=1).isoformat(), sv_drug_day.c.day <= today.isoformat())
        .group_by(sv_drug_day.c.drug_key)
    ).all()
    names = _drug_names(conn, [r[0] for r in month_rows])
    classes: dict[str, int] = {}
    for key, boxes_m, _c, _d in month_rows:
        atc = (names[key].atc or "")[:3] if key in names else ""
        label = ATC_CLASSES.get(atc, f"{atc or '其他'} other")
        classes[label] = classes.get(label, 0) + int(boxes_m)
    top = sorted(month_rows, key=lambda r: -int(r[1]))[:top_n]
    first = today - dt.timedelta(days=days - 1)
    trend = dict(conn.execute(
        select(sv_drug_day.c.day, _sum(sv_drug_day.c.boxes_m))
        .where(sv_drug_day.c.day >= first.isoformat(), sv_drug_day.c.day <= today.isoformat())
        .group_by(sv_drug_day.c.day)
    ).all())
    return {
        "top": [{"key": k, "name": names[k].name if k in names else k, "boxes": round(int(b) / 1000, 1),
                 "supply_days": int(d)} for k, b, _c, d in top],
        "classes": [{"name": k, "boxes": round(v / 1000, 1)} for k, v in sorted(classes.items(), key=lambda x: -x[1])],
        "trend": [{"day": (first + dt.timedelta(days=i)).isoformat(),
                   "boxes": round(int(trend.get((first + dt.timedelta(days=i)).isoformat(), 0)) / 1000, 1)}
                  for i in range(days)],
    }


def trace_coverage(conn: Connection, today: dt.date) -> dict:
    """This month: boxes sold with their trace code vs without; 3505 uploads; settlements waiting for theirs."""
    b = conn.execute(select(_sum(sv_drug_day.c.boxes_m), _sum(sv_drug_day.c.coded_boxes))
                     .where(sv_drug_day.c.day >= today.replace(day=1).isoformat(),
                            sv_drug_day.c.day <= today.isoformat())).one()
    boxes = int(b[0]) / 1000
    coded = min(int(b[1]), round(boxes)) if boxes else int(b[1])
    u = conn.execute(select(_sum(sv_trace_day.c.uploads), _sum(sv_trace_day.c.codes), _sum(sv_trace_day.c.returns))
                     .where(sv_trace_day.c.day >= today.replace(day=1).isoformat(),
                            sv_trace_day.c.day <= today.isoformat())).one()
    pending = conn.execute(select(func.count()).select_from(sv_settlement).where(
        sv_settlement.c.needs_upload.is_(True), sv_settlement.c.uploaded_at.is_(None),
        sv_settlement.c.reversed.is_(False))).scalar()
    return {"boxes": round(boxes, 1), "coded_boxes": coded, "uncoded_boxes": round(max(0.0, boxes - coded), 1),
            "coverage": round(coded / boxes, 4) if boxes else None, "uploads": int(u[0]), "uploaded_codes": int(u[1]),
            "returns": int(u[2]), "uploads_pending": int(pending or 0)}


SEVERITY_RANK = case({"high": 0, "medium": 1}, value=sv_alert.c.severity, else_=2)


def alert_rows(conn: Connection, *, limit: int = 50, status: str | None = None, facility: str | None = None,
               person: str | None = None, drug: str | None = None, worst_first: bool = False) -> list[dict]:
    """Newest first; `worst_first` (the big screen's feed): unhandled high, then medium, then the rest."""
    order = (sv_alert.c.status == "acknowledged", SEVERITY_RANK) if worst_first else ()
    q = select(sv_alert).order_by(*order, desc(sv_alert.c.at), desc(sv_alert.c.id)).limit(limit)
    if status:
        q = q.where(sv_alert.c.status == status)
    if facility:
        q = q.where(sv_alert.c.facility_code == facility)
    if person:
        q = q.where(sv_alert.c.person_no == person)
    if drug:
        q = q.where(sv_alert.c.drug_key == drug)
    return [{"id": r.id, "rule": r.rule, "severity": r.severity, "at": r.at, "title_zh": r.title_zh,
             "title_en": r.title_en, "status": r.status, "assignee": r.assignee, "handled_by": r.handled_by,
             "evidence": json.loads(r.evidence), "link": alert_rules.link(r)} for r in conn.execute(q)]


def alert_counts(conn: Connection) -> dict:
    rows = conn.execute(select(sv_alert.c.severity, func.count()).where(sv_alert.c.status != "acknowledged")
                        .group_by(sv_alert.c.severity)).all()
    return {s: int(n) for s, n in rows}


def board(conn: Connection, today: dt.date, rules: Rules) -> dict:
    """Everything the big screen shows, in one answer."""
    return {"summary": summary(conn, today), "fund": fund_flow(conn, today, rules.top_n),
            "drugs": drug_use(conn, today, rules.top_n), "regions": regions(conn, today),
            "trace": trace_coverage(conn, today), "alerts": alert_rows(conn, limit=20, worst_first=True),
            "alert_counts": alert_counts(conn)}


# ---- drill-downs -------------------------------------------------------------------------------------------
def institution(conn: Connection, code: str, today: dt.date, top_n: int = 20) -> dict | None:
    f = conn.execute(select(FacilityRow).where(FacilityRow.code == code)).first()
    if f is None:
        return None
    days = conn.execute(
        select(sv_day.c.day, _sum(sv_day.c.services), _sum(sv_day.c.settlements), _sum(sv_day.c.fund_c),
               _sum(sv_day.c.personal_c))
        .where(sv_day.c.facility_code == code, sv_day.c.day >= (today - dt.timedelta(days=29)).isoformat())
        .group_by(sv_day.c.day).order_by(sv_day.c.day)
    ).all()
    drugs = conn.execute(
        select(sv_drug_month.c.drug_key, sv_drug_month.c.boxes_m, sv_drug_month.c.coded_boxes,
               sv_drug_month.c.supply_days)
        .where(sv_drug_month.c.facility_code == code, sv_drug_month.c.month == today.strftime("%Y-%m"))
        .order_by(desc(sv_drug_month.c.boxes_m)).limit(top_n)
    ).all()
    names = _drug_names(conn, [d[0] for d in drugs])
    # stock as the institution reported it (3501-3504, 3507; moved by 3505/3506): batches on hand, soonest expiry
    # first; empty when it never uploaded any
    stock = conn.execute(
        select(stock_level.c.drug_key, stock_level.c.drug_name, stock_level.c.fixmedins_bchno,
               stock_level.c.manu_lotnum, stock_level.c.expy_end, stock_level.c.qty, stock_level.c.updated_at)
        .where(stock_level.c.fixmedins_code == code, stock_level.c.qty > 0)
        .order_by(stock_level.c.expy_end, stock_level.c.drug_key, stock_level.c.fixmedins_bchno).limit(200)
    ).all()
    return {
        "code": f.code, "name": f.name, "kind": f.kind, "level": LEVELS.get(f.benefit_level, f.benefit_level),
        "area": f.city,
        "stock": [{"key": k, "name": n, "batch": b, "lot": lot, "expires": x, "boxes": float(q), "updated": u}
                  for k, n, b, lot, x, q, u in stock],
        "days": [{"day": d, "services": int(s), "settlements": int(n), "fund": _yuan(fu), "personal": _yuan(p)}
                 for d, s, n, fu, p in days],
        "drugs": [{"key": k, "name": names[k].name if k in names else k, "boxes": round(int(b) / 1000, 1),
                   "coded_boxes": int(c), "supply_days": int(sd)} for k, b, c, sd in drugs],
        "alerts": alert_rows(conn, facility=code, limit=100),
    }


def person(conn: Connection, person_no: str, masked_id: str) -> dict | None:
    p = conn.execute(select(PersonRow.person_no, PersonRow.name, PersonRow.sex, PersonRow.birth_date,
                            PersonRow.status).where(PersonRow.person_no == person_no)).first()
    if p is None:
        return None
    setl = conn.execute(
        select(SettlementRow.settlement_id, SettlementRow.date, SettlementRow.time, SettlementRow.facility_code,
               SettlementRow.scheme, SettlementRow.total, SettlementRow.fund, SettlementRow.personal,
               SettlementRow.reversed_on)
        .where(SettlementRow.person_no == person_no).order_by(desc(SettlementRow.date), desc(SettlementRow.time))
        .limit(200)
    ).all()
    supply = conn.execute(
        select(sv_settlement.c.setl_id, sv_settlement.c.at, sv_settlement.c.facility_code, sv_settlement.c.lines,
               sv_settlement.c.reversed)
        .where(sv_settlement.c.person_no == person_no).order_by(desc(sv_settlement.c.at)).limit(200)
    ).all()
    keys = {line[0] for s in supply for line in json.loads(s.lines)}
    names = _drug_names(conn, keys)
    name = p.name or ""
    return {
        "person_no": p.person_no, "name": mask_name(name),
        "id_masked": masked_id, "sex": p.sex, "birth_year": p.birth_date.year if p.birth_date else None,
        "status": p.status,
        "settlements": [{"setl_id": s.settlement_id, "date": s.date.isoformat(),
                         "time": s.time.strftime("%H:%M:%S") if s.time else "", "facility": s.facility_code,
                         "scheme": s.scheme, "total": float(s.total), "fund": float(s.fund),
                         "personal": float(s.personal), "reversed": s.reversed_on is not None} for s in setl],
        "supply": [{"at": s.at, "facility": s.facility_code, "reversed": bool(s.reversed),
                    "drug": names[line[0]].name if line[0] in names else line[0], "boxes": line[1] / 1000,
                    "supply_days": line[4]} for s in supply for line in json.loads(s.lines)],
        "alerts": alert_rows(conn, person=person_no, limit=100),
    }


def drug(conn: Connection, key: str, today: dt.date) -> dict | None:
    d = conn.execute(select(DrugRow.key, DrugRow.name, DrugRow.spec, DrugRow.atc, DrugRow.pack_unit)
                     .where(DrugRow.key == key)).first()
    if d is None:
        return None
    where = conn.execute(
        select(sv_drug_month.c.facility_code, FacilityRow.name, sv_drug_month.c.boxes_m, sv_drug_month.c.coded_boxes,
               sv_drug_month.c.lines)
        .join(FacilityRow, FacilityRow.code == sv_drug_month.c.facility_code, isouter=True)
        .where(sv_drug_month.c.drug_key == key, sv_drug_month.c.month == today.strftime("%Y-%m"))
        .order_by(desc(sv_drug_month.c.boxes_m))
    ).all()
    # who dispensed it: the institutions above; to whom: recent folded settlements with this drug, newest first,
    # read backwards along centre_sv_settlement_drug's key (drug_key, at, setl_id); reversed ones left out
    sd = sv_settlement_drug
    recent = conn.execute(
        select(sd.c.setl_id, sd.c.at, sv_settlement.c.facility_code, sv_settlement.c.person_no, sd.c.boxes_m)
        .join(sv_settlement, sv_settlement.c.setl_id == sd.c.setl_id)
        .where(sd.c.drug_key == key, sd.c.at >= (today - dt.timedelta(days=30)).isoformat(),
               sv_settlement.c.reversed.is_(False))
        .order_by(desc(sd.c.at), desc(sd.c.setl_id)).limit(100)
    ).all()
    return {
        "key": d.key, "name": d.name, "spec": d.spec, "atc": d.atc or "",
        "class": ATC_CLASSES.get((d.atc or "")[:3], ""),
        "institutions": [{"code": c, "name": n or c, "boxes": round(int(b) / 1000, 1), "coded_boxes": int(cb),
                          "lines": int(li)} for c, n, b, cb, li in where],
        "recent": [{"setl_id": r.setl_id, "at": r.at, "facility": r.facility_code, "person_no": r.person_no,
                    "boxes": int(r.boxes_m) / 1000} for r in recent],
        "alerts": alert_rows(conn, drug=key, limit=100),
    }


__all__ = ["ATC_CLASSES", "LEVELS", "alert_counts", "alert_rows", "board", "drug", "drug_use", "fund_flow",
           "institution", "person", "regions", "summary", "trace_coverage"]
