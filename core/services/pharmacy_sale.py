"""The sale at the dispensing desk as values, and the per-scan check of a box's code. Pure: no Qt, no SQL.

A Sale is the patient, the prescription lines and the codes scanned so far; every change returns a new Sale
(`with_code`, `without_code`, `with_uncoded`, `with_ack`), so a screen can hold one and a worker can read a
snapshot safely. `check_scan(sale, text, lookups)` decides within a millisecond what one scan means for the
sale — which line it belongs to, or why it is refused — in words for the pharmacist (Chinese and English):

  format            classify(): a 20-digit 码上放心 code or a GS1 element string; a commodity barcode gets
                    "this is the commodity barcode; scan the traceability code"
  product           the code's first 7 digits (GS1: the GTIN) must be a line's product; the scan goes to the
                    line of that product, whichever line has focus
  basket            the same code twice in this sale is refused
  sold before       a live sale of the code on this terminal (lookups.sold) refuses it — unless the line is
                    拆零 and the opened box still holds enough units (lookups.open_box)
  count             one code per box: a line whose boxes all have codes refuses another
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from core.codes import Kind, classify
from core.domain import Drug, Sig
from core.i18n import Message, message
from core.policy.calculator import line_amounts
from core.pos.goods import GoodsLine

OK, WARN, BAD = "ok", "warn", "bad"


@dataclass(frozen=True)
class SaleLine:
    no: int
    drug: Drug
    qty: int  # boxes; units of one opened box when split
    days: int
    dose_text: str = ""
    sig: Sig | None = None
    split: bool = False
    codes: tuple[str, ...] = ()
    uncoded_batch: str | None = None  # picked from the 无码库 (stock bought before the code rule)
    med_list_codg: str = ""
    tone: str = ""  # "" = no scan yet; ok / warn / bad after the last scan on this line
    note: Message | None = None  # the reason shown on the line
    rx_qty: int = 0  # the prescription's count once the desk changed qty (quick keys, core.services.desk.quick); 0: qty

    @property
    def uncoded(self) -> bool:
        return self.uncoded_batch is not None

    @property
    def codes_wanted(self) -> int:
        if self.uncoded:
            return 0
        return 1 if self.split else self.qty

    @property
    def complete(self) -> bool:
        return self.uncoded or len(self.codes) == self.codes_wanted

    @property
    def amount(self) -> Decimal:
        return line_amounts(self.drug, self.qty, self.split, False).amount

    @property
    def units(self) -> int:
        return self.qty if self.split else self.qty * self.drug.pack_size

    @property
    def state(self) -> str:
        """waiting (no code yet), partial, complete, uncoded."""
        if self.uncoded:
            return "uncoded"
        if not self.codes:
            return "waiting"
        return "complete" if self.complete else "partial"


def _unrefused(line: SaleLine) -> SaleLine:
    """The line as its codes say, without the mark of a refused scan."""
    if line.tone != BAD:
        return line
    if line.uncoded:
        return replace(line, tone=WARN, note=message("desk.line.uncoded", batch=line.uncoded_batch))
    return replace(line, tone={"complete": OK, "partial": WARN}.get(line.state, ""), note=None)


@dataclass(frozen=True)
class Sale:
    sale_id: str  # local id of the basket (the 2102 msgid is made when settling)
    person_no: str
    person_name: str
    scheme: str  # LB / MT
    med_type: str
    diagnoses: tuple[str, ...]
    rx_id: str
    rx_date: dt.date
    rx_valid_until: dt.date | None
    rx_kind: str
    long_rx_confirmed: bool
    lines: tuple[SaleLine, ...]
    insurance_type: str = ""
    cert_type: str = ""
    cert_no: str = ""
    acks: frozenset[tuple[str, int | None]] = frozenset()
    issuer: str = ""
    doctor: str = ""
    lifestyle: tuple[str, ...] = ()  # short form of the prescription's lifestyle half (双处方), for the receipt
    # the 审方/核对 pharmacists of the sale's trail (core.services.desk.trail): phar_name, phar_prac_cert_no,
    # phar_chk_name … as the 3505 upload names them
    pharmacists: tuple[tuple[str, str], ...] = ()
    # paying from personal accounts (issue 17), chosen at the pay step: the own account (an exact amount, or as much
    # as the centre's balance allows when None) and/or a bound holder's account (共济, the holder's psn_no)
    account_use: bool = False
    account_amount: Decimal | None = None
    mulaid_psn_no: str = ""
    # non-insured goods scanned into the same sale by commodity barcode (core.pos.goods.GoodsLine): a local part
    # paid at the desk, never sent to the centre
    goods: tuple[GoodsLine, ...] = ()

    @property
    def goods_total(self) -> Decimal:
        return sum((g.amount for g in self.goods), Decimal("0.00"))

    def line(self, no: int) -> SaleLine:
        return next(l for l in self.lines if l.no == no)

    @property
    def total(self) -> Decimal:
        return sum((l.amount for l in self.lines), Decimal("0.00"))

    @property
    def all_codes(self) -> list[str]:
        return [c for l in self.lines for c in l.codes]

    @property
    def complete(self) -> bool:
        return all(l.complete for l in self.lines)

    def _with_line(self, line: SaleLine) -> "Sale":
        return replace(self, lines=tuple(line if l.no == line.no else l for l in self.lines), acks=frozenset())

    def with_code(self, no: int, code: str, tone: str, note: Message | None) -> "Sale":
        """A box's code added to line `no`; a refusal shown on another line is over (it was about that scan)."""
        line = self.line(no)
        sale = self._with_line(replace(line, codes=line.codes + (code,), tone=tone, note=note))
        return replace(sale, lines=tuple(_unrefused(l) if l.no != no else l for l in sale.lines))

    def with_refusal(self, no: int | None, note: Message) -> "Sale":
        """A refused scan marks the line it concerns until the next accepted scan — unless the line is
        complete: the refusal says nothing about it then (the message line says it; a finished line stays green)."""
        if no is None or self.line(no).complete:
            return self
        return replace(self, lines=tuple(replace(l, tone=BAD, note=note) if l.no == no else l for l in self.lines))

    def without_code(self, no: int, code: str) -> "Sale":
        line = self.line(no)
        codes = tuple(c for c in line.codes if c != code)
        return self._with_line(replace(line, codes=codes, tone="" if not codes else line.tone, note=None))

    def with_uncoded(self, no: int, batch: str | None) -> "Sale":
        line = self.line(no)
        note = message("desk.line.uncoded", batch=batch) if batch else None
        return self._with_line(replace(line, uncoded_batch=batch, codes=(), tone=WARN if batch else "", note=note))

    def with_split(self, no: int, units: int | None) -> "Sale":
        """拆零: sell `units` from one opened box (None: back to whole boxes of the prescription)."""
        line = self.line(no)
        if units is None:
            boxes = max(1, -(-line.qty // line.drug.pack_size)) if line.split else line.qty
            return self._with_line(replace(line, split=False, qty=boxes, codes=(), tone="", note=None))
        return self._with_line(replace(line, split=True, qty=units, codes=(), tone="", note=None))

    def with_ack(self, rule: str, line: int | None) -> "Sale":
        return replace(self, acks=self.acks | {(rule, line)})


@dataclass(frozen=True)
class SoldBefore:
    """A live (not reversed) sale of a code known on this terminal."""

    receipt_no: str
    date: dt.date
    units: int
    split: bool


@dataclass(frozen=True)
class OpenBox:
    code: str
    drug_key: str
    pack_size: int
    units_left: int


@dataclass(frozen=True)
class Lookups:
    sold: Callable[[str], list[SoldBefore]] = lambda code: []
    open_box: Callable[[str], OpenBox | None] = lambda code: None
    # the stock ledger's word on a box (core.services.stock.SaleBoxCheck: level PASS/WARN/BLOCK, message, FEFO
    # hint), None when the pharmacy keeps no stock ledger
    stock: Callable[[str], Any] = lambda code: None


@dataclass(frozen=True)
class CodeCheck:
    text: str
    code: str  # normalised code ("" when the scan is not a box code)
    kind: str
    line: int | None  # the line the code went to (accepted) or concerns (refused)
    accepted: bool
    tone: str
    reason: Message
    units_left_after: int | None = None  # 拆零: what stays in the opened box after this sale
    extra: dict = field(default_factory=dict)


def _product_key(result) -> tuple[str, str] | None:
    if result.kind is Kind.TRACE_CODE and result.valid:
        return "trace", result.fields["product_prefix"]
    if result.kind is Kind.GS1 and result.valid and result.fields.get("gtin"):
        return "gs1", result.fields["gtin"]
    return None


def _line_matches(line: SaleLine, form: str, key: str) -> bool:
    if form == "trace":
        return bool(line.drug.trace_prefix) and line.drug.trace_prefix == key
    return bool(line.drug.barcode) and line.drug.barcode.zfill(14) == key


def check_scan(sale: Sale, text: str, lookups: Lookups = Lookups(), *, focus_line: int | None = None) -> CodeCheck:
    """What one scan means for `sale` (see the module docstring). Never raises on bad input."""
    result = classify(text)
    kind = result.kind.value
    if result.kind is Kind.COMMODITY_BARCODE:
        return CodeCheck(text, "", kind, focus_line, False, BAD, message("desk.scan.commodity"))
    if result.kind not in (Kind.TRACE_CODE, Kind.GS1):
        return CodeCheck(text, "", kind, focus_line, False, BAD,
                         message("desk.scan.not_a_box", kind=result.kind_label.zh, kind_en=result.kind_label.en))
    code = result.text
    if not result.valid:
        reason = result.error or message("codes.unrecognised")
        return CodeCheck(text, code, kind, focus_line, False, BAD,
                         message("desk.scan.malformed", reason=reason.zh, reason_en=reason.en))
    product = _product_key(result)
    if product is None:  # a valid GS1 string naming no product (a GIAI, a GSRN…): not a box's code
        return CodeCheck(text, code, kind, focus_line, False, BAD,
                         message("desk.scan.not_a_box", kind=result.kind_label.zh, kind_en=result.kind_label.en))
    form, key = product
    candidates = [l for l in sale.lines if _line_matches(l, form, key)]
    if not candidates:
        return CodeCheck(text, code, kind, focus_line, False, BAD, message("desk.scan.other_product", prefix=key))
    for line in sale.lines:
        if code in line.codes:
            return CodeCheck(text, code, kind, line.no, False, BAD, message("desk.scan.twice", line=line.no))
    # The focused line when it is the product's, else the first of its lines still missing codes.
    open_lines = [l for l in candidates if not l.complete]
    target = next((l for l in open_lines if l.no == focus_line), open_lines[0] if open_lines else None)
    if target is None:
        line = candidates[0]
        return CodeCheck(text, code, kind, line.no, False, BAD,
                         message("desk.scan.line_full", line=line.no, n=line.codes_wanted))
    sold = lookups.sold(code)
    if target.split:
        box = lookups.open_box(code)
        whole = [s for s in sold if not s.split]
        if whole:
            s = whole[0]
            return CodeCheck(text, code, kind, target.no, False, BAD,
                             message("desk.scan.sold", receipt=s.receipt_no, date=s.date.isoformat()))
        left = box.units_left if box is not None else target.drug.pack_size - sum(s.units for s in sold)
        if target.qty > left:
            return CodeCheck(text, code, kind, target.no, False, BAD,
                             message("desk.scan.box_short", left=left, want=target.qty, unit=target.drug.unit))
        after = left - target.qty
        reason = message("desk.scan.split_ok", n=target.qty, left=after, unit=target.drug.unit)
        return _with_stock(CodeCheck(text, code, kind, target.no, True, OK, reason, units_left_after=after), lookups)
    if sold:
        s = sold[0]
        key_ = "desk.scan.sold_split" if s.split else "desk.scan.sold"
        return CodeCheck(text, code, kind, target.no, False, BAD,
                         message(key_, receipt=s.receipt_no, date=s.date.isoformat()))
    have = len(target.codes) + 1
    if have == target.codes_wanted:
        reason = message("desk.scan.ok_complete", n=have, want=target.codes_wanted)
        return _with_stock(CodeCheck(text, code, kind, target.no, True, OK, reason), lookups)
    reason = message("desk.scan.ok_partial", n=have, want=target.codes_wanted)
    return _with_stock(CodeCheck(text, code, kind, target.no, True, WARN, reason), lookups)


def _with_stock(check: CodeCheck, lookups: Lookups) -> CodeCheck:
    """The stock ledger's verdict on an accepted box: BLOCK refuses it (expired; not in stock where the site says
    so), WARN keeps it in amber with the reason (未入库的药品, near expiry), a FEFO hint rides along."""
    verdict = lookups.stock(check.code)
    if verdict is None or (verdict.level == "PASS" and not verdict.fefo_hint):
        return check
    hint_zh = f"；{verdict.fefo_hint}" if verdict.fefo_hint else ""
    if verdict.level == "PASS":
        return replace(check, extra={**check.extra, "fefo_hint": verdict.fefo_hint})
    reason = Message("desk.scan.stock", f"{verdict.message_zh}{hint_zh}", verdict.message_en)
    extra = {**check.extra, "stock": verdict.level, "fefo_hint": verdict.fefo_hint}
    if verdict.level == "BLOCK":
        return replace(check, accepted=False, tone=BAD, reason=reason, extra=extra, units_left_after=None)
    return replace(check, tone=WARN, reason=reason, extra=extra)


def apply_check(sale: Sale, check: CodeCheck) -> Sale:
    """The sale after a check: the code added to its line, or the line marked with the refusal."""
    if check.accepted and check.line is not None:
        return sale.with_code(check.line, check.code, check.tone, check.reason)
    return sale.with_refusal(check.line, check.reason)


def cash_due(personal: Decimal, account: Decimal, balance: Decimal) -> tuple[Decimal, Decimal]:
    """(account actually used, cash due) for a personal share: the account pays at most its balance and the share."""
    used = max(Decimal("0.00"), min(account, personal, balance))
    return used, personal - used


def change_for(due: Decimal, tendered: Decimal) -> Decimal | None:
    """Change to give back, or None when the cash given does not cover what is due."""
    if tendered < due:
        return None
    return tendered - due


__all__ = ["BAD", "OK", "WARN", "cash_due", "change_for", "CodeCheck", "Lookups", "OpenBox", "Sale", "SaleLine", "SoldBefore", "apply_check",
           "check_scan"]
