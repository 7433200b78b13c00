"""Identify the patient: e-voucher (online only), ID card, social security card; online through the centre
(1101, 5301, cumulative figures, drug history) and cached for the offline rules, else from the cache."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select

from core.audit.context import chain_supply
from core.codes.idcard import mask
from core.domain import DispenseRecord, Person
from core.domain.clock import today_cst
from core.i18n import message
from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.identity_text import InvalidIdentity, NotIdentity, identity_text
from core.services.desk.base import REVIEW_WINDOW_DAYS, DeskBase, _dec
from core.services.ports import DeskError, PatientCard, QuotaView, RefillView, RegistrationView
from core.store import desk as t
from core.store.models import PersonRow
from core.store.persons import find_person_by_id_number, find_person_by_ss_card, upsert_person
from core.sync.refdata import store_person
from core.sync.transactions import TransactionFormatError, identified, parse_person, person_input


class Identify(DeskBase):
    def identify(self, text: str) -> PatientCard:
        try:
            who = identity_text(text)
        except InvalidIdentity as exc:
            raise DeskError(message("desk.id.invalid", reason=exc.reason.zh, reason_en=exc.reason.en)) from None
        except NotIdentity as exc:
            raise DeskError(message("desk.id.not_identity", kind=exc.kind.zh, kind_en=exc.kind.en)) from None
        if who.evoucher:
            return self._identify_online_evoucher(who.value)
        return self._identify(who.cert_type, who.value)

    def _identify_online_evoucher(self, qr: str) -> PatientCard:
        if self.link is None:
            raise DeskError(message("desk.id.offline_evoucher"))
        try:
            data = self.link.call(self._infno("evoucher"), {"data": {"ecQrCode": qr, "businessType": "02121",
                                                    "orgId": self.config.institution}})["data"]
        except CentreUnreachable:
            raise DeskError(message("desk.id.offline_evoucher")) from None
        except CentreRefused as exc:
            raise DeskError(message("desk.id.not_found", detail=exc.err_msg)) from None
        return self._identify("01", data["ecToken"], id_number=data.get("idNo") or None)

    def _identify(self, cert_type: str, cert_no: str, id_number: str | None = None) -> PatientCard:
        if self.link is not None:
            try:
                return self._identify_online(cert_type, cert_no)
            except CentreUnreachable:
                pass  # the centre is down: the cached card below, within the offline rules
            except CentreRefused as exc:
                raise DeskError(message("desk.id.not_found", detail=exc.err_msg)) from None
        return self._identify_offline(cert_type, cert_no)

    def _identify_online(self, cert_type: str, cert_no: str) -> PatientCard:
        out = self.link.call(self._infno("person"), person_input(cert_type, cert_no))
        try:
            psn_no = parse_person(out).person.person_no
            regs_out = self.link.call(self._infno("registrations"), {"data": {"psn_no": psn_no}})
            found = identified(out, regs_out)
        except TransactionFormatError as exc:
            raise DeskError(message("desk.id.bad_answer", detail=str(exc))) from None
        person, names = found.person, dict(found.disease_names)
        try:
            cum = self.link.call(self._infno("cumulative"), {"data": {"psn_no": psn_no}}).get("cuminfo", [])
        except CentreRefused:
            cum = []
        quotas = tuple(QuotaView(c["scheme"], c["period"], _dec(c["cap_total"]), _dec(c["cum_fund_pay"]),
                                 _dec(c["cap_left"])) for c in cum)
        hist = self.link.call(self._infno("drug_history"), {"data": {"psn_no": psn_no}}).get("feedetail", [])
        dispenses = tuple(
            DispenseRecord(psn_no, dt.date.fromisoformat(h["setl_time"][:10]), h.get("fixmedins_code", ""),
                           h["chain_key"], int(h["prd_days"]), h.get("setl_id"), None, h.get("medins_list_codg", ""))
            for h in hist if str(h.get("refd_setl_flag", "0")) == "0"
        )
        drug_names = {h["chain_key"]: h.get("drug_name") or h["chain_key"] for h in hist}
        with self.WSession() as s, s.begin():
            ss_card = cert_no if cert_type == "03" else None
            if self.terminal is not None:  # cached with its registrations marked fresh (the offline limits read it)
                store_person(s, self.terminal, person, insuplc_admdvs=found.insuplc_admdvs,
                             ss_card_no=ss_card)
            else:
                upsert_person(s, person, ss_card_no=ss_card, profile_id=self.profile.profile_id)
        self._cache_dispenses(psn_no, dispenses, drug_names)
        return self._card(person, names, quotas, dispenses, drug_names, True, cert_type, cert_no,
                          found.balance if found.balance is not None else _dec(None))

    def _cache_dispenses(self, psn_no: str, dispenses: Iterable[DispenseRecord], names: dict) -> None:
        body = json.dumps({"names": names, "rows": [
            [d.date.isoformat(), d.facility_code, d.chain_key, d.days, d.settlement_id, d.drug_key] for d in dispenses]},
            ensure_ascii=False)
        with self.wengine.begin() as conn:
            conn.execute(t.history_cache.delete().where(t.history_cache.c.person_no == psn_no))
            conn.execute(t.history_cache.insert().values(person_no=psn_no, fetched_at=t.utcnow(), body=body))

    def _cached_dispenses(self, psn_no: str) -> tuple[tuple[DispenseRecord, ...], dict]:
        with self.engine.connect() as conn:
            body = conn.execute(select(t.history_cache.c.body).where(t.history_cache.c.person_no == psn_no)).scalar()
        if body is None:
            return (), {}
        data = json.loads(body)
        rows = tuple(DispenseRecord(psn_no, dt.date.fromisoformat(a), b, c, d, e, None, f) for a, b, c, d, e, f in data["rows"])
        return rows, data.get("names", {})

    def _identify_offline(self, cert_type: str, cert_no: str) -> PatientCard:
        if cert_type == "01":
            raise DeskError(message("desk.id.offline_evoucher"))
        with self.Session() as s:
            person = (find_person_by_id_number(s, cert_no) if cert_type == "02" else find_person_by_ss_card(s, cert_no))
            updated = None
            if person is not None:
                updated = s.scalar(select(PersonRow.updated_at).where(PersonRow.person_no == person.person_no))
        if person is None:
            raise DeskError(message("desk.id.offline_unknown"))
        age = (t.utcnow() - updated).days if updated else 9999
        if age > self.config.cache_max_age_days:
            raise DeskError(message("desk.id.offline_unknown"))
        dispenses, names = self._cached_dispenses(person.person_no)
        card = self._card(person, {}, (), dispenses, names, False, cert_type, cert_no, Decimal("0.00"))
        return replace(card, warnings=(message("desk.id.offline_stale", age=age),) + card.warnings)

    def _card(self, person: Person, names: dict, quotas, dispenses, drug_names, online, cert_type, cert_no,
              balance) -> PatientCard:
        day = today_cst()
        regs, warnings = [], []
        if person.status != "active" or person.death_date:
            warnings.append(message("desk.warn.status", status=person.status))
        for r in person.registrations:
            days_left = (r.end - day).days if r.end else None
            name = names.get(r.disease, r.disease)
            regs.append(RegistrationView(r.scheme.value, r.disease, name, r.begin, r.end, r.active_on(day), days_left))
            if r.end is None:
                continue
            policy = self.profile.scheme(r.scheme)
            warn_days = policy.registration_expiry_warn_days if policy else 30
            if days_left < 0:
                warnings.append(message("desk.warn.reg_ended", disease=name, end=r.end.isoformat()))
            elif days_left <= warn_days:
                warnings.append(message("desk.warn.reg_ending", disease=name, end=r.end.isoformat(), days=days_left))
            elif days_left <= REVIEW_WINDOW_DAYS:
                warnings.append(message("desk.warn.review_due", disease=name, days=REVIEW_WINDOW_DAYS))
        if not any(r.active for r in regs):
            warnings.append(message("desk.warn.no_registration"))
        refills = []
        by_chain: dict[str, list[DispenseRecord]] = {}
        for d in dispenses:
            by_chain.setdefault(d.chain_key, []).append(d)
        for chain, rows in by_chain.items():
            end, _ = chain_supply([(d.date, d.days) for d in rows], day)
            if end is None or end < day - dt.timedelta(days=30):
                continue
            nxt = end - dt.timedelta(days=self.profile.refill_window_days)
            refills.append(RefillView(drug_names.get(chain, chain), chain, max(d.date for d in rows), end, nxt))
        return PatientCard(
            person=person, masked_id=mask(person.id_number) if person.id_number else "",
            insurance_type=person.insurance_type, status=person.status, registrations=tuple(regs),
            quotas=tuple(quotas), refills=tuple(sorted(refills, key=lambda r: r.next_allowed)),
            warnings=tuple(warnings), online=online, cert_type=cert_type, cert_no=cert_no, balance=balance,
            dispenses=tuple(dispenses),
        )
