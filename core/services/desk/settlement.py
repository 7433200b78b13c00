"""Pre-settlement and settlement through the checkout (core.sync): the desk's record reserved before the 2102
leaves, the payment, the opened boxes and the 无码库, the 7206 follow-up, the receipt's print (3505 queued)."""
from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import delete, select

from core.domain import fmt, money
from core.domain.clock import today_cst
from core.i18n import Message, message
from core.services.auth import RESTRICTED_WARN_RULES
from core.pos.tenders import TenderError, settle_tenders
from core.services.checkout import CheckoutError, CheckoutService, SaleView
from core.services.desk.accounts import centre_accounts, check_account, with_payment
from core.services.desk.base import OPEN_STATES, SETTLED_STATES, _dec
from core.services.desk import tenders
from core.services.desk.followups import FollowUps
from core.services.desk.records import Records
from core.services.desk.sale import SaleCases
from core.services.pharmacy_sale import Sale, SaleLine
from core.services.ports import AuditView, DeskError, Figures, HitView, PatientCard, Payment, SaleRecord
from core.store import desk as t
from core.store import pos
from core.store.models_held import DeskHeldRow
from core.sync.models import SyncSale
from core.sync.states import LABEL_ZH
from core.sync.states import SaleState as S

log = logging.getLogger("onewindow.desk")


def centre_words(reason: str) -> str:
    """The centre's own words in a sync state's reason ("中心拒绝 refused: <err_msg>"), without the state log's
    English tag the pharmacist should not read."""
    head, sep, tail = (reason or "").partition(": ")
    return tail.strip() if sep and tail.strip() else head.split(" ")[0]



def pharmacist_lines(f: dict) -> list[str]:
    """The 审方/调配/核对 people of a sale's trail as its receipt prints them (issue 19)."""
    out = []
    for label, name, cert in (("审方药师", "phar_name", "phar_prac_cert_no"), ("调配", "dspr_name", ""),
                              ("核对药师", "phar_chk_name", "phar_chk_prac_cert_no")):
        if f.get(name):
            out.append(f"{label} {f[name]}" + (f"（执业药师 {f[cert]}）" if cert and f.get(cert) else ""))
    return out

