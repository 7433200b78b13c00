"""Decisions of the desk, as pure functions over values (no Qt, no SQL): what keeps a sale from being settled,
whether a box is reserved by a held sale (挂单), what a return gives back per tender, whether a shift may close.
The shell asks these and shows the answer; it decides nothing itself.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.i18n import Message, message
from core.pos.refunds import carry_over, estimate_personal, goods_back, kept_share
from core.pos.tenders import NAME_ZH, Kind, Paid, TenderError, mask_reference
from core.services.pharmacy_sale import Sale
from core.services.ports import AuditView, SaleRecord

Z = Decimal("0.00")


def settle_blockers(sale: Sale | None, view: AuditView | None, *, card_online: bool, shift_open: bool) -> list[Message]:
    """Why `sale` cannot be settled now (empty: it can): codes missing, no verdict yet, a BLOCK, warnings not
    acknowledged, no pre-settlement by the centre (offline, or still asking), no shift open."""
    if sale is None:
        return [message("desk.scan.no_sale")]
    if not sale.lines:  # an ordinary purchase before its first box (core.services.desk.ordinary)
        return [message("desk.ordinary.empty")] + ([] if shift_open else [message("desk.shift.none")])
    why = []
    missing = [l for l in sale.lines if not l.complete]
    if missing:
        why.append(message("desk.audit.incomplete", n=len(missing)))
    if view is None:
        if not missing:
            why.append(message("desk.audit.pending"))
    elif view.verdict == "BLOCK":
        why.append(message("desk.audit.blocked"))
    else:
        pending = [h for h in view.warns() if (h.rule, h.line) not in sale.acks]
        if pending:
            why.append(message("desk.audit.ack_needed", n=len(pending)))
        if view.source != "centre" and not missing:
            why.append(message("desk.audit.offline") if not card_online else message("desk.audit.pending"))
    if not shift_open:
        why.append(message("desk.shift.none"))
    return why


@dataclass(frozen=True)
class Held:
    """A sale put aside (挂单) with its number on this desk; its boxes stay reserved for it."""

    no: int
    card: object  # the PatientCard the sale was opened for
    sale: Sale
    rxs: tuple = ()  # the patient's e-prescriptions as listed when the sale was put aside
    # read back from the store with its recalled mark: it was on the desk, taken back to settle, when the program
    # stopped (a crash, a kill, a restart) — neither settled nor discarded; the list says so
    recalled: bool = False


def held_with(code: str, held: Iterable[Held], *, besides: str | None = None) -> Held | None:
    """The held sale (other than sale `besides`) one of whose lines already holds box `code`."""
    for h in held:
        if h.sale.sale_id != besides and code in h.sale.all_codes:
            return h
    return None


def close_blockers(held: Sequence[Held]) -> list[Message]:
    """Why the shift may not close as it stands: held sales still reserve boxes (a supervisor may release them)."""
    if held:
        return [message("desk.shift.held", n=len(held), nos="、".join(str(h.no) for h in held))]
    return []


@dataclass(frozen=True)
class Refund:
    """What a return gives back, per tender. A whole return is exact; returning some lines cancels the whole
    settlement and settles the kept lines again, paid on by the original tenders (core.pos.refunds): what goes
    back is estimated here (the kept lines' personal share from the sale's 2102 line detail, else in proportion),
    the centre's figures decide."""

    whole: bool
    fund: Decimal  # back to the fund (the centre's side)
    account: Decimal  # back to the personal account
    cash: Decimal  # cash out of the drawer before the kept lines are paid again
    kept_lines: int
    kept_amount: Decimal  # what the kept lines cost (settled again)
    tenders: tuple[Paid, ...] | None = None  # what goes back to each tender (None: a sale without its tenders)
    goods_only: Decimal | None = None  # goods lines back on their own: their amount (the insured part stays)

    def text(self) -> Message:
        if self.goods_only is not None:
            listed = tenders_text(self.tenders or ())
            return message("desk.ret.refund_goods", amount=f"{self.goods_only:.2f}", tenders=listed.zh,
                           tenders_en=listed.en)
        if self.tenders is not None:
            listed = tenders_text(self.tenders)
            if self.whole:
                return message("desk.ret.refund_tenders", tenders=listed.zh, tenders_en=listed.en,
                               fund=f"{self.fund:.2f}")
            return message("desk.ret.refund_tenders_partial", tenders=listed.zh, tenders_en=listed.en,
                           n=self.kept_lines, kept=f"{self.kept_amount:.2f}")
        if self.whole:
            return message("desk.ret.refund_whole", cash=f"{self.cash:.2f}", account=f"{self.account:.2f}",
                           fund=f"{self.fund:.2f}")
        return message("desk.ret.refund_partial", cash=f"{self.cash:.2f}", account=f"{self.account:.2f}",
                       fund=f"{self.fund:.2f}", n=self.kept_lines, kept=f"{self.kept_amount:.2f}")


