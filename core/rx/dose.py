"""The doctor's sig (单次剂量 + 频次) read as numbers, so the audit's dose rules (DRG-004, QTY-003) can judge it.

    parse_dose("5mg") -> Dose(Decimal("5"), "mg")      parse_dose("0.5 g") -> Dose(Decimal("0.5"), "g")
    parse_frequency("bid") -> Decimal("2")             parse_frequency("每日三次") -> Decimal("3")

A text that is neither empty nor readable raises SigError (Chinese first): a prescription whose dose cannot be
read is refused at upload rather than circulated for a pharmacist to guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.domain import Drug, Sig


class SigError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


# mass units convert to each other; the others are counted forms (片, 粒 …) or volumes
_MASS = {"g": Decimal("1000000"), "mg": Decimal("1000"), "ug": Decimal("1"), "μg": Decimal("1"), "mcg": Decimal("1")}
_UNITS = (*_MASS, "ml", "iu", "u", "单位", "片", "粒", "袋", "支", "丸", "滴", "喷", "贴", "揿", "包", "瓶", "枚")
_DOSE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Zμ\u4e00-\u9fff]*)\s*$")


@dataclass(frozen=True)
class Dose:
    amount: Decimal
    unit: str  # lower case; "" = in the drug's own strength unit


def parse_dose(text: str) -> Dose | None:
    if not text or not text.strip():
        return None
    m = _DOSE.match(text.replace("／", "/"))
    unit = (m.group(2) if m else "").lower()
    if m is None or (unit and unit not in _UNITS):
        raise SigError(f"单次剂量无法识别：{text!r}（应为数字加单位，如 5mg、1片）",
                       f"dose {text!r} cannot be read (a number and a unit, e.g. 5mg, 1片)")
    try:
        amount = Decimal(m.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
        raise SigError(f"单次剂量无法识别：{text!r}", f"dose {text!r} cannot be read") from None
    if amount <= 0 or amount > 100000:
        raise SigError(f"单次剂量超出范围：{text!r}", f"dose {text!r} is out of range")
    return Dose(amount, unit)


_LATIN: dict[str, Decimal] = {
    **{k: Decimal(v) for k, v in (("qd", 1), ("od", 1), ("qm", 1), ("qn", 1), ("hs", 1), ("bid", 2), ("tid", 3),
                                  ("qid", 4), ("q12h", 2), ("q8h", 3), ("q6h", 4), ("q4h", 6))},
    "qod": Decimal("0.5"), "qw": Decimal(1) / 7, "biw": Decimal(2) / 7, "tiw": Decimal(3) / 7}
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_PER_DAY = re.compile(r"^(?:每日|每天|一日|1日)([一二两三四五六]|\d)次$|^([一二两三四五六]|\d)次/?[日天]$")
_AS_NEEDED = ("prn", "必要时", "st", "立即")


def parse_frequency(text: str) -> Decimal | None:
    """Times per day; None when empty or 'as needed' (no daily amount to check)."""
    t = (text or "").strip().lower().replace(" ", "").replace(".", "")
    if not t or t in _AS_NEEDED:
        return None
    if t in _LATIN:
        return _LATIN[t]
    m = _PER_DAY.match(t)
    if m:
        n = m.group(1) or m.group(2)
        return Decimal(_CN_NUM.get(n) or int(n))
    raise SigError(f"用药频次无法识别：{text!r}（如 qd、bid、每日2次）",
                   f"frequency {text!r} cannot be read (e.g. qd, bid, 每日2次)")


def sig_for(drug: Drug, dose_text: str, frequency_text: str) -> Sig | None:
    """The Sig the audit reads, in the drug's strength unit; None when the dose or frequency is not given or the
    dose's unit cannot be turned into the strength unit (a count of tablets is converted by the strength)."""
    dose, times = parse_dose(dose_text), parse_frequency(frequency_text)
    if dose is None or times is None:
        return None
    unit, strength_unit = dose.unit, (drug.strength_unit or "").lower()
    if not unit or unit == strength_unit:
        return Sig(dose.amount, times)
    if unit in _MASS and strength_unit in _MASS:
        return Sig(dose.amount * _MASS[unit] / _MASS[strength_unit], times)
    if unit not in _MASS and drug.strength is not None and unit in (drug.unit or "").lower():
        return Sig(dose.amount * drug.strength, times)  # 1片 of a 5 mg tablet = 5 mg
    return None
