"""Repeat the patient's last sale (issue 17, item 6): its lines in a new basket, every insured line without codes.

The basket's prescription head (scheme, med_type, diagnoses, prescription, doctor) is the last sale's, as its
settlement request kept it; drugs and goods are the catalogue's as of now (their price today, not then). Insured
lines need fresh trace-code scans — a code belongs to one box, and last time's boxes are sold — so the basket
starts with every line waiting for its codes (the screen says so). Goods come back without their discount (a
discount is a supervisor's decision about one sale). The centre still checks the prescription at the
pre-settlement: one that was used up is refused there, with its reason.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from sqlalchemy import select

from core.i18n import Message
from core.pos.goods import GoodsError, GoodsLine
from core.services.desk.records import Records
from core.services.pharmacy_sale import Sale, SaleLine
from core.services.ports import DeskError, PatientCard
from core.domain import Sig
from core.domain.clock import today_cst
from core.store import desk as t
from core.store import pos
from core.store.catalogue import get_drugs

LIVE = ("settled", "provisional")  # a sale the centre took (or will): not failed, rejected or wholly returned
LOOK_BACK = 20  # the patient's newest sale rows looked at for the last live one


class RepeatLastSale(Records):
    def last_sale_basket(self, card: PatientCard) -> Sale:
        """A new basket of the patient's last live sale at this desk; DeskError "desk.quick.no_last" when none."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.sale).where(t.sale.c.person_no == card.person.person_no,
                                                     t.sale.c.kind == "sale")
                                .order_by(t.sale.c.created_at.desc()).limit(LOOK_BACK)).all()
        for row in rows:
            record = self._record_of(row)
            if record.status in LIVE and (record.lines or record.goods):
                return self._basket(card, json.loads(row.request).get("sale", {}), record)
        raise DeskError(Message("desk.quick.no_last", "该参保人在本店没有已结算的购药记录",
                                "this patient has no settled sale at this pharmacy"))

    def _basket(self, card: PatientCard, head: dict, record) -> Sale:
        keys = [l["drug_key"] for l in record.lines]
        with self.Session() as s:
            drugs = get_drugs(s, keys)
            goods = []
            for g in record.goods:
                try:
                    goods.append(GoodsLine(pos.find_good(s, g["gtin"]), int(g["qty"])))
                except GoodsError:
                    continue  # a good no longer sold here: not repeated (the pharmacist sees it missing)
        lines = []
        for no, l in enumerate((l for l in record.lines if l["drug_key"] in drugs), start=1):
            sig = Sig(Decimal(l["sig"][0]), Decimal(l["sig"][1])) if l.get("sig") else None
            lines.append(SaleLine(no, drugs[l["drug_key"]], int(l["qty"]), int(l.get("days") or 0),
                                  l.get("dose", ""), sig, bool(l.get("split"))))
        valid = head.get("rx_valid_until")
        return Sale(
            sale_id=uuid.uuid4().hex[:12], person_no=card.person.person_no, person_name=card.person.name,
            scheme=head.get("scheme", ""), med_type=head.get("med_type", ""),
            diagnoses=tuple(head.get("diagnoses") or ()), rx_id=head.get("rx_id", ""),
            rx_date=dt.date.fromisoformat(head["rx_date"]) if head.get("rx_date") else today_cst(),
            rx_valid_until=dt.date.fromisoformat(valid) if valid else None, rx_kind=head.get("rx_kind", "ordinary"),
            long_rx_confirmed=bool(head.get("long_rx_confirmed")), lines=tuple(lines),
            insurance_type=card.insurance_type, cert_type=card.cert_type, cert_no=card.cert_no,
            issuer=head.get("issuer", ""), doctor=head.get("doctor", ""), lifestyle=tuple(head.get("lifestyle") or ()),
            goods=tuple(goods))
