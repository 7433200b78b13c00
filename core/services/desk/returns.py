"""Returns: a whole sale or some of its lines cancelled through the checkout (2103, 3506), the kept lines
settled again as a new sale, paid by the tenders that paid the original (core.pos.refunds.carry_over): only what
the kept sale no longer needs goes back, each amount to the tender it came from — the accounts through the
centre (its 2103 gives them back, the kept sale's 2102 takes the kept part again, asked for exactly), WeChat /
Alipay / UnionPay with the slip's reference, cash as cash."""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select

from core.domain import ZERO, Sig
from core.domain.clock import today_cst
from core.i18n import Message, message
from core.pos.goods import Good, GoodsLine
from core.pos.refunds import carry_over
from core.pos.tenders import ACCOUNTS, Kind, Paid, Tender, TenderError
from core.services.checkout import CheckoutError
from core.services.desk.settlement import Settlement
from core.services.pharmacy_sale import Sale, SaleLine
from core.services.ports import DeskError, PatientCard, Payment, SaleRecord
from core.store import desk as t
from core.store import pos
from core.store import staff_journal
from core.store.catalogue import get_drugs
from core.store.persons import get_person
from core.sync.models import SyncSale

log = logging.getLogger("onewindow.desk")


class Returns(Settlement):
    def return_goods(self, record: SaleRecord, goods: list[int], shift_id: str | None) -> SaleRecord:
        """Non-insured goods lines brought back on their own (issue 17): the insured lines stay settled, so
        nothing goes to the centre; their amount goes back to the tenders that paid them (core.pos.refunds.
        goods_back: the last paid first, never an insurance account), written with a return receipt in one
        transaction. A bad choice (a line not sold, given back already, more than the tenders hold) is refused
        and nothing is written. The return's cash_pay is the cash out of the drawer (X/Z count it)."""
        if record.kind != "sale" or record.status != "settled":
            key = "desk.ret.provisional" if record.status == "provisional" else "desk.ret.already"
            raise DeskError(message(key, receipt=record.receipt_no))
        day = today_cst()
        try:
            with self.WSession() as session, session.begin():
                conn = session.connection()
                seq = t.next_number(conn, f"receipt:{day:%Y%m%d}")
                ret_no = f"{self.config.terminal}-{day:%Y%m%d}-{seq:04d}"
                key = f"G{ret_no}"[:40]
                plan = pos.return_goods(session, record.msgid, key, goods, shift_id=shift_id or "")
                cash = sum((p.kept for p in plan.back if p.kind == Kind.CASH), ZERO)
                conn.execute(t.sale.insert().values(
                    msgid=key, receipt_no=ret_no, kind="return", original_msgid=record.msgid, shift_id=shift_id,
                    user_id=self._user(), person_no=record.person_no, person_name=record.person_name,
                    status="settled", created_at=t.utcnow(), settled_at=t.utcnow(), business_date=day,
                    total=ZERO, fund=ZERO, personal=ZERO, account_pay=ZERO, cash_pay=-cash,
                    request=json.dumps({"lines": [], "goods": list(plan.lines)}, ensure_ascii=False)))
                staff_journal.append(conn, t.event, dict(at=t.utcnow(), kind="return", user_id=self._user(),
                                                         ref=record.receipt_no,
                                                         detail=json.dumps({"goods": list(plan.lines), "return": ret_no})))
        except TenderError as exc:
            raise DeskError(Message("desk.ret.goods_refused", exc.zh, exc.en)) from None
        return self.find_sale(ret_no)

    def return_sale(self, record: SaleRecord, lines: list[int], shift_id: str | None,
                    goods: list[int] | None = None) -> tuple[SaleRecord, SaleRecord | None]:
        """Return a whole sale, or some of its lines: the settlement is cancelled through the checkout (2103 via
        the outbox, 3506 for the uploaded codes queued with it: quota back, codes free), and the kept lines are
        settled again as a new sale through the same checkout path. `goods`: the goods lines brought back too
        (None: they go with the sale — kept when insured lines are kept, back with a whole return); the others
        are kept and paid on by the original tenders."""
        if record.kind != "sale" or record.status != "settled":
            key = "desk.ret.provisional" if record.status == "provisional" else "desk.ret.already"
            raise DeskError(message(key, receipt=record.receipt_no))
        all_lines = [l["line"] for l in record.lines]
        chosen = [n for n in lines if n in all_lines]
        if not chosen and goods:  # goods only: the insured lines stay settled (return_goods)
            return self.return_goods(record, goods, shift_id), None
        if not chosen:
            raise DeskError(message("desk.ret.nothing"))
        open_goods = {g["line"] for g in record.goods if not g.get("returned")}
        back_goods = set(goods or ())
        if not back_goods <= open_goods:
            bad = min(back_goods - open_goods)
            raise DeskError(Message("desk.ret.goods_refused", f"第 {bad} 行商品不存在或已经退过",
                                    f"goods line {bad} is not in the sale or was returned already"))
        if len(chosen) == len(all_lines) and open_goods - back_goods and goods is not None:
            # a whole return cancels the settlement that paid the goods too: keeping some has no sale to stay on
            raise DeskError(Message("desk.ret.goods_kept", "退回全部药品时，商品须一并退回（只退商品请不勾选药品）",
                                    "returning every drug line returns the goods too (to return goods only, "
                                    "leave the drug lines unticked)"))
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
                request=json.dumps({"lines": list(record.lines), "goods": sorted(
                    back_goods if [l for l in record.lines if l["line"] not in chosen] else open_goods)},
                    ensure_ascii=False)))
            conn.execute(t.sale.update().where(t.sale.c.msgid == record.msgid).values(status="returned"))
            # a whole return: every tender gets what it paid now; a partial one once the kept sale is paid
            paid = pos.sale_payment(session, record.msgid, net_of_refunds=True).paid
            whole = not [l for l in record.lines if l["line"] not in chosen]
            if paid and whole:
                pos.refund_tenders(session, record.msgid, f"R{record.msgid}"[:40], shift_id=shift_id or "")
            kept_goods = [GoodsLine(Good(g.gtin, g.name, g.price), g.qty, g.discount)
                          for g in pos.goods_lines(session, record.msgid) if not g.returned
                          and g.line not in back_goods]
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
        kept = [l for l in record.lines if l["line"] not in chosen]
        if not kept:
            return self.find_sale(ret_no), None
        ret_key = f"R{record.msgid}"[:40]
        try:  # the goods go with the kept lines: the customer keeps them, paid on by the original tenders
            again = self._resettle(record, row, kept, shift_id, tuple(kept_goods), paid)
        except DeskError as exc:
            if paid:  # nothing was kept: every tender gets all it paid
                with self.WSession() as session, session.begin():
                    pos.refund_tenders(session, record.msgid, ret_key, shift_id=shift_id or "")
            raise DeskError(message("desk.ret.resettle_failed", receipt=ret_no, n=len(kept), detail=exc.message.zh,
                                    detail_en=exc.message.en)) from None
        if paid:  # what the kept sale's tenders carry on is no refund; the rest goes back to its tender
            with self.WSession() as session, session.begin():
                pos.carry_refund(session, record.msgid, ret_key, again.msgid, shift_id=shift_id or "")
            again = self.find_sale(again.receipt_no)
        return self.find_sale(ret_no), again

    def _resettle(self, record: SaleRecord, row, kept: list[dict], shift_id: str | None,
                  goods: tuple[GoodsLine, ...] = (), paid: tuple[Paid, ...] = ()) -> SaleRecord:
        """The kept lines of a returned sale as a new sale through the same checkout path, paid by the original
        tenders (`paid`: what each holds); the warnings the pharmacist acknowledged on them stand, and the
        prescription is not marked dispensed a second time."""
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
        payment = Payment()
        if paid:
            payment = self._carried_payment(sale, card, paid, row.sync_sale_id)
            # what the account carries on was taken from it once and is given back by the 2103 first: the desk's
            # balance check before the settlement (accounts.check_account) knows it can pay that much
            card = replace(card, balance=payment.account)
        # the kept lines were handed out with the first settlement: no second 7206 for the prescription
        return self.settle(sale, card, payment, shift_id, mark_dispensed=False)

    def _carried_payment(self, sale: Sale, card: PatientCard, paid: tuple[Paid, ...], original_sync: str) -> Payment:
        """The kept sale's payment out of the original tenders: its personal share from the centre's
        pre-settlement of the kept lines (2101), then core.pos.refunds.carry_over. Without the centre's figures,
        or when the original tenders cannot pay the kept part, the kept sale is paid in cash as before (and every
        tender gets all it paid back)."""
        view = self.pre_settle(sale, card)
        if view.figures is None or view.source != "centre" or view.offline:
            return Payment()
        try:
            plan = carry_over(paid, view.figures.personal, sale.goods_total)
        except TenderError as exc:
            log.info("the original tenders cannot pay the kept lines (%s): the kept sale is paid in cash", exc.en)
            return Payment()
        holder = ""
        if plan.kept_of(Kind.FAMILY) > ZERO:  # the same relative's account pays its kept part again
            with self.Session() as s:
                ss = s.get(SyncSale, original_sync)
                basket = json.loads(ss.basket) if ss is not None and ss.basket else {}
            holder = ((basket.get("extra") or {}).get("account") or {}).get("mulaid_psn_no") or ""
        tenders = tuple(Tender(p.kind, p.kept, p.reference) for p in plan.kept if p.kind not in ACCOUNTS and p.kept > ZERO)
        return Payment(plan.kept_of(Kind.ACCOUNT), ZERO, holder, tenders)