def tenders_text(back: Iterable[Paid]) -> Message:
    """"微信支付 2.40 元（凭证号 4200****123456），现金 5.60 元": what goes back, tender by tender."""
    zh, en = [], []
    for p in back:
        ref = f"（凭证号 {mask_reference(p.reference)}）" if p.reference else ""
        zh.append(f"{NAME_ZH[p.kind]} {p.kept:.2f} 元{ref}")
        en.append(f"{p.kind.value} {p.kept:.2f}" + (f" (slip {mask_reference(p.reference)})" if p.reference else ""))
    return Message("desk.ret.tenders", "，".join(zh) or "无", ", ".join(en) or "nothing")


def returnable(record: SaleRecord | None) -> bool:
    """A sale the desk may return now: a sale (not a return), settled at the centre (a provisional one waits
    for the centre's answer; a returned one is done)."""
    return record is not None and record.kind == "sale" and record.status == "settled"


def refund_for(record: SaleRecord, chosen: Iterable[int], goods: Iterable[int] | None = None) -> Refund | None:
    """What returning lines `chosen` of `record` (and its goods lines `goods`; None: the goods go with the sale)
    gives back (None when nothing valid is chosen or the sale cannot be returned that way)."""
    if not returnable(record):
        return None
    numbers = {l["line"] for l in record.lines}
    picked = set(chosen) & numbers
    open_goods = {g.get("line", i): Decimal(g["amount"]) for i, g in enumerate(record.goods, start=1)
                  if not g.get("returned")}
    back_goods = set(goods or ())
    if not back_goods <= set(open_goods):
        return None
    paid = tuple(Paid(Kind(p["kind"]), Decimal(p["kept"]), p.get("reference") or "") for p in record.tenders)
    if not picked and back_goods:  # goods on their own (Returns.return_goods): exact, the insured part stays
        if not paid:
            return None
        try:
            plan = goods_back(paid, [(n, a, False) for n, a in open_goods.items()], sorted(back_goods))
        except TenderError:
            return None
        return Refund(False, Z, Z, Z, len(record.lines), Z, plan.back, plan.amount)
    if not picked:
        return None
    if goods is not None and picked == numbers and set(open_goods) - back_goods:
        return None  # every drug line back but goods kept: refused by Returns.return_sale
    kept = [l for l in record.lines if l["line"] not in picked]
    kept_amount = sum((Decimal(str(l.get("amount") or "0")) for l in kept), Z)
    back: tuple[Paid, ...] | None = None
    if paid:
        kept_goods = sum((a for n, a in open_goods.items() if n not in back_goods), Z) if kept else Z
        positions = {i for i, l in enumerate(record.lines) if l["line"] not in picked}
        share = kept_share(record.answer, positions) if kept else Z
        personal = share if share is not None else estimate_personal(record.personal, record.total, kept_amount)
        try:
            back = carry_over(paid, personal, kept_goods).back
        except TenderError:  # the kept part cannot be paid by the original tenders: all goes back
            back = carry_over(paid, Z, Z).back
    return Refund(not kept, record.fund, record.account_pay, record.cash_pay, len(kept), kept_amount, back)


def refunded(returned: SaleRecord) -> Message | None:
    """What a done return gave back, tender by tender (None: a return recorded without tenders)."""
    if not returned.tenders:
        return None
    back = tuple(Paid(Kind(p["kind"]), Decimal(p["kept"]), p.get("reference") or "") for p in returned.tenders)
    listed = tenders_text(back)
    return message("desk.ret.refunded_tenders", tenders=listed.zh, tenders_en=listed.en)


def net_refund(original: SaleRecord, kept: SaleRecord | None) -> tuple[Decimal, Decimal]:
    """(account, cash) given back once a return is done: the original payment back, less what the kept lines'
    new settlement collected in cash (it uses no account)."""
    cash = original.cash_pay - (kept.cash_pay if kept is not None else Z)
    account = original.account_pay - (kept.account_pay if kept is not None else Z)
    return account, cash


def lines_with_code(record: SaleRecord, code: str) -> list[int]:
    """The lines of `record` that hold box `code` (a return found by scanning a box ticks only these)."""
    return [l["line"] for l in record.lines if code in (l.get("codes") or ())]


__all__ = ["Held", "Refund", "close_blockers", "held_with", "lines_with_code", "net_refund", "refund_for", "refunded",
           "returnable", "settle_blockers"]
