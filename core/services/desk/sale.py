"""The sale on the desk: each scan checked locally (< 1 ms), 拆零 boxes and the 无码库, the local audit, and
the desk's Sale in the sync layer's terms (Basket, Identification)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from core.audit.ordinary import evaluate_sale
from core.audit.history import MemoryHistory
from core.domain import AuditRequest, Prescription, PrescriptionLine, Scheme
from core.domain.clock import CST, today_cst
from core.i18n import Message, message
from core.services.auth import RESTRICTED_WARN_RULES
from core.services.checkout import Identification
from core.services.desk.accounts import account_extra
from core.services.desk import ordinary
from core.services.desk.base import CERT_KIND, DeskBase
from core.services.pharmacy_sale import CodeCheck, Lookups, OpenBox, Sale, SoldBefore, check_scan
from core.services.ports import AuditView, DeskError, Figures, HitView, PatientCard
from core.store import desk as t
from core.store.history_sql import SqlHistory
from core.store.models import SettlementRow, TraceSaleRow
from core.sync.basket import Basket, BasketLine


class SaleCases(DeskBase):
    def lookups(self) -> Lookups:
        return Lookups(sold=self._sold, open_box=self._open_box, stock=self._stock)

    def _stock(self, code: str) -> Any:
        """The stock ledger's verdict on a scanned box; nothing while the pharmacy keeps no ledger (no box ever
        received: the transition period of a pharmacy that has not started receiving by code)."""
        if self.terminal is None:
            return None
        from core.services.stock import StockService, StockSettings
        from core.store.models_stock import StockBoxRow

        with self.engine.connect() as conn:
            if conn.execute(select(StockBoxRow.code).limit(1)).first() is None:
                return None
        values = getattr(self.config, "stock", None) or {}
        settings = StockSettings(**{k: v for k, v in values.items() if k in StockSettings.__dataclass_fields__})
        return StockService(self.terminal, settings).check_sale_box(code)

    def _sold(self, code: str) -> list[SoldBefore]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.sale.c.receipt_no, t.sale.c.business_date, t.sale_code.c.units, t.sale_code.c.split)
                .join(t.sale, t.sale.c.msgid == t.sale_code.c.msgid)
                .where(t.sale_code.c.code == code, t.sale_code.c.returned.is_(False),
                       t.sale.c.status.in_(("settled", "pending", "unknown")))
            ).all()
            out = [SoldBefore(r.receipt_no, r.business_date or today_cst(), r.units, bool(r.split)) for r in rows]
            if not out:  # the store's history (settlements recorded by other paths, e.g. the sync layer)
                for _code, date, units, split in conn.execute(
                        select(TraceSaleRow.code, TraceSaleRow.date, TraceSaleRow.units, TraceSaleRow.split)
                        .join(SettlementRow, SettlementRow.settlement_id == TraceSaleRow.settlement_id)
                        .where(TraceSaleRow.code == code, SettlementRow.reversed_on.is_(None))):
                    out.append(SoldBefore("-", date, units, bool(split)))
        return out

    def _open_box(self, code: str) -> OpenBox | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(t.open_box).where(t.open_box.c.code == code)).first()
        return None if r is None else OpenBox(r.code, r.drug_key, r.pack_size, r.units_left)

    def check_scan(self, sale: Sale, text: str, focus_line: int | None = None) -> CodeCheck:
        """The per-scan check; in an ordinary purchase (no prescription) a box of another product adds its line
        (core.services.desk.ordinary: the grown sale in extra["sale"])."""
        lookups = self.lookups()
        check = check_scan(sale, text, lookups, focus_line=focus_line)
        if not ordinary.is_ordinary_sale(sale) or sale.rx_id:
            return check

        def find(product):
            with self.Session() as s:
                return ordinary.find_box_drug(s, product)

        return ordinary.check_ordinary(sale, text, check, find,
                                       lambda bigger: check_scan(bigger, text, lookups, focus_line=None))

    def open_ordinary_sale(self, card: PatientCard, med_type: str | None = None) -> Sale:
        """An ordinary insured purchase without a prescription (41 定点药店购药), online or offline; a code the
        profile does not make ordinary, or one that needs a prescription (11 门诊统筹), is refused."""
        med = med_type or ordinary.DEFAULT_MED_TYPE
        if not ordinary.is_ordinary(self.profile, med):
            raise DeskError(message("desk.ordinary.not_ordinary", med_type=med))
        policy = self.profile.ordinary.get(med)
        if policy is not None and policy.requires_prescription:
            raise DeskError(message("desk.ordinary.needs_rx", label=policy.label, med_type=med))
        return ordinary.ordinary_sale(card, med)

    def uncoded_batches(self, drug_key: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.uncoded_stock).where(t.uncoded_stock.c.drug_key == drug_key,
                                                              t.uncoded_stock.c.boxes > 0)
                                .order_by(t.uncoded_stock.c.bought_on))
            return [dict(r._mapping) for r in rows]

    def add_uncoded_stock(self, drug_key: str, batch: str, boxes: int, bought_on: dt.date) -> None:
        with self.wengine.begin() as conn:
            conn.execute(t.uncoded_stock.insert().values(drug_key=drug_key, batch=batch, boxes=boxes,
                                                         bought_on=bought_on))

    # ------------------------------------------------------------------ audit
    def _prescription(self, sale: Sale) -> Prescription:
        return Prescription(
            rx_no=sale.rx_id, rx_date=sale.rx_date, diagnoses=sale.diagnoses,
            lines=tuple(PrescriptionLine(l.no, l.drug.key, l.qty, l.days, l.sig, l.split, l.codes, l.uncoded)
                        for l in sale.lines),
            long_rx_confirmed=sale.long_rx_confirmed, kind=sale.rx_kind, valid_until=sale.rx_valid_until,
        )

    def audit(self, sale: Sale, card: PatientCard) -> AuditView:
        """The local audit (same engine as the centre) on this terminal's history plus the centre's 5205 rows."""
        request = AuditRequest(card.person, self.facility, self._prescription(sale), Scheme(sale.scheme),
                               today_cst(), dt.datetime.now(CST).time().replace(microsecond=0, tzinfo=None),
                               self.profile.profile_id)
        with self.Session() as s:
            local = SqlHistory(s)
            since = today_cst() - dt.timedelta(days=400)
            settlements = local.settlements(card.person.person_no, since, today_cst())
            keys = {l.drug.chain_key for l in sale.lines}
            disp = {(d.settlement_id, d.chain_key, d.date): d for d in card.dispenses if d.chain_key in keys}
            for d in local.dispenses(card.person.person_no, keys):
                disp.setdefault((d.settlement_id, d.chain_key, d.date), d)
            traces = local.trace_sales(sale.all_codes)
            history = MemoryHistory(settlements, disp.values(), [x for v in traces.values() for x in v])
            result = evaluate_sale(request, history, self.profile, {l.drug.key: l.drug for l in sale.lines},
                                   med_type=sale.med_type)
        hits = tuple(HitView(h.rule, h.severity.value, h.line, Message(h.rule, h.message_zh, h.message_en),
                             h.severity.value == "WARN" and h.rule in RESTRICTED_WARN_RULES) for h in result.hits)
        figures = None
        s = result.settlement
        if s is not None:
            figures = Figures(s.total, s.fund_payment, s.personal_payment, s.fulamt_ownpay, s.preselfpay,
                              s.cap_total, s.cap_remaining_before, s.cap_total - s.cap_used_after, s.period)
        return self._view(sale, hits, "local", figures, {l.line: l.verdict.value for l in result.lines})

    def _stock_hits(self, sale: Sale) -> tuple[HitView, ...]:
        """The stock ledger's word on the sale's boxes as audit hits (every audit path shows them): STK-001
        未入库的药品 is a WARN only a supervisor may accept (the transition period's override, logged with both
        users), near expiry a WARN to tick, expired a BLOCK."""
        out = []
        for line in sale.lines:
            for code in line.codes:
                v = self._stock(code)
                if v is None or v.level == "PASS":
                    continue
                out.append(HitView(v.rule, v.level, line.no, Message(v.rule, v.message_zh, v.message_en),
                                   v.level == "WARN" and v.rule == "STK-001"))
        return tuple(out)

    def _view(self, sale: Sale, hits: tuple[HitView, ...], source: str, figures: Figures | None,
              line_verdicts: dict[int, str], note: Message | None = None) -> AuditView:
        hits = hits + self._stock_hits(sale)
        if figures is not None and sale.scheme == Scheme.OP.value and not figures.cap_total:
            # 41 is account only: no annual cap to show (the engine's 0.00 would read as "quota used up")
            figures = replace(figures, cap_total=None, cap_left_before=None, cap_left_after=None)
        # While boxes are still being scanned, "code missing / count" is what the line colours already say.
        incomplete = {l.no for l in sale.lines if not l.complete}
        kept = tuple(h for h in hits if not (h.rule in ("TRC-001", "TRC-003") and h.line in incomplete))
        worst = max((("INFO", "WARN", "BLOCK").index(h.severity) for h in kept), default=0)
        verdict = ("PASS", "WARN", "BLOCK")[worst]
        lines = dict(line_verdicts)
        for no, v in line_verdicts.items():
            if v == "BLOCK" and not any(h.line == no and h.severity == "BLOCK" for h in kept):
                lines[no] = "WARN" if any(h.line == no and h.severity == "WARN" for h in kept) else "PASS"
        return AuditView(verdict, kept, source, figures, lines, note)

    # ------------------------------------------------------------------ the sale in the sync layer's terms
    @staticmethod
    def basket(sale: Sale) -> Basket:
        """The desk's Sale as the sync layer's Basket: one basket line per sale line, in order (basket line n is
        the n-th sale line, whatever its number on the desk), with its codes, 拆零, 无码库 batch, days and sig."""
        lines = tuple(BasketLine(
            drug_key=l.drug.key, qty=l.qty, days=l.days, split=l.split, trace_codes=tuple(l.codes),
            dose=l.sig.dose if l.sig is not None else None,
            times_per_day=l.sig.times_per_day if l.sig is not None else None,
            uncoded_stock=l.uncoded, batch_no=l.uncoded_batch or "") for l in sale.lines)
        return Basket(person_no=sale.person_no, scheme=Scheme(sale.scheme),
                      disease=sale.diagnoses[0] if sale.diagnoses else "", diagnoses=tuple(sale.diagnoses),
                      rx_no=sale.rx_id, rx_date=sale.rx_date, lines=lines, long_rx_confirmed=sale.long_rx_confirmed,
                      rx_kind=sale.rx_kind, rx_valid_until=sale.rx_valid_until, doctor_name=sale.doctor,
                      extra={"desk_sale": sale.sale_id, **account_extra(sale),
                             **({"med_type": sale.med_type} if sale.scheme == Scheme.OP.value else {}),
                             **({"pharmacists": dict(sale.pharmacists)} if sale.pharmacists else {})})

    @staticmethod
    def identification(card: PatientCard) -> Identification:
        return Identification(CERT_KIND.get(card.cert_type, "id_card"), card.cert_no or "")

    @staticmethod
    def _desk_line(nos: list[int], n: Any) -> int | None:
        """The desk's line number of basket line (feedetl_sn) `n`."""
        try:
            n = int(n)
        except (TypeError, ValueError):
            return None
        return nos[n - 1] if 1 <= n <= len(nos) else None
