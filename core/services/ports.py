"""What the pharmacy shell needs from the services, as values and one Protocol.

The screens are built against `DeskPort` (implemented by core.services.pharmacy_desk.PharmacyDesk; tests may
give a fake), and the desk service against `CentreLink` (core.services.sync_link.TerminalCentreLink, an adapter
over the terminal's core.sync transport; settlements go through core.services.checkout, never the link). Every method of DeskPort may block (HTTP, SQLite): the shell calls them through a
worker, never on the UI thread. `check_scan` (memory plus one indexed SQLite read, on the worker's local lane)
is what the 50 ms scan-to-verdict budget measures.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from core.domain import Person
from core.i18n import Message
from core.pos.tenders import Tender
from core.services.auth import Operator
from core.services.pharmacy_sale import CodeCheck, Sale


class CentreLink(Protocol):
    online: bool | None
    last_error: str

    def call(self, infno: str, payload: dict, *, msgid: str | None = None) -> dict: ...
    def new_msgid(self) -> str: ...
    def set_operator(self, user_id: str, name: str) -> None: ...
    def ping(self) -> bool: ...


class DeskError(Exception):
    """A refusal the pharmacist reads: `message` in both languages."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


@dataclass(frozen=True)
class LinkStatus:
    """The status line: online/offline (None: nothing tried yet) and what waits for the centre (the sync
    layer's outbox plus the desk's own follow-ups), with the oldest's age."""

    configured: bool
    online: bool | None
    waiting: int
    oldest_waiting_s: float | None
    detail: str = ""  # the last error while offline
    provisional: int = 0  # offline sales waiting for the centre's confirmation
    alerts: int = 0  # open supervisor alerts (an offline sale the centre adjusted or rejected …)
    summary: str = ""  # the sync layer's one-line summary (Chinese)


@dataclass(frozen=True)
class RegistrationView:
    scheme: str
    disease: str
    disease_name: str
    begin: dt.date
    end: dt.date | None
    active: bool
    days_left: int | None


@dataclass(frozen=True)
class QuotaView:
    scheme: str
    period: str
    cap_total: Decimal
    used: Decimal
    left: Decimal


@dataclass(frozen=True)
class RefillView:
    drug_name: str
    chain_key: str
    last_date: dt.date
    supply_end: dt.date
    next_allowed: dt.date


@dataclass(frozen=True)
class PatientCard:
    person: Person
    masked_id: str
    insurance_type: str
    status: str
    registrations: tuple[RegistrationView, ...]
    quotas: tuple[QuotaView, ...]
    refills: tuple[RefillView, ...]
    warnings: tuple[Message, ...]
    online: bool
    cert_type: str  # 01 e-voucher, 02 ID card, 03 social security card
    cert_no: str  # ecToken / ID number / card number: sent to the centre, never shown
    balance: Decimal = Decimal("0.00")  # personal account
    dispenses: tuple = ()  # DispenseRecord rows from the centre (5205): the local audit's supply history

    @property
    def name(self) -> str:
        return self.person.name


@dataclass(frozen=True)
class RxSummary:
    rx_id: str
    pickup_code: str
    issuer: str
    issued_at: str
    valid_until: str
    status: str
    person_no: str
    # what the list shows before download (7202, issue 19): who prescribed where, the date, and the drug lines
    doctor: str = ""
    issuer_name: str = ""
    rx_date: str = ""
    drugs: tuple[str, ...] = ()  # "苯磺酸氨氯地平片 ×1盒 28天 5mg qd"
    cached: bool = False  # listed from the offline cache (the centre is down)


@dataclass(frozen=True)
class HitView:
    rule: str
    severity: str  # INFO / WARN / BLOCK
    line: int | None
    message: Message
    restricted: bool = False  # a WARN only a supervisor may accept


@dataclass(frozen=True)
class Figures:
    total: Decimal
    fund: Decimal
    personal: Decimal
    full_self_pay: Decimal
    pre_self_pay: Decimal
    cap_total: Decimal | None
    cap_left_before: Decimal | None
    cap_left_after: Decimal | None
    period: str = ""


@dataclass(frozen=True)
class AuditView:
    verdict: str  # PASS / WARN / BLOCK
    hits: tuple[HitView, ...]
    # local: a preview (the local audit); centre: the pre-settlement the settlement will use — the centre's 2101,
    # or with `offline` the local calculation the offline floor limits allow (the sale will be provisional)
    source: str
    figures: Figures | None
    line_verdicts: dict[int, str] = field(default_factory=dict)
    note: Message | None = None
    offline: bool = False

    def warns(self) -> list[HitView]:
        return [h for h in self.hits if h.severity == "WARN"]


@dataclass(frozen=True)
class Payment:
    account: Decimal = Decimal("0.00")
    cash_tendered: Decimal = Decimal("0.00")
    mulaid_psn_no: str = ""  # 共济: the bound holder whose account pays what the own account cannot
    # the desk's own tenders chosen at the pay step (core.pos.tenders.Tender: cash, WeChat, Alipay, UnionPay with
    # the slip's reference); none: cash, `cash_tendered` handed over (the pay step before tenders)
    tenders: tuple[Tender, ...] = ()


