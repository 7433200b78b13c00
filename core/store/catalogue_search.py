"""Catalogue search as the clerk types: name substring, pinyin initials and full pinyin, code prefix, barcode.

The store's drug rows are loaded once into a compact in-memory index (``CatalogueIndex``); each searchable
field becomes newline-joined strings in rank order (one per two leading characters for prefixes, the whole
field and its values with digits for substrings), searched with ``str.find`` (C speed) and mapped back to
items with ``bisect``; code fields also keep their values sorted, so an exact code or a rare code prefix is a
bisect away. Because items are laid out in rank order, the first hits found are the best ones: all fields are
scanned together window by window and the scan stops as soon as the page is full, so a one-letter query costs
about as much as a rare one. ASCII queries read names through their ASCII runs only; non-ASCII queries skip
the ASCII-only fields.

Ranking (limit 50 by default):

1. exact: local key, national code, commodity barcode, trace-code product prefix (a scanned 20-digit trace
   code finds its product);
2. prefix of any field: name, local key, national code, barcode, pinyin initials, full pinyin;
3. substring of the name, pinyin initials (``aldp`` finds 苯磺酸氨氯地平片) or full pinyin (codes and barcodes
   match by prefix only);

within a tier: shorter name first, then name, spec, key. Several words ("氨氯地平 5mg") must all match: the
first word ranks, the others filter (they may also match the spec). Case and full-width forms are ignored
(NFKC + lower case).

Loading: ``CatalogueSearch(loader)`` loads lazily and thread-safely. A GUI calls ``load()`` in a worker at
start-up (100,000 items: 1.4-2.9 s on a busy 2-core machine, ~85 MB) and ``search()`` on keystrokes
afterwards; ``reload()`` builds a new index while searches continue on the old one. The index is read-only
once built, so searching from several threads is safe.
"""
from __future__ import annotations

import gc
import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import accumulate
from operator import itemgetter
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from core.domain import Drug
from core.store.pinyin import normalise, pinyin_keys

DEFAULT_LIMIT = 50
CENT = Decimal("0.01")
TEXT_FIELDS = ("key", "nhsa_code", "barcode", "name", "pinyin_initials", "pinyin_full")
SUBSTRING_FIELDS = ("name", "pinyin_initials", "pinyin_full")
_EXACT_FIELDS = ("key", "nhsa_code", "barcode", "trace_prefix")
TRACE_CODE_LENGTH = 20
TRACE_PREFIX_LENGTH = 7
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """What the index keeps per item (a few columns of the drug row)."""

    key: str
    name: str
    spec: str = ""
    pack_unit: str = ""
    price: Decimal | float | int | str = Decimal("0")  # as the driver returned it; hits carry a Decimal
    nhsa_code: str | None = None
    barcode: str | None = None
    trace_prefix: str | None = None
    pinyin_initials: str = ""  # space-separated variants, as stored in drug.pinyin_initials
    pinyin_full: str = ""

    @classmethod
    def from_drug(cls, drug: Drug) -> "CatalogueEntry":
        keys = pinyin_keys(drug.name)
        return cls(drug.key, drug.name, drug.spec, drug.pack_unit, drug.price, drug.nhsa_code, drug.barcode,
                   drug.trace_prefix, keys.initials_text, keys.full)

    def search_values(self) -> dict[str, list[str]]:
        """Normalised values per searchable field (pinyin initials may have several)."""
        return {
            "key": [normalise(self.key)],
            "nhsa_code": [normalise(self.nhsa_code)] if self.nhsa_code else [],
            "barcode": [normalise(self.barcode)] if self.barcode else [],
            "name": [normalise(self.name)],
            "pinyin_initials": [v for v in normalise(self.pinyin_initials).split() if v],
            "pinyin_full": [normalise(self.pinyin_full)] if self.pinyin_full else [],
        }

    def haystack(self) -> str:
        """Every searchable value plus the spec: what the extra words of a several-word query must be in."""
        values = [v for vals in self.search_values().values() for v in vals]
        values.append(normalise(self.spec))
        return "\x1f".join(values)


@dataclass(frozen=True, slots=True)
class CatalogueHit:
    key: str
    name: str
    spec: str
    pack_unit: str
    price: Decimal
    nhsa_code: str | None
    barcode: str | None
    match: str  # "exact" | "prefix" | "substring"
    field: str  # which field matched: key, nhsa_code, barcode, trace_prefix, name, pinyin_initials, pinyin_full

    def to_json(self) -> dict:
        return {
            "key": self.key, "name": self.name, "spec": self.spec, "pack_unit": self.pack_unit,
            "price": f"{self.price:.2f}", "nhsa_code": self.nhsa_code, "barcode": self.barcode,
            "match": self.match, "field": self.field,
        }


