"""1101 人员信息获取, 5301 人员慢特病备案查询, 5205 人员慢特病用药记录查询."""
from __future__ import annotations

import datetime as dt

from pydantic import Field
from sqlalchemy import select

from core.store.models import DispenseRow, SettlementRow
from core.domain import ZERO, fmt
from server import accounts, people, reference
from server.envelope import PlatformError
from server.transactions import Input, transaction

INSU_STATUS = {"active": "1", "suspended": "2"}  # psn_insu_stas: 1 正常参保, 2 暂停参保, 4 终止参保
PSN_TYPE = {"310": "1101", "390": "1560"}  # 职工在职 / 城乡居民 (sample values; regional)


class PersonQuery(Input):
    mdtrt_cert_type: str = Field(default="", max_length=3)
    mdtrt_cert_no: str = Field(default="", max_length=50)
    card_sn: str = Field(default="", max_length=32)
    begntime: str = Field(default="", max_length=19)
    psn_cert_type: str = Field(default="", max_length=6)
    certno: str = Field(default="", max_length=50)
    psn_name: str = Field(default="", max_length=50)


class PersonInput(Input):
    data: PersonQuery


class PsnNo(Input):
    psn_no: str = Field(min_length=1, max_length=30)


class RegistrationInput(Input):
    data: PsnNo


class DrugHistoryQuery(Input):
    psn_no: str = Field(min_length=1, max_length=30)
    begntime: str = Field(default="", max_length=19)
    endtime: str = Field(default="", max_length=19)


class DrugHistoryInput(Input):
    data: DrugHistoryQuery


def baseinfo(person, certno: str, today: dt.date) -> dict:
    return {
        "psn_no": person.person_no,
        "psn_cert_type": "01",
        "certno": certno,
        "psn_name": person.name,
        "gend": person.sex,
        "naty": "01",
        "brdy": person.birth_date.isoformat(),
        "age": person.age_on(today),
        "expContent": {"death_date": person.death_date.isoformat() if person.death_date else None},
    }


@transaction("1101", "人员信息获取", PersonInput)
def person_info(ctx, inp: PersonInput) -> dict:
    q = inp.data
    if q.mdtrt_cert_no:
        found = people.by_certificate(ctx, q.mdtrt_cert_type, q.mdtrt_cert_no, q.card_sn)
    elif q.certno and q.psn_cert_type in ("", "01"):
        found = people.by_id_number(ctx, q.certno)  # by the person's certificate alone, as many HIS clients ask
    else:
        raise PlatformError("data.mdtrt_cert_no: 缺少就诊凭证编号或证件号码 certno / mdtrt_cert_no or certno (with "
                            "psn_cert_type 01) is required")
    p = found.person
    if q.certno and p.id_number and q.certno.upper() != p.id_number.upper():
        raise PlatformError("certno does not belong to the person of mdtrt_cert_no (证件信息不一致)")
    admvs = reference.settings(ctx.centre, ctx.conn).get("admvs", ctx.centre.admvs)
    return {
        "baseinfo": baseinfo(p, p.id_number or "", ctx.today),
        "insuinfo": [{
            # the personal account's balance (职工); residents have no account (server.accounts)
            "balc": fmt(accounts.balance(ctx.conn, p.person_no, p.insurance_type) or ZERO),
            "insutype": p.insurance_type,
            "psn_type": PSN_TYPE.get(p.insurance_type, ""),
            "psn_insu_stas": "4" if p.death_date else INSU_STATUS.get(p.status, "4"),
            "psn_insu_date": "",
            "paus_insu_date": "",
            "cvlserv_flag": "0",
            "insuplc_admdvs": admvs,
            "emp_name": "",
        }],
        "idetinfo": [],
    }


@transaction("5301", "人员慢特病备案查询", RegistrationInput)
def registrations(ctx, inp: RegistrationInput) -> dict:
    p = people.by_person_no(ctx, inp.data.psn_no).person
    rows = []
    for r in p.registrations:
        rows.append({
            "opsp_dise_code": r.disease,
            "opsp_dise_name": reference.disease_name(ctx.centre, ctx.conn, r.disease),
            "begndate": r.begin.isoformat(),
            "enddate": r.end.isoformat() if r.end else None,
            "scheme": r.scheme.value,  # LB 两病 / MT 慢特病 (not in the national node; our extension)
            "ide_fixmedins_no": ",".join(r.designated_facilities),
        })
    return {"feedetail": rows}


def _day(text: str, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise PlatformError(f"not a date: {text!r} (yyyy-MM-dd or yyyy-MM-dd HH:mm:ss)") from None


@transaction("5205", "人员慢特病用药记录查询", DrugHistoryInput)
def drug_history(ctx, inp: DrugHistoryInput) -> dict:
    q = inp.data
    people.by_person_no(ctx, q.psn_no)
    since = _day(q.begntime, ctx.today - dt.timedelta(days=365))
    until = _day(q.endtime, ctx.today)
    stmt = (
        select(DispenseRow, SettlementRow.reversed_on, SettlementRow.scheme)
        .join(SettlementRow, SettlementRow.settlement_id == DispenseRow.settlement_id, isouter=True)
        .where(DispenseRow.person_no == q.psn_no, DispenseRow.date >= since, DispenseRow.date <= until)
        .order_by(DispenseRow.date, DispenseRow.id)
    )
    cat = reference.catalogue(ctx.centre, ctx.conn)
    out = []
    for d, reversed_on, scheme in ctx.session.execute(stmt):
        drug = cat.by_key.get(d.drug_key)
        out.append({
            "setl_id": d.settlement_id,
            "fixmedins_code": d.facility_code,
            "setl_time": f"{d.date.isoformat()} {d.time.strftime('%H:%M:%S') if d.time else '00:00:00'}",
            "med_list_codg": (drug.nhsa_code if drug and drug.nhsa_code else d.drug_key),
            "medins_list_codg": d.drug_key,
            "drug_name": drug.name if drug else "",
            "chain_key": d.chain_key,
            "prd_days": d.days,
            "scheme": scheme,
            "refd_setl_flag": "1" if reversed_on is not None else "0",
        })
    return {"feedetail": out}