@dataclass(frozen=True)
class SaleRecord:
    msgid: str  # the desk's key of the record (the sync sale id; R + it for its return; a 2102 msgid before)
    receipt_no: str
    kind: str
    status: str  # settled / provisional (offline, awaiting the centre) / returned / rejected / unknown / pending …
    person_no: str
    person_name: str
    settled_at: dt.datetime | None
    total: Decimal
    fund: Decimal
    personal: Decimal
    account_pay: Decimal
    cash_pay: Decimal
    change: Decimal
    setl_id: str
    lines: tuple[dict, ...]  # {line, drug_key, drug_name, qty, split, amount, codes[]}
    prints: int = 0
    answer: dict = field(default_factory=dict)  # the centre's 2102 output ({} while provisional)
    offline_no: str = ""  # the offline number of a sale settled provisionally
    sale_id: str = ""  # the sync sale (core.sync) it reads its settlement from
    lifestyle: tuple[str, ...] = ()  # short form of the prescription's lifestyle prescription (printed on the receipt)
    pharmacists: tuple[str, ...] = ()  # 审方/调配/核对 with licence numbers (the desk's trail, issue 19)
    # what paid the sale, or what a return gave back (core.pos.tenders.Paid.to_dict: kind, name, kept, reference …)
    tenders: tuple[dict, ...] = ()
    # the non-insured goods of the sale (its local part): {line, gtin, name, qty, price, discount, amount, returned}
    goods: tuple[dict, ...] = ()
    scheme: str = ""  # LB / MT / OP (an ordinary insured purchase, med_type 41 or 11: core.services.desk.ordinary)


@dataclass(frozen=True)
class ShiftReport:
    shift_id: str
    kind: str  # X / Z
    opened_at: dt.datetime
    opened_by: str
    float_amount: Decimal
    sales: int
    returns: int
    total: Decimal
    fund: Decimal
    personal: Decimal
    account: Decimal
    cash_in: Decimal
    cash_out: Decimal
    expected_cash: Decimal
    counted_cash: Decimal | None = None
    variance: Decimal | None = None
    reconciliation: Message | None = None
    reconciled: bool | None = None
    centre: dict = field(default_factory=dict)
    z_no: int | None = None
    closed_at: dt.datetime | None = None
    closed_by: str = ""
    pending: int = 0  # messages still waiting for the centre (outbox and desk follow-ups)
    hash: str = ""
    provisional: int = 0  # offline sales of the shift the centre has not confirmed yet
    as_of: dt.datetime | None = None  # business time (aware) of the figures: X when made, Z when closed
    # per tender (issue 17): (kind, 中文名, sales count, paid, refunded), every kind the shift used
    tenders: tuple[tuple[str, str, int, Decimal, Decimal], ...] = ()


class DeskPort(Protocol):
    def status(self) -> LinkStatus: ...
    def start(self) -> None: ...
    def set_operator(self, op: Operator) -> None: ...
    def identify(self, text: str) -> PatientCard: ...
    def prescriptions(self, card: PatientCard) -> list[RxSummary]: ...
    def find_pickup(self, card: PatientCard, code: str) -> RxSummary: ...
    def open_sale(self, card: PatientCard, rx_id: str) -> Sale: ...
    def open_ordinary_sale(self, card: PatientCard, med_type: str | None = None) -> Sale: ...  # 41, no prescription
    def check_scan(self, sale: Sale, text: str, focus_line: int | None = None) -> CodeCheck: ...
    def audit(self, sale: Sale, card: PatientCard) -> AuditView: ...
    def pre_settle(self, sale: Sale, card: PatientCard) -> AuditView: ...
    def settle(self, sale: Sale, card: PatientCard, payment: Payment, shift_id: str | None) -> SaleRecord: ...
    def family_holders(self, psn_no: str) -> list[Any]: ...  # 共济 holders (core.services.desk.accounts.FamilyHolder)
    def uncoded_batches(self, drug_key: str) -> list[dict[str, Any]]: ...
    def find_sale(self, ref: str) -> SaleRecord: ...
    def return_sale(self, record: SaleRecord, lines: list[int], shift_id: str | None,
                    goods: list[int] | None = None) -> tuple[SaleRecord, SaleRecord | None]: ...
    def mark_printed(self, msgid: str, reprint: bool, approver: str | None = None) -> int: ...
    def drain(self) -> int: ...
    def check_link(self) -> LinkStatus: ...


__all__ = [
    "AuditView", "CentreLink", "DeskError", "DeskPort", "Figures", "HitView", "LinkStatus", "PatientCard", "Payment",
    "QuotaView", "RefillView", "RegistrationView", "RxSummary", "SaleRecord", "ShiftReport",
]
