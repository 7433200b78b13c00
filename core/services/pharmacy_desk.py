"""PharmacyDesk: the use cases of the dispensing desk (core.services.ports.DeskPort), from scan to receipt.

    desk = PharmacyDesk(engine, link, config)        # link: TerminalCentreLink (its Terminal settles); None = standalone
    desk.start()                                     # off the UI thread: start-up recovery and the background sender
                                                     # (Terminal.start), then the catalogue (1301, incremental)
    card = desk.identify("420704195703121015")       # e-voucher / ID card / social security card
    rx = desk.prescriptions(card)[0]; sale = desk.open_sale(card, rx.rx_id)
    check = desk.check_scan(sale, "81000110000000000001")     # < 1 ms, local
    view = desk.pre_settle(sale, card)               # the pre-settlement (2101, or offline within the floor limits)
    record = desk.settle(sale, card, Payment(cash_tendered=Decimal("50")), shift_id)

Every method may block on HTTP or SQLite: the shell runs them through a worker.

Settling goes through the sync layer, never around it: core.services.checkout.CheckoutService over the link's
core.sync.terminal.Terminal. The desk's Sale becomes a core.sync Basket (codes, 拆零, 无码库 batches, days, sig)
and audit → acknowledge_warnings → pre_settle → settle → print_receipt run there: message ids from the stored
sequence, the sale and its 2102 reserved in the outbox before anything is sent, an unknown outcome reversed by
its msgid (2601), provisional offline settlement inside the floor limits, 3505/3506 queued, the 0.10 元
local-vs-centre rule, start-up recovery. The desk keeps only what the sync layer does not hold — receipt
numbers, payments (account, cash, change), the codes per receipt line, opened boxes (拆零), the 无码库,
shifts, reprints — in its own tables (core.store.desk), keyed to the sync sale.

A desk record reads its settlement through from the sync sale (SyncSale: state, figures, setl_id, offline
number; the 2102 answer from its outbox item): a provisional sale shows `provisional` with its offline number
and the local figures, and once the background sender has the centre's answer the same record shows `settled`
with the centre's figures and setl_id. Nothing is copied, so nothing has to be kept in step.

7206 (e-prescription dispensed) is no outbox kind: it waits in desk_followup under a msgid from the terminal's
stored sequence and goes out (`drain`) once its sale is settled at the centre.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from core.domain.clock import CST, today_cst
from core.audit.context import chain_supply
from core.care.lifestyle import short_lines
from core.audit.engine import evaluate
from core.audit.history import MemoryHistory
from core.codes import Kind, classify
from core.codes.idcard import mask
from core.domain import (
    AuditRequest,
    DispenseRecord,
    Facility,
    Person,
    Prescription,
    PrescriptionLine,
    Scheme,
    Sig,
    fmt,
    money,
)
from core.i18n import Message, message
from core.policy.profile import Profile, bundled_profiles
from core.services.auth import RESTRICTED_WARN_RULES, Operator
from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.checkout import CheckoutError, CheckoutService, Identification, SaleView
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
from core.store.catalogue import get_drugs
from core.store.db import session_factory
from core.store.history_sql import SqlHistory
from core.store.models import PersonRow, SettlementRow, TraceSaleRow
from core.store.persons import find_person_by_id_number, find_person_by_ss_card, get_person, upsert_person
from core.sync.basket import Basket, BasketLine
from core.sync.models import SyncOutbox, SyncSale
from core.sync.config import DEFAULT_INFNO
from core.sync.refdata import RefDataError, store_person, sync_catalogue
from core.sync.transactions import TransactionFormatError, identified, parse_person
from core.sync.states import LABEL_ZH, SETTLED_LIKE
from core.sync.states import SaleState as S
from core.sync.terminal import Terminal

log = logging.getLogger("onewindow.desk")

SCHEME_MED_TYPE = {"LB": "9901", "MT": "14"}
MED_TYPE_SCHEME = {"14": "MT", "140104": "MT", "140201": "MT", "9929": "MT", "9901": "LB", "1403": "LB"}
REVIEW_WINDOW_DAYS = 90
RECOVERY_WAIT_S = 20.0  # how long a settlement waits for start-up recovery before it says so
RECOVERY_RESOLVE_S = 15.0  # how long start-up recovery waits for the centre to answer what was in flight
CERT_KIND = {"01": "evoucher", "02": "id_card", "03": "ss_card"}
OPEN_STATES = (S.DRAFT.value, S.AUDITED.value, S.PRE_SETTLED.value)
SETTLED_STATES = {s.value for s in SETTLED_LIKE}
DISPENSED_STATES = SETTLED_STATES | {S.RETURNING.value, S.RETURNED.value}  # settled at the centre at some point
NEVER_SETTLED = (S.REJECTED.value, S.REVERSED.value, S.CANCELLED.value)


def _dec(v: Any) -> Decimal:
    return money(v if v not in (None, "") else "0")


def _same_store(a: Engine, b: Engine) -> bool:
    if a is b:
        return True
    ua, ub = make_url(a.url), make_url(b.url)
    if ua.get_backend_name() == "sqlite" and ub.get_backend_name() == "sqlite":
        from pathlib import Path

        da, db = ua.database or "", ub.database or ""
        if da in ("", ":memory:") or db in ("", ":memory:"):
            return False
        return Path(da).expanduser().resolve() == Path(db).expanduser().resolve()
    return ua.render_as_string(hide_password=False) == ub.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Through:
    """A desk record's settlement, read through from its sync sale."""

    status: str  # settled / provisional / rejected / unknown / reversed / returned / pending / unsent …
    total: Decimal
    fund: Decimal
    personal: Decimal
    setl_id: str
    offline_no: str
    confirmed: bool  # the figures are the centre's
    answer: dict = field(default_factory=dict)  # the centre's 2102 output


