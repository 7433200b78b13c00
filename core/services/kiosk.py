"""What the self-service kiosk (自助机) can do for an insured person, and nothing else (role `kiosk`).

    config = KioskConfig.load()                      # the site settings (core.settings), kiosk's view
    kiosk = KioskService(KioskLink(config), config)
    card = kiosk.identify("NHSAEV1.…")               # e-voucher QR (online only), ID number or SS card
    card = kiosk.identify_card(card_read)            # a hardware.cards.CardRead (duck-typed: kind, id_number, card_no)
    rows = kiosk.history(card, since, until)         # settlements with amounts (5205 ids + 5203 each)
    st = kiosk.statement(card, since, until)         # the same, with totals, for printing
    kiosk.capabilities()                             # which optional transactions the centre offers

Role `kiosk` (KIOSK_ACTIONS) is these read-mostly actions; the link refuses every other transaction before it
leaves the machine (KIOSK_INFNO + the configured optional ones), so a kiosk can never settle, cancel, reverse,
upload or register, whatever its screens do. Messages go out with opter_type 2 (自助终端).

Offline: when the centre cannot be reached the service raises KioskOffline ("service unavailable, go to
window N") and, until a probe (`check_centre`) succeeds again, does not even try: nothing that needs the
centre is attempted while it is down. The service keeps no person data between calls and writes none to
disk; the shell holds the PatientCard and drops it on "finish" or after the idle time.

Every method may block on HTTP: the shell calls them through a worker (desktop.common.worker.Runner).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.domain.clock import CST
from core.audit.context import chain_supply
from core.services.identity_text import InvalidIdentity, NotIdentity, identity_text
from core.domain.masking import mask_id
from core.domain import Person, money
from core.i18n import Message, message
from core.policy.profile import Profile, bundled_profiles
from core.services.kiosk_care import statement_lifestyle
from core.services.kiosk_link import (  # noqa: F401 - re-exported: the kiosk's one import path
    OPTIONAL, READ_ONLY, KioskError, KioskForbidden, KioskLink, KioskOffline, KioskRefused,
)
from core.services.ports import PatientCard, QuotaView, RefillView, RegistrationView, RxSummary
from core.settings import SiteSettings, default_of
from core.settings.paths import app_home
from core.sync.config import DEFAULT_INFNO as SYNC_INFNO
from core.sync.config import CentreConfig, SyncConfig, TerminalConfig
from core.sync.transactions import TransactionFormatError, identified, parse_person, person_input

log = logging.getLogger("onewindow.kiosk")

# KioskConfig field -> site setting (core.settings.options); server_url and the secret are read apart
KIOSK_SETTINGS = {
    "institution": "institution.code", "institution_name": "institution.name", "terminal_id": "terminal.id",
    "language": "ui.language", "profile_id": "benefit.profile", "connect_timeout_s": "centre.connect_timeout_s",
    "read_timeout_s": "centre.read_timeout_s", "printer": "kiosk.statement_formats",
    "interface_profile": "centre.interface_profile", "signing_style": "signing.style",
    **{name: f"kiosk.{name}" for name in (
        "terminal_no", "operator", "window_no", "idle_seconds", "countdown_seconds", "text_px", "target_px", "voice",
        "voice_dir", "a4_printer", "statement_dir", "statement_keep_hours", "statement_max_days",
        "supervisor_code_hash", "recheck_seconds")},
}
KIOSK_ROLE = "kiosk"

# What role `kiosk` may do: exactly the list. Anything else is refused (KioskForbidden).
KIOSK_ACTIONS = frozenset({
    "identify",            # e-voucher QR at the camera, ID / social security card on the reader
    "overview",            # registrations and end dates, quota used and left, next refill date per drug
    "history",             # settlements of a period
    "statement.print",     # a statement of settlements for a period (receipt printer or A4)
    "prescriptions",       # pending e-prescriptions (to pay the personal share)
    "pay.own_share",       # only when the centre offers it (capabilities)
    "application.status",  # status of a registration application
    "application.start",   # a 两病 registration application with a photo of the diagnosis
})

# Transactions by use: the platform's numbers as every terminal names them (core.sync.config.DEFAULT_INFNO), then
# the kiosk's own; the optional ones are empty until the centre's number is known (configuration).
# The interface profile's numbers (a province numbering a call differently) and the site's go over these
# (KioskConfig.numbers).
DEFAULT_INFNO: dict[str, str] = {
    **{use: SYNC_INFNO[use] for use in ("sign_in", "evoucher", "person", "registrations", "cumulative",
                                        "drug_history", "prescriptions")},
    "settlement_info": "5203",
    # The centre's registration workflow (server/transactions/registration.py): 2514 备案申请查询 by psn_no,
    # 2510 备案申请登记 (source "kiosk") and 2511 备案材料上传 (the photo). The kiosk never submits (2512) or
    # reviews: a clerk completes the 两病 application (the diagnosing doctor) at the window.
    "application_status": "2514", "application_submit": "2510", "application_evidence": "2511",
    "pay_own_share": "",
    # The chronic-care loop (server/transactions/care_rx.py, care_notify.py): 2586 the person's lifestyle
    # prescription, 2592 reminders waiting for them at a kiosk/desk (handed out once). See kiosk_care.py.
    "care": "2586", "desk_messages": "2592",
}
PHOTO_LIMIT_KB = 1024
EVIDENCE_PART_BYTES = 32 * 1024  # raw bytes per 2511 part (its base64 fits the centre's envelope limit)
# 两病 diseases the kiosk can apply for, with the diagnosis entered for them; the photo carries the doctor's
# actual diagnosis and the clerk checks it against this before submitting.
LB_DIAGNOSIS = {"HTN": ("I10", "原发性高血压"), "DM": ("E11", "2型糖尿病")}


# ------------------------------------------------------------------------------------------------ config
@dataclass(frozen=True)
class KioskConfig:
    """One kiosk. The kiosk's view of the site settings (core.settings); every default is declared there.

    idle_seconds / countdown_seconds   no touch for idle_seconds with a person on screen -> a countdown of
                                       countdown_seconds ("还在吗？") -> the person is wiped
    text_px / target_px                base text size and the smallest touch target (never below 48 px)
    voice                              auto (Qt speech if installed, else prerecorded prompts if present, else
                                       silent), prerecorded, off
    printer                            receipt | a4 | both: which statement formats are offered (the receipt
                                       printer itself is hardware's DeviceSettings, devices.*)
    a4_printer                         system printer for A4 statements; the PDF is written either way
    supervisor_code_hash               scrypt hash of the numeric supervisor code (python -m desktop.kiosk set-code)
    """

    institution: str = default_of(KIOSK_SETTINGS["institution"], "kiosk")
    institution_name: str = default_of(KIOSK_SETTINGS["institution_name"], "kiosk")
    terminal_id: str = default_of(KIOSK_SETTINGS["terminal_id"], "kiosk")
    terminal_no: int = default_of(KIOSK_SETTINGS["terminal_no"], "kiosk")
    operator: str = default_of(KIOSK_SETTINGS["operator"], "kiosk")
    server_url: str = ""
    secret: str = ""
    secret_file: str = ""
    window_no: str = default_of(KIOSK_SETTINGS["window_no"], "kiosk")
    idle_seconds: int = default_of(KIOSK_SETTINGS["idle_seconds"], "kiosk")
    countdown_seconds: int = default_of(KIOSK_SETTINGS["countdown_seconds"], "kiosk")
    text_px: int = default_of(KIOSK_SETTINGS["text_px"], "kiosk")
    target_px: int = default_of(KIOSK_SETTINGS["target_px"], "kiosk")
    language: str = default_of(KIOSK_SETTINGS["language"], "kiosk")
    voice: str = default_of(KIOSK_SETTINGS["voice"], "kiosk")
    voice_dir: str = default_of(KIOSK_SETTINGS["voice_dir"], "kiosk")
    printer: str = default_of(KIOSK_SETTINGS["printer"], "kiosk")
    a4_printer: str = default_of(KIOSK_SETTINGS["a4_printer"], "kiosk")
    statement_dir: str = default_of(KIOSK_SETTINGS["statement_dir"], "kiosk")
    statement_keep_hours: int = default_of(KIOSK_SETTINGS["statement_keep_hours"], "kiosk")
    statement_max_days: int = default_of(KIOSK_SETTINGS["statement_max_days"], "kiosk")
    profile_id: str = default_of(KIOSK_SETTINGS["profile_id"], "kiosk")
    supervisor_code_hash: str = default_of(KIOSK_SETTINGS["supervisor_code_hash"], "kiosk")
    recheck_seconds: int = default_of(KIOSK_SETTINGS["recheck_seconds"], "kiosk")
    connect_timeout_s: float = default_of(KIOSK_SETTINGS["connect_timeout_s"], "kiosk")
    interface_profile: str = default_of(KIOSK_SETTINGS["interface_profile"], "kiosk")
    signing_style: str = default_of(KIOSK_SETTINGS["signing_style"], "kiosk")
    read_timeout_s: float = default_of(KIOSK_SETTINGS["read_timeout_s"], "kiosk")
    infno: dict[str, str] = field(default_factory=dict)  # this site's own numbers, over the profile's (numbers)

    def __post_init__(self) -> None:
        if self.target_px < 48:
            raise ValueError("target_px must be at least 48 (touch targets for elderly users)")
        if self.idle_seconds < 10 or self.countdown_seconds < 3:
            raise ValueError("idle_seconds must be >= 10 and countdown_seconds >= 3")
        if self.printer not in ("receipt", "a4", "both"):
            raise ValueError("printer must be receipt, a4 or both")
        if self.voice not in ("auto", "prerecorded", "off"):
            raise ValueError("voice must be auto, prerecorded or off")

    @classmethod
    def from_settings(cls, settings: SiteSettings) -> KioskConfig:
        values = {name: settings.get(key, "kiosk") for name, key in KIOSK_SETTINGS.items()}
        return cls(server_url=settings.get("centre.url", "kiosk"), secret=settings.signing_secret("kiosk"), **values)

    @classmethod
    def load(cls, path: Path | None = None) -> KioskConfig:
        return cls.from_settings(SiteSettings.load(path))

    def save(self, path: Path | None = None) -> Path:
        """Writes the kiosk's own settings (never the secret: signing.secret_ref) into the site settings."""
        settings = SiteSettings.load(path)
        ours = {key: getattr(self, name) for name, key in KIOSK_SETTINGS.items() if key.startswith("kiosk.")}
        return settings.set_many(ours).save()

    @property
    def numbers(self) -> dict[str, str]:
        """Transaction numbers by use: the kiosk's defaults, then the interface profile's, then this site's."""
        from core.gateway.profiles import load_profile

        profile = load_profile(self.interface_profile).infno
        return {**DEFAULT_INFNO, **{k: v for k, v in profile.items() if k in DEFAULT_INFNO}, **self.infno}

    def statement_folder(self) -> Path:
        return Path(self.statement_dir) if self.statement_dir else app_home() / "kiosk-statements"

    def sync_config(self) -> SyncConfig:
        terminal = TerminalConfig(
            institution_code=self.institution, institution_name=self.institution_name,
            terminal_id=self.terminal_id, terminal_no=self.terminal_no, facility_kind="clinic", benefit_level="1",
            profile_id=self.profile_id, secret=self.secret, secret_file=self.secret_file,
            opter_type="2",  # 自助终端
        )
        centre = CentreConfig(url=self.server_url, connect_timeout_s=self.connect_timeout_s,
                              read_timeout_s=self.read_timeout_s, interface_profile=self.interface_profile,
                              signing_style=self.signing_style)
        return SyncConfig(terminal, centre)


# ------------------------------------------------------------------------------------------------ values
@dataclass(frozen=True)
class SettlementView:
    setl_id: str
    when: dt.datetime
    facility_code: str
    facility_name: str
    drugs: tuple[str, ...]
    scheme: str
    total: Decimal
    fund: Decimal
    personal: Decimal
    reversed: bool


@dataclass(frozen=True)
class Statement:
    """结算清单: what is printed. The ID number arrives masked; the name is the person's (they asked for it)."""

    person_name: str
    masked_id: str
    insurance_type: str
    since: dt.date
    until: dt.date
    rows: tuple[SettlementView, ...]
    count: int
    total: Decimal
    fund: Decimal
    personal: Decimal
    printed_at: dt.datetime
    institution_name: str
    terminal_id: str
    statement_no: str
    lifestyle: tuple[str, ...] = ()  # the short form of the person's lifestyle prescription (kiosk_care.py)


@dataclass(frozen=True)
class ApplicationView:
    application_no: str
    scheme: str
    diseases: str          # names, joined
    status: str            # draft / expert_review / clerk_review / approved / rejected / cancelled
    status_name: str       # the centre's Chinese name of the status
    created_on: str
    steps: tuple[str, ...] = ()   # "2026-11-25 登记申请", … oldest first
    effective_from: str = ""
    evidence: int = 0      # complete evidence files


@dataclass(frozen=True)
class Capabilities:
    pay_own_share: bool = False
    application_status: bool = False
    application_submit: bool = False
    application_evidence: bool = False


OPEN_APPLICATION = ("draft", "expert_review", "clerk_review")  # an application still being decided
LB_DISEASES = ("HTN", "DM")


def lb_apply_options(card: PatientCard, applications: Sequence[ApplicationView], caps: Capabilities) -> tuple[str, ...]:
    """The 两病 diseases (HTN, DM) this person may start an application for at the kiosk; () offers none.
    Only where the centre takes applications with their evidence, never while a 两病 application is still being
    decided (one at a time), and never for a disease the person already has an active registration for."""
    if not (caps.application_submit and caps.application_evidence):
        return ()
    if any(a.scheme == "LB" and a.status in OPEN_APPLICATION for a in applications):
        return ()
    registered = {r.disease for r in card.registrations if r.active}
    return tuple(d for d in LB_DISEASES if d not in registered)


# ------------------------------------------------------------------------------------------------ service
def _today() -> dt.date:
    return dt.datetime.now(CST).date()


class KioskService:
    def __init__(self, link: KioskLink, config: KioskConfig, *, profile: Profile | None = None,
                 today: Callable[[], dt.date] = _today) -> None:
        self.link = link
        self.config = config
        profiles = bundled_profiles()
        self.profile = profile or profiles.get(config.profile_id) or next(iter(profiles.values()))
        self.today = today
        self._caps: Capabilities | None = None

    # ---- role ------------------------------------------------------------------------------------------
    @staticmethod
    def role_allows(action: str) -> bool:
        return action in KIOSK_ACTIONS

    def _need(self, action: str) -> None:
        if not self.role_allows(action):
            log.warning("kiosk: action %s refused: not allowed for role %s", action, KIOSK_ROLE)
            raise KioskForbidden(message("kiosk.forbidden", window=self.config.window_no))

    def infno(self, use: str) -> str:
        return self.config.numbers.get(use, "")

    # ---- the centre ------------------------------------------------------------------------------------
    def check_centre(self) -> bool:
        return self.link.probe()

    @property
    def online(self) -> bool | None:
        return self.link.online

    def capabilities(self, refresh: bool = False) -> Capabilities:
        if self._caps is None or refresh:
            self._caps = Capabilities(**{k: self.link.offers(self.infno(k)) for k in OPTIONAL})
        return self._caps

    # ---- identify --------------------------------------------------------------------------------------
    def identify(self, text: str) -> PatientCard:
        self._need("identify")
        try:
            who = identity_text(text)
        except InvalidIdentity as exc:
            raise KioskError(message("kiosk.id.invalid", reason=exc.reason.zh, reason_en=exc.reason.en)) from None
        except NotIdentity as exc:
            raise KioskError(message("kiosk.id.not_identity", kind=exc.kind.zh, kind_en=exc.kind.en)) from None
        if who.evoucher:
            return self._by_evoucher(who.value)
        return self._by_certificate(who.cert_type, who.value)

    def identify_card(self, card: Any) -> PatientCard:
        """A card from the reader (hardware.cards.CardRead): ID card by its number, SS card by its card number."""
        self._need("identify")
        kind = getattr(card, "kind", "")
        if kind == "ss_card" and getattr(card, "card_no", ""):
            return self._by_certificate("03", card.card_no)
        number = getattr(card, "id_number", "")
        if not number:
            raise KioskError(message("kiosk.card.error", reason="卡内无证件号", reason_en="no number on the card"))
        return self._by_certificate("02", number.upper())

    def _by_evoucher(self, qr: str) -> PatientCard:
        try:
            out = self.link.call(self.infno("evoucher"), {"data": {
                "ecQrCode": qr, "businessType": "02121", "orgId": self.config.institution,
                "operatorId": self.config.operator, "operatorName": "自助终端"}})
        except KioskRefused as exc:
            if "expired" in exc.err_msg or "过期" in exc.err_msg:
                raise KioskError(message("kiosk.id.expired")) from None
            raise KioskError(message("kiosk.id.invalid", reason=exc.err_msg, reason_en=exc.err_msg)) from None
        data = out.get("data") or {}
        if isinstance(data, str):
            data = json.loads(data)
        return self._by_certificate("01", str(data["ecToken"]))

    def _by_certificate(self, cert_type: str, cert_no: str) -> PatientCard:
        try:
            out = self.link.call(self.infno("person"), person_input(cert_type, cert_no))
        except KioskRefused as exc:
            if "ecToken expired" in exc.err_msg:
                raise KioskError(message("kiosk.id.expired")) from None
            raise KioskError(message("kiosk.id.not_found", window=self.config.window_no)) from None
        try:
            psn_no = parse_person(out).person.person_no
            found = identified(out, self.link.call(self.infno("registrations"), {"data": {"psn_no": psn_no}}))
        except TransactionFormatError as exc:
            raise KioskError(message("kiosk.id.invalid", reason=str(exc), reason_en=str(exc))) from None
        person, names = found.person, dict(found.disease_names)
        try:
            cum = self.link.call(self.infno("cumulative"), {"data": {"psn_no": psn_no}}).get("cuminfo") or []
        except KioskRefused:
            cum = []
        quotas = tuple(QuotaView(str(c["scheme"]), str(c["period"]), money(c["cap_total"]), money(c["cum_fund_pay"]),
                                 money(c["cap_left"])) for c in cum)
        day = self.today()
        hist = self.link.call(self.infno("drug_history"), {"data": {
            "psn_no": psn_no, "begntime": (day - dt.timedelta(days=400)).isoformat(),
            "endtime": day.isoformat()}}).get("feedetail") or []
        return self._card(person, names, quotas, hist, cert_type, cert_no)

    def _card(self, person: Person, names: dict[str, str], quotas: tuple[QuotaView, ...], hist: list[dict],
              cert_type: str, cert_no: str) -> PatientCard:
        day = self.today()
        regs, warnings = [], []
        for r in person.registrations:
            days_left = (r.end - day).days if r.end else None
            name = names.get(r.disease, r.disease)
            regs.append(RegistrationView(r.scheme.value, r.disease, name, r.begin, r.end, r.active_on(day), days_left))
        by_chain: dict[str, list[tuple[dt.date, int]]] = {}
        drug_names: dict[str, str] = {}
        for h in hist:
            if str(h.get("refd_setl_flag", "0")) != "0":
                continue
            chain = str(h.get("chain_key") or "")
            by_chain.setdefault(chain, []).append((dt.date.fromisoformat(str(h["setl_time"])[:10]), int(h["prd_days"])))
            drug_names.setdefault(chain, str(h.get("drug_name") or chain))
        refills = []
        for chain, fills in by_chain.items():
            end, _ = chain_supply(fills, day)
            if end is None or end < day - dt.timedelta(days=30):
                continue
            nxt = end - dt.timedelta(days=self.profile.refill_window_days)
            refills.append(RefillView(drug_names[chain], chain, max(d for d, _ in fills), end, nxt))
        return PatientCard(
            person=person, masked_id=mask_id(person.id_number),
            insurance_type=person.insurance_type, status=person.status, registrations=tuple(regs),
            quotas=quotas, refills=tuple(sorted(refills, key=lambda r: r.next_allowed)), warnings=tuple(warnings),
            online=True, cert_type=cert_type, cert_no=cert_no,
        )

    # ---- history and statement -------------------------------------------------------------------------
    def _period(self, since: dt.date, until: dt.date) -> None:
        if until < since:
            raise KioskError(message("kiosk.statement.period", detail="结束日期早于开始日期"))
        if until > self.today():
            raise KioskError(message("kiosk.statement.period", detail="结束日期晚于今天"))
        if (until - since).days > self.config.statement_max_days:
            raise KioskError(message("kiosk.statement.too_long", days=self.config.statement_max_days))

    def history(self, card: PatientCard, since: dt.date, until: dt.date) -> tuple[SettlementView, ...]:
        self._need("history")
        self._period(since, until)
        psn_no = card.person.person_no
        hist = self.link.call(self.infno("drug_history"), {"data": {
            "psn_no": psn_no, "begntime": since.isoformat(), "endtime": until.isoformat()}}).get("feedetail") or []
        drugs: dict[str, list[str]] = {}
        for h in hist:
            sid = str(h.get("setl_id") or "")
            if sid:
                drugs.setdefault(sid, []).append(str(h.get("drug_name") or h.get("medins_list_codg") or ""))
        rows = []
        for sid, names in drugs.items():
            s = self.link.call(self.infno("settlement_info"), {"data": {"psn_no": psn_no, "setl_id": sid}})["setlinfo"]
            ext = s.get("expContent") or {}
            rows.append(SettlementView(
                setl_id=sid, when=dt.datetime.strptime(str(s["setl_time"])[:19], "%Y-%m-%d %H:%M:%S"),
                facility_code=str(s.get("fixmedins_code") or ""), facility_name=str(s.get("fixmedins_name") or ""),
                drugs=tuple(dict.fromkeys(n for n in names if n)), scheme=str(ext.get("scheme") or ""),
                total=money(s["medfee_sumamt"]), fund=money(s.get("fund_pay_sumamt") or s.get("hifp_pay") or "0"),
                personal=money(s.get("psn_part_amt") or s.get("psn_pay") or "0"),
                reversed=str(s.get("refd_setl_flag") or "0") == "1"))
        return tuple(sorted(rows, key=lambda r: (r.when, r.setl_id), reverse=True))

    def statement(self, card: PatientCard, since: dt.date, until: dt.date) -> Statement:
        self._need("statement.print")
        rows = self.history(card, since, until)
        valid = [r for r in rows if not r.reversed]
        now = dt.datetime.now(CST).replace(tzinfo=None, microsecond=0)
        return Statement(
            person_name=card.person.name, masked_id=card.masked_id, insurance_type=card.insurance_type,
            since=since, until=until, rows=rows, count=len(valid),
            total=sum((r.total for r in valid), Decimal("0.00")), fund=sum((r.fund for r in valid), Decimal("0.00")),
            personal=sum((r.personal for r in valid), Decimal("0.00")), printed_at=now,
            institution_name=self.config.institution_name, terminal_id=self.config.terminal_id,
            statement_no=f"{self.config.terminal_id}-{now:%Y%m%d%H%M%S}",
            lifestyle=statement_lifestyle(self, card),
        )

    # ---- prescriptions and paying ----------------------------------------------------------------------
    def prescriptions(self, card: PatientCard) -> list[RxSummary]:
        self._need("prescriptions")
        rows = self.link.call(self.infno("prescriptions"), {"data": {"psn_no": card.person.person_no}}).get("data") or []
        return [RxSummary(str(r["hi_rxno"]), str(r.get("rx_trace_code") or ""), str(r.get("fixmedins_code") or ""),
                          str(r.get("prsc_time") or ""), str(r.get("valid_end_date") or ""), str(r.get("rx_stas") or ""),
                          str(r.get("psn_no") or "")) for r in rows if r.get("rx_stas") == "uploaded"]

    def pay_own_share(self, card: PatientCard, rx: RxSummary) -> dict:
        """PROVISIONAL: the centre has no self-pay transaction yet (capabilities().pay_own_share is False and
        the shell says "pay at the pharmacy or window N"). When a centre offers one, its number goes in
        kiosk.json infno.pay_own_share and its output is returned as it comes."""
        self._need("pay.own_share")
        if not self.capabilities().pay_own_share:
            raise KioskError(message("kiosk.pay.unsupported", window=self.config.window_no))
        return self.link.call(self.infno("pay_own_share"), {"data": {
            "psn_no": card.person.person_no, "hi_rxno": rx.rx_id, "mdtrt_cert_type": card.cert_type,
            "mdtrt_cert_no": card.cert_no}})

    # ---- registration applications ---------------------------------------------------------------------
    def applications(self, card: PatientCard) -> list[ApplicationView]:
        """The person's registration applications (2514), newest first, with their steps."""
        self._need("application.status")
        if not self.capabilities().application_status:
            raise KioskError(message("kiosk.application.unsupported", window=self.config.window_no))
        out = self.link.call(self.infno("application_status"), {"data": {"psn_no": card.person.person_no}})
        return [self._application(a) for a in out.get("applications") or [] if isinstance(a, dict)]

    @staticmethod
    def _application(a: dict) -> ApplicationView:
        diseases = "、".join(str(d.get("name") or d.get("code") or "") for d in a.get("diseases") or [])
        steps = tuple(f"{str(x.get('at') or '')[:10]} {x.get('step_name') or x.get('step')}" for x in a.get("steps") or [])
        return ApplicationView(
            application_no=str(a.get("app_no") or ""), scheme=str(a.get("scheme") or ""), diseases=diseases,
            status=str(a.get("status") or ""), status_name=str(a.get("status_name") or a.get("status") or ""),
            created_on=str(a.get("created_at") or "")[:10], steps=steps,
            effective_from=str(a.get("effective_from") or ""),
            evidence=sum(1 for e in a.get("evidence") or [] if e.get("complete")))

    def start_application(self, card: PatientCard, disease: str, photo_jpeg: bytes) -> ApplicationView:
        """Start a 两病 (LB) registration application (2510, source kiosk) and attach the photo of the diagnosis
        (2511, in parts). The application stays a draft: the clerk at the window adds the diagnosing doctor
        and submits it (a 两病 registration rests on a qualified doctor's diagnosis)."""
        self._need("application.start")
        if disease not in LB_DIAGNOSIS:
            raise KioskForbidden(message("kiosk.forbidden", window=self.config.window_no))
        if not photo_jpeg:
            raise KioskError(message("kiosk.application.no_photo"))
        size_kb = len(photo_jpeg) // 1024
        if size_kb > PHOTO_LIMIT_KB:
            raise KioskError(message("kiosk.application.photo_too_large", size=size_kb, limit=PHOTO_LIMIT_KB))
        caps = self.capabilities()
        if not (caps.application_submit and caps.application_evidence):
            raise KioskError(message("kiosk.application.unsupported", window=self.config.window_no))
        diag_code, diag_name = LB_DIAGNOSIS[disease]
        out = self.link.call(self.infno("application_submit"), {"data": {
            "psn_no": card.person.person_no, "scheme": "LB", "source": "kiosk",
            "diseases": [{"opsp_dise_code": disease, "diag_code": diag_code, "diag_name": diag_name}]}})
        app_no = str((out.get("application") or {}).get("app_no") or "")
        import base64
        import hashlib

        digest = hashlib.sha256(photo_jpeg).hexdigest()
        parts = [photo_jpeg[i:i + EVIDENCE_PART_BYTES] for i in range(0, len(photo_jpeg), EVIDENCE_PART_BYTES)]
        for no, chunk in enumerate(parts, start=1):
            self.link.call(self.infno("application_evidence"), {"data": {
                "app_no": app_no, "kind": "diagnosis", "filename": f"kiosk-diagnosis-{disease}.jpg", "mime": "image/jpeg",
                "sha256": digest, "size": len(photo_jpeg), "part": no, "parts": len(parts),
                "data": base64.b64encode(chunk).decode("ascii")}})
        mine = [a for a in self.applications(card) if a.application_no == app_no]
        return mine[0] if mine else ApplicationView(app_no, "LB", disease, "draft", "待提交", self.today().isoformat())


SCHEME_NAME = {"LB": ("两病", "hypertension/diabetes (两病)"), "MT": ("门诊慢特病", "chronic/special disease (门诊慢特病)")}
DISEASE_EN = {"HTN": "hypertension", "DM": "diabetes"}


def _without_suffix(name: str, scheme_zh: str) -> str:
    """"高血压(两病)" -> "高血压" where the scheme is said already."""
    for suffix in (f"({scheme_zh})", f"（{scheme_zh}）"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def quota_title(card: PatientCard, quota: QuotaView) -> Message:
    """What one quota row is for: its scheme, every disease the person is registered for under that scheme (the
    cap is one for all of them: a person with both 两病 diseases has one 两病 quota, and it must name both),
    and the period. "两病：高血压、糖尿病　2026 年度" / "hypertension/diabetes (两病): hypertension, diabetes — 2026"."""
    regs = [r for r in card.registrations if r.scheme == quota.scheme]
    regs = [r for r in regs if r.active] or regs
    scheme_zh, scheme_en = SCHEME_NAME.get(quota.scheme, (quota.scheme, quota.scheme))
    zh_names = list(dict.fromkeys(_without_suffix(r.disease_name or r.disease, scheme_zh) for r in regs))
    en_names = list(dict.fromkeys(DISEASE_EN.get(r.disease, r.disease_name or r.disease) for r in regs))
    period = quota.period
    period_zh = f"{period} 年度" if len(period) == 4 and period.isdigit() else period
    zh = f"{scheme_zh}：{'、'.join(zh_names)}　{period_zh}" if zh_names else f"{scheme_zh}　{period_zh}"
    en = f"{scheme_en}: {', '.join(en_names)} — {period}" if en_names else f"{scheme_en} — {period}"
    return Message("kiosk.quota.title", zh, en)


def period_presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(Chinese label, since, until) for the statement screen: no typing needed for the usual periods."""
    def months_back(n: int) -> dt.date:
        y, m = today.year, today.month - n
        while m <= 0:
            y, m = y - 1, m + 12
        return dt.date(y, m, min(today.day, 28))

    return [
        ("近1个月", months_back(1), today),
        ("近3个月", months_back(3), today),
        ("近6个月", months_back(6), today),
        (f"{today.year}年全年", dt.date(today.year, 1, 1), today),
        (f"{today.year - 1}年全年", dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    ]


def hash_code(code: str) -> str:
    from core.services.auth import hash_secret

    if not (code.isdigit() and 6 <= len(code) <= 12):
        raise ValueError("a supervisor code is 6 to 12 digits")
    return hash_secret(code)


def with_code(config: KioskConfig, code: str) -> KioskConfig:
    return replace(config, supervisor_code_hash=hash_code(code))


__all__ = [
    "ApplicationView", "Capabilities", "DEFAULT_INFNO", "KIOSK_ACTIONS", "KIOSK_ROLE", "KioskConfig", "KioskError",
    "KioskForbidden", "KioskLink", "KioskOffline", "KioskRefused", "KioskService", "LB_DIAGNOSIS", "SettlementView",
    "Statement",
    "hash_code", "lb_apply_options", "period_presets", "quota_title", "with_code",
]
