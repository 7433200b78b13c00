"""Drug lookup at the dispensing desk: find a drug in the desk's own store by pinyin initials, name, national
code, local code, commodity barcode or a scanned trace code, and add it to the sale as a new line.

    lookup = DrugLookup.for_desk(desk)            # the desk's store and benefit profile
    lookup.load()                                 # the in-memory index (core.store.catalogue_search), off the UI thread
    choices = lookup.search("aldp")               # DrugChoice per hit, best first, from the catalogue rows
    sale = add_line(sale, choices[0].drug, days=28)   # qty 1; the scan and audit flow takes it from there

Nothing here decides whether the drug may be sold: the new line goes through the same per-scan check and the
same audit as a prescription line (a health product in an insurance sale is CAT-002, an out-of-catalogue drug
CAT-001, a missing box code TRC-001). A DrugChoice says beforehand what the pharmacist needs to know: spec,
price per pack, reimbursement class or self-pay, the restriction text (限定支付范围), whether each box needs
its trace code.

Speed (100,000 drugs in a SQLite store, 2 shared cores): loading the index 2-3 s, so `load()` runs in a worker
once the desk has synced its catalogue; a search is the index lookup (p99 ~5 ms, core.store.catalogue_search)
plus one primary-key read of the hits' rows (~2 ms for 30). The desk runs searches on a worker lane of their
own and shows only the answer to the latest text, so typing never waits on SQLite or on the audit.

The index is ~100,000 long-lived objects: every full collection of Python's cyclic GC would walk them (measured
~190 ms with the GIL held, i.e. a frozen screen and a missed 50 ms scan-to-verdict budget, several times an
hour). A shell passes `freeze_gc=True`: after each build the index moves to the permanent generation
(gc.freeze), where collections no longer look. Pure apart from the store reads: no Qt.
"""
from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.domain.clock import CST
from core.audit.rules.goods import CATEGORY_ZH
from core.domain import Drug
from core.i18n import Message, message
from core.policy.profile import Profile
from core.services.pharmacy_sale import Sale, SaleLine
from core.store.catalogue import catalogue_signature, get_drugs
from core.store.catalogue_search import CatalogueIndex, CatalogueSearch

DEFAULT_LIMIT = 30
DEFAULT_DAYS = 7  # an added line's days when the sale has no line to take them from
MAX_DAYS = 365
CATEGORY_EN = {"health_food": "health food", "food": "food", "cosmetic": "cosmetic", "daily": "daily goods",
               "device": "device"}


def _today() -> dt.date:
    return dt.datetime.now(CST).date()


@dataclass(frozen=True)
class DrugChoice:
    """One search result: the catalogue row and what the pharmacist needs to see before adding it."""

    drug: Drug
    match: str        # exact / prefix / substring (core.store.catalogue_search)
    field: str        # what matched: name, pinyin_initials, nhsa_code, barcode, trace_prefix, key …
    coverage: Message  # 甲类 / 乙类 (先行自付 n%) / 目录外·全自费 / 非医保商品·自费
    self_pay: bool    # the fund pays nothing for it
    needs_codes: bool  # one trace code per box (trace rules apply to it)
    stock: str = ""  # 在库 n 盒（m 批，最早效期 …） from the stock ledger; "" when the pharmacy keeps none

    @property
    def restriction(self) -> str:
        return self.drug.restriction_text or ""


def coverage(drug: Drug) -> tuple[Message, bool]:
    """The reimbursement class in words, and whether the fund pays nothing (the goods and catalogue rules)."""
    if not drug.is_drug:
        zh = CATEGORY_ZH.get(drug.category, drug.category)
        en = CATEGORY_EN.get(drug.category, drug.category)
        return Message("desk.lookup.goods", f"非医保商品（{zh}），自费", f"not covered ({en}): self-pay"), True
    if drug.drug_class == "甲":
        return Message("desk.lookup.class_a", "甲类", "class A"), False
    if drug.drug_class == "乙":
        ratio = drug.preselfpay_ratio or Decimal("0")
        if ratio > 0:
            pct = f"{(ratio * 100).normalize():f}"
            return Message("desk.lookup.class_b_pre", f"乙类，先行自付 {pct}%", f"class B, {pct}% paid by the patient first"), False
        return Message("desk.lookup.class_b", "乙类", "class B"), False
    label = drug.drug_class or "目录外"
    return Message("desk.lookup.self_pay", f"{label}，全自费", f"not in the catalogue ({drug.drug_class or '-'}): self-pay"), True


def needs_codes(drug: Drug, profile: Profile | None, day: dt.date) -> bool:
    """Whether the trace rules ask for one code per box (core.audit.rules.trace: drugs only, minus the profile's
    exempt categories, from the profile's mandatory date)."""
    if not drug.is_drug:
        return False
    if profile is None:
        return True
    if drug.category in profile.trace_exempt_categories:
        return False
    return day >= dt.date.fromisoformat(profile.trace_mandatory_from)


