"""Alert rules of the supervision screen (thresholds: resources/config/supervision.json).

Event rules run on each fold's new entries (server.supervision.rollup): SV-R01 一人多开, SV-R02 一卡多用,
SV-R03 a trace code sold twice, SV-R05 cap overrun / near the cap, SV-R06 (person) too many purchases.
Periodic rules run when due: SV-R04 settlements without their 3505 within the limit, SV-R06 (pharmacy) a day's
volume far above the pharmacy's own history (robust z-score: 0.6745·(x − median)/MAD), SV-R07 registrations
without a follow-up. Each alert carries its rule id, severity, evidence (JSON) and a link to its detail; the
`dedupe` key makes one finding one alert however often a rule sees it again.
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict

from sqlalchemy import Connection, func, or_, select, update

from core.store.models import FacilityRow, RegistrationRow, SettlementRow, TraceSaleRow
from server import journal
from server.models import message, trace_upload
from server.models_chronic import followup
from server.supervision.models import sv_alert, sv_day, sv_settlement, sv_state
from server.supervision.rules import Rules
from server.sealed import open_text

STATUSES = ("open", "assigned", "acknowledged")


def raise_alert(conn: Connection, rules: Rules, rule: str, dedupe: str, *, at: str, title_zh: str, title_en: str,
                evidence: dict, facility: str = "", person: str = "", drug: str = "") -> bool:
    """Insert the alert unless this finding is already there; True if it is new."""
    key = f"{rule}:{dedupe}"[:200]
    if conn.execute(select(sv_alert.c.id).where(sv_alert.c.dedupe == key)).first() is not None:
        return False
    name_zh, name_en = rules.name(rule)
    conn.execute(sv_alert.insert().values(
        rule=rule, severity=rules[rule]["severity"], dedupe=key, at=at, facility_code=facility, person_no=person,
        drug_key=drug, title_zh=f"{name_zh}：{title_zh}"[:300], title_en=f"{name_en}: {title_en}"[:300],
        evidence=json.dumps(evidence, ensure_ascii=False, default=str), status="open"))
    return True


def link(row) -> str:
    if row.person_no:
        return f"/supervision/person/{row.person_no}"
    if row.facility_code:
        return f"/supervision/institution/{row.facility_code}"
    if row.drug_key:
        return f"/supervision/drug/{row.drug_key}"
    return "/supervision/alerts"


# ---- event rules -------------------------------------------------------------------------------------------
def on_batch(conn: Connection, rules: Rules, b) -> None:
    for person, at in b.persons.items():
        _multi_fill(conn, rules, person, at)
        _one_card_many(conn, rules, person, at)
        _person_frequency(conn, rules, person, at)
    if b.codes:
        _code_twice(conn, rules, b.codes)
    for fac, msgid, person, at in b.caps:
        _cap(conn, rules, fac, msgid, person, at)


def _settlements_since(conn: Connection, person: str, since: dt.date):
    return conn.execute(
        select(SettlementRow.settlement_id, SettlementRow.date, SettlementRow.time, SettlementRow.facility_code,
               SettlementRow.city, SettlementRow.fund)
        .where(SettlementRow.person_no == person, SettlementRow.date >= since, SettlementRow.reversed_on.is_(None))
        .order_by(SettlementRow.date, SettlementRow.time)
    ).all()


def _multi_fill(conn, rules, person: str, at: str) -> None:
    r = rules["SV-R01"]
    day = dt.date.fromisoformat(at[:10])
    rows = _settlements_since(conn, person, day - dt.timedelta(days=int(r["window_days"]) - 1))
    places = sorted({x.facility_code for x in rows})
    if len(rows) >= int(r["min_settlements"]) and len(places) >= int(r["min_institutions"]):
        raise_alert(conn, rules, "SV-R01", f"{person}:{rows[0].date}", at=at, person=person,
                    title_zh=f"参保人 {person} {r['window_days']} 天内在 {len(places)} 家机构结算 {len(rows)} 次",
                    title_en=f"person {person}: {len(rows)} settlements at {len(places)} institutions in "
                             f"{r['window_days']} days",
                    evidence={"institutions": places, "settlements": [x.settlement_id for x in rows],
                              "window_days": r["window_days"]})


def _one_card_many(conn, rules, person: str, at: str) -> None:
    r = rules["SV-R02"]
    day = dt.date.fromisoformat(at[:10])
    rows = [x for x in _settlements_since(conn, person, day) if x.date == day]
    places = sorted({x.facility_code for x in rows})
    if len(places) > int(r["max_institutions_per_day"]):
        raise_alert(conn, rules, "SV-R02", f"{person}:{day}:many", at=at, person=person,
                    title_zh=f"参保人 {person} 当日在 {len(places)} 家机构使用凭证",
                    title_en=f"person {person}: credentials used at {len(places)} institutions in one day",
                    evidence={"institutions": places, "settlements": [x.settlement_id for x in rows]})
    limit = dt.timedelta(minutes=int(r["travel_minutes"]))
    timed = [x for x in rows if x.time is not None]
    for a, c in zip(timed, timed[1:]):
        if a.city and c.city and a.city != c.city and \
                dt.datetime.combine(day, c.time) - dt.datetime.combine(day, a.time) < limit:
            raise_alert(conn, rules, "SV-R02", f"{person}:{a.settlement_id}:{c.settlement_id}", at=at, person=person,
                        title_zh=f"参保人 {person} 在 {a.city} 与 {c.city} 两地结算间隔不足 {r['travel_minutes']} 分钟",
                        title_en=f"person {person}: settled in areas {a.city} and {c.city} less than "
                                 f"{r['travel_minutes']} minutes apart",
                        evidence={"first": [a.settlement_id, a.facility_code, str(a.time)],
                                  "second": [c.settlement_id, c.facility_code, str(c.time)]})


def _person_frequency(conn, rules, person: str, at: str) -> None:
    r = rules["SV-R06"]
    day = dt.date.fromisoformat(at[:10])
    rows = _settlements_since(conn, person, day - dt.timedelta(days=int(r["person_window_days"]) - 1))
    if len(rows) > int(r["person_max_settlements"]):
        raise_alert(conn, rules, "SV-R06", f"person:{person}:{rows[0].date}", at=at, person=person,
                    title_zh=f"参保人 {person} {r['person_window_days']} 天内购药 {len(rows)} 次",
                    title_en=f"person {person}: {len(rows)} purchases in {r['person_window_days']} days",
                    evidence={"settlements": [x.settlement_id for x in rows], "limit": r["person_max_settlements"]})


def _code_twice(conn, rules, codes: dict[str, tuple[str, str]]) -> None:
    """A code is one box: sold under two settlements, or at two institutions, it was sold twice (回流药)."""
    keys = list(codes)
    sales = defaultdict(set)  # code -> {(institution, sale id)}
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        for code, sid, fac in conn.execute(
            select(TraceSaleRow.code, TraceSaleRow.settlement_id, TraceSaleRow.facility_code)
            .join(SettlementRow, SettlementRow.settlement_id == TraceSaleRow.settlement_id)
            .where(TraceSaleRow.code.in_(part), SettlementRow.reversed_on.is_(None))
        ):
            sales[code].add((fac, sid))
        for code, sid, msgid, fac in conn.execute(
            select(trace_upload.c.code, trace_upload.c.setl_id, trace_upload.c.msgid, trace_upload.c.fixmedins_code)
            .where(trace_upload.c.code.in_(part), trace_upload.c.returned_at.is_(None))
        ):
            sales[code].add((fac, sid or f"3505:{msgid}"))  # an upload of its own settlement is the same sale
    for code, seen in sales.items():
        places = sorted({f for f, _ in seen})
        if len(seen) > 1:
            fac, at = codes[code]
            raise_alert(conn, rules, "SV-R03", code, at=at, facility=fac,
                        title_zh=f"追溯码 {code} 在 {len(places)} 家机构被销售 {len(seen)} 次",
                        title_en=f"trace code {code} sold {len(seen)} times at {len(places)} institutions",
                        evidence={"code": code, "sales": sorted([list(x) for x in seen])})


def _cap(conn, rules, fac: str, msgid: str, person: str, at: str) -> None:
    r = rules["SV-R05"]
    text_ = conn.execute(select(message.c.response).where(message.c.fixmedins_code == fac,
                                                          message.c.msgid == msgid)).scalar()
    try:
        ext = json.loads(open_text(text_, "answer"))["output"]["setlinfo"]["expContent"]
        cap, used = float(ext["cap_total"]), float(ext["cap_used_after"])
    except (TypeError, ValueError, KeyError):
        return
    if cap <= 0 or used < cap * float(r["near_ratio"]):
        return
    over = used > cap
    raise_alert(conn, rules, "SV-R05", f"{person}:{ext.get('period')}:{'over' if over else 'near'}", at=at,
                person=person,
                title_zh=f"参保人 {person} {'已超出' if over else '接近'}年度/月度限额：已用 {used:.2f} / {cap:.2f} 元",
                title_en=f"person {person} {'over' if over else 'near'} the cap: {used:.2f} of {cap:.2f} yuan used",
                evidence={"period": ext.get("period"), "cap_total": cap, "cap_used_after": used, "setl_id": msgid})


# ---- periodic rules ----------------------------------------------------------------------------------------
def _due(conn, key: str, now: dt.datetime, minutes: float) -> bool:
    last = conn.execute(select(sv_state.c.value).where(sv_state.c.key == key)).scalar()
    if last is not None and now - dt.datetime.fromisoformat(last) < dt.timedelta(minutes=minutes):
        return False
    from server.supervision.rollup import set_state

    set_state(conn, key, now.isoformat(timespec="seconds"))
    return True


def periodic(conn: Connection, rules: Rules, now: dt.datetime) -> bool:
    found = _upload_overdue(conn, rules, now)
    if _due(conn, "due.frequency", now, 1):
        found = _pharmacy_frequency(conn, rules, now) or found
    if _due(conn, "due.followup", now, float(rules["SV-R07"]["every_minutes"])):
        found = _no_followup(conn, rules, now) or found
    return found


def _upload_overdue(conn, rules, now: dt.datetime) -> bool:
    """SV-R04: a pharmacy settlement whose drug lines have not all had their 3505 within the limit — the limit of
    the institution's interface profile (`sale_upload_hours`), else the rule's `limit_hours`. The alert names the
    drug lines still waiting."""
    from server.supervision.rollup import interfaces, uploaded_drugs

    r = rules["SV-R04"]
    profiles = interfaces(conn)
    default = float(r["limit_hours"])

    def hours(facility: str) -> float:
        own = profiles.profile(facility).sale_upload_hours
        return default if own is None else own

    shortest = min([default, *(h for h in (profiles.profile(f).sale_upload_hours for f in {"", *profiles.names})
                               if h is not None)])
    first = (now - dt.timedelta(hours=shortest)).strftime("%Y-%m-%d %H:%M:%S")
    rows = conn.execute(
        select(sv_settlement.c.setl_id, sv_settlement.c.facility_code, sv_settlement.c.person_no, sv_settlement.c.at,
               sv_settlement.c.lines)
        .where(sv_settlement.c.needs_upload.is_(True), sv_settlement.c.uploaded_at.is_(None),
               sv_settlement.c.at < first, sv_settlement.c.alerted.is_(False), sv_settlement.c.reversed.is_(False))
        .order_by(sv_settlement.c.at).limit(500)
    ).all()
    late = [x for x in rows
            if x.at < (now - dt.timedelta(hours=hours(x.facility_code))).strftime("%Y-%m-%d %H:%M:%S")]
    sold = uploaded_drugs(conn, [x.setl_id for x in late])
    for x in late:
        limit = hours(x.facility_code)
        waiting = sorted({line[0] for line in json.loads(x.lines)} - sold.get(x.setl_id, set()))
        raise_alert(conn, rules, "SV-R04", x.setl_id, at=now.strftime("%Y-%m-%d %H:%M:%S"), facility=x.facility_code,
                    title_zh=f"{x.facility_code} 结算 {x.setl_id} 的药品 {'、'.join(waiting)} 超过 {limit:g} 小时未上传销售(3505)",
                    title_en=f"{x.facility_code}: settlement {x.setl_id}, drug(s) {', '.join(waiting)}: no 3505 upload "
                             f"after {limit:g} h",
                    evidence={"setl_id": x.setl_id, "settled_at": x.at, "person_no": x.person_no,
                              "drugs_waiting": waiting, "limit_hours": limit})
    if late:
        conn.execute(update(sv_settlement).where(sv_settlement.c.setl_id.in_([x.setl_id for x in late]))
                     .values(alerted=True))
    return bool(late)


def robust_z(x: float, history: list[float]) -> float | None:
    """0.6745·(x − median)/MAD (Iglewicz–Hoaglin); None when the history has no spread to measure against."""
    if len(history) < 7:
        return None
    med = statistics.median(history)
    mad = statistics.median([abs(h - med) for h in history])
    if mad == 0:
        return None
    return 0.6745 * (x - med) / mad


def _pharmacy_frequency(conn, rules, now: dt.datetime) -> bool:
    r = rules["SV-R06"]
    today = now.date()
    first = (today - dt.timedelta(days=int(r["history_days"]))).isoformat()
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for day, fac, n in conn.execute(
        select(sv_day.c.day, sv_day.c.facility_code, func.sum(sv_day.c.settlements))
        .join(FacilityRow, FacilityRow.code == sv_day.c.facility_code)
        .where(sv_day.c.day >= first, sv_day.c.scheme != "-", FacilityRow.kind == "pharmacy")
        .group_by(sv_day.c.day, sv_day.c.facility_code)
    ):
        counts[fac][day] = int(n or 0)
    found = False
    for fac, by_day in counts.items():
        x = by_day.get(today.isoformat(), 0)
        if x < int(r["min_count"]):
            continue
        history = [by_day.get((today - dt.timedelta(days=i)).isoformat(), 0) for i in range(1, int(r["history_days"]) + 1)]
        z = robust_z(x, history)
        if z is not None and z >= float(r["z_threshold"]):
            found = raise_alert(conn, rules, "SV-R06", f"pharmacy:{fac}:{today}", at=now.strftime("%Y-%m-%d %H:%M:%S"),
                                facility=fac,
                                title_zh=f"药店 {fac} 今日结算 {x} 笔，稳健Z值 {z:.1f}（本店近 {r['history_days']} 天中位数 "
                                         f"{statistics.median(history):g}）",
                                title_en=f"pharmacy {fac}: {x} settlements today, robust z {z:.1f} over its own "
                                         f"{r['history_days']} days",
                                evidence={"today": x, "history": history, "z": round(z, 2)}) or found
    return found


def _no_followup(conn, rules, now: dt.datetime) -> bool:
    r = rules["SV-R07"]
    since = now.date() - dt.timedelta(days=int(r["grace_days"]))
    recent = select(followup.c.id).where(followup.c.person_no == RegistrationRow.person_no,
                                         followup.c.visit_date >= since).exists()
    rows = conn.execute(
        select(RegistrationRow.person_no, RegistrationRow.disease, RegistrationRow.begin.label("since"))
        .where(RegistrationRow.scheme == "LB", RegistrationRow.begin <= since,
               or_(RegistrationRow.end.is_(None), RegistrationRow.end >= now.date()), ~recent)
        .limit(2000)
    ).all()
    found = False
    for x in rows:
        found = raise_alert(conn, rules, "SV-R07", f"{x.person_no}:{x.disease}:{since:%Y-%m}",
                            at=now.strftime("%Y-%m-%d %H:%M:%S"), person=x.person_no,
                            title_zh=f"参保人 {x.person_no}（{x.disease}）{r['grace_days']} 天内无随访记录",
                            title_en=f"person {x.person_no} ({x.disease}): no follow-up in {r['grace_days']} days",
                            evidence={"disease": x.disease, "registered_since": str(x.since)}) or found
    return found


# ---- handling ----------------------------------------------------------------------------------------------
class AlertError(ValueError):
    pass


def handle(conn: Connection, alert_id: int, action: str, *, who: str, institution: str, assignee: str = "",
           note: str = "", at: str) -> dict:
    """Acknowledge or assign an alert; the action is appended to the centre's journal in the same transaction."""
    row = conn.execute(select(sv_alert).where(sv_alert.c.id == alert_id)).first()
    if row is None:
        raise AlertError(f"预警 {alert_id} 不存在 / alert {alert_id} not found")
    if action == "assign":
        if not assignee.strip():
            raise AlertError("请填写处理人 / an assignee is required")
        values = {"status": "assigned", "assignee": assignee.strip()[:60]}
    elif action == "acknowledge":
        values = {"status": "acknowledged"}
    else:
        raise AlertError(f"未知操作 {action!r} / unknown action (acknowledge or assign)")
    values.update(handled_by=who[:60], handled_at=at[:19], note=note.strip()[:300])
    conn.execute(update(sv_alert).where(sv_alert.c.id == alert_id).values(**values))
    journal.append(conn, "supervision.alert", {"alert": alert_id, "rule": row.rule, "action": action, "who": who,
                                               "assignee": values.get("assignee", ""), "note": values["note"]},
                   at=at, code=institution)
    return {"id": alert_id, **values}


__all__ = ["AlertError", "STATUSES", "handle", "link", "on_batch", "periodic", "raise_alert", "robust_z"]
