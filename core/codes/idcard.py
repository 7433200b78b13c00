"""Resident ID numbers (居民身份证号码, GB 11643-1999).

18 characters: 6-digit region, 8-digit birth date YYYYMMDD, 3-digit sequence (odd = male), check character
(ISO 7064 MOD 11-2, 0-9 or X; a lower-case x is accepted and written as X). The old 15-digit card has a
6-digit birth date YYMMDD (always 19YY) and no check character; `number` gives it in the 18-digit form.

Only the province part of the region is checked (the county list changes every year; the centre knows
it); 81/82/83 are the residence permits of Hong Kong, Macao and Taiwan residents.
Checks, first failure reported: check character, region, birth date (a real date, 1900 or later, not after
today).
"""
from __future__ import annotations

from datetime import date

from core.codes.checksums import id_check_char
from core.codes.result import Parsed
from core.domain.masking import mask_id

PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


mask = mask_id  # region and last four shown, birth date hidden: 420704********1657 (the one rule, core.domain)


def parse18(text: str, today: date | None = None) -> Parsed:
    """`text` is 17 ASCII digits and a digit, X or x."""
    number = text.upper()
    fields = {"number": number, "masked": mask(number), "format": "id18", "region": number[:6]}
    parsed = _finish(fields, number[6:14], number[16], today)
    if id_check_char(number[:17]) != number[17]:
        # Checked first: a misread digit is the usual cause, and it makes the other findings moot.
        return Parsed(parsed.fields, "id_check_digit")
    return parsed


def parse15(text: str, today: date | None = None) -> Parsed:
    """`text` is 15 ASCII digits."""
    body = text[:6] + "19" + text[6:]
    number = body + id_check_char(body)
    fields = {"number": number, "masked": mask(number), "format": "id15", "region": text[:6]}
    return _finish(fields, "19" + text[6:12], text[14], today)


def _finish(fields: dict, yyyymmdd: str, sequence_digit: str, today: date | None) -> Parsed:
    fields["sex"] = "1" if int(sequence_digit) % 2 else "2"
    if fields["region"][:2] not in PROVINCES:
        return Parsed(fields, "id_region", {"region": fields["region"]})
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        return Parsed(fields, "id_birth_date", {"date": yyyymmdd})
    fields["birth_date"] = born.isoformat()
    if born > (today or date.today()):
        return Parsed(fields, "id_birth_future", {"date": born.isoformat()})
    return Parsed(fields)
