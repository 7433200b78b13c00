"""Build well-formed codes: for scanner simulators, demo data, property tests and `onewindow bench codes`.

Each builder computes the check digit the parser verifies, so build -> classify -> fields round-trips.
"""
from __future__ import annotations

from datetime import date

from core.codes.checksums import gs1_check_digit, id_check_char
from core.codes.normalize import GS


def trace_code(product_prefix: str, serial: int) -> str:
    """A 20-digit trace code: 7-digit product prefix (starting 8) + 13-digit serial part."""
    return f"{product_prefix}{serial:013d}"


def id_number(region: str, born: date, sequence: int) -> str:
    """An 18-character resident ID number; `sequence` 0-999, odd for a man."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def gtin(body: str) -> str:
    """`body` (7, 11, 12 or 13 digits) with its GS1 check digit: EAN-8, UPC-A, EAN-13, GTIN-14."""
    return body + gs1_check_digit(body)


def gs1_element_string(gtin14: str, expiry: date | str, batch: str, serial: str, *, bracketed: bool = False,
                       day_00: bool = False) -> str:
    """A drug pack's GS1 DataMatrix content: (01) GTIN, (17) expiry, (10) batch, (21) serial.

    Raw form separates the variable-length batch with GS; `day_00` writes the expiry day as 00 (end of month).
    """
    if isinstance(expiry, date):
        expiry = f"{expiry:%y%m}00" if day_00 else f"{expiry:%y%m%d}"
    if bracketed:
        return f"(01){gtin14}(17){expiry}(10){batch}(21){serial}"
    return f"01{gtin14}17{expiry}10{batch}{GS}21{serial}"