class Settlement(SaleCases, Records, FollowUps):
    def _sync_sale(self, co: CheckoutService, sale: Sale, card: PatientCard, *, reuse: bool) -> str:
        """The sync sale of this desk sale, audited on the current basket (a new one when the last one ended).
        `reuse`: keep a pre-settlement made on the very same basket (the settlement follows its preview)."""
        basket = self.basket(sale)
        text = basket.to_json()
        with self._lock:
            known = self._baskets.get(sale.sale_id)
        sync_id = None
        if known is not None:
            try:
                state = co.sale(known[0]).state
            except CheckoutError:
                state = None
            if state in OPEN_STATES:
                if reuse and state == S.PRE_SETTLED.value and known[1] == text:
                    return known[0]
                sync_id = known[0]
        view = co.audit(basket, self.identification(card), operator=self._user(), operator_name=self._user_name(),
                        sale_id=sync_id, med_type=sale.med_type or None)
        with self._lock:
            self._baskets[sale.sale_id] = (view.sale_id, text)
        return view.sale_id

    @staticmethod
    def _error(exc: CheckoutError) -> DeskError:
        """A refusal of the checkout, in its own words (Chinese and English; offline limits list every limit)."""
        return DeskError(Message(f"desk.checkout.{exc.code}", exc.message_zh, exc.message_en))

    def _sync_audit_view(self, sale: Sale, sync_id: str, source: str, note: Message | None, *,
                         offline: bool = False) -> AuditView:
        """The checkout's local audit of the sync sale (its hits and the figures it would settle with)."""
        with self.Session() as s:
            ss = s.get(SyncSale, sync_id)
            audit = json.loads(ss.audit or "{}")
            total, fund, personal = ss.total, ss.fund, ss.personal
        nos = [l.no for l in sale.lines]
        hits = tuple(HitView(h["rule"], h["severity"], self._desk_line(nos, h.get("line")),
                             Message(h["rule"], (h.get("message") or {}).get("zh", ""), (h.get("message") or {}).get("en", "")),
                             h["severity"] == "WARN" and h["rule"] in RESTRICTED_WARN_RULES)
                     for h in audit.get("rule_hits", []))
        st = audit.get("settlement")
        figures = None
        if st:
            cap_total = _dec(st["cap_total"]) if st.get("cap_total") else None
            figures = Figures(money(total), money(fund), money(personal), _dec(st.get("fulamt_ownpay")),
                              _dec(st.get("preselfpay")), cap_total,
                              _dec(st["cap_remaining_before"]) if st.get("cap_remaining_before") else None,
                              cap_total - _dec(st["cap_used_after"]) if cap_total is not None and st.get("cap_used_after")
                              else None, str(st.get("period") or ""))
        verdicts = {}
        for l in audit.get("lines", []):
            no = self._desk_line(nos, l.get("line"))
            if no is not None:
                verdicts[no] = l.get("line_verdict", "PASS")
        return replace(self._view(sale, hits, source, figures, verdicts, note), offline=offline)

    def _centre_view(self, sale: Sale, out: dict) -> AuditView:
        """The centre's pre-settlement (2101 output): its audit of every institution's history and its figures."""
        nos = [l.no for l in sale.lines]
        s = out["setlinfo"]
        ext = s.get("expContent") or {}
        cap_total = _dec(ext["cap_total"]) if ext.get("cap_total") else None
        figures = Figures(_dec(s["medfee_sumamt"]), _dec(s["fund_pay_sumamt"]), _dec(s["psn_part_amt"]),
                          _dec(s.get("fulamt_ownpay_amt")), _dec(s.get("preselfpay_amt")), cap_total,
                          _dec(ext["cap_remaining_before"]) if ext.get("cap_remaining_before") else None,
                          cap_total - _dec(ext["cap_used_after"]) if cap_total is not None and ext.get("cap_used_after") else None,
                          str(ext.get("period") or ""))
        verdicts = {}
        for c in out.get("detlcutinfo", []):
            no = self._desk_line(nos, c.get("feedetl_sn"))
            if no is not None:
                verdicts[no] = str(c.get("memo") or "PASS").split()[0]
        return self._view(sale, self._centre_hits(out.get("audit"), nos), "centre", figures, verdicts)

    @classmethod
    def _centre_hits(cls, audit: dict | None, nos: list[int]) -> tuple[HitView, ...]:
        hits = []
        for h in (audit or {}).get("hits", []):
            line = cls._desk_line(nos, h.get("feedetl_sn"))
            hits.append(HitView(h["rule"], h["severity"], line, Message(h["rule"], h["message_zh"], h["message_en"]),
                                h["severity"] == "WARN" and h["rule"] in RESTRICTED_WARN_RULES))
        return tuple(hits)

    def _refused_view(self, sale: Sale, exc: CheckoutError) -> AuditView:
        """The centre refused the pre-settlement: its audit hits when it gave them, else its reason."""
        out = exc.details.get("output")
        hits = self._centre_hits(out.get("audit") if isinstance(out, dict) else None, [l.no for l in sale.lines])
        if not hits:
            why = Message("centre", exc.message_zh, exc.message_en)
            return AuditView("BLOCK", (HitView("CENTRE", "BLOCK", None, why),), "centre", None, {},
                             Message("desk.audit.centre_refused", exc.message_zh, exc.message_en))
        verdicts = {h.line: "BLOCK" for h in hits if h.severity == "BLOCK" and h.line}
        return self._view(sale, hits, "centre", None, verdicts)

    # ------------------------------------------------------------------ pre-settle, settle
    def pre_settle(self, sale: Sale, card: PatientCard) -> AuditView:
        """The pre-settlement the settlement will use, through the checkout (core.sync): the centre's audit and
        figures (2101) when it answers; when it cannot be reached, the local calculation inside the offline
        floor limits (source "centre" as the settlement's basis, `offline` True, a note saying the sale will be
        provisional), and outside them a DeskError listing every limit that failed. A sale the local audit
        blocks is not sent at all. Warnings may still be unacknowledged here: `settle` needs them."""
        if self.checkout is None:
            return replace(self.audit(sale, card), note=message("desk.audit.offline"))
        co = self._ready()
        try:
            sync_id = self._sync_sale(co, sale, card, reuse=False)
            if co.sale(sync_id).state == S.DRAFT.value:  # blocked by the local audit: nothing to ask the centre
                return self._sync_audit_view(sale, sync_id, "local", None)
            view = co.pre_settle(sync_id, operator=self._user(), acknowledge_later=True)
        except CheckoutError as exc:
            if exc.code == "presettle_refused":
                return self._refused_view(sale, exc)
            raise self._error(exc) from None
        if view.centre_output:
            return self._centre_view(sale, view.centre_output)
        return self._sync_audit_view(sale, sync_id, "centre", message("desk.audit.offline_presettled"), offline=True)

    def settle(self, sale: Sale, card: PatientCard, payment: Payment, shift_id: str | None, *,
               mark_dispensed: bool = True) -> SaleRecord:
        """Settle through the checkout: audit → acknowledge the warnings the pharmacist acknowledged on the desk
        (sale.acks; logged with the user) → pre-settle (unless the preview on this very basket did) → settle →
        print_receipt (queues 3505). Online the record carries the centre's figures; offline within the floor
        limits it is provisional (offline number, local figures) until the sender gets the centre's answer."""
        co = self._ready()
        user = self._user()
        preview = self._preview_personal(sale)
        tenders.precheck(payment, preview, sale.goods_total)  # tenders that cannot pay the sale: refused, nothing written
        check_account(payment, card, preview)  # offline, or the balance would go negative: refused, nothing written
        sale = with_payment(sale, payment, preview)  # account choice travels in the basket
        try:
            sync_id = self._sync_sale(co, sale, card, reuse=True)
            view = co.sale(sync_id)
            if view.state == S.DRAFT.value or view.verdict == "BLOCK":
                raise DeskError(message("desk.audit.blocked"))
            if view.verdict == "WARN":
                nos = [l.no for l in sale.lines]
                missing = [h for h in view.hits if h.get("severity") == "WARN"
                           and (h["rule"], self._desk_line(nos, h.get("line"))) not in sale.acks]
                if missing:
                    raise DeskError(message("desk.audit.ack_needed", n=len(missing)))
                co.acknowledge_warnings(sync_id, operator=user)
            if view.state == S.AUDITED.value:
                co.pre_settle(sync_id, operator=user)
        except CheckoutError as exc:
            if exc.code == "presettle_refused":
                raise DeskError(message("desk.settle.refused", detail=exc.message_zh, detail_en=exc.message_en)) from None
            raise self._error(exc) from None
        key, receipt_no = self._reserve(sale, sync_id, shift_id)
        try:
            view = co.settle(sync_id)
        except CheckoutError as exc:
            self._failed(key, f"{exc.code}: {exc.message_en}")
            raise self._error(exc) from None
        state = view.state
        if state in SETTLED_STATES or state == S.PROVISIONAL.value or (state == S.SENDING.value and view.offline):
            return self._complete(key, receipt_no, sale, card, payment, view, mark_dispensed)
        if state == S.SENDING.value:  # still in flight (another instance holds the sender lease): the record waits
            raise DeskError(message("desk.settle.in_flight", sale=sync_id))
        self._failed(key, f"{state}: {view.reason}")
        if state == S.REJECTED.value:
            why = centre_words(view.reason)
            raise DeskError(message("desk.settle.refused", detail=why, detail_en=why))
        if state in (S.RETURNING.value, S.RETURNED.value):  # the 0.10 元 rule after 2102: cancelled at once (2103)
            with self.Session() as s:
                ss = s.get(SyncSale, sync_id)
                local, centre = ss.total, ss.centre_total
            raise DeskError(message("desk.settle.mismatch", local=fmt(local), centre=fmt(centre or Decimal("0"))))
        if state in (S.UNKNOWN.value, S.REVERSING.value, S.REVERSED.value):
            raise DeskError(message("desk.settle.unknown", state=LABEL_ZH[S(state)], state_en=state))
        label = LABEL_ZH.get(S(state), state) if state in {s.value for s in S} else state
        raise DeskError(message("desk.settle.refused", detail=label, detail_en=view.reason or state))

    def _preview_personal(self, sale: Sale) -> Decimal | None:
        """The personal share of this sale's last audit (the figures the pay step showed), if any."""
        with self._lock:
            known = self._baskets.get(sale.sale_id)
        if known is None:
            return None
        with self.Session() as s:
            ss = s.get(SyncSale, known[0])
            return ss.personal if ss is not None else None

    def _reserve(self, sale: Sale, sync_id: str, shift_id: str | None) -> tuple[str, str]:
        """The desk's record of the sale (receipt number, codes) before the 2102 leaves, keyed to the sync sale;
        a failed attempt of the same sync sale is taken up again (same receipt number)."""
        day = today_cst()
        now = t.utcnow()
        request = json.dumps({"sale": self._sale_head(sale), "lines": self._lines_json(sale),
                              "acks": sorted(([r, n] for r, n in sale.acks), key=lambda a: (a[0], a[1] or 0))},
                             ensure_ascii=False)
        with self.wengine.begin() as conn:
            row = conn.execute(select(t.sale.c.status, t.sale.c.receipt_no).where(t.sale.c.msgid == sync_id)).first()
            if row is not None and row.status != "failed":
                raise DeskError(message("desk.settle.in_flight", sale=sync_id))
            values = dict(shift_id=shift_id, user_id=self._user(), person_no=sale.person_no,
                          person_name=sale.person_name, rx_id=sale.rx_id, status="pending", created_at=now,
                          business_date=day, total=sale.total, request=request, error=None)
            if row is None:
                seq = t.next_number(conn, f"receipt:{day:%Y%m%d}")
                receipt_no = f"{self.config.terminal}-{day:%Y%m%d}-{seq:04d}"
                conn.execute(t.sale.insert().values(msgid=sync_id, sync_sale_id=sync_id, receipt_no=receipt_no,
                                                    kind="sale", **values))
            else:
                receipt_no = row.receipt_no
                conn.execute(t.sale.update().where(t.sale.c.msgid == sync_id).values(**values))
                conn.execute(t.sale_code.delete().where(t.sale_code.c.msgid == sync_id))
            for l in sale.lines:
                for c in l.codes:
                    conn.execute(t.sale_code.insert().values(msgid=sync_id, line=l.no, drug_key=l.drug.key, code=c,
                                                             units=l.units if l.split else l.drug.pack_size,
                                                             split=l.split))
        return sync_id, receipt_no

    def _set_desk_status(self, key: str, status: str, error: str | None = None) -> None:
        with self.wengine.begin() as conn:
            conn.execute(t.sale.update().where(t.sale.c.msgid == key).values(status=status, error=error))

    def _failed(self, key: str, error: str) -> None:
        """Nothing was handed out: the desk record stops counting (its codes are free at the desk)."""
        self._set_desk_status(key, "failed", error[:500])

    def _complete(self, key: str, receipt_no: str, sale: Sale, card: PatientCard, payment: Payment, view: SaleView,
                  mark_dispensed: bool) -> SaleRecord:
        """Settled (or provisional): the payment, the opened boxes and the 无码库, the 7206 follow-up, the
        receipt's print (3505 queued by the checkout)."""
        personal = view.personal
        with self.Session() as s:
            paid = centre_accounts(s, view.sale_id)
        if paid is not None:  # the centre's answer: what the accounts (own + 共济) really paid
            account = paid.total
        else:
            account = min(payment.account, personal, card.balance) if payment.account > 0 else Decimal("0.00")
        local = sale.goods_total  # the non-insured goods: a local part of the same sale, paid at the desk
        chosen = tenders.settled_tenders(payment, paid, account, personal, local)
        try:
            checked = settle_tenders(personal, local, chosen)
        except TenderError as exc:
            chosen = tenders.fallback(chosen, personal, local, exc)
            checked = settle_tenders(personal, local, chosen)
        cash_kept, tendered, change = tenders.cash_figures(checked)
        with self.WSession() as session, session.begin():
            conn = session.connection()
            shift_id = conn.execute(select(t.sale.c.shift_id).where(t.sale.c.msgid == key)).scalar() or ""
            pos.record_tenders(session, key, personal, local, chosen, shift_id=shift_id)
            pos.record_goods_lines(session, key, sale.goods)
            conn.execute(t.sale.update().where(t.sale.c.msgid == key).values(
                status="settled", settled_at=t.utcnow(), account_pay=account, cash_pay=cash_kept,
                cash_tendered=tendered, change=change, error=None))
            for l in sale.lines:
                if l.split and l.codes:
                    self._take_from_box(session, l)
                if l.uncoded:
                    conn.execute(t.uncoded_stock.update().where(
                        t.uncoded_stock.c.drug_key == l.drug.key, t.uncoded_stock.c.batch == l.uncoded_batch)
                        .values(boxes=t.uncoded_stock.c.boxes - l.qty))
            if mark_dispensed and sale.rx_id and self.link is not None:
                # 7206 under a msgid of the stored sequence; its setl_id is filled in once the centre settled
                conn.execute(t.followup.insert().values(
                    msgid=self.terminal.allocate_msgid(session), infno=self._infno("rx_dispensed"), sale_id=view.sale_id,
                    payload=json.dumps({"data": {"hi_rxno": sale.rx_id, "setl_id": "", **self._dispensed_by(sale)}},
                                       ensure_ascii=False),
                    created_at=t.utcnow(), attempts=0))
            # a recalled held sale (挂单) kept its row until now, in case the desk crashed before settling it
            session.execute(delete(DeskHeldRow).where(DeskHeldRow.sale_id == sale.sale_id))
        self._print_sync(view.sale_id)
        self.drain()
        return self.find_sale(receipt_no)

    def _dispensed_by(self, sale: Sale) -> dict:
        """Who dispensed, for the 7206: the user at the till (core.services.desk.trail names the trail's
        reviewing and checking pharmacists instead)."""
        return {"phar_name": self._user_name() or "-"}

    def _print_sync(self, sync_id: str) -> None:
        """The print of the receipt in the sync layer: the sale becomes printed and its 3505 upload is queued."""
        for attempt in range(5):
            try:
                self.checkout.print_receipt(sync_id)
                return
            except CheckoutError as exc:  # the sender may be recording the centre's answer this very moment
                if exc.code != "state" or attempt == 4:
                    log.info("receipt of %s not recorded in the sync layer: %s", sync_id, exc)
                    return
                time.sleep(0.1)

    @staticmethod
    def _sale_head(sale: Sale) -> dict:
        return {"scheme": sale.scheme, "med_type": sale.med_type, "diagnoses": list(sale.diagnoses), "rx_id": sale.rx_id,
                "rx_date": sale.rx_date.isoformat(),
                "rx_valid_until": sale.rx_valid_until.isoformat() if sale.rx_valid_until else None,
                "rx_kind": sale.rx_kind, "long_rx_confirmed": sale.long_rx_confirmed,
                "insurance_type": sale.insurance_type, "cert_type": sale.cert_type, "issuer": sale.issuer,
                "doctor": sale.doctor, "lifestyle": list(sale.lifestyle),
                "pharmacists": pharmacist_lines(dict(sale.pharmacists))}

    @staticmethod
    def _lines_json(sale: Sale) -> list[dict]:
        return [{"line": l.no, "drug_key": l.drug.key, "drug_name": l.drug.name, "spec": l.drug.spec,
                 "qty": l.qty, "unit": l.drug.unit if l.split else (l.drug.pack_unit or "盒"), "split": l.split,
                 "days": l.days, "dose": l.dose_text, "price": fmt(l.drug.price), "amount": fmt(l.amount),
                 "codes": list(l.codes), "uncoded_batch": l.uncoded_batch, "pack_size": l.drug.pack_size,
                 "nhsa_code": l.drug.nhsa_code or "", "units": l.units,
                 "sig": [format(l.sig.dose, "f"), format(l.sig.times_per_day, "f")] if l.sig is not None else None}
                for l in sale.lines]

    @staticmethod
    def _take_from_box(session, line: SaleLine) -> None:
        code = line.codes[0]
        now = t.utcnow()
        row = session.execute(select(t.open_box).where(t.open_box.c.code == code)).first()
        if row is None:
            session.execute(t.open_box.insert().values(code=code, drug_key=line.drug.key,
                                                       pack_size=line.drug.pack_size,
                                                       units_left=line.drug.pack_size - line.qty,
                                                       opened_at=now, updated_at=now))
        else:
            session.execute(t.open_box.update().where(t.open_box.c.code == code)
                            .values(units_left=row.units_left - line.qty, updated_at=now))