def read_through(session, row) -> Through | None:
    """The settlement behind a desk_sale row (sale or return), from core.sync's tables in `session`; None for
    a row recorded before the desk settled through the sync layer (its own columns hold the figures)."""
    sale_id = getattr(row, "sync_sale_id", None)
    if not sale_id:
        return None
    ss = session.get(SyncSale, sale_id)
    if ss is None:
        return None
    confirmed = ss.centre_total is not None
    total = ss.centre_total if confirmed else ss.total
    fund = ss.centre_fund if confirmed else ss.fund
    personal = ss.centre_personal if confirmed else ss.personal
    answer: dict = {}
    if ss.msgid:
        item = session.scalar(select(SyncOutbox).where(SyncOutbox.msgid == ss.msgid))
        if item is not None and item.status == "done" and item.response:
            from core.store.persons import default_cipher
            from core.sync.outbox import response_of

            answer = (response_of(item, default_cipher()) or {}).get("output") or {}
    state = ss.state
    if row.kind == "return":
        status = "settled" if state == S.RETURNED.value else "pending"  # the 2103 waits in the outbox
        sign = Decimal("-1")
    else:
        sign = Decimal("1")
        if row.status != "settled":  # the desk's own word: pending, failed, returned
            status = row.status
        elif state in SETTLED_STATES:
            status = "settled"
        elif state == S.PROVISIONAL.value or (state == S.SENDING.value and ss.offline):
            status = "provisional"
        elif state == S.REJECTED.value:
            status = "rejected"
        elif state in (S.RETURNING.value, S.RETURNED.value):
            status = "returned"
        elif state in (S.UNKNOWN.value, S.REVERSING.value):
            status = "unknown"
        else:
            status = state
    z = Decimal("0.00")
    return Through(status, sign * (total or z), sign * (fund or z), sign * (personal or z), ss.setl_id or "",
                   ss.offline_no or "", confirmed, answer)


