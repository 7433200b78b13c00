"""PharmacyDesk: the use cases of the dispensing desk (core.services.ports.DeskPort), from scan to receipt.

    desk = PharmacyDesk(engine, link, config)        # link None = standalone (no fund settlement)
    desk.start()                                     # catalogue from the centre (1301, incremental), follow-ups
    card = desk.identify("420704195703121015")       # e-voucher / ID card / social security card
    rx = desk.prescriptions(card)[0]; sale = desk.open_sale(card, rx.rx_id)
    check = desk.check_scan(sale, "81000110000000000001")     # < 1 ms, local
    view = desk.pre_settle(sale, card)               # the centre's audit and settlement figures (2101)
    record = desk.settle(sale, card, Payment(cash_tendered=Decimal("50")), shift_id)

Every method may block on HTTP or SQLite: the shell runs them through a worker. The settlement follows the
reserve-then-send rule: the sale row with its message id is committed before 2102 leaves; an answer that
never comes is reversed by that message id (2601), never settled again under a new one. After a settlement
the local total is compared with the centre's medfee_sumamt (0.10 元 tolerance, else 2103 and refuse).
Follow-up messages (7206 e-prescription dispensed, 3505 sale upload with the codes, 3506 return upload,
2601 reversals that could not be sent) wait in desk_followup and are drained in order.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select

from core.audit.context import chain_supply
from core.audit.engine import evaluate
from core.audit.history import MemoryHistory
from core.codes import Kind, classify
from core.codes.idcard import mask
from core.domain import (
    AuditRequest,
    DispenseRecord,
    Drug,
    Facility,
    Person,
    Prescription,
    PrescriptionLine,
    Registration,
    Scheme,
    Sig,
    fmt,
    money,
)
from core.i18n import Message, message
from core.policy.profile import Profile, bundled_profiles
from core.services.auth import RESTRICTED_WARN_RULES, Operator
from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.pharmacy_config import DeskConfig
from core.services.pharmacy_sale import CodeCheck, Lookups, OpenBox, Sale, SaleLine, SoldBefore, check_scan
from core.services.ports import (
    AuditView,
    CentreLink,
    DeskError,
    Figures,
    HitView,
    LinkStatus,
    PatientCard,
    Payment,
    QuotaView,
    RefillView,
    RegistrationView,
    RxSummary,
    SaleRecord,
)
from core.store import desk as t
from core.store.catalogue import get_drugs, upsert_drugs
from core.store.db import session_factory
from core.store.errors import StoreError
from core.store.history_sql import SqlHistory
from core.store.models import PersonRow, SettlementRow, TraceSaleRow
from core.store.persons import find_person_by_id_number, find_person_by_ss_card, get_person, upsert_person
from core.store.writer import DispenseLine, NewSettlement, TraceLine, record_settlement, reverse_settlement

log = logging.getLogger("onewindow.desk")

CST = dt.timezone(dt.timedelta(hours=8))
TOLERANCE = Decimal("0.10")
SCHEME_MED_TYPE = {"LB": "9901", "MT": "14"}
MED_TYPE_SCHEME = {"14": "MT", "140104": "MT", "140201": "MT", "9929": "MT", "9901": "LB", "1403": "LB"}
INSU_STATUS = {"1": "active", "2": "suspended", "4": "ended"}
REVIEW_WINDOW_DAYS = 90
_DRUG_NUMBERS = ("price", "preselfpay_ratio", "strength", "max_daily", "price_ceiling")
_DRUG_FIELDS = (
    "key", "name", "price", "pack_size", "category", "drug_class", "preselfpay_ratio", "nhsa_code", "atc",
    "nhsa_class", "spec", "unit", "pack_unit", "strength", "strength_unit", "max_daily", "sex_limit", "age_limit",
    "min_facility_level", "trace_prefix", "barcode", "inpatient_only", "insurance_scope", "restriction_text",
    "price_ceiling", "course_limit_days", "long_rx_barred",
)


def today_cst() -> dt.date:
    return dt.datetime.now(CST).date()


def _dec(v: Any) -> Decimal:
    return money(v if v not in (None, "") else "0")


def drug_from_dict(d: dict) -> Drug:
    values = {k: d.get(k) for k in _DRUG_FIELDS}
    for k in _DRUG_NUMBERS:
        if values.get(k) not in (None, ""):
            values[k] = Decimal(str(values[k]))
        elif k in ("price", "preselfpay_ratio"):
            values[k] = Decimal("0")
        else:
            values[k] = None
    for k in ("spec", "unit", "pack_unit", "strength_unit", "category"):
        values[k] = values.get(k) or ("drug" if k == "category" else "")
    values["inpatient_only"] = bool(values.get("inpatient_only"))
    values["long_rx_barred"] = bool(values.get("long_rx_barred"))
    return Drug(**values)


class PharmacyDesk:
    def __init__(self, engine: Engine, link: CentreLink | None, config: DeskConfig, *,
                 profile: Profile | None = None) -> None:
        t.ensure_desk_schema(engine)
        self.engine = engine
        self.Session = session_factory(engine)
        self.link = link
        self.config = config
        profiles = bundled_profiles()
        self.profile = profile or profiles.get(config.profile_id) or next(iter(profiles.values()))
        self.facility = Facility(config.institution, config.institution_name, "pharmacy", "pharmacy", None,
                                 config.city)
        self.operator: Operator | None = None
        self._drain_lock = threading.Lock()

    # ------------------------------------------------------------------ session, status, reference data
    def set_operator(self, op: Operator) -> None:
        self.operator = op
        if self.link is not None:
            self.link.set_operator(op.user_id, op.name)

    def _user(self) -> str:
        return self.operator.user_id if self.operator else "-"

    def start(self) -> None:
        """At start-up, off the UI thread: catalogue changes from the centre, then waiting follow-ups."""
        if self.link is None:
            return
        try:
            self.sync_catalogue()
            self.drain()
        except (CentreUnreachable, CentreRefused) as exc:
            log.info("start-up sync skipped: %s", exc)

    def sync_catalogue(self) -> int:
        with self.engine.begin() as conn:
            ver = conn.execute(select(t.desk_meta.c.value).where(t.desk_meta.c.key == "catalogue_ver")).scalar()
        out = self.link.call("1301", {"data": {"ver": ver or "0"}})
        drugs = [drug_from_dict(d) for d in out.get("data", [])]
        with self.Session() as s:
            if drugs:
                upsert_drugs(s, drugs, catalogue_version=int(out.get("ver") or 0))
            key = t.desk_meta.c.key
            if s.execute(select(t.desk_meta.c.value).where(key == "catalogue_ver")).first() is None:
                s.execute(t.desk_meta.insert().values(key="catalogue_ver", value=str(out.get("ver") or "0")))
            else:
                s.execute(t.desk_meta.update().where(key == "catalogue_ver").values(value=str(out.get("ver") or "0")))
            s.commit()
        return len(drugs)

    def status(self) -> LinkStatus:
        with self.engine.connect() as conn:
            n, oldest = conn.execute(select(func.count(), func.min(t.followup.c.created_at))
                                     .where(t.followup.c.done_at.is_(None))).one()
        age = (t.utcnow() - oldest).total_seconds() if oldest else None
        if self.link is None:
            return LinkStatus(False, None, n, age)
        return LinkStatus(True, self.link.online, n, age, self.link.last_error)

    def check_link(self) -> LinkStatus:
        if self.link is not None:
            self.link.ping()
        return self.status()

    # ------------------------------------------------------------------ identify
    def identify(self, text: str) -> PatientCard:
        r = classify(text)
        if r.kind is Kind.EVOUCHER:
            if not r.valid:
                raise DeskError(message("desk.id.invalid", reason=r.error.zh, reason_en=r.error.en))
            return self._identify_online_evoucher(r.text)
        if r.kind is Kind.ID_CARD:
            if not r.valid:
                raise DeskError(message("desk.id.invalid", reason=r.error.zh, reason_en=r.error.en))
            return self._identify("02", r.fields["number"])
        if r.kind is Kind.SS_CARD:
            return self._identify("03", r.fields.get("card_no") or r.fields.get("card_sn") or r.text)
        label = r.kind_label
        raise DeskError(message("desk.id.not_identity", kind=label.zh, kind_en=label.en))

    def _identify_online_evoucher(self, qr: str) -> PatientCard:
        if self.link is None:
            raise DeskError(message("desk.id.offline_evoucher"))
        try:
            data = self.link.call("1162", {"data": {"ecQrCode": qr, "businessType": "02121",
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
                pass
            except CentreRefused as exc:
                raise DeskError(message("desk.id.not_found", detail=exc.err_msg)) from None
        return self._identify_offline(cert_type, cert_no)

    def _identify_online(self, cert_type: str, cert_no: str) -> PatientCard:
        out = self.link.call("1101", {"data": {"mdtrt_cert_type": cert_type, "mdtrt_cert_no": cert_no}})
        base, insu = out["baseinfo"], (out.get("insuinfo") or [{}])[0]
        psn_no = base["psn_no"]
        regs = self.link.call("5301", {"data": {"psn_no": psn_no}}).get("feedetail", [])
        registrations = tuple(
            Registration(Scheme(r.get("scheme") or ("MT" if str(r["opsp_dise_code"]).startswith("M") else "LB")),
                         r["opsp_dise_code"], dt.date.fromisoformat(r["begndate"]),
                         dt.date.fromisoformat(r["enddate"]) if r.get("enddate") else None)
            for r in regs
        )
        names = {r["opsp_dise_code"]: r.get("opsp_dise_name") or r["opsp_dise_code"] for r in regs}
        death = (base.get("expContent") or {}).get("death_date")
        person = Person(
            person_no=psn_no, name=base["psn_name"], sex=str(base.get("gend") or "9"),
            birth_date=dt.date.fromisoformat(base["brdy"]), insurance_type=str(insu.get("insutype") or "390"),
            status=INSU_STATUS.get(str(insu.get("psn_insu_stas") or "1"), "ended"),
            death_date=dt.date.fromisoformat(death) if death else None,
            id_number=base.get("certno") or None, registrations=registrations,
        )
        try:
            cum = self.link.call("5206", {"data": {"psn_no": psn_no}}).get("cuminfo", [])
        except CentreRefused:
            cum = []
        quotas = tuple(QuotaView(c["scheme"], c["period"], _dec(c["cap_total"]), _dec(c["cum_fund_pay"]),
                                 _dec(c["cap_left"])) for c in cum)
        hist = self.link.call("5205", {"data": {"psn_no": psn_no}}).get("feedetail", [])
        dispenses = tuple(
            DispenseRecord(psn_no, dt.date.fromisoformat(h["setl_time"][:10]), h.get("fixmedins_code", ""),
                           h["chain_key"], int(h["prd_days"]), h.get("setl_id"), None, h.get("medins_list_codg", ""))
            for h in hist if str(h.get("refd_setl_flag", "0")) == "0"
        )
        drug_names = {h["chain_key"]: h.get("drug_name") or h["chain_key"] for h in hist}
        with self.Session() as s:
            upsert_person(s, person, ss_card_no=cert_no if cert_type == "03" else None,
                          profile_id=self.profile.profile_id)
            s.commit()
        self._cache_dispenses(psn_no, dispenses, drug_names)
        return self._card(person, names, quotas, dispenses, drug_names, True, cert_type, cert_no,
                          _dec(insu.get("balc")))

    def _cache_dispenses(self, psn_no: str, dispenses: Iterable[DispenseRecord], names: dict) -> None:
        body = json.dumps({"names": names, "rows": [
            [d.date.isoformat(), d.facility_code, d.chain_key, d.days, d.settlement_id, d.drug_key] for d in dispenses]},
            ensure_ascii=False)
        with self.engine.begin() as conn:
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

    # ------------------------------------------------------------------ prescriptions
    def _need_link(self) -> CentreLink:
        if self.link is None:
            raise DeskError(message("desk.audit.offline"))
        return self.link

    def prescriptions(self, card: PatientCard) -> list[RxSummary]:
        link = self._need_link()
        try:
            rows = link.call("7202", {"data": {"psn_no": card.person.person_no}}).get("data", [])
        except CentreUnreachable:
            raise DeskError(message("desk.audit.offline")) from None
        return [self._rx(r) for r in rows if r.get("rx_stas") == "uploaded"]

    @staticmethod
    def _rx(r: dict) -> RxSummary:
        return RxSummary(r["hi_rxno"], r.get("rx_trace_code", ""), r.get("fixmedins_code", ""),
                         str(r.get("prsc_time") or ""), str(r.get("valid_end_date") or ""), r.get("rx_stas", ""),
                         r.get("psn_no", ""))

    def find_pickup(self, card: PatientCard, code: str) -> RxSummary:
        link = self._need_link()
        code = code.strip()
        try:
            r = link.call("7201", {"data": {"rx_trace_code": code}})["data"]
        except CentreRefused:
            raise DeskError(message("desk.rx.not_found", code=code)) from None
        except CentreUnreachable:
            raise DeskError(message("desk.audit.offline")) from None
        if r.get("psn_no") != card.person.person_no:
            raise DeskError(message("desk.rx.other_person", code=code))
        if r.get("rx_stas") != "uploaded":
            raise DeskError(message("desk.rx.not_open", rx=r["hi_rxno"], status=r.get("rx_stas")))
        return self._rx(r)

    def open_sale(self, card: PatientCard, rx_id: str) -> Sale:
        link = self._need_link()
        try:
            out = link.call("7203", {"data": {"hi_rxno": rx_id}})
        except CentreUnreachable:
            raise DeskError(message("desk.audit.offline")) from None
        except CentreRefused as exc:
            raise DeskError(message("desk.audit.centre_refused", detail=exc.err_msg)) from None
        info, details = out["rxinfo"], out["rxdrugdetail"]
        if info.get("rx_stas") not in ("uploaded", None):
            raise DeskError(message("desk.rx.not_open", rx=rx_id, status=info.get("rx_stas")))
        keys = [d["medins_list_codg"] for d in details]
        with self.Session() as s:
            drugs = get_drugs(s, keys)
        missing = [k for k in keys if k not in drugs]
        if missing:
            try:
                self.sync_catalogue()
            except CentreUnreachable:
                pass
            with self.Session() as s:
                drugs = get_drugs(s, keys)
        lines = []
        for no, d in enumerate(details, start=1):
            drug = drugs.get(d["medins_list_codg"])
            if drug is None:
                raise DeskError(message("desk.rx.unknown_drug", drug=d.get("drug_name") or d["medins_list_codg"]))
            ext = d.get("expContent") or {}
            split = bool(ext.get("split")) or str(d.get("trdn_flag", "0")) == "1"
            sig = None
            if ext.get("dose") not in (None, "") and ext.get("times_per_day") not in (None, ""):
                sig = Sig(Decimal(str(ext["dose"])), Decimal(str(ext["times_per_day"])))
            dose = " ".join(x for x in (str(d.get("sin_dos_dscr") or ""), str(d.get("used_frqu_dscr") or ""),
                                        str(d.get("medc_way_dscr") or "")) if x)
            lines.append(SaleLine(no, drug, int(Decimal(str(d["cnt"]))), int(d["prd_days"]), dose, sig, split,
                                  med_list_codg=d.get("med_list_codg") or ""))
        med_type = str(info.get("med_type") or "")
        scheme = MED_TYPE_SCHEME.get(med_type) or self._default_scheme(card)
        diagnoses = tuple(info.get("diag_codes") or ([info["dise_codg"]] if info.get("dise_codg") else []))
        rx_date = dt.date.fromisoformat(str(info.get("prsc_time") or today_cst().isoformat())[:10])
        valid = info.get("valid_end_date")
        return Sale(
            sale_id=uuid.uuid4().hex[:12], person_no=card.person.person_no, person_name=card.person.name,
            scheme=scheme, med_type=med_type or SCHEME_MED_TYPE[scheme], diagnoses=diagnoses, rx_id=rx_id,
            rx_date=rx_date, rx_valid_until=dt.date.fromisoformat(valid) if valid else None,
            rx_kind=str(info.get("rx_type") or "ordinary"),
            long_rx_confirmed=str(info.get("rx_type") or "") in ("long", "continuous"),
            lines=tuple(lines), insurance_type=card.insurance_type, cert_type=card.cert_type, cert_no=card.cert_no,
            issuer=str(info.get("fixmedins_name") or info.get("fixmedins_code") or ""),
            doctor=str(info.get("prsc_dr_name") or ""),
        )

    @staticmethod
    def _default_scheme(card: PatientCard) -> str:
        active = [r for r in card.registrations if r.active]
        return "MT" if any(r.scheme == "MT" for r in active) else "LB"

    # ------------------------------------------------------------------ scanning
    def lookups(self) -> Lookups:
        return Lookups(sold=self._sold, open_box=self._open_box)

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
                for code_, date, units, split in conn.execute(
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
        return check_scan(sale, text, self.lookups(), focus_line=focus_line)

    def uncoded_batches(self, drug_key: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.uncoded_stock).where(t.uncoded_stock.c.drug_key == drug_key,
                                                              t.uncoded_stock.c.boxes > 0)
                                .order_by(t.uncoded_stock.c.bought_on))
            return [dict(r._mapping) for r in rows]

    def add_uncoded_stock(self, drug_key: str, batch: str, boxes: int, bought_on: dt.date) -> None:
        with self.engine.begin() as conn:
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
            result = evaluate(request, history, self.profile, {l.drug.key: l.drug for l in sale.lines})
        hits = tuple(HitView(h.rule, h.severity.value, h.line, Message(h.rule, h.message_zh, h.message_en),
                             h.severity.value == "WARN" and h.rule in RESTRICTED_WARN_RULES) for h in result.hits)
        figures = None
        s = result.settlement
        if s is not None:
            figures = Figures(s.total, s.fund_payment, s.personal_payment, s.fulamt_ownpay, s.preselfpay,
                              s.cap_total, s.cap_remaining_before, s.cap_total - s.cap_used_after, s.period)
        return self._view(sale, hits, "local", figures, {l.line: l.verdict.value for l in result.lines})

    @staticmethod
    def _view(sale: Sale, hits: tuple[HitView, ...], source: str, figures: Figures | None,
              line_verdicts: dict[int, str], note: Message | None = None) -> AuditView:
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

    def _settle_input(self, sale: Sale, card: PatientCard, payment: Payment | None = None) -> dict:
        now = dt.datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")
        details = []
        for l in sale.lines:
            ext: dict[str, Any] = {}
            if l.sig is not None:
                ext.update(dose=format(l.sig.dose, "f"), times_per_day=format(l.sig.times_per_day, "f"))
            if l.uncoded:
                ext["uncoded_stock"] = True
            details.append({
                "feedetl_sn": str(l.no), "rxno": sale.rx_id, "rx_circ_flag": "1", "fee_ocur_time": now,
                "med_list_codg": l.drug.nhsa_code or l.med_list_codg or "", "medins_list_codg": l.drug.key,
                "det_item_fee_sumamt": fmt(l.amount), "cnt": l.qty, "pric": fmt(l.drug.price),
                "sin_dos_dscr": l.dose_text[:60], "used_frqu_dscr": "", "prd_days": l.days,
                "trdn_flag": "1" if l.split else "0",
                "drugtracinfo": [{"drug_trac_codg": c} for c in l.codes], "expContent": ext,
            })
        acct = payment is not None and payment.account > 0
        return {
            "druginfo": {
                "psn_no": sale.person_no, "mdtrt_cert_type": sale.cert_type, "mdtrt_cert_no": sale.cert_no,
                "begntime": now, "medfee_sumamt": fmt(sale.total), "insutype": sale.insurance_type,
                "med_type": sale.med_type, "dise_codg": sale.diagnoses[0] if sale.diagnoses else "",
                "acct_used_flag": "1" if acct else "0",
                "expContent": {"scheme": sale.scheme, "long_rx_confirmed": sale.long_rx_confirmed,
                               "rx_kind": sale.rx_kind, "rx_date": sale.rx_date.isoformat(), "rxno": sale.rx_id,
                               **({"rx_valid_until": sale.rx_valid_until.isoformat()} if sale.rx_valid_until else {})},
            },
            "drugdetail": details,
            "diseinfo": [{"diag_code": d} for d in sale.diagnoses],
        }

    @staticmethod
    def _centre_hits(audit: dict | None) -> tuple[HitView, ...]:
        hits = []
        for h in (audit or {}).get("hits", []):
            sn = h.get("feedetl_sn")
            line = int(sn) if sn and str(sn).isdigit() else None
            hits.append(HitView(h["rule"], h["severity"], line, Message(h["rule"], h["message_zh"], h["message_en"]),
                                h["severity"] == "WARN" and h["rule"] in RESTRICTED_WARN_RULES))
        return tuple(hits)

    def pre_settle(self, sale: Sale, card: PatientCard) -> AuditView:
        """The centre's audit of the sale on every institution's history, with the settlement figures (2101)."""
        link = self.link
        if link is None:
            return replace(self.audit(sale, card), note=message("desk.audit.offline"))
        try:
            out = link.call("2101", self._settle_input(sale, card))
        except CentreUnreachable:
            return replace(self.audit(sale, card), note=message("desk.audit.offline"))
        except CentreRefused as exc:
            hits = self._centre_hits(exc.output.get("audit") if isinstance(exc.output, dict) else None)
            if not hits:
                return AuditView("BLOCK", (HitView("CENTRE", "BLOCK", None, Message(
                    "centre", exc.err_msg, exc.err_msg)),), "centre", None, {},
                    message("desk.audit.centre_refused", detail=exc.err_msg))
            verdicts = {h.line: "BLOCK" for h in hits if h.severity == "BLOCK" and h.line}
            return self._view(sale, hits, "centre", None, verdicts)
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
            memo = str(c.get("memo") or "PASS").split()[0]
            verdicts[int(c["feedetl_sn"])] = memo
        return self._view(sale, self._centre_hits(out.get("audit")), "centre", figures, verdicts)

    # ------------------------------------------------------------------ settle
    def settle(self, sale: Sale, card: PatientCard, payment: Payment, shift_id: str | None, *,
               mark_dispensed: bool = True) -> SaleRecord:
        link = self._need_link()
        payload = self._settle_input(sale, card, payment)
        msgid = link.new_msgid()
        now = t.utcnow()
        day = today_cst()
        with self.engine.begin() as conn:  # reserve: the row and its codes before anything leaves
            seq = t.next_number(conn, f"receipt:{day:%Y%m%d}")
            receipt_no = f"{self.config.terminal}-{day:%Y%m%d}-{seq:04d}"
            conn.execute(t.sale.insert().values(
                msgid=msgid, receipt_no=receipt_no, kind="sale", shift_id=shift_id, user_id=self._user(),
                person_no=sale.person_no, person_name=sale.person_name, rx_id=sale.rx_id, status="pending",
                created_at=now, business_date=day, total=sale.total,
                request=json.dumps({"input": payload, "lines": self._lines_json(sale)}, ensure_ascii=False)))
            for l in sale.lines:
                for c in l.codes:
                    conn.execute(t.sale_code.insert().values(msgid=msgid, line=l.no, drug_key=l.drug.key, code=c,
                                                             units=l.units if l.split else l.drug.pack_size,
                                                             split=l.split))
        try:
            out = link.call("2102", payload, msgid=msgid)
        except CentreRefused as exc:
            self._set_status(msgid, "refused", error=exc.err_msg)
            raise DeskError(message("desk.settle.refused", detail=exc.err_msg)) from None
        except CentreUnreachable as exc:
            if not exc.maybe_sent:
                self._set_status(msgid, "unsent", error=exc.detail)
                raise DeskError(message("desk.settle.offline")) from None
            state = self._reverse_unknown(msgid, sale.person_no)
            raise DeskError(message("desk.settle.unknown", state=state)) from None
        s = out["setlinfo"]
        centre_total = _dec(s["medfee_sumamt"])
        if abs(centre_total - sale.total) > TOLERANCE:
            try:
                link.call("2103", {"data": {"setl_id": s["setl_id"], "psn_no": sale.person_no}})
                self._set_status(msgid, "reversed", error="total mismatch")
            except (CentreRefused, CentreUnreachable) as exc:
                self._set_status(msgid, "unknown", error=f"total mismatch; cancel failed: {exc}")
            raise DeskError(message("desk.settle.mismatch", local=fmt(sale.total), centre=fmt(centre_total)))
        personal = _dec(s["psn_part_amt"])
        account = min(payment.account, personal, card.balance) if payment.account > 0 else Decimal("0.00")
        cash_due = personal - account
        change = max(Decimal("0.00"), payment.cash_tendered - cash_due) if payment.cash_tendered else Decimal("0.00")
        tendered = payment.cash_tendered if payment.cash_tendered else cash_due
        self._record(sale, msgid, out, account, cash_due, tendered, change)
        self._queue_followups(sale, msgid, s["setl_id"], receipt_no, mark_dispensed=mark_dispensed)
        self.drain()
        return self.find_sale(receipt_no)

    @staticmethod
    def _lines_json(sale: Sale) -> list[dict]:
        return [{"line": l.no, "drug_key": l.drug.key, "drug_name": l.drug.name, "spec": l.drug.spec,
                 "qty": l.qty, "unit": l.drug.unit if l.split else (l.drug.pack_unit or "盒"), "split": l.split,
                 "days": l.days, "dose": l.dose_text, "price": fmt(l.drug.price), "amount": fmt(l.amount),
                 "codes": list(l.codes), "uncoded_batch": l.uncoded_batch, "pack_size": l.drug.pack_size,
                 "nhsa_code": l.drug.nhsa_code or "", "units": l.units}
                for l in sale.lines]

    def _set_status(self, msgid: str, status: str, *, error: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(t.sale.update().where(t.sale.c.msgid == msgid).values(status=status, error=error))

    def _reverse_unknown(self, msgid: str, psn_no: str) -> str:
        try:
            self.link.call("2601", {"data": {"psn_no": psn_no, "omsgid": msgid, "oinfno": "2102"}})
        except CentreUnreachable:
            self._set_status(msgid, "unknown", error="no answer; reversal queued")
            self._followup("2601", {"data": {"psn_no": psn_no, "omsgid": msgid, "oinfno": "2102"}})
            return "queued"
        except CentreRefused as exc:
            self._set_status(msgid, "unknown", error=f"reversal refused: {exc.err_msg}")
            return "refused"
        self._set_status(msgid, "reversed", error="no answer; reversed (2601)")
        return "reversed"

    def _record(self, sale: Sale, msgid: str, out: dict, account: Decimal, cash: Decimal, tendered: Decimal,
                change: Decimal) -> None:
        s = out["setlinfo"]
        day = today_cst()
        setl_id = s["setl_id"]
        ext = s.get("expContent") or {}
        dispenses = tuple(DispenseLine.for_drug(l.drug, l.days) for l in sale.lines if l.drug.is_drug)
        traces = tuple(TraceLine(c, l.no, l.drug.key, l.units if l.split else l.drug.pack_size, l.split)
                       for l in sale.lines for c in l.codes)
        with self.Session() as session:
            with session.begin():
                session.execute(t.sale.update().where(t.sale.c.msgid == msgid).values(
                    status="settled", settled_at=t.utcnow(), setl_id=setl_id, total=_dec(s["medfee_sumamt"]),
                    fund=_dec(s["fund_pay_sumamt"]), personal=_dec(s["psn_part_amt"]), account_pay=account,
                    cash_pay=cash, cash_tendered=tendered, change=change,
                    answer=json.dumps(out, ensure_ascii=False, default=str)))
                for l in sale.lines:
                    if l.split and l.codes:
                        self._take_from_box(session, l)
                    if l.uncoded:
                        session.execute(t.uncoded_stock.update().where(
                            t.uncoded_stock.c.drug_key == l.drug.key, t.uncoded_stock.c.batch == l.uncoded_batch)
                            .values(boxes=t.uncoded_stock.c.boxes - l.qty))
                if session.get(PersonRow, sale.person_no) is not None:
                    try:
                        record_settlement(session, NewSettlement(
                            settlement_id=setl_id, person_no=sale.person_no, date=day,
                            facility_code=self.config.institution, scheme=Scheme(sale.scheme),
                            total=_dec(s["medfee_sumamt"]), fund=_dec(s["fund_pay_sumamt"]),
                            personal=_dec(s["psn_part_amt"]), period=str(ext.get("period") or day.year),
                            time=dt.datetime.now(CST).time().replace(microsecond=0, tzinfo=None),
                            city=self.config.city, dispenses=dispenses, trace_sales=traces))
                    except StoreError as exc:  # the history is a cache: the sale itself stands
                        log.error("settlement %s not written to the local history: %s", setl_id, exc)

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

    def _followup(self, infno: str, payload: dict, conn=None) -> None:
        msgid = self.link.new_msgid()
        values = dict(msgid=msgid, infno=infno, payload=json.dumps(payload, ensure_ascii=False, default=str),
                      created_at=t.utcnow(), attempts=0)
        if conn is not None:
            conn.execute(t.followup.insert().values(**values))
            return
        with self.engine.begin() as c:
            c.execute(t.followup.insert().values(**values))

    def _queue_followups(self, sale: Sale, msgid: str, setl_id: str, receipt_no: str, *,
                         mark_dispensed: bool = True) -> None:
        now = dt.datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")
        name = self.operator.name if self.operator else "-"
        with self.engine.begin() as conn:
            if mark_dispensed and sale.rx_id:
                self._followup("7206", {"data": {"hi_rxno": sale.rx_id, "setl_id": setl_id, "phar_name": name}}, conn)
            for l in sale.lines:
                if not l.codes:
                    continue
                self._followup("3505", {"selinfo": {
                    "med_list_codg": l.drug.nhsa_code or l.drug.key, "fixmedins_hilist_id": l.drug.key,
                    "fixmedins_hilist_name": l.drug.name, "fixmedins_bchno": "-", "phar_name": name,
                    "hi_feesetl_type": "1", "setl_id": setl_id, "psn_no": sale.person_no, "psn_name": sale.person_name,
                    "rx_flag": "1", "trdn_flag": "1" if l.split else "0", "rxno": sale.rx_id, "rx_circ_flag": "1",
                    "rtal_docno": f"{receipt_no}-{l.no}", "sel_retn_cnt": l.qty, "sel_retn_time": now,
                    "sel_retn_opter_name": name, "mdtrt_setl_type": "1",
                    "drugtracinfo": [{"drug_trac_codg": c} for c in l.codes],
                }}, conn)

    def drain(self) -> int:
        """Send waiting follow-ups in order; stops at the first that cannot reach the centre."""
        if self.link is None:
            return 0
        sent = 0
        with self._drain_lock:
            with self.engine.connect() as conn:
                rows = conn.execute(select(t.followup).where(t.followup.c.done_at.is_(None))
                                    .order_by(t.followup.c.id)).all()
            for r in rows:
                try:
                    self.link.call(r.infno, json.loads(r.payload), msgid=r.msgid)
                    values = dict(done_at=t.utcnow(), attempts=r.attempts + 1, last_error=None)
                except CentreRefused as exc:
                    log.warning("follow-up %s %s refused by the centre: %s", r.infno, r.msgid, exc.err_msg)
                    values = dict(done_at=t.utcnow(), attempts=r.attempts + 1, last_error=exc.err_msg)
                except CentreUnreachable as exc:
                    with self.engine.begin() as conn:
                        conn.execute(t.followup.update().where(t.followup.c.id == r.id)
                                     .values(attempts=r.attempts + 1, last_error=exc.detail))
                    break
                with self.engine.begin() as conn:
                    conn.execute(t.followup.update().where(t.followup.c.id == r.id).values(**values))
                sent += 1
        return sent

    # ------------------------------------------------------------------ records, reprints, returns
    def _record_of(self, row) -> SaleRecord:
        req = json.loads(row.request)
        answer = json.loads(row.answer) if row.answer else {}
        with self.engine.connect() as conn:
            returned = {(r.line, r.code) for r in conn.execute(
                select(t.sale_code.c.line, t.sale_code.c.code).where(t.sale_code.c.msgid == row.msgid,
                                                                     t.sale_code.c.returned.is_(True)))}
        lines = tuple({**l, "returned_codes": [c for c in l["codes"] if (l["line"], c) in returned]}
                      for l in req.get("lines", []))
        z = Decimal("0.00")
        return SaleRecord(row.msgid, row.receipt_no, row.kind, row.status, row.person_no, row.person_name,
                          row.settled_at, row.total or z, row.fund or z, row.personal or z, row.account_pay or z,
                          row.cash_pay or z, row.change or z, row.setl_id or "", lines, row.prints, answer)

    def find_sale(self, ref: str) -> SaleRecord:
        ref = ref.strip()
        with self.engine.connect() as conn:
            row = conn.execute(select(t.sale).where(t.sale.c.receipt_no == ref)).first()
            if row is None and ref:
                row = conn.execute(
                    select(t.sale).join(t.sale_code, t.sale_code.c.msgid == t.sale.c.msgid)
                    .where(t.sale_code.c.code == ref, t.sale.c.kind == "sale")
                    .order_by(t.sale.c.created_at.desc()).limit(1)).first()
        if row is None:
            raise DeskError(message("desk.ret.not_found", ref=ref))
        return self._record_of(row)

    def mark_printed(self, msgid: str, reprint: bool, approver: str | None = None) -> int:
        with self.engine.begin() as conn:
            prints = conn.execute(select(t.sale.c.prints).where(t.sale.c.msgid == msgid)).scalar() or 0
            conn.execute(t.sale.update().where(t.sale.c.msgid == msgid).values(prints=prints + 1))
            if reprint:
                conn.execute(t.event.insert().values(at=t.utcnow(), kind="reprint", user_id=self._user(),
                                                     approver_id=approver, ref=msgid,
                                                     detail=json.dumps({"copy": prints})))
        return prints + 1

    def return_sale(self, record: SaleRecord, lines: list[int], shift_id: str | None) -> tuple[SaleRecord, SaleRecord | None]:
        """Return a whole sale, or some of its lines: the settlement is cancelled at the centre (2103: quota
        back, codes free), and the kept lines are settled again under a new message id."""
        link = self._need_link()
        if record.status != "settled" or record.kind != "sale":
            raise DeskError(message("desk.ret.already", receipt=record.receipt_no))
        all_lines = [l["line"] for l in record.lines]
        chosen = [n for n in lines if n in all_lines]
        if not chosen:
            raise DeskError(message("desk.ret.nothing"))
        try:
            link.call("2103", {"data": {"setl_id": record.setl_id, "psn_no": record.person_no}})
        except CentreRefused as exc:
            raise DeskError(message("desk.settle.refused", detail=exc.err_msg)) from None
        except CentreUnreachable:
            raise DeskError(message("desk.settle.offline")) from None
        day = today_cst()
        with self.Session() as session:
            with session.begin():
                conn = session.connection()
                seq = t.next_number(conn, f"receipt:{day:%Y%m%d}")
                ret_no = f"{self.config.terminal}-{day:%Y%m%d}-{seq:04d}"
                conn.execute(t.sale.insert().values(
                    msgid=f"R{record.msgid}"[:40], receipt_no=ret_no, kind="return", original_msgid=record.msgid,
                    shift_id=shift_id, user_id=self._user(), person_no=record.person_no,
                    person_name=record.person_name, status="settled", created_at=t.utcnow(),
                    settled_at=t.utcnow(), business_date=day, setl_id=record.setl_id, total=-record.total,
                    fund=-record.fund, personal=-record.personal, account_pay=-record.account_pay,
                    cash_pay=-record.cash_pay, request=json.dumps({"lines": list(record.lines)}, ensure_ascii=False)))
                conn.execute(t.sale.update().where(t.sale.c.msgid == record.msgid).values(status="returned"))
                conn.execute(t.sale_code.update().where(t.sale_code.c.msgid == record.msgid).values(returned=True))
                for l in record.lines:
                    if l["split"] and l["codes"]:
                        conn.execute(t.open_box.update().where(t.open_box.c.code == l["codes"][0])
                                     .values(units_left=t.open_box.c.units_left + l["qty"], updated_at=t.utcnow()))
                    if l.get("uncoded_batch") and l["line"] in chosen:  # the box goes back to the 无码库
                        conn.execute(t.uncoded_stock.update().where(
                            t.uncoded_stock.c.drug_key == l["drug_key"], t.uncoded_stock.c.batch == l["uncoded_batch"])
                            .values(boxes=t.uncoded_stock.c.boxes + l["qty"]))
                if session.get(SettlementRow, record.setl_id) is not None:
                    reverse_settlement(session, record.setl_id, day)
                conn.execute(t.event.insert().values(at=t.utcnow(), kind="return", user_id=self._user(),
                                                     ref=record.receipt_no,
                                                     detail=json.dumps({"lines": chosen, "return": ret_no})))
                name = self.operator.name if self.operator else "-"
                now = dt.datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")
                for l in record.lines:
                    if l["codes"]:
                        self._followup("3506", {"selinfo": {
                            "med_list_codg": l.get("nhsa_code") or l["drug_key"], "fixmedins_hilist_id": l["drug_key"],
                            "fixmedins_hilist_name": l["drug_name"], "fixmedins_bchno": "-", "trdn_flag":
                            "1" if l["split"] else "0", "rtal_docno": f"{ret_no}-{l['line']}", "sel_retn_cnt": l["qty"],
                            "sel_retn_time": now, "sel_retn_opter_name": name, "setl_id": record.setl_id,
                            "drugtracinfo": [{"drug_trac_codg": c} for c in l["codes"]]}}, conn)
        self.drain()
        returned = self.find_sale(ret_no)
        kept = [l for l in record.lines if l["line"] not in chosen]
        if not kept:
            return returned, None
        return returned, self._resettle(record, kept, shift_id)

    def _resettle(self, record: SaleRecord, kept: list[dict], shift_id: str | None) -> SaleRecord:
        with self.Session() as s:
            person = get_person(s, record.person_no)
            drugs = get_drugs(s, [l["drug_key"] for l in kept])
        req = json.loads(self._request_of(record.msgid))
        info = req["input"]["druginfo"]
        ext = info.get("expContent") or {}
        lines = tuple(SaleLine(i, drugs[l["drug_key"]], l["qty"], l["days"], l.get("dose", ""), None, l["split"],
                               tuple(l["codes"]), l.get("uncoded_batch")) for i, l in enumerate(kept, start=1))
        sigs = {d["medins_list_codg"]: d.get("expContent") or {} for d in req["input"]["drugdetail"]}
        lines = tuple(replace(l, sig=Sig(Decimal(sigs[l.drug.key]["dose"]), Decimal(sigs[l.drug.key]["times_per_day"])))
                      if sigs.get(l.drug.key, {}).get("dose") else l for l in lines)
        sale = Sale(uuid.uuid4().hex[:12], record.person_no, record.person_name, ext.get("scheme", "LB"),
                    info["med_type"], tuple(d["diag_code"] for d in req["input"].get("diseinfo", [])),
                    ext.get("rxno", ""), dt.date.fromisoformat(ext.get("rx_date") or today_cst().isoformat()),
                    dt.date.fromisoformat(ext["rx_valid_until"]) if ext.get("rx_valid_until") else None,
                    ext.get("rx_kind", "ordinary"), bool(ext.get("long_rx_confirmed")), lines,
                    info.get("insutype", ""), info.get("mdtrt_cert_type", ""), info.get("mdtrt_cert_no", ""))
        card = PatientCard(person, "", person.insurance_type, person.status, (), (), (), (), True,
                           sale.cert_type, sale.cert_no)
        # the kept lines were handed out with the first settlement: no second 7206 for the prescription
        return self.settle(sale, card, Payment(), shift_id, mark_dispensed=False)

    def _request_of(self, msgid: str) -> str:
        with self.engine.connect() as conn:
            return conn.execute(select(t.sale.c.request).where(t.sale.c.msgid == msgid)).scalar()


__all__ = ["PharmacyDesk", "drug_from_dict", "today_cst"]
