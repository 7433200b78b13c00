"""3101 明细审核事前分析 / 3102 事中分析: the client's rules on the centre's complete history.

The national node shape (data.patient_dtos[].fsi_encounter_dtos[].fsi_order_dtos[]) goes in; violations come
out as result[] with rule_id, vola_cont and the line they concern. Because the history here holds every
institution's settlements, this is where 一人多开 across pharmacies shows (DUP-002, DUP-003). Trace-code
completeness (TRC-001/TRC-003) is not judged here: codes are scanned at the sale.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import Field

from core.audit.catalogue import RULES
from core.audit.engine import evaluate
from core.domain import AuditRequest, Prescription, PrescriptionLine, Sig, fmt
from core.policy.profile import RuleSetting
from server import people, reference
from server.envelope import PlatformError
from server.history import CentreHistory
from server.transactions import Input, transaction
from server.transactions.settlement import MED_TYPE_SCHEME

SEV_DEG = {"BLOCK": "1", "WARN": "2", "INFO": "3"}


class Diagnose(Input):
    dise_codg: str = Field(min_length=1, max_length=30)
    dise_name: str = Field(default="", max_length=100)


class Order(Input):
    rx_id: str = Field(default="", max_length=40)
    rxno: str = Field(default="", max_length=40)
    hilist_code: str = Field(default="", max_length=50)
    hilist_name: str = Field(default="", max_length=200)
    medins_list_codg: str = Field(default="", max_length=64)
    cnt: Decimal = Field(gt=0)
    pric: Decimal | None = None
    sumamt: Decimal | None = None
    drord_begn_date: str = Field(default="", max_length=19)
    drord_stop_date: str = Field(default="", max_length=19)
    prd_days: int | None = Field(default=None, ge=1, le=366)
    trdn_flag: str = Field(default="0", pattern="^[01]$")
    expContent: dict[str, Any] = Field(default_factory=dict)


class Encounter(Input):
    mdtrt_id: str = Field(default="", max_length=40)
    medins_id: str = Field(default="", max_length=30)
    med_type: str = Field(min_length=1, max_length=6)
    fsi_diagnose_dtos: list[Diagnose] = Field(default_factory=list, max_length=20)
    fsi_order_dtos: list[Order] = Field(min_length=1, max_length=100)
    expContent: dict[str, Any] = Field(default_factory=dict)


class Patient(Input):
    patn_id: str = Field(min_length=1, max_length=30)
    patn_name: str = Field(default="", max_length=50)
    fsi_encounter_dtos: list[Encounter] = Field(min_length=1, max_length=10)


class AuditData(Input):
    syscode: str = Field(default="", max_length=20)
    trig_scen: str = Field(default="", max_length=3)
    rule_ids: str | list[str] = ""
    task_id: str = Field(default="", max_length=40)
    patient_dtos: list[Patient] = Field(min_length=1, max_length=20)


class AuditInput(Input):
    data: AuditData


def _days(o: Order) -> int:
    if o.prd_days:
        return o.prd_days
    if o.drord_begn_date and o.drord_stop_date:
        try:
            begin = dt.date.fromisoformat(o.drord_begn_date[:10])
            stop = dt.date.fromisoformat(o.drord_stop_date[:10])
        except ValueError:
            raise PlatformError("drord_begn_date/drord_stop_date must be dates") from None
        if stop > begin:
            return (stop - begin).days
    raise PlatformError(f"order {o.rx_id or o.hilist_code}: give prd_days or drord_begn_date/drord_stop_date")


def _analyse(ctx, inp: AuditInput) -> dict:
    d = inp.data
    wanted = set(d.rule_ids.split(",") if isinstance(d.rule_ids, str) else d.rule_ids) - {""}
    cat = reference.catalogue(ctx.centre, ctx.conn)
    facilities = reference.facilities(ctx.centre, ctx.conn)
    results, encounters = [], []
    n = 0
    for patient in d.patient_dtos:
        found = people.by_person_no(ctx, patient.patn_id)
        profile = reference.profile_for(ctx.centre, ctx.conn, found.profile_id)
        profile = dataclasses.replace(profile, rules={**profile.rules, "TRC-001": RuleSetting(enabled=False),
                                                      "TRC-003": RuleSetting(enabled=False)})
        for enc in patient.fsi_encounter_dtos:
            facility = reference.facility(ctx.centre, ctx.conn, enc.medins_id or ctx.code)
            scheme = MED_TYPE_SCHEME.get(enc.med_type)
            explicit = str(enc.expContent.get("scheme", "")).upper()
            if explicit in ("LB", "MT"):
                from core.domain import Scheme

                scheme = Scheme(explicit)
            if scheme is None:
                raise PlatformError(f"med_type {enc.med_type!r} is not a chronic-disease type (14, 9901, 1403)")
            lines, rx_of = [], {}
            for no, o in enumerate(enc.fsi_order_dtos, start=1):
                drug = cat.resolve(o.hilist_code, o.medins_list_codg)
                if o.cnt != o.cnt.to_integral_value():
                    raise PlatformError(f"order {o.rx_id or no}: cnt must be whole packs")
                sig = None
                if o.expContent.get("dose") and o.expContent.get("times_per_day"):
                    sig = Sig(Decimal(str(o.expContent["dose"])), Decimal(str(o.expContent["times_per_day"])))
                codes = tuple(str(c) for c in o.expContent.get("drugtracinfo", []) if c)
                lines.append(PrescriptionLine(line=no, drug_key=drug.key, qty=int(o.cnt), days=_days(o), sig=sig,
                                              split=o.trdn_flag == "1", trace_codes=codes))
                rx_of[no] = o.rx_id or o.rxno or str(no)
            rx = Prescription(
                rx_no=enc.fsi_order_dtos[0].rxno or enc.mdtrt_id or ctx.env.msgid,
                rx_date=ctx.today, diagnoses=tuple(x.dise_codg for x in enc.fsi_diagnose_dtos), lines=tuple(lines),
                long_rx_confirmed=bool(enc.expContent.get("long_rx_confirmed", False)),
            )
            request = AuditRequest(person=found.person, facility=facility, prescription=rx, requested_scheme=scheme,
                                   date=ctx.today, time=ctx.now.time().replace(microsecond=0, tzinfo=None),
                                   profile_id=profile.profile_id)
            result = evaluate(request, CentreHistory(ctx.conn), profile, cat.by_key, facilities)
            amounts = {l.line: l.amounts.amount for l in result.lines}
            for h in result.hits:
                if wanted and h.rule not in wanted:
                    continue
                n += 1
                amt = amounts.get(h.line, Decimal("0")) if h.line else Decimal("0")
                info = RULES.get(h.rule)
                results.append({
                    "jr_id": f"{d.task_id or ctx.env.msgid}-{n}", "rule_id": h.rule,
                    "rule_name": info.name_zh if info else h.rule, "vola_cont": h.message_zh,
                    "patn_id": patient.patn_id, "mdtrt_id": enc.mdtrt_id,
                    "judge_result_detail_dtos": [{
                        "jrd_id": f"{d.task_id or ctx.env.msgid}-{n}-1", "patn_id": patient.patn_id,
                        "mdtrt_id": enc.mdtrt_id, "rx_id": rx_of.get(h.line, "") if h.line else "",
                        "vola_item_type": "1", "vola_amt": fmt(amt),
                    }],
                    "vola_amt": fmt(amt), "vola_amt_stas": "1", "sev_deg": SEV_DEG[h.severity.value],
                    "vola_evid": h.message_en, "vola_bhvr_type": "1", "task_id": d.task_id,
                })
            encounters.append({
                "patn_id": patient.patn_id, "mdtrt_id": enc.mdtrt_id, "verdict": result.verdict.value,
                "scheme": result.scheme.value if result.scheme else None,
                "fund_payment": fmt(result.settlement.fund_payment) if result.settlement else None,
            })
    return {"result": results, "expContent": {"encounters": encounters}}


@transaction("3101", "明细审核事前分析", AuditInput)
def before(ctx, inp: AuditInput) -> dict:
    return _analyse(ctx, inp)


@transaction("3102", "明细审核事中分析", AuditInput)
def during(ctx, inp: AuditInput) -> dict:
    return _analyse(ctx, inp)
