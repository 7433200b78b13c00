"""Monthly 两病 reports of seed 001, computed from the centre's settlements, registrations and roster.

附件4 (城乡居民, insurance type 390) and 附件5 (职工, 310): one row per disease — 高血压, 糖尿病, 合计 — with
    insured     参保人数: people of that insurance type known to have the disease on the last day of the month:
                registered for it (两病, or the same illness under 门诊慢特病) or under a primary-care unit's
                management (centre_managed)
    registered  备案人数: people with a 两病 registration for the disease in force on the last day of the month
    level1 / level2 / level3 / pharmacy / total: medfee 医疗费 and reimbursed 报销额 of the month's 两病 (LB)
                settlements of people of that insurance type, not cancelled, by the benefit level of the
                settling institution (一级及以下, 二级, 三级, 定点药店). A settlement's amounts are split by
                disease as server/chronic.py recorded them when it was settled.
    合计: counts are distinct people (someone with both diseases counts once); amounts are ALL the month's
    settlements, so they reconcile with the settlement table to the cent — including any part not
    attributable to either disease, which is also given separately as `unattributed`.

附件6 (参保人员“两病”情况统计表): per reporting unit (填报单位 = the managing primary-care unit of the roster), the
people under management for 高血压, for 糖尿病, and in total (distinct people), on the last day of the month,
with a 合计 row.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Connection, or_, select

from core.store.models import FacilityRow, PersonRow, RegistrationRow, SettlementRow
from server.chronic import DISEASES, DM, HTN, lb_disease
from server.models_chronic import managed, settlement_chronic

FORMS = ("4", "5", "6")
INSUTYPE = {"4": "390", "5": "310"}
TITLES = {
    "4": "鄂州市城乡居民医保“两病”门诊用药保障和健康管理示范城市活动月报表",
    "5": "鄂州市职工医保“两病”门诊用药保障和健康管理示范城市活动月报表",
    "6": "鄂州市参保人员“两病”情况统计表",
}
ANNEX = {"4": "附件4", "5": "附件5", "6": "附件6"}
LEVELS = ("level1", "level2", "level3", "pharmacy")
LEVEL_ZH = {"level1": "一级及以下医疗机构", "level2": "二级医疗机构", "level3": "三级医疗机构", "pharmacy": "定点药店",
            "total": "合计"}
ROW_ZH = {HTN: "高血压", DM: "糖尿病", "ALL": "合计"}
ZERO = Decimal("0.00")
P, R, S = PersonRow.__table__.c, RegistrationRow.__table__.c, SettlementRow.__table__.c
C = settlement_chronic.c


class ReportError(ValueError):
    """Bad month or form; the message says which."""


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    m = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ReportError(f"month must be YYYY-MM, got {text!r}")
    y, mo = int(m.group(1)), int(m.group(2))
    return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])


def level_of(benefit_level: str | None) -> str:
    b = (benefit_level or "").strip()
    if b == "pharmacy":
        return "pharmacy"
    if b in ("2", "3"):
        return f"level{b}"
    return "level1"  # "1", and anything below (村卫生室/社区服务站 report through their centre)


def _money(d: Decimal) -> str:
    return f"{Decimal(d).quantize(Decimal('0.01')):.2f}"


def monthly(conn: Connection, month: str, form: str) -> dict:
    if form not in FORMS:
        raise ReportError(f"form must be 4, 5 or 6, got {form!r}")
    first, last = parse_month(month)
    if form == "6":
        return _form6(conn, month, first, last)
    return _form45(conn, month, form, first, last)


def _in_force(r, day: dt.date) -> bool:
    return r.begin_date <= day and (r.end_date is None or r.end_date >= day)


def _form45(conn: Connection, month: str, form: str, first: dt.date, last: dt.date) -> dict:
    insutype = INSUTYPE[form]
    persons = {r.person_no for r in conn.execute(select(P.person_no).where(P.insurance_type == insutype))}
    registered: dict[str, set[str]] = {d: set() for d in DISEASES}
    known: dict[str, set[str]] = {d: set() for d in DISEASES}
    for r in conn.execute(select(R.person_no, R.scheme, R.disease, R.begin_date, R.end_date)):
        if r.person_no not in persons or not _in_force(r, last):
            continue
        d = lb_disease(r.disease)
        if d is None:
            continue
        known[d].add(r.person_no)
        if r.scheme == "LB" and r.disease == d:
            registered[d].add(r.person_no)
    for r in conn.execute(select(managed.c.person_no, managed.c.disease).where(
            managed.c.since <= last, or_(managed.c.until.is_(None), managed.c.until >= last))):
        if r.person_no in persons and r.disease in known:
            known[r.disease].add(r.person_no)
    levels = {f.code: level_of(f.benefit_level) for f in conn.execute(select(FacilityRow.code, FacilityRow.benefit_level))}
    sums = {key: {lv: [ZERO, ZERO] for lv in LEVELS} for key in (HTN, DM, "OTHER", "ALL")}
    count = 0
    q = (select(S.settlement_id, S.person_no, S.facility_code, S.total, S.fund, C.htn_medfee, C.htn_fund, C.dm_medfee,
                C.dm_fund, C.other_medfee, C.other_fund)
         .select_from(SettlementRow.__table__.outerjoin(settlement_chronic, C.setl_id == S.settlement_id))
         .join(PersonRow.__table__, P.person_no == S.person_no)
         .where(S.scheme == "LB", S.date >= first, S.date <= last, S.reversed_on.is_(None), P.insurance_type == insutype)
         .order_by(S.settlement_id))
    for r in conn.execute(q):
        count += 1
        lv = levels.get(r.facility_code, "level1")
        if r.htn_medfee is None:  # settled before the split was recorded: not attributable
            parts = {HTN: (ZERO, ZERO), DM: (ZERO, ZERO), "OTHER": (r.total, r.fund)}
        else:
            parts = {HTN: (r.htn_medfee, r.htn_fund), DM: (r.dm_medfee, r.dm_fund), "OTHER": (r.other_medfee, r.other_fund)}
        for key, (fee, fund) in parts.items():
            sums[key][lv][0] += Decimal(fee)
            sums[key][lv][1] += Decimal(fund)
        sums["ALL"][lv][0] += Decimal(r.total)
        sums["ALL"][lv][1] += Decimal(r.fund)

    def amounts(key: str) -> dict:
        out = {lv: {"medfee": _money(sums[key][lv][0]), "reimbursed": _money(sums[key][lv][1])} for lv in LEVELS}
        out["total"] = {"medfee": _money(sum((sums[key][lv][0] for lv in LEVELS), ZERO)),
                        "reimbursed": _money(sum((sums[key][lv][1] for lv in LEVELS), ZERO))}
        return out

    rows = []
    for d in DISEASES:
        rows.append({"disease": ROW_ZH[d], "code": d, "insured": len(known[d]), "registered": len(registered[d]),
                     **amounts(d)})
    rows.append({"disease": ROW_ZH["ALL"], "code": "ALL", "insured": len(known[HTN] | known[DM]),
                 "registered": len(registered[HTN] | registered[DM]), **amounts("ALL")})
    return {"form": form, "annex": ANNEX[form], "title": TITLES[form], "month": month, "insutype": insutype,
            "period": {"from": first.isoformat(), "to": last.isoformat()}, "settlements": count,
            "rows": rows, "unattributed": amounts("OTHER"), "levels": list(LEVELS) + ["total"]}


def _form6(conn: Connection, month: str, first: dt.date, last: dt.date) -> dict:
    units: dict[str, dict[str, set[str]]] = defaultdict(lambda: {HTN: set(), DM: set()})
    for r in conn.execute(select(managed.c.person_no, managed.c.disease, managed.c.unit_code).where(
            managed.c.since <= last, or_(managed.c.until.is_(None), managed.c.until >= last))):
        if r.disease in DISEASES:
            units[r.unit_code][r.disease].add(r.person_no)
    names = {f.code: f.name for f in conn.execute(select(FacilityRow.code, FacilityRow.name))}
    rows = []
    all_htn, all_dm = set(), set()
    for no, code in enumerate(sorted(units), start=1):
        u = units[code]
        all_htn |= u[HTN]
        all_dm |= u[DM]
        rows.append({"no": no, "unit_code": code, "unit": names.get(code, code), "htn": len(u[HTN]), "dm": len(u[DM]),
                     "total": len(u[HTN] | u[DM])})
    # 合计 adds the units up (a person managed by two units is counted by each, as each unit reports)
    total = {"no": "合计", "unit_code": "", "unit": "合计", "htn": sum(r["htn"] for r in rows),
             "dm": sum(r["dm"] for r in rows), "total": sum(r["total"] for r in rows)}
    return {"form": "6", "annex": ANNEX["6"], "title": TITLES["6"], "month": month,
            "period": {"from": first.isoformat(), "to": last.isoformat()}, "rows": rows + [total],
            "distinct_people": len(all_htn | all_dm)}


__all__ = ["FORMS", "LEVELS", "LEVEL_ZH", "ReportError", "TITLES", "level_of", "monthly", "parse_month"]