def _hit(e: CatalogueEntry, match: str, field: str) -> CatalogueHit:
    price = e.price if isinstance(e.price, Decimal) else Decimal(str(e.price))
    return CatalogueHit(e.key, e.name, e.spec or "", e.pack_unit or "", price.quantize(CENT), e.nhsa_code,
                        e.barcode, match, field)


def rank_key(entry: CatalogueEntry) -> tuple:
    return (len(entry.name), entry.name, entry.spec or "", entry.key)


class _Postings:
    """Values of one field as a single string "\\nv0\\nv1\\n…\\n" in rank order, where each starts, whose it is."""

    __slots__ = ("text", "starts", "owner")

    def __init__(self, values: list[tuple[int, str]]) -> None:
        parts = [v for _rid, v in values]
        # machine-int arrays: a quarter of the memory of lists of int objects; bisect works on them as well
        self.owner = array("i", [rid for rid, _v in values])
        self.starts = array("i", accumulate([len(v) + 1 for v in parts], initial=1))
        self.starts.pop()
        self.text = "\n" + "\n".join(parts) + "\n" if parts else "\n"

    def equal(self, q: str) -> list[int]:
        """Every item with a value equal to q, in rank order."""
        owner, starts, text = self.owner, self.starts, self.text
        needle = "\n" + q + "\n"
        out: list[int] = []
        pos = text.find(needle)
        while pos >= 0:
            out.append(owner[bisect_right(starts, pos + 1) - 1])
            pos = text.find(needle, pos + len(needle) - 1)
        return out

    def find(self, q: str, prefix: bool, lo_rid: int, hi_rid: int, want: int,
             accept: Callable[[int], bool]) -> list[int]:
        """Items in [lo_rid, hi_rid) whose value starts with (prefix) or contains q, in rank order, at most `want`."""
        owner, starts, text = self.owner, self.starts, self.text
        n = len(owner)
        e_lo = bisect_left(owner, lo_rid)
        e_hi = bisect_left(owner, hi_rid, e_lo)
        if e_lo >= e_hi:
            return []
        end = starts[e_hi] - 1 if e_hi < n else len(text)
        find = text.find
        out: list[int] = []
        last = -1
        if prefix:
            needle = "\n" + q
            pos = find(needle, starts[e_lo] - 1, end)
            while pos >= 0:
                rid = owner[bisect_right(starts, pos + 1, e_lo, e_hi) - 1]
                if rid != last:
                    last = rid
                    if accept(rid):
                        out.append(rid)
                        if len(out) >= want:
                            break
                pos = find(needle, pos + 1, end)
        else:
            pos = find(q, starts[e_lo], end)
            while pos >= 0:
                e = bisect_right(starts, pos, e_lo, e_hi) - 1
                rid = owner[e]
                if rid != last:
                    last = rid
                    if accept(rid):
                        out.append(rid)
                        if len(out) >= want:
                            break
                pos = find(q, starts[e + 1] if e + 1 < n else end, end)
        return out


class _RidList:
    """A few items known to match (from a sorted-range lookup), scanned like _Postings."""

    __slots__ = ("owner",)

    def __init__(self, rids: list[int]) -> None:
        self.owner = rids  # sorted

    def find(self, _q: str, _prefix: bool, lo_rid: int, hi_rid: int, want: int,
             accept: Callable[[int], bool]) -> list[int]:
        rids = self.owner
        out: list[int] = []
        for rid in rids[bisect_left(rids, lo_rid):bisect_left(rids, hi_rid)]:
            if accept(rid):
                out.append(rid)
                if len(out) >= want:
                    break
        return out


