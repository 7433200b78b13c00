"""Returns: a whole sale or some of its lines cancelled through the checkout (2103, 3506), the kept lines
settled again as a new sale."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from sqlalchemy import select

from core.domain import Sig
from core.domain.clock import today_cst
from core.i18n import message
from core.pos.goods import Good, GoodsLine
from core.services.checkout import CheckoutError
from core.services.desk.settlement import Settlement
from core.services.pharmacy_sale import Sale, SaleLine
from core.services.ports import DeskError, PatientCard, Payment, SaleRecord
from core.store import desk as t
from core.store import pos
from core.store import staff_journal
from core.store.catalogue import get_drugs
from core.store.persons import get_person


class Returns(Settlement):
    def return_sale(self, record: SaleRecord, lines: list[int], shift_id: str | None) -> tuple[SaleRecord, SaleRecord | None]:
        """Return a whole sale, or some of its lines: the settlement is cancelled through the checkout (2103 via
        the outbox, 3506 for the uploaded codes queued with it: quota back, codes free), and the kept lines are
        settled again as a new sale through the same checkout path."""
        if record.kind != "sale" or record.status != "settled":
            key = "desk.ret.provisional" if record.status == "provisional" else "desk.ret.already"
            raise DeskError(message(key, receipt=record.receipt_no))
        all_lines = [l["line"] for l in record.lines]
        chosen = [n for n in lines if n in all_lines]
        if not chosen:
            raise DeskError(message("desk.ret.nothing"))
        with self.engine.connect() as conn:
            row = conn.execute(select(t.sale).where(t.sale.c.msgid == record.msgid)).first()
        if row is None or not row.sync_sale_id:
            raise DeskError(message("desk.ret.legacy", receipt=record.receipt_no))
        co = self._ready()
        if self.terminal.believed_offline:  # the quota goes back at the centre: a return needs it
            raise DeskError(message("desk.ret.offline"))
        try:
            view = co.return_sale(row.sync_sale_id, operator=self._user(), operator_name=self._user_name(),
                                  reason=f"小票 {record.receipt_no} 第 {','.join(map(str, chosen))} 行")
        except CheckoutError as exc:
            raise self._error(exc) from None
        refused = [a for a in view.alerts if a["kind"] == "cancel_refused" and not a["resolved"]]
        if refused:
            raise DeskError(message("desk.settle.refused", detail=refused[-1]["zh"], detail_en=refused[-1]["en"]))
        day = today_cst()
        with self.WSession() as session, session.begin():
            conn = session.connection()
            seq = t.next_number(conn, f"receipt:{day:%Y%m%d}")
            ret_no = f"{self.config.terminal}-{day:%Y%m%d}-{seq:04d}"
            conn.execute(t.sale.insert().values(
                msgid=f"R{record.msgid}"[:40], sync_sale_id=row.sync_sale_id, receipt_no=ret_no, kind="return",
                original_msgid=record.msgid, shift_id=shift_id, user_id=self._user(), person_no=record.person_no,
                person_name=record.person_name, status="settled", created_at=t.utcnow(), settled_at=t.utcnow(),
                business_date=day, account_pay=-record.account_pay, cash_pay=-record.cash_pay,
                request=json.dumps({"lines": list(record.lines)}, ensure_ascii=False)))
            conn.execute(t.sale.update().where(t.sale.c.msgid == record.msgid).values(status="returned"))
            # the whole settlement is cancelled: every tender gets what it paid (the kept lines are sold again)
            if pos.sale_payment(session, record.msgid).paid:
                pos.refund_tenders(session, record.msgid, f"R{record.msgid}"[:40], shift_id=shift_id or "")
            goods = [GoodsLine(Good(g.gtin, g.name, g.price), g.qty, g.discount)
                     for g in pos.goods_lines(session, record.msgid) if not g.returned]
            pos.mark_goods_returned(session, record.msgid)
            conn.execute(t.sale_code.update().where(t.sale_code.c.msgid == record.msgid).values(returned=True))
            for l in record.lines:
                if l["split"] and l["codes"]:
                    conn.execute(t.open_box.update().where(t.open_box.c.code == l["codes"][0])
                                 .values(units_left=t.open_box.c.units_left + l["qty"], updated_at=t.utcnow()))
                if l.get("uncoded_batch") and l["line"] in chosen:  # the box goes back to the 无码库
                    conn.execute(t.uncoded_stock.update().where(
                        t.uncoded_stock.c.drug_key == l["drug_key"], t.uncoded_stock.c.batch == l["uncoded_batch"])
                        .values(boxes=t.uncoded_stock.c.boxes + l["qty"]))
            staff_journal.append(conn, t.event, dict(at=t.utcnow(), kind="return", user_id=self._user(),
                                                 ref=record.receipt_no,
                                                 detail=json.dumps({"lines": chosen, "return": ret_no})))
        self.drain()
        returned = self.find_sale(ret_no)
        kept = [l for l in record.lines if l["line"] not in chosen]
        if not kept:
            return returned, None
        try:  # the goods go with the kept lines: the customer keeps them, they are paid again with the new sale
            again = self._resettle(record, row, kept, shift_id, tuple(goods))
        except DeskError as exc:
            raise DeskError(message("desk.ret.resettle_failed", receipt=ret_no, n=len(kept), detail=exc.message.zh,
                                    detail_en=exc.message.en)) from None
        return returned, again

    def _resettle(self, record: SaleRecord, row, kept: list[dict], shift_id: str | None,
                  goods: tuple[GoodsLine, ...] = ()) -> SaleRecord:
        """The kept lines of a returned sale as a new sale through the same checkout path; the warnings the
        pharmacist acknowledged on them stand, and the prescription is not marked dispensed a second time."""
        head = json.loads(row.request).get("sale") or {}
        acked = json.loads(row.request).get("acks") or []
        with self.Session() as s:
            person = get_person(s, record.person_no)
            drugs = get_drugs(s, [l["drug_key"] for l in kept])
        new_no = {l["line"]: i for i, l in enumerate(kept, start=1)}
        lines = tuple(SaleLine(new_no[l["line"]], drugs[l["drug_key"]], l["qty"], l["days"], l.get("dose", ""),
                               Sig(Decimal(l["sig"][0]), Decimal(l["sig"][1])) if l.get("sig") else None, l["split"],
                               tuple(l["codes"]), l.get("uncoded_batch")) for l in kept)
        acks = frozenset((r, new_no.get(n) if n is not None else None) for r, n in acked if n is None or n in new_no)
        id_number = person.id_number if person is not None else None
        valid = head.get("rx_valid_until")
        sale = Sale(uuid.uuid4().hex[:12], record.person_no, record.person_name, head.get("scheme", "LB"),
                    head.get("med_type", ""), tuple(head.get("diagnoses") or ()), head.get("rx_id", ""),
                    dt.date.fromisoformat(head.get("rx_date") or today_cst().isoformat()),
                    dt.date.fromisoformat(valid) if valid else None, head.get("rx_kind", "ordinary"),
                    bool(head.get("long_rx_confirmed")), lines, head.get("insurance_type", ""),
                    "02" if id_number else "", id_number or "", acks, head.get("issuer", ""), head.get("doctor", ""),
                    goods=goods)
        card = PatientCard(person, "", person.insurance_type, person.status, (), (), (), (), True, sale.cert_type,
                           sale.cert_no)
        # the kept lines were handed out with the first settlement: no second 7206 for the prescription
        return self.settle(sale, card, Payment(), shift_id, mark_dispensed=False)
