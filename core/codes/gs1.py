"""GS1 element strings, as a GS1 DataMatrix on an imported drug pack delivers them.

Two forms are read:
- raw: AI digits and values back to back, a variable-length value ended by GS (ASCII 29) or by the end;
  a GS at the start (FNC1 in first position sent as GS) or doubled is ignored;
- human-readable (HRI): `(01)06901234567892(17)261231(10)A1(21)XYZ`, spaces allowed between groups.
  A value holding `(` followed by digits and `)` cannot be told from the next AI in this form.

Fields: gtin (AI 01, 14 digits), expiry (an ISO date: from AI 17, else the date of 7003, else 15 best before;
expiry_source says which, expiry_time the HH:MM of 7003), batch (10), serial (21), sscc (00), ais (every
other AI -> raw value, in order), hri (the canonical bracketed form, e.g. for receipts and as a registry key),
warning ({"code", ...}) when part of the scan could not be read but what was read stands.
An AI we do not know: in raw form its length is unknown, so reading stops there; the elements before it are
kept and the scan stays valid with the warning gs1_unknown_ai (unless nothing was read before it). In HRI form
the brackets delimit it: it is kept under `unknown` and reading goes on.
Not valid when: a value is cut short, too long or has characters its AI forbids, an AI repeats with a
different value, a measure says more decimals than its AI allows (3106), a date is not real (YYMMDD; DD 00 =
last day of the month only where GS1 allows it; HHMM a real time; the century follows the GS1 sliding
window: up to 50 years ahead, 49 behind), a check digit is wrong (00, 01, 02, 03, 253, 255, 402, 410-417,
8003, 8006, 8017, 8018, 8026), or the scan is a logistics label (an SSCC and no GTIN: sscc_not_trace, the
operator is told to scan the box). Structural errors stop parsing; the first semantic error is reported
with all fields found.

If a keyboard-wedge scanner drops GS, a batch followed by a serial reads as one long batch: the value is
then longer than 20 and reported as gs1_too_long, or, when short enough, kept as read (nothing can split it).
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from core.codes.checksums import gs1_valid
from core.codes.gs1_ais import CHARSETS, TABLE, AISpec, bad_decimals, lookup
from core.codes.normalize import GS
from core.codes.result import Parsed

_HRI_AI = re.compile(r"\((\d{2,4})\)")
HRI_START = re.compile(r"\(\d{2,4}\)")

_NAMED = {"00": "sscc", "01": "gtin", "10": "batch", "21": "serial"}
EXPIRY_AIS = ("17", "7003", "15")  # in order of preference: use-by, expiry date and time, best before


class _Stop(Exception):
    """A structural error: parsing cannot go on. Carries the error code and its arguments."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args


Element = tuple[str, str, "AISpec | None"]


def parse(text: str, today: date | None = None) -> Parsed:
    try:
        elements, warning = _split_hri(text) if text[:1] == "(" else _split_raw(text)
    except _Stop as stop:
        return Parsed({}, stop.code, stop.args_)
    if not any(spec is not None for _, _, spec in elements):
        if warning:
            return Parsed({}, warning["code"], {k: v for k, v in warning.items() if k != "code"})
        return Parsed({}, "gs1_empty")
    return _interpret(elements, warning, today)


def parse_elements(pairs: list[tuple[str, str]], today: date | None = None) -> Parsed:
    """(AI, value) pairs from elsewhere (a GS1 Digital Link URI) read like an element string."""
    elements: list[Element] = [(ai, value, TABLE.get(ai)) for ai, value in pairs]
    unknown = [ai for ai, _, spec in elements if spec is None]
    warning = {"code": "gs1_unknown_ai", "ai": unknown[0], "pos": 0} if unknown else None
    if not any(spec is not None for _, _, spec in elements):
        return Parsed({}, "gs1_empty")
    return _interpret(elements, warning, today)


def _split_raw(text: str) -> tuple[list[Element], dict | None]:
    out: list[Element] = []
    pos, n = 0, len(text)
    while pos < n:
        if text[pos] == GS:
            pos += 1
            continue
        found = lookup(text, pos)
        if found is None:
            decimals = bad_decimals(text, pos)
            if decimals:
                raise _Stop("gs1_bad_decimals", ai=decimals)
            # Its length is unknown, so nothing after it can be placed: keep what was read, say what was not.
            return out, {"code": "gs1_unknown_ai", "pos": pos + 1, "ai": text[pos:pos + 4].replace(GS, "<GS>"),
                         "unread": len(text) - pos}
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
    return out, None


def _split_hri(text: str) -> tuple[list[Element], dict | None]:
    text = text.replace(" ", "").replace(GS, "")
    marks = list(_HRI_AI.finditer(text))
    if not marks or marks[0].start() != 0:
        raise _Stop("gs1_malformed", pos=1)
    out: list[Element] = []
    warning = None
    for i, mark in enumerate(marks):
        ai = mark.group(1)
        spec = TABLE.get(ai)
        if spec is None:
            decimals = bad_decimals(ai, 0)
            if decimals:
                raise _Stop("gs1_bad_decimals", ai=decimals)
            if warning is None:
                warning = {"code": "gs1_unknown_ai", "pos": mark.start() + 1, "ai": ai}
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((ai, text[mark.end():end], spec))
    return out, warning