class _Field:
    """One searchable field: per-two-character buckets for prefixes, and for substrings the whole field plus
    the part holding digits (a query with a digit can only occur in a value with one: code and barcode queries
    then skip nearly all of the pinyin).

    Code fields (`ranged`) also keep their values sorted: a prefix or an exact value is then a bisect away, and
    when few items match they are taken straight from the range instead of scanning a bucket in which every
    value starts alike (all barcodes start with 69, all national codes with X)."""

    __slots__ = ("name", "buckets", "by_first", "whole", "with_digits", "ascii_only", "sorted_values",
                 "sorted_rids")

    SPARSE = 2048  # at most this many matches: take them from the sorted range

    def __init__(self, name: str, values: list[tuple[int, str]], *, substring: bool, ranged: bool = False) -> None:
        self.name = name
        values = [rv for rv in values if rv[1]]
        grouped: dict[str, list[tuple[int, str]]] = {}
        for rv in values:
            head = rv[1][:2]
            bucket = grouped.get(head)
            if bucket is None:
                grouped[head] = [rv]
            else:
                bucket.append(rv)
        self.buckets = {head: _Postings(v) for head, v in grouped.items()}
        self.by_first: dict[str, list[str]] = {}
        for head in self.buckets:
            self.by_first.setdefault(head[0], []).append(head)
        self.whole = _Postings(values) if substring else None
        self.with_digits = _Postings([rv for rv in values if _DIGIT.search(rv[1])]) if substring else None
        self.ascii_only = all(p.text.isascii() for p in self.buckets.values())  # O(1) per string
        self.sorted_values: list[str] | None = None
        self.sorted_rids: array | None = None
        if ranged:
            ordered = sorted(values, key=itemgetter(1))
            self.sorted_values = [v for _rid, v in ordered]
            self.sorted_rids = array("i", [rid for rid, _v in ordered])

    def _range(self, q: str, prefix: bool) -> tuple[int, int]:
        values = self.sorted_values
        lo = bisect_left(values, q)
        hi = bisect_left(values, q + "\U0010ffff", lo) if prefix else bisect_right(values, q, lo)
        return lo, hi

    def equal(self, q: str) -> list[int]:
        """Items whose value is exactly q, in rank order."""
        if self.sorted_values is not None:
            lo, hi = self._range(q, prefix=False)
            return sorted(self.sorted_rids[lo:hi])
        return sorted({rid for p in self.prefix_postings(q) for rid in p.equal(q)})

    def prefix_postings(self, q: str) -> list:
        """Where to look for values starting with q: a short list of items, or the buckets to scan."""
        if self.sorted_values is not None:
            lo, hi = self._range(q, prefix=True)
            if hi == lo:
                return []
            if hi - lo <= self.SPARSE:
                return [_RidList(sorted(set(self.sorted_rids[lo:hi])))]
        if len(q) >= 2:
            p = self.buckets.get(q[:2])
            return [p] if p is not None else []
        return [self.buckets[head] for head in self.by_first.get(q, ())]

    def substring_postings(self, q: str) -> list[_Postings]:
        p = self.with_digits if _DIGIT.search(q) else self.whole
        return [p] if p is not None else []


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building allocates millions of small objects that all live on; the cyclic collector would rescan them
    again and again for nothing (about 40 % of the build time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _norm_all(values: list[str]) -> list[str]:
    """normalise() of every value, in one call over the joined text (values never contain newlines; a value
    that does is normalised on its own)."""
    joined = "\n".join(values)
    out = (joined.lower() if joined.isascii() else normalise(joined)).split("\n")
    if len(out) != len(values):
        out = [normalise(v).replace("\n", " ") for v in values]
    return out


def _always(_rid: int) -> bool:
    return True


def _ascii_runs(name: str) -> str:
    """The name with every run of non-ASCII characters replaced by \\x1f: an ASCII query (which never contains
    \\x1f, a whitespace character to str.split) starts or occurs in it exactly when it does in the name."""
    return _NON_ASCII_RUN.sub("\x1f", name)


class CatalogueIndex:
    """Immutable search index over catalogue entries. Build with ``build``, ``from_drugs`` or ``from_session``."""

    _WINDOW = 2048  # items scanned per round before checking whether the page is full (grows x4 per round)

    def __init__(self, entries: Sequence[CatalogueEntry]) -> None:
        with _gc_paused():
            self._build(entries)

    def _build(self, entries: Sequence[CatalogueEntry]) -> None:
        self.entries: list[CatalogueEntry] = sorted(entries, key=rank_key)
        entries = self.entries
        keys = _norm_all([e.key for e in entries])
        codes = _norm_all([e.nhsa_code or "" for e in entries])
        barcodes = _norm_all([e.barcode or "" for e in entries])
        names = _norm_all([e.name for e in entries])
        initials = [(rid, v) for rid, vs in enumerate(_norm_all([e.pinyin_initials or "" for e in entries]))
                    for v in vs.split()]
        values = {
            "key": list(enumerate(keys)),
            "nhsa_code": list(enumerate(codes)),
            "barcode": list(enumerate(barcodes)),
            "name": list(enumerate(names)),
            "pinyin_initials": initials,
            "pinyin_full": list(enumerate(_norm_all([e.pinyin_full or "" for e in entries]))),
        }
        # trace-code product prefix -> item(s): an int, or a list when several items share a prefix
        by_trace: dict[str, int | list[int]] = {}
        for rid, e in enumerate(entries):
            tp = e.trace_prefix
            if tp:
                seen = by_trace.get(tp)
                if seen is None:
                    by_trace[tp] = rid
                elif isinstance(seen, list):
                    seen.append(rid)
                else:
                    by_trace[tp] = [seen, rid]
        self._by_trace = by_trace
        self._fields = {
            f: _Field(f, values[f], substring=f in SUBSTRING_FIELDS, ranged=f in _EXACT_FIELDS) for f in TEXT_FIELDS
        }
        # ASCII queries read names through their ASCII runs only: a fraction of the text to scan.
        self._name_ascii = _Field("name", [(rid, _ascii_runs(v)) for rid, v in enumerate(names)], substring=True)

    @classmethod
    def build(cls, entries: Iterable[CatalogueEntry]) -> "CatalogueIndex":
        return cls(list(entries))

    @classmethod
    def from_drugs(cls, drugs: Iterable[Drug]) -> "CatalogueIndex":
        return cls([CatalogueEntry.from_drug(d) for d in drugs])

    @classmethod
    def from_session(cls, session: Session) -> "CatalogueIndex":
        """Load every drug row (the columns the index needs, pinyin as stored)."""
        # Plain SQL with driver values: no per-value type processing for 100,000 rows (prices are converted
        # to Decimal only for the hits shown).
        stmt = text(
            "SELECT key, name, spec, pack_unit, price, nhsa_code, barcode, trace_prefix, pinyin_initials, "
            "pinyin_full FROM drug"
        )
        shared: dict[str, str] = {}  # one string object per distinct name/spec/unit/pinyin (they repeat a lot)
        share = shared.setdefault
        with _gc_paused():
            rows = [
                CatalogueEntry(key, share(name, name), share(spec, spec) if spec else "",
                               share(unit, unit) if unit else "", price, code, barcode, trace,
                               share(initials, initials) if initials else "", share(full, full) if full else "")
                for key, name, spec, unit, price, code, barcode, trace, initials, full in session.execute(stmt)
            ]
        return cls(rows)

    @classmethod
    def from_engine(cls, engine: Engine) -> "CatalogueIndex":
        with Session(engine) as session:
            return cls.from_session(session)

    def __len__(self) -> int:
        return len(self.entries)

    def _filter(self, words: list[str]) -> Callable[[int], bool]:
        if not words:
            return _always
        entries = self.entries

        def accept(rid: int) -> bool:
            hay = entries[rid].haystack()
            return all(w in hay for w in words)

        return accept

    def _fields_for(self, q: str, names: tuple[str, ...]) -> list[_Field]:
        out = []
        for name in names:
            field = self._fields[name]
            if q.isascii():
                out.append(self._name_ascii if name == "name" else field)
            elif not field.ascii_only:  # a non-ASCII query cannot occur in an ASCII-only field
                out.append(field)
        return out

    def _scan(self, fields: list[_Field], q: str, prefix: bool, need: int,
              accept: Callable[[int], bool]) -> list[tuple[int, str]]:
        """The best `need` items matching q in any of `fields`, scanning all fields window by window in rank
        order so that the scan stops as soon as the page is full."""
        postings = [
            (f.name, p)
            for f in fields
            for p in (f.prefix_postings(q) if prefix else f.substring_postings(q))
            if p.owner
        ]
        union: dict[int, str] = {}
        n = len(self.entries)
        lo, size = 0, self._WINDOW
        while postings and lo < n:
            hi = min(n, lo + size)
            for name, p in postings:
                for rid in p.find(q, prefix, lo, hi, need, accept):
                    union.setdefault(rid, name)
            if len(union) >= need:
                break
            lo, size = hi, size * 4
        return [(rid, union[rid]) for rid in sorted(union)[:need]]

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> list[CatalogueHit]:
        words = normalise(text).split()
        if not words or limit <= 0:
            return []
        q, extra = words[0], words[1:]
        accept_extra = self._filter(extra)
        found: dict[int, tuple[str, str]] = {}

        # 1. exact codes, barcode, trace prefix
        exact: dict[int, str] = {}
        for field in _EXACT_FIELDS:
            if field == "trace_prefix":
                # a trace prefix typed as such, or a whole scanned trace code naming its product
                key = q[:TRACE_PREFIX_LENGTH] if len(q) == TRACE_CODE_LENGTH and q.isdigit() else q
                seen = self._by_trace.get(key)
                rids = [] if seen is None else seen if isinstance(seen, list) else [seen]
            else:
                rids = self._fields[field].equal(q)
            for rid in rids:
                exact.setdefault(rid, field)
        for rid in sorted(exact):
            if len(found) >= limit:
                break
            if accept_extra(rid):
                found[rid] = ("exact", exact[rid])

        # 2. prefix of any field, 3. substring of name or pinyin
        for match, prefix, names in (("prefix", True, TEXT_FIELDS), ("substring", False, SUBSTRING_FIELDS)):
            need = limit - len(found)
            if need <= 0:
                break

            def accept(rid: int) -> bool:
                return rid not in found and accept_extra(rid)

            for rid, field in self._scan(self._fields_for(q, names), q, prefix, need, accept):
                found[rid] = (match, field)

        return [_hit(self.entries[rid], match, field) for rid, (match, field) in found.items()]


class NaiveCatalogue:
    """The same answers as CatalogueIndex.search by testing every item in turn (values normalised once, up
    front): the benchmark's baseline and the tests' oracle."""

    def __init__(self, entries: Iterable[CatalogueEntry]) -> None:
        self._items = [(e, e.search_values(), e.haystack()) for e in entries]

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> list[CatalogueHit]:
        words = normalise(text).split()
        if not words or limit <= 0:
            return []
        q, extra = words[0], words[1:]
        trace_key = q[:TRACE_PREFIX_LENGTH] if len(q) == TRACE_CODE_LENGTH and q.isdigit() else None
        ranked: list[tuple[int, tuple, CatalogueEntry, str]] = []
        for entry, values, hay in self._items:
            if extra and not all(w in hay for w in extra):
                continue
            hit = None
            for field in _EXACT_FIELDS:
                if field == "trace_prefix":
                    tp = entry.trace_prefix
                    if tp and (q == tp or trace_key == tp):
                        hit = (0, field)
                elif values[field] and values[field][0] == q:
                    hit = (0, field)
                if hit:
                    break
            if hit is None:
                for tier, test, fields in ((1, str.startswith, TEXT_FIELDS), (2, str.__contains__, SUBSTRING_FIELDS)):
                    for field in fields:
                        if any(test(v, q) for v in values[field]):
                            hit = (tier, field)
                            break
                    if hit:
                        break
            if hit:
                ranked.append((hit[0], rank_key(entry), entry, hit[1]))
        ranked.sort(key=lambda r: (r[0], r[1]))
        names = ("exact", "prefix", "substring")
        return [_hit(e, names[tier], field) for tier, _rank, e, field in ranked[:limit]]


def naive_search(entries: Iterable[CatalogueEntry], text: str, limit: int = DEFAULT_LIMIT) -> list[CatalogueHit]:
    """One-off linear scan (see NaiveCatalogue)."""
    return NaiveCatalogue(entries).search(text, limit)


class CatalogueSearch:
    """Lazily loaded, thread-safe holder of the index, for shells and services.

    ``CatalogueSearch.for_engine(engine)``; call ``load()`` off the UI thread at start-up.
    """

    def __init__(self, loader: Callable[[], CatalogueIndex]) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._index: CatalogueIndex | None = None

    @classmethod
    def for_engine(cls, engine: Engine) -> "CatalogueSearch":
        return cls(lambda: CatalogueIndex.from_engine(engine))

    @property
    def loaded(self) -> bool:
        return self._index is not None

    def load(self) -> CatalogueIndex:
        """The index, loading it on first use (blocking; concurrent callers wait for the same load)."""
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                self._index = self._loader()
            return self._index

    def reload(self) -> CatalogueIndex:
        """Build a fresh index (after a catalogue sync) and swap it in; searches meanwhile use the old one."""
        index = self._loader()
        with self._lock:
            self._index = index
        return index

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> list[CatalogueHit]:
        return self.load().search(text, limit)


__all__ = [
    "DEFAULT_LIMIT", "CatalogueEntry", "CatalogueHit", "CatalogueIndex", "CatalogueSearch", "NaiveCatalogue",
    "naive_search", "rank_key",
]
