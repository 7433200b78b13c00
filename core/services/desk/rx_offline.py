"""Prescriptions the desk can still dispense while the centre is down (issue 19): every download is checked
against the centre's signature and kept in the offline cache (core.rx.cache); prescriptions of patients whose
refill falls due are fetched ahead (`prefetch_prescriptions`). With the centre unreachable, the patient's list
and the sale come from the cache: the sale is then settled provisionally inside the offline floor limits by the
sync layer and confirmed when the centre is back, like any offline sale. A settled prescription leaves the cache.

The centre's public keys are pinned from the download answer's `rx_sign_keys` the first time none is pinned
(a sign-in's copy when the link hands it over); after that, a prescription signed with any other key is refused.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from sqlalchemy import func, select

from core.domain.clock import today_cst
from core.i18n import message
from core.rx.cache import RxCache
from core.rx.signature import QR_PREFIX, RxSignatureError, matches, read_qr
from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.desk.prescriptions import Prescriptions
from core.services.pharmacy_sale import Sale
from core.services.ports import DeskError, PatientCard, Payment, RxSummary, SaleRecord
from core.settings.options import default_of
from core.store.models_history import DispenseRow

log = logging.getLogger("onewindow.desk")
OFFLINE = "desk.audit.offline"


class OfflinePrescriptions(Prescriptions):
    _rx_cache: RxCache | None = None
    rx_cache_limit: int = int(default_of("rx_cache.max_entries", "pharmacy"))
    rx_refill_days: int = int(default_of("rx_cache.refill_days", "pharmacy"))

    def rx_cache(self) -> RxCache:
        if self._rx_cache is None:
            from core.store.crypto import DataCipher

            self._rx_cache = RxCache(self.engine, DataCipher.load(), max_entries=self.rx_cache_limit,
                                     writer=self.wengine)
        return self._rx_cache

    def _checked(self, out: dict) -> dict:
        cache = self.rx_cache()
        if not cache.keys():
            cache.pin_keys(out.get("rx_sign_keys"))
        try:
            cache.verify(out)
        except RxSignatureError as exc:
            log.warning("prescription %s refused: %s", (out.get("rxinfo") or {}).get("hi_rxno"), exc.en)
            raise DeskError(message("desk.rx.signature", reason=exc.zh, reason_en=exc.en)) from None
        return out

    # ---- online, keeping a copy; offline, from the copy ---------------------------------------------------
    def _download(self, rx_id: str) -> dict:
        try:
            out = self._checked(super()._download(rx_id))
        except DeskError as exc:
            if exc.message.key != OFFLINE:
                raise
            cached = self.rx_cache().get(rx_id, today=today_cst())
            if cached is None:
                raise DeskError(message("desk.rx.offline_not_cached", rx=rx_id)) from None
            return cached
        self.rx_cache().put(out, source="opened", today=today_cst())
        return out

    def prescriptions(self, card: PatientCard) -> list[RxSummary]:
        try:
            return super().prescriptions(card)
        except DeskError as exc:
            if exc.message.key != OFFLINE:
                raise
            cached = self.rx_cache().waiting(card.person.person_no, today=today_cst())
            if not cached:
                raise
            return [self._rx(r, cached=True) for r in cached]

    def settle(self, sale, card: PatientCard, payment: Payment, shift_id: str | None, **kw) -> SaleRecord:
        if sale.rx_kind == "paper":  # no e-prescription at the centre to mark dispensed (7206)
            kw["mark_dispensed"] = False
        trail = self._trail_before_settle(sale)  # type: ignore[attr-defined]
        if trail is not None and trail.by("review") is not None:  # the trail's pharmacists travel in 3505
            sale = replace(sale, pharmacists=tuple((k, v) for k, v in trail.upload_fields().items() if v))
        record = super().settle(sale, card, payment, shift_id, **kw)  # type: ignore[misc]
        self._trail_after_settle(sale, record.receipt_no, trail)  # type: ignore[attr-defined]
        if sale.rx_id and sale.rx_kind != "paper":
            self.rx_cache().drop(sale.rx_id)  # dispensed (provisionally or not): never a second sale from the copy
        return record

    # ---- a 附件3 continuous prescription, by its signed QR ----------------------------------------------------
    def open_qr_sale(self, card: PatientCard, text: str) -> Sale:
        """The sale of one pickup of a 附件3 form: its QR checked against the centre's key (altered, forged or
        another patient's: refused), then the prescription opened like any other (downloaded and checked again, or
        from the offline cache) and tied to the QR by its digest. Whether this pickup is due (≤ 15 days of supply
        left) is the audit's DUP-001."""
        cache = self.rx_cache()
        if not cache.keys() and text.strip().startswith(QR_PREFIX):
            # nothing pinned yet: the download pins the centre's keys (the QR is checked with them below)
            self._download(text.strip()[len(QR_PREFIX):].split("|", 1)[0])
        try:
            qr = read_qr(text, cache.keys())
        except RxSignatureError as exc:
            raise DeskError(message("desk.rx.signature", reason=exc.zh, reason_en=exc.en)) from None
        if qr["psn_no"] != card.person.person_no:
            raise DeskError(message("desk.rx.other_person", code=qr["hi_rxno"]))
        out = self._download(qr["hi_rxno"])
        if not matches(qr, out):
            raise DeskError(message("desk.rx.signature", reason="二维码与中心的处方内容不一致",
                                    reason_en="the QR does not match the centre's prescription"))
        return self.sale_from(card, qr["hi_rxno"], out)

    # ---- ahead of time ------------------------------------------------------------------------------------
    def refill_due(self, today: dt.date | None = None) -> list[str]:
        """Patients whose supply from this pharmacy runs out within rx_refill_days (from the store's history)."""
        today = today or today_cst()
        d = DispenseRow
        with self.Session() as s:
            rows = s.execute(select(d.person_no, func.max(d.date), func.max(d.days))
                             .where(d.facility_code == self.config.institution).group_by(d.person_no)).all()
        horizon = today + dt.timedelta(days=self.rx_refill_days)
        return sorted(p for p, last, days in rows if last + dt.timedelta(days=int(days or 0)) <= horizon)

    def prefetch_prescriptions(self, person_nos: list[str] | None = None) -> int:
        """Download and cache the waiting prescriptions of these patients (default: those due a refill here);
        returns how many are cached. A centre that goes away midway ends it quietly."""
        link, cache, today, n = self._need_link(), self.rx_cache(), today_cst(), 0
        for person_no in person_nos if person_nos is not None else self.refill_due(today):
            try:
                rows = link.call(self._infno("prescriptions"), {"data": {"psn_no": person_no}}).get("data", [])
                for r in rows:
                    if r.get("rx_stas") != "uploaded" or cache.get(r["hi_rxno"], today=today) is not None:
                        n += r.get("rx_stas") == "uploaded"
                        continue
                    out = self._checked(link.call(self._infno("rx_detail"), {"data": {"hi_rxno": r["hi_rxno"]}}))
                    n += cache.put(out, source="prefetch", today=today)
            except CentreUnreachable:
                break
            except (CentreRefused, DeskError) as exc:
                log.info("prefetch of %s's prescriptions skipped: %s", person_no, exc)
        return n