class PharmacyDesk:
    def __init__(self, engine: Engine, link: CentreLink | None, config: DeskConfig, *,
                 profile: Profile | None = None, terminal: Terminal | None = None) -> None:
        t.ensure_desk_schema(engine)
        self.engine = engine
        # Every write takes the write lock at BEGIN: the terminal's sender writes to the same file from its thread.
        self.wengine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self.Session = session_factory(engine)
        self.WSession = session_factory(self.wengine)
        self.link = link
        self.config = config
        profiles = bundled_profiles()
        self.profile = profile or profiles.get(config.profile_id) or next(iter(profiles.values()))
        self.facility = Facility(config.institution, config.institution_name, "pharmacy", "pharmacy", None,
                                 config.city)
        self.operator: Operator | None = None
        self.terminal: Terminal | None = terminal if terminal is not None else getattr(link, "t", None)
        self.checkout: CheckoutService | None = None
        if self.terminal is not None:
            if not _same_store(engine, self.terminal.engine):
                raise ValueError("the desk and its terminal must use the same store (one database): "
                                 f"{engine.url!r} vs {self.terminal.engine.url!r}")
            self.checkout = CheckoutService(self.terminal, profile=self.profile)
        self._baskets: dict[str, tuple[str, str]] = {}  # desk sale id -> (sync sale id, basket JSON)
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._drain_lock = threading.Lock()

    # ------------------------------------------------------------------ session, status, reference data
    def set_operator(self, op: Operator) -> None:
        self.operator = op
        if self.link is not None:
            self.link.set_operator(op.user_id, op.name)

    def _user(self) -> str:
        return self.operator.user_id if self.operator else "-"

    def _user_name(self) -> str:
        return self.operator.name if self.operator else ""

    def start(self) -> None:
        """At start-up, off the UI thread: start-up recovery and the background sender, then catalogue changes
        from the centre and waiting follow-ups."""
        if self.terminal is not None:
            self._start_terminal()
        if self.link is None:
            return
        try:
            self.sync_catalogue()
        except (CentreUnreachable, CentreRefused) as exc:
            log.info("start-up catalogue sync skipped: %s", exc)
        self.drain()

    def _start_terminal(self, wait_s: float | None = None) -> None:
        """Terminal.start() once: recovery of whatever was in flight at the last exit, then the sender thread.
        With `wait_s`, wait at most that long for a start already running elsewhere."""
        term = self.terminal
        if term is None or term.recovered:
            return
        if not self._start_lock.acquire(timeout=-1 if wait_s is None else wait_s):
            return
        try:
            if not term.recovered:
                term.start(resolve_timeout_s=RECOVERY_RESOLVE_S)
        finally:
            self._start_lock.release()

    def _ready(self) -> CheckoutService:
        """The checkout, once start-up recovery has run (the first settlement waits for it, then says so)."""
        if self.checkout is None:
            raise DeskError(message("desk.audit.offline"))
        self._start_terminal(wait_s=RECOVERY_WAIT_S)
        if not self.terminal.recovered:
            raise DeskError(message("desk.settle.recovering"))
        return self.checkout

    def close(self) -> None:
        """Stop the terminal (its sender thread); the link closes it when the link opened it."""
        closer = getattr(self.link, "close", None)
        if callable(closer) and getattr(self.link, "t", None) is self.terminal:
            closer()
        elif self.terminal is not None:
            self.terminal.close()

    def sync_catalogue(self) -> int:
        """Catalogue changes since the version this store has (1301, incremental), through the sync layer."""
        if self.terminal is None:
            return 0
        try:
            return sync_catalogue(self.terminal, operator=self.operator.user_id if self.operator else "SYS").items
        except RefDataError as exc:
            if exc.reply is not None and exc.reply.refused:
                raise CentreRefused("1301", exc.reply.err_msg or str(exc)) from None
            raise CentreUnreachable("1301", str(exc), maybe_sent=False) from None

    def _followups_waiting(self) -> tuple[int, float | None]:
        with self.engine.connect() as conn:
            n, oldest = conn.execute(select(func.count(), func.min(t.followup.c.created_at))
                                     .where(t.followup.c.done_at.is_(None))).one()
        return int(n or 0), (t.utcnow() - oldest).total_seconds() if oldest else None

    def status(self) -> LinkStatus:
        """Online/offline and what waits for the centre: the sync layer's outbox (CheckoutService.status) plus
        the desk's own follow-ups (7206)."""
        n, age = self._followups_waiting()
        if self.checkout is None:
            if self.link is None:
                return LinkStatus(False, None, n, age)
            return LinkStatus(True, self.link.online, n, age, self.link.last_error)
        st = self.checkout.status()
        online = {"online": True, "offline": False}.get(st.mode)
        ages = [a for a in (st.oldest_waiting_s if st.waiting else None, age) if a is not None]
        return LinkStatus(True, online, st.waiting + n, max(ages) if ages else None, st.last_error,
                          provisional=st.provisional_sales, alerts=st.alerts_open, summary=st.text_zh)

    def check_link(self) -> LinkStatus:
        """Probe the centre; when it answers, the sender tries what waits at once."""
        if self.link is not None and self.link.ping() and self.terminal is not None:
            self.terminal.sender.wake()
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

    def _infno(self, use: str) -> str:
        """Transaction numbers by name, from the terminal's configuration (provinces number some differently)."""
        t = getattr(self.link, "t", None)
        table = t.config.infno if t is not None else DEFAULT_INFNO
        return table.get(use) or DEFAULT_INFNO[use]

    def _identify_online(self, cert_type: str, cert_no: str) -> PatientCard:
        out = self.link.call(self._infno("person"), {"data": {"mdtrt_cert_type": cert_type, "mdtrt_cert_no": cert_no}})
        insu = (out.get("insuinfo") or [{}])[0]
        try:
            psn_no = parse_person(out).person.person_no
            regs_out = self.link.call(self._infno("registrations"), {"data": {"psn_no": psn_no}})
            found = identified(out, regs_out)
        except TransactionFormatError as exc:
            raise DeskError(message("desk.id.not_found", detail=str(exc))) from None
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
                          _dec(insu.get("balc")))

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

    # ------------------------------------------------------------------ prescriptions
    def _need_link(self) -> CentreLink:
        if self.link is None:
            raise DeskError(message("desk.audit.offline"))
        return self.link

    def prescriptions(self, card: PatientCard) -> list[RxSummary]:
        link = self._need_link()
        try:
            rows = link.call(self._infno("prescriptions"), {"data": {"psn_no": card.person.person_no}}).get("data", [])
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
            r = link.call(self._infno("rx_by_code"), {"data": {"rx_trace_code": code}})["data"]
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
            out = link.call(self._infno("rx_detail"), {"data": {"hi_rxno": rx_id}})
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
            except (CentreUnreachable, CentreRefused):
                pass  # a drug still missing after this is refused below, by name
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
            lifestyle=short_lines(out.get("lifestyle")),
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
        return check_scan(sale, text, self.lookups(), focus_line=focus_line)

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
                      extra={"desk_sale": sale.sale_id})

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
            raise DeskError(message("desk.settle.refused", detail=view.reason, detail_en=view.reason))
        if state in (S.RETURNING.value, S.RETURNED.value):  # the 0.10 元 rule after 2102: cancelled at once (2103)
            with self.Session() as s:
                ss = s.get(SyncSale, sync_id)
                local, centre = ss.total, ss.centre_total
            raise DeskError(message("desk.settle.mismatch", local=fmt(local), centre=fmt(centre or Decimal("0"))))
        if state in (S.UNKNOWN.value, S.REVERSING.value, S.REVERSED.value):
            raise DeskError(message("desk.settle.unknown", state=LABEL_ZH[S(state)], state_en=state))
        raise DeskError(message("desk.settle.refused", detail=view.reason or state, detail_en=view.reason or state))

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
        account = min(payment.account, personal, card.balance) if payment.account > 0 else Decimal("0.00")
        cash_due = personal - account
        change = max(Decimal("0.00"), payment.cash_tendered - cash_due) if payment.cash_tendered else Decimal("0.00")
        tendered = payment.cash_tendered if payment.cash_tendered else cash_due
        with self.WSession() as session, session.begin():
            conn = session.connection()
            conn.execute(t.sale.update().where(t.sale.c.msgid == key).values(
                status="settled", settled_at=t.utcnow(), account_pay=account, cash_pay=cash_due,
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
                    payload=json.dumps({"data": {"hi_rxno": sale.rx_id, "setl_id": "", "phar_name": self._user_name() or "-"}},
                                       ensure_ascii=False),
                    created_at=t.utcnow(), attempts=0))
        self._print_sync(view.sale_id)
        self.drain()
        return self.find_sale(receipt_no)

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
                "doctor": sale.doctor, "lifestyle": list(sale.lifestyle)}

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

    def _sync_state(self, sale_id: str) -> tuple[str | None, str]:
        with self.Session() as s:
            ss = s.get(SyncSale, sale_id)
            return (ss.state, ss.setl_id or ss.msgid or "") if ss is not None else (None, "")

    def drain(self) -> int:
        """Wake the sync sender for what waits in the outbox, and send the desk's own follow-ups (7206) whose
        sale the centre has settled, oldest first; stops at the first one that cannot reach the centre."""
        if self.terminal is not None:
            self.terminal.sender.wake()
        if self.link is None:
            return 0
        sent = 0
        with self._drain_lock:
            with self.engine.connect() as conn:
                rows = conn.execute(select(t.followup).where(t.followup.c.done_at.is_(None))
                                    .order_by(t.followup.c.id)).all()
            for r in rows:
                payload = json.loads(r.payload)
                if r.sale_id:
                    state, setl_id = self._sync_state(r.sale_id)
                    if state is None or state in NEVER_SETTLED:
                        with self.wengine.begin() as conn:
                            conn.execute(t.followup.update().where(t.followup.c.id == r.id).values(
                                done_at=t.utcnow(), last_error=f"not sent: the sale was not settled ({state})"))
                        continue
                    if state not in DISPENSED_STATES:
                        continue  # provisional or in flight: after the centre's answer
                    payload.setdefault("data", {})["setl_id"] = setl_id
                try:
                    self.link.call(r.infno, payload, msgid=r.msgid)
                    values = dict(done_at=t.utcnow(), attempts=r.attempts + 1, last_error=None)
                except CentreRefused as exc:
                    log.warning("follow-up %s %s refused by the centre: %s", r.infno, r.msgid, exc.err_msg)
                    values = dict(done_at=t.utcnow(), attempts=r.attempts + 1, last_error=exc.err_msg)
                except CentreUnreachable as exc:
                    with self.wengine.begin() as conn:
                        conn.execute(t.followup.update().where(t.followup.c.id == r.id)
                                     .values(attempts=r.attempts + 1, last_error=exc.detail))
                    break
                with self.wengine.begin() as conn:
                    conn.execute(t.followup.update().where(t.followup.c.id == r.id).values(**values))
                sent += 1
        return sent

    # ------------------------------------------------------------------ records, reprints, returns
    def _record_of(self, row) -> SaleRecord:
        req = json.loads(row.request)
        with self.engine.connect() as conn:
            returned = {(r.line, r.code) for r in conn.execute(
                select(t.sale_code.c.line, t.sale_code.c.code).where(t.sale_code.c.msgid == row.msgid,
                                                                     t.sale_code.c.returned.is_(True)))}
        lines = tuple({**l, "returned_codes": [c for c in l["codes"] if (l["line"], c) in returned]}
                      for l in req.get("lines", []))
        z = Decimal("0.00")
        lifestyle = tuple(req.get("sale", {}).get("lifestyle") or ())
        with self.Session() as s:
            through = read_through(s, row)
        if through is None:  # recorded before the desk settled through the sync layer
            answer = json.loads(row.answer) if row.answer else {}
            return SaleRecord(row.msgid, row.receipt_no, row.kind, row.status, row.person_no, row.person_name,
                              row.settled_at, row.total or z, row.fund or z, row.personal or z, row.account_pay or z,
                              row.cash_pay or z, row.change or z, row.setl_id or "", lines, row.prints, answer,
                              lifestyle=lifestyle)
        return SaleRecord(row.msgid, row.receipt_no, row.kind, through.status, row.person_no, row.person_name,
                          row.settled_at, through.total, through.fund, through.personal, row.account_pay or z,
                          row.cash_pay or z, row.change or z, through.setl_id, lines, row.prints, through.answer,
                          offline_no=through.offline_no, sale_id=row.sync_sale_id or "", lifestyle=lifestyle)

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
        with self.wengine.begin() as conn:
            prints = conn.execute(select(t.sale.c.prints).where(t.sale.c.msgid == msgid)).scalar() or 0
            conn.execute(t.sale.update().where(t.sale.c.msgid == msgid).values(prints=prints + 1))
            if reprint:
                conn.execute(t.event.insert().values(at=t.utcnow(), kind="reprint", user_id=self._user(),
                                                     approver_id=approver, ref=msgid,
                                                     detail=json.dumps({"copy": prints})))
        return prints + 1

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
            conn.execute(t.sale_code.update().where(t.sale_code.c.msgid == record.msgid).values(returned=True))
            for l in record.lines:
                if l["split"] and l["codes"]:
                    conn.execute(t.open_box.update().where(t.open_box.c.code == l["codes"][0])
                                 .values(units_left=t.open_box.c.units_left + l["qty"], updated_at=t.utcnow()))
                if l.get("uncoded_batch") and l["line"] in chosen:  # the box goes back to the 无码库
                    conn.execute(t.uncoded_stock.update().where(
                        t.uncoded_stock.c.drug_key == l["drug_key"], t.uncoded_stock.c.batch == l["uncoded_batch"])
                        .values(boxes=t.uncoded_stock.c.boxes + l["qty"]))
            conn.execute(t.event.insert().values(at=t.utcnow(), kind="return", user_id=self._user(),
                                                 ref=record.receipt_no,
                                                 detail=json.dumps({"lines": chosen, "return": ret_no})))
        self.drain()
        returned = self.find_sale(ret_no)
        kept = [l for l in record.lines if l["line"] not in chosen]
        if not kept:
            return returned, None
        try:
            again = self._resettle(record, row, kept, shift_id)
        except DeskError as exc:
            raise DeskError(message("desk.ret.resettle_failed", receipt=ret_no, n=len(kept), detail=exc.message.zh,
                                    detail_en=exc.message.en)) from None
        return returned, again

    def _resettle(self, record: SaleRecord, row, kept: list[dict], shift_id: str | None) -> SaleRecord:
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
                    "02" if id_number else "", id_number or "", acks, head.get("issuer", ""), head.get("doctor", ""))
        card = PatientCard(person, "", person.insurance_type, person.status, (), (), (), (), True, sale.cert_type,
                           sale.cert_no)
        # the kept lines were handed out with the first settlement: no second 7206 for the prescription
        return self.settle(sale, card, Payment(), shift_id, mark_dispensed=False)


__all__ = ["PharmacyDesk", "Through", "read_through", "today_cst"]
