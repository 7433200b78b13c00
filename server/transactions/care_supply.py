"""2580 补货建议: the coming month's supply list of one pharmacy or clinic (core/care/supply.py).

Its patients: people signed with it (family-doctor contract) or under its management, registrations that name
it as a designated facility, and people who took drugs there in the last 180 days. Stock on hand: given in the
request (`stock: [{drug_key, packs}]`, from the pharmacy's own system), else the stock the unit reports to the
centre (3501-3506, stock_source "centre"); a unit that reports none gets the demand alone (stock_source "none").
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from pydantic import Field
from sqlalchemy import func, or_, select

from core.care.supply import DrugInfo, need_from_followup, need_from_prescription, plan
from core.store.models import DispenseRow, RegistrationRow
from server import reference
from server.envelope import PlatformError
from server.models import eprescription
from server.models_care import contract
from server.models_chronic import followup, managed
from server.models_stock import stock_level
from server.transactions import Input, transaction

RECENT_DAYS = 180


class StockNode(Input):
    drug_key: str = Field(min_length=1, max_length=64)
    packs: int = Field(ge=0, le=10**6)


class SupplyData(Input):
    unit_code: str = Field(default="", max_length=30)
    days: int = Field(default=30, ge=7, le=92)
    stock: list[StockNode] | None = Field(default=None, max_length=5000)


class SupplyInput(Input):
    data: SupplyData = Field(default_factory=SupplyData)


def patients_of(conn, unit: str, today: dt.date) -> set[str]:
    found = {r.person_no for r in conn.execute(select(contract.c.person_no).where(
        contract.c.unit_code == unit, contract.c.ended_on.is_(None)))}
    found |= {r.person_no for r in conn.execute(select(managed.c.person_no).where(
        managed.c.unit_code == unit, or_(managed.c.until.is_(None), managed.c.until >= today)))}
    R = RegistrationRow.__table__.c
    found |= {r.person_no for r in conn.execute(select(R.person_no, R.designated_facilities).where(
        R.designated_facilities.contains(unit), or_(R.end_date.is_(None), R.end_date >= today)))
        if unit in (r.designated_facilities or "").split(",")}
    D = DispenseRow.__table__.c
    found |= {r.person_no for r in conn.execute(select(D.person_no).where(
        D.facility_code == unit, D.date >= today - dt.timedelta(days=RECENT_DAYS)).distinct())}
    return found


def _stock_on_hand(conn, unit: str, today: dt.date) -> dict[str, int] | None:
    """Boxes on hand per drug from the stock the unit reports (3501-3506 → centre_stock_level, as 3508 counts
    them), lots not yet expired, a part box rounded down. None when the unit reports no stock at all."""
    lv = stock_level.c
    if conn.execute(select(lv.fixmedins_code).where(lv.fixmedins_code == unit).limit(1)).first() is None:
        return None
    rows = conn.execute(select(lv.drug_key, func.sum(lv.qty).label("qty")).where(
        lv.fixmedins_code == unit, lv.qty > 0, or_(lv.expy_end == "", lv.expy_end >= today.isoformat()))
        .group_by(lv.drug_key))
    return {r.drug_key: int(Decimal(r.qty)) for r in rows}


@transaction("2580", "补货建议", SupplyInput)
def supply(ctx, inp: SupplyInput) -> dict:
    d = inp.data
    unit = d.unit_code or ctx.code
    reference.facility(ctx.centre, ctx.conn, unit)
    cat = reference.catalogue(ctx.centre, ctx.conn)

    def info(key: str) -> DrugInfo:
        x = cat.by_key[key]
        return DrugInfo(x.key, x.name, x.spec, x.pack_size, x.pack_unit, x.strength, x.strength_unit)

    people = sorted(patients_of(ctx.conn, unit, ctx.today))
    latest_visit: dict[str, tuple[dt.date, list]] = {}
    latest_rx: dict[str, tuple[dt.date, list]] = {}
    F, E = followup.c, eprescription.c
    for i in range(0, len(people), 500):
        chunk = people[i:i + 500]
        for r in ctx.conn.execute(select(F.person_no, F.visit_date, F.drugs).where(
                F.person_no.in_(chunk), F.drugs.is_not(None), F.drugs != "[]").order_by(F.visit_date, F.id)):
            latest_visit[r.person_no] = (r.visit_date, json.loads(r.drugs))
        for r in ctx.conn.execute(select(E.person_no, E.uploaded_at, E.payload).where(
                E.person_no.in_(chunk), E.status.in_(("uploaded", "dispensed", "review"))).order_by(E.uploaded_at)):
            latest_rx[r.person_no] = (dt.date.fromisoformat(r.uploaded_at[:10]), json.loads(r.payload)["rxdrugdetail"])
    needs, drugs = [], {}
    for pno in people:
        visit, rx = latest_visit.get(pno), latest_rx.get(pno)
        if visit and (not rx or visit[0] >= rx[0]):
            for item in visit[1]:
                if item["drug_key"] in cat.by_key:
                    drugs[item["drug_key"]] = info(item["drug_key"])
                    needs.append(need_from_followup(pno, drugs[item["drug_key"]], item.get("dose", ""), item.get("freq", "")))
        elif rx:
            for line in rx[1]:
                key = line["medins_list_codg"]
                if key in cat.by_key:
                    drugs[key] = info(key)
                    needs.append(need_from_prescription(pno, drugs[key], Decimal(str(line["cnt"])), int(line["prd_days"])))
    if d.stock is not None:
        unknown = [s.drug_key for s in d.stock if s.drug_key not in cat.by_key]
        if unknown:
            raise PlatformError(f"stock: 药品 {unknown[0]} 不在目录中 (unknown drug)")
        stock, source = {s.drug_key: s.packs for s in d.stock}, "request"
    else:
        stock = _stock_on_hand(ctx.conn, unit, ctx.today)
        source = "centre" if stock is not None else "none"
    start = ctx.today.replace(day=1) + dt.timedelta(days=32)
    return {"unit_code": unit, "month": f"{start:%Y-%m}", "days": d.days, "patients": len(people),
            "patients_with_drugs": len({n.person_no for n in needs}), "stock_source": source,
            "items": plan(needs, drugs, stock, d.days)}
