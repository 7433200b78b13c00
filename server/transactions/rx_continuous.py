"""7110 连续处方登记 (附件3, our extension): the continuous (外配) prescription the counter prints, registered at the
centre before it is printed, so the form carries a QR the pharmacy can trust.

The prescription goes through 7101's own path (eprescription.store_upload): the same bad-input checks, the same
pre-audit (a BLOCKed one is never printed with a QR; warnings need the doctor's acknowledgement), the same
signature. It is kept as an e-prescription with rx_type "continuous" and `fills` pickups, valid until the last
pickup's supply would run out; 7206 counts the pickups and closes it after the last. Whether a pickup is due —
the previous supply has at most 15 days left (附件3 note 2) — is the audit's DUP-001 at every pickup. The answer
carries `qr`: the signed document and the signature (core.rx.signature.qr_text), readable by a pharmacy offline.

The counter is the agency's: it registers for the application's qualified doctor (`prsc_dr_name`), and drugs may
be named as written on the form when they have no code (an exact catalogue name, one product only).
"""
from __future__ import annotations

import datetime as dt
import json

from pydantic import Field
from sqlalchemy import select

from core.rx.signature import qr_text
from server import reference, rx_keys
from server.envelope import PlatformError
from server.models import eprescription
from server.transactions import transaction
from server.transactions.eprescription import PRESCRIBERS, UploadInput, store_upload

MAX_FILLS = 6


class ContinuousInput(UploadInput):
    fills: int = Field(default=3, ge=1, le=MAX_FILLS)


@transaction("7110", "连续处方登记(附件3)", ContinuousInput)
def register(ctx, inp: ContinuousInput) -> dict:
    if not inp.rxinfo.prsc_dr_name:
        raise PlatformError("请填写开方医师（连续处方须由医师开具） / prsc_dr_name is required; nothing was written")
    cat = reference.catalogue(ctx.centre, ctx.conn)
    for no, d in enumerate(inp.rxdrugdetail, start=1):
        if d.med_list_codg or d.medins_list_codg:
            continue
        named = [drug for drug in cat.by_key.values() if drug.name == d.drug_name.strip()]
        if len(named) != 1:
            raise PlatformError(f"第 {no} 行药品“{d.drug_name}”{'不在目录' if not named else '有多个规格，请给出编码'}；"
                                f"未保存 / line {no}: drug {d.drug_name!r} is {'unknown' if not named else 'ambiguous'}")
        d.medins_list_codg = named[0].key
    info = inp.rxinfo
    info.rx_type = "continuous"
    if not info.valid_end_date:
        start = ctx.today
        if info.prsc_time:
            try:
                start = dt.date.fromisoformat(info.prsc_time[:10])
            except ValueError:
                pass  # store_upload refuses it with the reason
        days = max(d.prd_days for d in inp.rxdrugdetail)
        info.valid_end_date = (start + dt.timedelta(days=days * inp.fills - 1)).isoformat()
    out = store_upload(ctx, inp, kinds=PRESCRIBERS + ("agency",), extra={"fills": inp.fills, "fills_done": 0})
    stored = json.loads(ctx.conn.execute(select(eprescription.c.payload)
                                         .where(eprescription.c.rx_id == out["data"]["hi_rxno"])).scalar())
    return {"data": {**out["data"], "fills": inp.fills, "qr": qr_text(stored, rx_keys.centre_key(ctx.centre))}}