def _interpret(elements: list[Element], warning: dict | None, today: date | None) -> Parsed:
    fields: dict[str, Any] = {}
    ais: dict[str, str] = {}
    unknown: dict[str, str] = {}
    seen: dict[str, str] = {}
    error: tuple[str, dict[str, Any]] | None = None
    for ai, value, spec in elements:
        if ai in seen:
            if seen[ai] != value and error is None:
                error = ("gs1_duplicate_ai", {"ai": ai})
            continue
        seen[ai] = value
        if spec is None:
            unknown[ai] = value
            continue
        problem = _check_value(ai, value, spec, today)
        if problem and error is None:
            error = problem
        name = _NAMED.get(ai)
        if name:
            fields[name] = value
        elif ai not in EXPIRY_AIS[:1]:
            ais[ai] = value
    _expiry(fields, seen, today)
    fields["ais"] = ais
    if unknown:
        fields["unknown"] = unknown
    if warning:
        fields["warning"] = warning
    fields["hri"] = "".join(f"({ai}){value}" for ai, value in seen.items())
    if error is None and "sscc" in fields and "gtin" not in fields:
        error = ("sscc_not_trace", {})  # a pallet or carton label: the box has its own code
    if error:
        return Parsed(fields, error[0], error[1])
    return Parsed(fields)


def _expiry(fields: dict[str, Any], seen: dict[str, str], today: date | None) -> None:
    for ai in EXPIRY_AIS:
        value = seen.get(ai)
        if value is None:
            continue
        day = _date(value[:6], today, end_of_month=ai != "7003")
        if day is None or (ai == "7003" and not _time(value[6:10])):
            continue
        fields["expiry"] = day.isoformat()
        fields["expiry_source"] = ai
        if ai == "7003":
            fields["expiry_time"] = f"{value[6:8]}:{value[8:10]}"
        return


def _check_value(ai: str, value: str, spec: AISpec, today: date | None) -> tuple[str, dict[str, Any]] | None:
    if len(value) > spec.max:
        return "gs1_too_long", {"ai": ai, "max": spec.max}
    if len(value) < spec.min:
        return "gs1_truncated", {"ai": ai, "need": spec.min}
    if spec.charset == "N":
        if not (value.isascii() and value.isdigit()):
            return "gs1_bad_value", {"ai": ai, "value": value}
    elif not CHARSETS[spec.charset].fullmatch(value):
        return "gs1_bad_value", {"ai": ai, "value": value}
    if spec.date and not _date_ok(spec.date, value, today):
        return "gs1_bad_date", {"ai": ai, "value": value}
    if spec.check:
        digits = value[spec.check_from:spec.check]
        if not (digits.isascii() and digits.isdigit()):
            return "gs1_bad_value", {"ai": ai, "value": value}
        if not gs1_valid(digits):
            return "gs1_check_digit", {"ai": ai, "value": value}
    return None


def _date_ok(kind: str, value: str, today: date | None) -> bool:
    """Whether `value` holds a real date (and time) in the layout `kind` (see core.codes.gs1_ais)."""
    if kind == "date0":
        return _date(value, today) is not None
    if kind == "date":
        return _date(value, today, end_of_month=False) is not None
    if kind == "datetime":  # YYMMDDHHMM
        return _date(value[:6], today, end_of_month=False) is not None and _time(value[6:10])
    if kind == "daterange":  # YYMMDD or YYMMDDYYMMDD, start not after end
        if len(value) not in (6, 12):
            return False
        first = _date(value[:6], today, end_of_month=False)
        if len(value) == 6:
            return first is not None
        last = _date(value[6:], today, end_of_month=False)
        return first is not None and last is not None and first <= last
    if kind == "dateopt":  # YYMMDD, then HHMM or nothing
        return len(value) in (6, 10) and _date(value[:6], today, end_of_month=False) is not None and (
            len(value) == 6 or _time(value[6:10]))
    if kind == "hourmin":  # YYMMDDHH, then MM, MMSS or nothing
        if len(value) not in (8, 10, 12) or _date(value[:6], today, end_of_month=False) is None:
            return False
        hh, mm, ss = value[6:8], value[8:10] or "00", value[10:12] or "00"
        return int(hh) < 24 and int(mm) < 60 and int(ss) < 60
    if kind in ("date8", "datetime8"):  # YYYYMMDD(HHMM): birth dates carry the century
        try:
            date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            return False
        return kind == "date8" or _time(value[8:12])
    return True


def _time(hhmm: str) -> bool:
    return len(hhmm) == 4 and hhmm.isdigit() and int(hhmm[:2]) < 24 and int(hhmm[2:]) < 60


def _date(yymmdd: str, today: date | None, *, end_of_month: bool = True) -> date | None:
    """A GS1 YYMMDD date; day 00 is the last day of the month where GS1 allows it. None when not a real date."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    year = _full_year(int(yymmdd[:2]), today or date.today())
    month, day = int(yymmdd[2:4]), int(yymmdd[4:])
    if not 1 <= month <= 12:
        return None
    if day == 0:
        if not end_of_month:
            return None
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