class DrugLookup:
    """Search the desk's catalogue. Thread-safe: the index is built once (`load`) and read-only afterwards;
    `refresh` rebuilds it when the store's catalogue changed (a sync), while searches go on on the old one."""

    def __init__(self, engine: Engine, profile: Profile | None = None, *, search: CatalogueSearch | None = None,
                 today: Callable[[], dt.date] = _today, freeze_gc: bool = False) -> None:
        self.engine = engine
        self.profile = profile
        self.today = today
        self.freeze_gc = freeze_gc
        self._signature: tuple | None = None
        self._lock = threading.Lock()
        self._search = search or CatalogueSearch(self._build)

    @classmethod
    def for_desk(cls, desk, *, freeze_gc: bool = False) -> "DrugLookup | None":
        """The lookup over a desk's store (PharmacyDesk: `engine`, `profile`); None for a desk without a store."""
        engine = getattr(desk, "engine", None)
        if engine is None:
            return None
        return cls(engine, getattr(desk, "profile", None), freeze_gc=freeze_gc)

    def _build(self) -> CatalogueIndex:
        with Session(self.engine) as s:
            signature = catalogue_signature(s)
            index = CatalogueIndex.from_session(s)
        with self._lock:
            self._signature = signature
        return index

    @property
    def loaded(self) -> bool:
        return self._search.loaded

    def load(self) -> int:
        """Build the index if it is not built yet (blocking: run it in a worker). Returns the number of drugs."""
        built = not self._search.loaded
        n = len(self._search.load())
        if built:
            self._keep_out_of_gc()
        return n

    def _keep_out_of_gc(self) -> None:
        if self.freeze_gc:  # the previous index (after a refresh) is garbage now: collect it, then freeze the rest
            gc.unfreeze()
            gc.collect()
            gc.freeze()

    def refresh(self) -> bool:
        """Rebuild the index when the store's catalogue changed since it was built. True when rebuilt."""
        if not self._search.loaded:
            self.load()
            return True
        with Session(self.engine) as s:
            now = catalogue_signature(s)
        with self._lock:
            same = now == self._signature
        if same:
            return False
        self._search.reload()
        self._keep_out_of_gc()
        return True

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> list[DrugChoice]:
        """Drugs matching `text`, best first (exact code, then prefixes, then substrings)."""
        if not text.strip():
            return []
        hits = self._search.search(text, limit)
        if not hits:
            return []
        from core.store.stock import summary

        with Session(self.engine) as s:
            drugs = get_drugs(s, [h.key for h in hits])
            stock = summary(s, drugs)
        day = self.today()
        out = []
        for h in hits:
            drug = drugs.get(h.key)
            if drug is None:  # gone from the store since the index was built
                continue
            cover, self_pay = coverage(drug)
            on_hand = stock.get(drug.key)
            text_ = f"在库 {on_hand[0]} 盒（{on_hand[1]} 批，最早效期 {on_hand[2]}）" if on_hand else ""
            out.append(DrugChoice(drug, h.match, h.field, cover, self_pay, needs_codes(drug, self.profile, day),
                                  text_))
        return out


def no_match_reason(query: str) -> Message:
    """What the search says when nothing matched: a scanned commodity barcode that the catalogue does not
    have is an *unknown product* (never silently nothing, never another drug); a misread one says why."""
    from core.codes import Kind, classify

    result = classify(query)
    if result.kind is Kind.COMMODITY_BARCODE:
        if not result.valid and result.error is not None:
            return result.error
        return message("desk.search.unknown_product", code=result.text)
    return message("desk.search.no_match", query=query.strip())


def default_days(sale: Sale) -> int:
    """The days an added line gets unless the pharmacist says otherwise: the prescription's longest line."""
    return max((l.days for l in sale.lines), default=DEFAULT_DAYS) or DEFAULT_DAYS


def add_line(sale: Sale, drug: Drug, *, days: int | None = None, qty: int = 1) -> Sale:
    """The sale with `drug` as a new last line (qty boxes, `days`), codes to be scanned like any other line.
    A changed sale drops the acknowledgements, as every other change of a Sale does."""
    if qty < 1:
        raise ValueError("qty must be at least 1")
    days = default_days(sale) if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1-{MAX_DAYS}")
    no = max((l.no for l in sale.lines), default=0) + 1
    line = SaleLine(no, drug, qty, days)
    return replace(sale, lines=sale.lines + (line,), acks=frozenset())


def remove_line(sale: Sale, no: int) -> Sale:
    """The sale without line `no` (a line added at the desk and not wanted after all)."""
    if not any(l.no == no for l in sale.lines):
        raise KeyError(no)
    return replace(sale, lines=tuple(l for l in sale.lines if l.no != no), acks=frozenset())


__all__ = ["DEFAULT_DAYS", "DrugChoice", "DrugLookup", "add_line", "coverage", "default_days", "needs_codes",
           "remove_line"]
