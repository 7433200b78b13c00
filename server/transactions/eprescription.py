"""E-prescription circulation (电子处方流转).

Transaction numbers of the 72xx family differ by province and spec version (cn-pharmacy-anchors.md §5),
so they are a table here, not logic:

    7101 upload (hospital)        -> hi_rxno + pickup code (rx_trace_code)
    7104 revoke (hospital)        -> only while not dispensed
    7201 find by pickup code      -> summary
    7202 find by person           -> open prescriptions (mdtrt_cert_type 01/02/03 or psn_no)
    7203 download                 -> the full prescription
    7206 mark dispensed (pharmacy)-> once: a second dispense is refused

At upload the centre runs the pharmacy's audit engine (事前审核, server/transactions/rx_preaudit.py): a BLOCKed
prescription is refused with every hit explained and never circulates; a WARNed one circulates only with the
doctor's acknowledgement (`warn_ack`), recorded. The centre signs what circulates (core.rx.signature, key in
server.rx_keys): 7203 hands out the prescription with `signature` and `preaudit`, and the pharmacy checks it.
7201/7202 list each prescription with its prescriber, institution name, date, validity and drug lines, so a
pharmacy sees what it would download.

An upload may carry `lifestyle` (the lifestyle half of a 双处方: a template of resources/lifestyle with the
doctor's edits, core.care.lifestyle). A clinic with a review route (2574) uploads into remote review
(远程审方, server/transactions/care_rx.py): status `review` until the county pharmacist approves it
(`uploaded`, it circulates) or returns it (`returned`); neither is found, downloaded nor dispensed by a pharmacy.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import select, update

from core.store.models import SettlementRow
from core.rx import signature as rx_signature
from server import db, people, reference, rx_keys
from server.envelope import PlatformError, dumps
from server.models import eprescription, institution
from server.permissions import CallerRefused
from server.transactions import Input, care_rx, rx_preaudit, transaction

INFNO = {"upload": "7101", "revoke": "7104", "by_code": "7201", "by_person": "7202", "download": "7203",
         "dispense": "7206"}
PRESCRIBERS = ("hospital", "clinic")
PICKUP_ALPHABET = "0123456789"


class RxDrug(Input):
    med_list_codg: str = Field(default="", max_length=50)
    medins_list_codg: str = Field(default="", max_length=64)
    drug_name: str = Field(default="", max_length=200)
    cnt: Decimal = Field(gt=0)
    prd_days: int = Field(ge=1, le=366)
    sin_dos_dscr: str = Field(default="", max_length=60)
    used_frqu_dscr: str = Field(default="", max_length=60)
    medc_way_dscr: str = Field(default="", max_length=60)
    expContent: dict[str, Any] = Field(default_factory=dict)


class RxInfo(Input):
    hosp_rxno: str = Field(min_length=1, max_length=40)
    psn_no: str = Field(min_length=1, max_length=30)
    prsc_time: str = Field(default="", max_length=19)
    valid_days: int = Field(default=3, ge=1, le=90)
    rx_type: str = Field(default="ordinary", max_length=20)
    med_type: str = Field(default="", max_length=6)
    dise_codg: str = Field(default="", max_length=30)
    dise_name: str = Field(default="", max_length=100)
    diag_codes: list[str] = Field(default_factory=list, max_length=20)
    prsc_dr_name: str = Field(default="", max_length=50)
    prsc_dept_name: str = Field(default="", max_length=50)
    valid_end_date: str = Field(default="", max_length=10)  # instead of valid_days: the last day it may be filled


class WarnAck(Input):
    """The doctor's acknowledgement of the pre-audit's warnings: every WARN rule id, and who acknowledged."""
    rules: list[str] = Field(default_factory=list, max_length=40)
    by: str = Field(default="", max_length=50)


class UploadInput(Input):
    rxinfo: RxInfo
    rxdrugdetail: list[RxDrug] = Field(min_length=1, max_length=50)
    lifestyle: dict[str, Any] | None = None  # {template_id, sections: {diet: "edited text", …}, short}
    warn_ack: WarnAck | None = None


class RxRef(Input):
    hi_rxno: str = Field(default="", max_length=40)
    rx_trace_code: str = Field(default="", max_length=12)

    @model_validator(mode="after")
    def _one(self):
        if not self.hi_rxno and not self.rx_trace_code:
            raise ValueError("give hi_rxno or rx_trace_code (pickup code)")
        return self


class RefInput(Input):
    data: RxRef


class PersonRef(Input):
    psn_no: str = Field(default="", max_length=30)
    mdtrt_cert_type: str = Field(default="", max_length=3)
    mdtrt_cert_no: str = Field(default="", max_length=50)
    card_sn: str = Field(default="", max_length=32)

    @model_validator(mode="after")
    def _one(self):
        if not self.psn_no and not (self.mdtrt_cert_type and self.mdtrt_cert_no):
            raise ValueError("give psn_no or mdtrt_cert_type + mdtrt_cert_no")
        return self


class PersonRefInput(Input):
    data: PersonRef


class DispenseData(RxRef):
    setl_id: str = Field(default="", max_length=64)
    phar_name: str = Field(default="", max_length=50)
    phar_chk_name: str = Field(default="", max_length=50)


class DispenseInput(Input):
    data: DispenseData


def _row(ctx, ref: RxRef, *, lock: bool = False):
    col = eprescription.c.rx_id if ref.hi_rxno else eprescription.c.pickup_code
    key = ref.hi_rxno or ref.rx_trace_code
    if lock:
        db.lock_key(ctx.conn, db.LOCK_RX, key)
    row = ctx.conn.execute(select(eprescription).where(col == key)).first()
    if row is None:
        raise PlatformError(f"no e-prescription {'hi_rxno' if ref.hi_rxno else 'with pickup code'} {key} (处方不存在)")
    return row


def _summary(row, *, today: dt.date) -> dict:
    status = row.status
    if status == "uploaded" and dt.date.fromisoformat(row.valid_until) < today:
        status = "expired"
    return {"hi_rxno": row.rx_id, "rx_trace_code": row.pickup_code, "hosp_rxno": row.issuer_rxno,
            "fixmedins_code": row.issuer_code, "psn_no": row.person_no, "rx_stas": status,
            "prsc_time": row.uploaded_at, "valid_end_date": row.valid_until, "dispensed_at": row.dispensed_at,
            "dispensed_by": row.dispensed_by}


def _listed(row, *, today: dt.date) -> dict:
    """A list entry (7201/7202): the summary with what the pharmacy reads before downloading — who prescribed
    where, the date, the pre-audit verdict and the drug lines."""
    payload = json.loads(row.payload)
    info = payload.get("rxinfo") or {}
    return {**_summary(row, today=today), "prsc_dr_name": info.get("prsc_dr_name", ""),
            "prsc_dept_name": info.get("prsc_dept_name", ""), "fixmedins_name": info.get("fixmedins_name", ""),
            "rx_date": info.get("rx_date") or row.uploaded_at[:10], "rx_type": info.get("rx_type", ""),
            "dise_name": info.get("dise_name", ""),
            "preaudit": (payload.get("preaudit") or {}).get("verdict", ""),
            "drugs": [{"medins_list_codg": d.get("medins_list_codg", ""), "drug_name": d.get("drug_name", ""),
                       "cnt": d.get("cnt"), "prd_days": d.get("prd_days"), "sin_dos_dscr": d.get("sin_dos_dscr", ""),
                       "used_frqu_dscr": d.get("used_frqu_dscr", "")} for d in payload.get("rxdrugdetail") or []]}


@transaction(INFNO["upload"], "电子处方上传", UploadInput)
def upload(ctx, inp: UploadInput) -> dict:
    return store_upload(ctx, inp)


def store_upload(ctx, inp: UploadInput, *, kinds=PRESCRIBERS, extra: dict | None = None) -> dict:
    """Pre-audit, sign and store one prescription (7101; 7110 for a 附件3 continuous one, with `extra`)."""
    facility = reference.facility(ctx.centre, ctx.conn, ctx.code)
    if facility.kind not in kinds:
        raise PlatformError(f"{ctx.code} is a {facility.kind}: only hospitals and clinics upload e-prescriptions")
    info = inp.rxinfo
    people.by_person_no(ctx, info.psn_no)
    cat = reference.catalogue(ctx.centre, ctx.conn)
    checked = rx_preaudit.check_input(ctx, info, inp.rxdrugdetail, cat)
    drugs = [{**d.model_dump(mode="json"), "medins_list_codg": drug.key, "med_list_codg": drug.nhsa_code or "",
              "drug_name": drug.name} for drug, d in checked.drugs]
    existing = ctx.conn.execute(select(eprescription.c.rx_id).where(
        eprescription.c.issuer_code == ctx.code, eprescription.c.issuer_rxno == info.hosp_rxno)).first()
    if existing is not None:
        raise PlatformError(f"prescription {info.hosp_rxno} was already uploaded as {existing.rx_id}")
    rx_id = "RX" + ctx.now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(5).upper()
    for _ in range(20):
        # "RX" + 8: an 8-digit code alone would read as an EAN-8 commodity barcode at the scanner.
        pickup = "RX" + "".join(secrets.choice(PICKUP_ALPHABET) for _ in range(8))
        if ctx.conn.execute(select(eprescription.c.rx_id).where(eprescription.c.pickup_code == pickup)).first() is None:
            break
    preaudit = rx_preaudit.decide(ctx, rx_preaudit.run(ctx, info, checked, cat), checked, inp.warn_ack,
                                  info.prsc_dr_name)
    valid_until = checked.valid_until
    name = ctx.conn.execute(select(institution.c.name).where(institution.c.code == ctx.code)).scalar()
    payload = {"rxinfo": {**info.model_dump(mode="json"), "hi_rxno": rx_id, "fixmedins_code": ctx.code,
                          "fixmedins_name": name or ctx.env.fixmedins_name,
                          "rx_date": checked.rx_date.isoformat(), "valid_end_date": valid_until.isoformat()},
               "rxdrugdetail": drugs, "preaudit": preaudit, **(extra or {})}
    payload["signature"] = rx_signature.sign(rx_keys.centre_key(ctx.centre), payload)
    if inp.lifestyle is not None:
        payload["lifestyle"] = care_rx.lifestyle_of(inp.lifestyle)
    status = care_rx.route_upload(ctx, rx_id)
    ctx.conn.execute(eprescription.insert().values(
        rx_id=rx_id, pickup_code=pickup, issuer_code=ctx.code, issuer_rxno=info.hosp_rxno, person_no=info.psn_no,
        status=status, payload=dumps(payload), uploaded_at=ctx.now_text, valid_until=valid_until.isoformat(),
    ))
    ctx.journal("rx.upload", {"hi_rxno": rx_id, "psn_no": info.psn_no, "hosp_rxno": info.hosp_rxno,
                              "drugs": [d["medins_list_codg"] for d in drugs], "status": status,
                              "lifestyle": payload.get("lifestyle", {}).get("template_id"),
                              "preaudit": preaudit["verdict"], "ack": preaudit.get("ack")})
    return {"data": {"hi_rxno": rx_id, "rx_trace_code": pickup, "valid_end_date": valid_until.isoformat(),
                     "rx_stas": status, "preaudit": preaudit}}


@transaction(INFNO["revoke"], "电子处方撤销", RefInput)
def revoke(ctx, inp: RefInput) -> dict:
    row = _row(ctx, inp.data, lock=True)
    if row.issuer_code != ctx.code:
        raise PlatformError(f"prescription {row.rx_id} was issued by another institution")
    if row.status not in ("uploaded", *care_rx.HELD):
        raise PlatformError(f"prescription {row.rx_id} is {row.status} and cannot be revoked")
    ctx.conn.execute(update(eprescription).where(eprescription.c.rx_id == row.rx_id).values(status="revoked"))
    ctx.journal("rx.revoke", {"hi_rxno": row.rx_id})
    return {"data": {"hi_rxno": row.rx_id, "rx_stas": "revoked"}}


def _circulating(ctx, row) -> None:
    """A prescription in remote review (or returned by it) has not circulated: only its issuer sees it."""
    if row.status in care_rx.HELD and row.issuer_code != ctx.code:
        raise PlatformError(f"处方 {row.rx_id} {care_rx.HELD[row.status]}，尚未流转 "
                            f"(prescription {row.rx_id} is {row.status}: not circulating yet)")


@transaction(INFNO["by_code"], "电子处方查询(取药码)", RefInput)
def by_code(ctx, inp: RefInput) -> dict:
    row = _row(ctx, inp.data)
    _circulating(ctx, row)
    return {"data": _listed(row, today=ctx.today)}


@transaction(INFNO["by_person"], "电子处方查询(人员)", PersonRefInput)
def by_person(ctx, inp: PersonRefInput) -> dict:
    d = inp.data
    person_no = d.psn_no or people.by_certificate(ctx, d.mdtrt_cert_type, d.mdtrt_cert_no, d.card_sn).person.person_no
    rows = ctx.conn.execute(select(eprescription).where(eprescription.c.person_no == person_no)
                            .order_by(eprescription.c.uploaded_at.desc())).all()
    return {"data": [_listed(r, today=ctx.today) for r in rows
                     if r.status not in care_rx.HELD or r.issuer_code == ctx.code]}


@transaction(INFNO["download"], "电子处方下载", RefInput)
def download(ctx, inp: RefInput) -> dict:
    row = _row(ctx, inp.data)
    if row.status == "revoked":
        raise PlatformError(f"prescription {row.rx_id} was revoked by the prescriber")
    _circulating(ctx, row)
    payload = json.loads(row.payload)
    # the keys that verify `signature`, for a desk that has not pinned them from a sign-in (9001) yet
    return {**payload, "rxinfo": {**payload["rxinfo"], **_summary(row, today=ctx.today)},
            "rx_sign_keys": rx_keys.public_keys(ctx.centre)}


def _own_settlement(ctx, setl_id: str, person_no: str) -> None:
    """A pharmacy (or the agency's counter) marks only what it dispensed: the 7206 names the caller's own
    settlement (2102) for the prescription's person, not reversed. Without one, any pharmacy could mark another's
    patient's prescription dispensed and so lock that patient out of it (#15). Refusals are journaled."""
    if not setl_id:
        raise CallerRefused("7206 须填写本机构为该参保人的结算流水号 setl_id / give setl_id: the settlement (2102) of "
                            "this institution that handed out the prescription; nothing was changed")
    col = SettlementRow.__table__.c
    setl = ctx.conn.execute(select(col.facility_code, col.person_no, col.reversed_on)
                            .where(col.settlement_id == setl_id)).first()
    if setl is None or setl.facility_code != ctx.code:
        raise CallerRefused(f"settlement {setl_id} is not a settlement of {ctx.code}: a pharmacy marks only "
                            "prescriptions it dispensed (结算不属于本机构); nothing was changed")
    if setl.person_no != person_no:
        raise CallerRefused(f"settlement {setl_id} is not of the prescription's person (结算与处方不是同一参保人); "
                            "nothing was changed")
    if setl.reversed_on is not None:
        raise CallerRefused(f"settlement {setl_id} was reversed (结算已撤销); nothing was changed")


@transaction(INFNO["dispense"], "电子处方核销(已取药)", DispenseInput)
def dispense(ctx, inp: DispenseInput) -> dict:
    row = _row(ctx, inp.data, lock=True)
    if row.status == "dispensed":
        raise PlatformError(f"prescription {row.rx_id} was already dispensed at {row.dispensed_by} on "
                            f"{row.dispensed_at} (处方已取药，不能重复调剂)")
    if row.status == "revoked":
        raise PlatformError(f"prescription {row.rx_id} was revoked by the prescriber")
    if row.status in care_rx.HELD:
        raise PlatformError(f"处方 {row.rx_id} {care_rx.HELD[row.status]}，不能调剂 (prescription is {row.status})")
    if dt.date.fromisoformat(row.valid_until) < ctx.today:
        raise PlatformError(f"prescription {row.rx_id} expired on {row.valid_until} (处方已过期)")
    _own_settlement(ctx, inp.data.setl_id, row.person_no)
    payload = json.loads(row.payload)
    fills = int(payload.get("fills") or 1)
    if int(payload.get("fills_done") or 0) + 1 < fills:
        # a continuous (附件3) prescription circulates until its last pickup; each one is counted in the payload
        # (outside what is signed), the ≤15-days rule is the audit's DUP-001 at every pickup
        payload["fills_done"] = int(payload.get("fills_done") or 0) + 1
        ctx.conn.execute(update(eprescription).where(eprescription.c.rx_id == row.rx_id)
                         .values(payload=dumps(payload)))
        ctx.journal("rx.dispense", {"hi_rxno": row.rx_id, "setl_id": inp.data.setl_id, "phar": inp.data.phar_name,
                                    "fill": payload["fills_done"], "fills": fills})
        return {"data": {"hi_rxno": row.rx_id, "rx_stas": "uploaded", "fills_done": payload["fills_done"],
                         "fills": fills, "dispensed_at": ctx.now_text}}
    done = ctx.conn.execute(
        update(eprescription).where(eprescription.c.rx_id == row.rx_id, eprescription.c.status == "uploaded")
        .values(status="dispensed", dispensed_at=ctx.now_text, dispensed_by=ctx.code, dispense_msgid=ctx.env.msgid,
                setl_id=inp.data.setl_id or None)
    ).rowcount
    if done != 1:  # lost a race on SQLite-less setups without the advisory lock
        raise PlatformError(f"prescription {row.rx_id} was dispensed concurrently elsewhere")
    ctx.journal("rx.dispense", {"hi_rxno": row.rx_id, "setl_id": inp.data.setl_id, "phar": inp.data.phar_name})
    return {"data": {"hi_rxno": row.rx_id, "rx_stas": "dispensed", "dispensed_at": ctx.now_text}}
