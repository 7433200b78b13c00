"""Pinyin keys for catalogue search: initials (拼音简码, e.g. 苯磺酸氨氯地平片 -> ``bhsaldp``) and full pinyin.

pypinyin does the reading (phrase-aware, so 地平 reads di ping). Converting a whole name costs ~65 µs, too slow
for a 100,000-drug import, so a name is cut into words once (pypinyin's own maximum-matching segmenter) and
each word's reading is cached: drug names reuse a few thousand words (盐酸, 缓释, 胶囊 …), which brings a name
down to ~10 µs.

Heteronyms: the main key uses the common reading pypinyin picks. Characters with other readings add
alternative initials (the first two readings of each character, at most MAX_VARIANTS keys per name), so a
clerk who types 重 as ``c`` still finds 重酒石酸…. Letters and digits in a name (维生素B6) are kept as typed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.seg.mmseg import seg as _mmseg

MAX_VARIANTS = 8
_READINGS_PER_CHAR = 2
_HAN_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_KEEP = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class PinyinKeys:
    initials: tuple[str, ...]  # main reading first, then heteronym variants
    full: str  # full pinyin of the main reading, no separators ("benhuangsuananlvdipingpian")

    @property
    def initials_text(self) -> str:
        """As stored in drug.pinyin_initials: space-separated, main reading first."""
        return " ".join(self.initials)


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII) and lower case: how both the index and queries are keyed."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=65536)
def _word(word: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(full readings per character, initial options per character) of one Han word; main reading first."""
    main = lazy_pinyin(word, style=Style.NORMAL, errors="ignore", v_to_u=False)
    options = pinyin(word, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    if len(main) != len(word) or len(options) != len(word):
        # A character pypinyin cannot read: fall back to per-character conversion.
        main, options = [], []
        for ch in word:
            m = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
            o = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
            main.append(m[0] if m else "")
            options.append(o[0] if o else [])
    per_char: list[tuple[str, ...]] = []
    for reading, opts in zip(main, options, strict=True):
        first = reading[:1]
        alts = [first] if first else []
        for o in opts:
            if len(alts) >= _READINGS_PER_CHAR:
                break
            if o and o not in alts:
                alts.append(o)
        per_char.append(tuple(alts))
    return tuple(main), tuple(per_char)


@lru_cache(maxsize=4096)
def pinyin_keys(name: str) -> PinyinKeys:
    """Initials variants and full pinyin of a catalogue name."""
    text = normalise(name)
    full: list[str] = []
    options: list[tuple[str, ...]] = []
    for i, part in enumerate(_HAN_RUN.split(text)):
        if not part:
            continue
        if i % 2:  # a run of Han characters
            for word in _mmseg.cut(part):
                readings, opts = _word(word)
                full.extend(readings)
                options.extend(o for o in opts if o)
        else:
            for token in _KEEP.findall(part):
                full.append(token)
                options.extend((c,) for c in token)
    main = "".join(o[0] for o in options)
    variants = [main]
    if any(len(o) > 1 for o in options):
        for combo in product(*options):
            candidate = "".join(combo)
            if candidate not in variants:
                variants.append(candidate)
                if len(variants) >= MAX_VARIANTS:
                    break
    return PinyinKeys(tuple(variants), "".join(full))


def pinyin_initials(name: str) -> str:
    return pinyin_keys(name).initials[0]


def pinyin_full(name: str) -> str:
    return pinyin_keys(name).full


__all__ = ["MAX_VARIANTS", "PinyinKeys", "normalise", "pinyin_full", "pinyin_initials", "pinyin_keys"]
