"""GS1 element strings, as a GS1 DataMatrix on an imported drug pack delivers them.

Two forms are read:
- raw: AI digits and values back to back, a variable-length value ended by GS (ASCII 29) or by the end;
  a GS at the start (FNC1 in first position sent as GS) or doubled is ignored;
- human-readable (HRI): `(01)06901234567892(17)261231(10)A1(21)XYZ`, spaces allowed between groups.
  A value holding `(` followed by digits and `)` cannot be told from the next AI in this form.

Fields: gtin (AI 01, 14 digits), expiry (AI 17 as an ISO date), batch (10), serial (21), ais (every other
AI -> raw value, in order), hri (the canonical bracketed form, e.g. for receipts and as a registry key).
Not valid when: an AI is unknown, a value is cut short, too long or has characters its AI forbids, an AI
repeats with a different value, a date is not real (YYMMDD; DD 00 = last day of the month; the century
follows the GS1 sliding window: up to 50 years ahead, 49 behind), or a check digit is wrong (00, 01, 02).
Structural errors stop parsing; the first semantic error is reported with all fields found.

If a keyboard-wedge scanner drops GS, a batch followed by a serial reads as one long batch: the value is
then longer than 20 and reported as gs1_too_long, or, when short enough, kept as read (nothing can split it).
"""
from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from core.codes.checksums import gs1_valid
from core.codes.gs1_ais import CHARSET_82, CHECKED, TABLE, AISpec, lookup
from core.codes.normalize import GS
from core.codes.result import Parsed

_HRI_AI = re.compile(r"\((\d{2,4})\)")
HRI_START = re.compile(r"\(\d{2,4}\)")

_NAMED = {"01": "gtin", "10": "batch", "21": "serial"}


class _Stop(Exception):
    """A structural error: parsing cannot go on. Carries the error code and its arguments."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args


def parse(text: str, today: date | None = None) -> Parsed:
    try:
        elements = _split_hri(text) if text[:1] == "(" else _split_raw(text)
    except _Stop as stop:
        return Parsed({}, stop.code, stop.args_)
    if not elements:
        return Parsed({}, "gs1_empty")
    return _interpret(elements, today)


def _split_raw(text: str) -> list[tuple[str, str, AISpec]]:
    out = []
    pos, n = 0, len(text)
    while pos < n:
        if text[pos] == GS:
            pos += 1
            continue
        found = lookup(text, pos)
        if found is None:
            raise _Stop("gs1_unknown_ai", pos=pos + 1, ai=text[pos:pos + 4].replace(GS, "<GS>"))
        ai, spec = found
        start = pos + len(ai)
        if spec.min == spec.max:
            end = start + spec.max
            value = text[start:end]
            if len(value) < spec.max or GS in value:
                raise _Stop("gs1_truncated", ai=ai, need=spec.max)
        else:
            end = text.find(GS, start)
            if end < 0:
                end = n
            value = text[start:end]
        out.append((ai, value, spec))
        pos = end
    return out


def _split_hri(text: str) -> list[tuple[str, str, AISpec]]:
    text = text.replace(" ", "").replace(GS, "")
    marks = list(_HRI_AI.finditer(text))
    if not marks or marks[0].start() != 0:
        raise _Stop("gs1_malformed", pos=1)
    out = []
    for i, mark in enumerate(marks):
        ai = mark.group(1)
        spec = TABLE.get(ai)
        if spec is None:
            raise _Stop("gs1_unknown_ai", pos=mark.start() + 1, ai=ai)
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((ai, text[mark.end():end], spec))
    return out


def _interpret(elements: list[tuple[str, str, AISpec]], today: date | None) -> Parsed:
    fields: dict[str, Any] = {}
    ais: dict[str, str] = {}
    seen: dict[str, str] = {}
    error: tuple[str, dict[str, Any]] | None = None
    for ai, value, spec in elements:
        if ai in seen:
            if seen[ai] != value and error is None:
                error = ("gs1_duplicate_ai", {"ai": ai})
            continue
        seen[ai] = value
        problem = _check_value(ai, value, spec, today)
        if problem and error is None:
            error = problem
        name = _NAMED.get(ai)
        if name:
            fields[name] = value
        elif ai == "17":
            expiry = _date(value, today)
            if expiry is not None:
                fields["expiry"] = expiry.isoformat()
        else:
            ais[ai] = value
    fields["ais"] = ais
    fields["hri"] = "".join(f"({ai}){value}" for ai, value in seen.items())
    if error:
        return Parsed(fields, error[0], error[1])
    return Parsed(fields)


def _check_value(ai: str, value: str, spec: AISpec, today: date | None) -> tuple[str, dict[str, Any]] | None:
    if len(value) > spec.max:
        return "gs1_too_long", {"ai": ai, "max": spec.max}
    if len(value) < spec.min:
        return "gs1_truncated", {"ai": ai, "need": spec.min}
    if spec.charset == "N":
        if not (value.isascii() and value.isdigit()):
            return "gs1_bad_value", {"ai": ai, "value": value}
    elif not CHARSET_82.fullmatch(value):
        return "gs1_bad_value", {"ai": ai, "value": value}
    if spec.is_date and _date(value, today) is None:
        return "gs1_bad_date", {"ai": ai, "value": value}
    if ai in CHECKED and not gs1_valid(value):
        return "gs1_check_digit", {"ai": ai, "value": value}
    return None


def _date(yymmdd: str, today: date | None) -> date | None:
    """A GS1 YYMMDD date; day 00 is the last day of the month. None when not a real date."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    year = _full_year(int(yymmdd[:2]), today or date.today())
    month, day = int(yymmdd[2:4]), int(yymmdd[4:])
    if not 1 <= month <= 12:
        return None
    if day == 0:
        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_year(yy: int, today: date) -> int:
    # GS1 General Specifications 7.12: a two-digit year is taken within 50 years ahead / 49 behind.
    century, current = divmod(today.year, 100)
    diff = yy - current
    if diff >= 51:
        century -= 1
    elif diff <= -50:
        century += 1
    return century * 100 + yy
