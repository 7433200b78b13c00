"""The values the checkout (core.services.checkout.CheckoutService) takes and returns: its refusals
(CheckoutError), how a person is identified, a sale as the cashier sees it, the receipt. Kept apart from the
service so the service stays one readable module."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from core.domain import Registration, fmt
from core.sync.states import SaleState


class CheckoutError(Exception):
    """A refusal the cashier sees: `code` for the program, the reason in Chinese and English."""

    def __init__(self, code: str, message_zh: str, message_en: str, *, sale_id: str | None = None,
                 details: dict | None = None) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code, self.message_zh, self.message_en = code, message_zh, message_en
        self.sale_id = sale_id
        self.details = details or {}


@dataclass(frozen=True)
class Identification:
    """How the person was identified: an e-voucher (its decoded ecToken), an ID card or a social security
    card (with card_sn)."""

    kind: str  # evoucher / id_card / ss_card
    number: str
    card_sn: str = ""

    def normalised(self) -> "Identification":
        number = self.number.strip()
        return replace(self, number=number.upper() if self.kind == "id_card" else number)


@dataclass(frozen=True)
class Identified:
    person_no: str
    name: str
    masked_id: str
    insurance_type: str
    registrations: tuple[Registration, ...]
    online: bool
    identification: Identification
    registration_age_h: float | None
    offline_ok: bool = True
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class SaleView:
    sale_id: str
    state: str
    state_zh: str
    person_no: str
    offline: bool
    offline_no: str | None
    msgid: str | None
    setl_id: str | None
    total: Decimal
    fund: Decimal
    personal: Decimal
    confirmed: bool  # the figures are the centre's
    verdict: str | None
    hits: list[dict]
    reason: str
    alerts: list[dict] = field(default_factory=list)
    centre_output: dict = field(default_factory=dict)  # pre_settle only: the centre's 2101 output node

    @property
    def provisional(self) -> bool:
        return self.state == SaleState.PROVISIONAL.value

    def to_dict(self) -> dict:
        return {"sale_id": self.sale_id, "state": self.state, "state_zh": self.state_zh, "person_no": self.person_no,
                "offline": self.offline, "offline_no": self.offline_no, "msgid": self.msgid, "setl_id": self.setl_id,
                "total": fmt(self.total), "fund": fmt(self.fund), "personal": fmt(self.personal),
                "confirmed": self.confirmed, "verdict": self.verdict, "hits": self.hits, "reason": self.reason,
                "alerts": self.alerts}


@dataclass(frozen=True)
class ReceiptLine:
    drug_key: str
    name: str
    qty: int
    unit: str
    amount: Decimal
    trace_codes: tuple[str, ...]


@dataclass(frozen=True)
class Receipt:
    sale: SaleView
    person_name: str
    masked_id: str
    lines: tuple[ReceiptLine, ...]
    printed_at: str
    copy: bool
    title_zh: str


__all__ = ["CheckoutError", "Identification", "Identified", "Receipt", "ReceiptLine", "SaleView"]
