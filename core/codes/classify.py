"""classify(text) -> ScanResult: decide what a scan is, then parse it. Never raises.

Normalisation first (core.codes.normalize): scanner suffix, NFKC, GS stand-ins, control characters, AIM
symbology identifier, length limit. Refusals there give kind unknown with the reason.

Then the first rule that matches decides the kind (n = length of the normalised text):

 1. GS1 marker: a GS1 symbology identifier (]C1 ]d2 ]Q3 ]e0 ]J1), a GS character, or text starting
    `(NN)` with 2-4 digits                                               -> gs1
    (the same identifier in the other letter case, ]D2 ]c1 ]q3 ]J1→]j1, is Caps Lock: gs1, not valid,
    gs1_case_flipped, fields as read; ]C1 + a 20-digit code starting 8 that is no valid element string
    is a trace code sent by a scanner that prefixes AIM identifiers -> trace_code, symbology kept)
 2. any character outside ASCII after NFKC                               -> unknown
    http(s)://…/01/{gtin}[/10/{batch}…][?17=…]: a GS1 Digital Link URI   -> gs1 (same fields)
 3. all digits:
      n == 20, 00 + an SSCC with a valid check digit                      -> gs1, sscc_not_trace
      n == 20                                                            -> trace_code (not 8… = invalid)
      n in 8, 12, 13, 14   EAN-8, UPC-A, EAN-13, GTIN-14                 -> commodity_barcode
      n == 18, a GS1 check digit, and no ID's province and birth date     -> gs1, sscc_not_trace (bare SSCC)
      n == 18, first digit not 0                                         -> id_card
      n == 15, first digit not 0                                         -> id_card (old 15-digit card)
      n >= 16, starts 01   a GS1 string whose scanner dropped the marker  -> gs1
      16 <= n <= 24, starts 8   a trace code with digits lost or doubled  -> trace_code, invalid
      otherwise                                                          -> unknown
 4. 17 digits + X or x                                                   -> id_card
 5. `RX` + 8-24 letters/digits, any case                                 -> rx_token
 6. 9 chars `[A-Z][0-9A-Z]{2}[0-9]{6}` or 32-char card_sn, any case      -> ss_card
 7. `01` + 14 digits + more (unmarked GS1 with letters)                   -> gs1
 8. starts `NHSAEV1.` (in any letter case: a wrong case is Caps Lock)     -> evoucher (ours)
    32-512 chars of base64/base64url with a letter and a digit           -> evoucher (opaque)
 9. anything else                                                        -> unknown

Why this order is unambiguous: every all-digit kind has its own length (8/12/13/14 barcodes, 15/18 ID,
20 trace code), an ID never starts with 0 while an unmarked GS1 string starts 01, a 20-digit string is a
trace code unless a GS1 marker said otherwise; among the alphanumeric shapes, ID-with-X is 18 chars ending
X, an rx_token is 10-26 chars starting RX, a card number 9 chars, a card_sn 32 chars with D156 at 7-10
(checked before the opaque e-voucher it would otherwise also fit), an opaque e-voucher 32 or more.

Fields per kind (all values are str unless said):
  trace_code         code, product_prefix (first 7)
  gs1                gtin, expiry (ISO, expiry_source 17/7003/15), batch, serial, sscc, ais {AI: value}
                     for the others, hri, warning (an AI we do not know: the rest unread), digital_link
  id_card            number (18-digit form; sensitive), masked, region, birth_date (ISO), sex ("1"/"2"), format
  ss_card            card_no or card_sn (+ region), format
  evoucher           format ("onewindow" | "opaque"), length (int)
  rx_token           token
  commodity_barcode  gtin (14 digits), symbology_guess, hint = "commodity_not_trace"
plus symbology (e.g. "]d2") whenever the scanner sent an AIM identifier.
"""
from __future__ import annotations

import logging
from datetime import date

from core.codes import commodity, digital_link, gs1, idcard, sscard, tokens, trace
from core.codes.checksums import gs1_valid
from core.codes.kinds import GS1_SYMBOLOGIES, GS1_SYMBOLOGIES_FLIPPED, Kind
from core.codes.normalize import GS, Refused, normalize
from core.codes.result import Parsed, ScanResult
from core.i18n import message

log = logging.getLogger("onewindow.codes")


def classify(value: object, *, today: date | None = None) -> ScanResult:
    """Classify one scan. `today` (default: the real date) decides "birth date in the future" and the
    century of GS1 dates; tests pass it to stay deterministic."""
    try:
        return _classify(value, today)
    except Exception:  # a bug must cost one scan, never the counter's UI thread
        # The content may be an ID number: log its shape only.
        log.exception("classify failed on a %s of length %s", type(value).__name__, _length(value))
        text = value if isinstance(value, str) else _describe(value)
        return _result(text, Kind.UNKNOWN, Parsed({}, "internal_error"), None, "")


def _classify(value: object, today: date | None) -> ScanResult:
    if not isinstance(value, str):
        return _result(_describe(value), Kind.UNKNOWN, Parsed({}, "not_text", {"type": type(value).__name__}), None, "")
    normal = normalize(value)
    if isinstance(normal, Refused):
        return _result(value, Kind.UNKNOWN, Parsed({}, normal.error_code, normal.error_args), None, "")
    text, symbology = normal
    kind, parsed = _decide(text, symbology, today)
    return _result(value, kind, parsed, symbology, text)


def _decide(text: str, symbology: str | None, today: date | None) -> tuple[Kind, Parsed]:
    n = len(text)
    # Fast path for the scan a pharmacy makes most: one 20-digit traceability code per box.
    if n == 20 and text[0] == "8" and symbology not in GS1_SYMBOLOGIES and text.isascii() and text.isdigit():
        return Kind.TRACE_CODE, trace.parse(text)
    if symbology in GS1_SYMBOLOGIES_FLIPPED:
        # ]D2 for ]d2: Caps Lock turned the identifier's letter, and so every letter of batch and serial
        fields = gs1.parse(text, today).fields
        return Kind.GS1, Parsed(fields, "gs1_case_flipped")
    if symbology in GS1_SYMBOLOGIES or GS in text or (text[0] == "(" and gs1.HRI_START.match(text)):
        parsed = gs1.parse(text, today)
        if parsed.error_code and n == 20 and text[0] == "8" and text.isdigit():
            return Kind.TRACE_CODE, trace.parse(text)  # ]C1 from a scanner that prefixes every Code 128 so
        return Kind.GS1, parsed
    if not text.isascii():
        return Kind.UNKNOWN, Parsed({}, "unrecognised")
    if text[:4] in ("http", "HTTP", "Http"):
        found = digital_link.match(text, today)
        if found:
            return Kind.GS1, found
    if text.isdigit():
        kind, parsed = _decide_digits(text, today)
        if parsed.error_code == "ean_check_digit" and symbology and symbology[:2] == "]C":
            # A Code 128 symbol carries its own check: the number was read right, it is simply no GTIN
            return Kind.UNKNOWN, Parsed({}, "unrecognised")
        return kind, parsed
    if n == 18 and text[17] in "Xx" and text[:17].isdigit():
        return Kind.ID_CARD, idcard.parse18(text, today)
    found = tokens.match_rx_token(text)
    if found:
        return Kind.RX_TOKEN, found
    found = sscard.match(text)
    if found:
        return Kind.SS_CARD, found
    if n > 16 and text.startswith("01") and text[2:16].isdigit():
        return Kind.GS1, gs1.parse(text, today)
    found = tokens.match_evoucher(text)
    if found:
        return Kind.EVOUCHER, found
    return Kind.UNKNOWN, Parsed({}, "unrecognised")


def _decide_digits(text: str, today: date | None) -> tuple[Kind, Parsed]:
    n = len(text)
    if n == 20 and text.startswith("00") and gs1_valid(text[2:]):
        return Kind.GS1, gs1.parse(text, today)  # (00) SSCC: a logistics label, never a trace code (those start 8)
    if n == 20:
        return Kind.TRACE_CODE, trace.parse(text)
    if n == 18 and gs1_valid(text) and not _looks_like_id(text):
        return Kind.GS1, gs1.parse("00" + text, today)  # a bare SSCC
    if n in commodity.LENGTHS:
        return Kind.COMMODITY_BARCODE, commodity.parse(text)
    if n == 18 and text[0] != "0":
        return Kind.ID_CARD, idcard.parse18(text, today)
    if n == 15 and text[0] != "0":
        return Kind.ID_CARD, idcard.parse15(text, today)
    if n >= 16 and text.startswith("01"):
        return Kind.GS1, gs1.parse(text, today)
    if 16 <= n <= 24 and text[0] == "8":
        return Kind.TRACE_CODE, trace.parse(text)
    return Kind.UNKNOWN, Parsed({}, "unrecognised")


def _looks_like_id(text: str) -> bool:
    """A province and a real birth date where an ID number has them (a mistyped ID keeps its ID message)."""
    if text[:2] not in idcard.PROVINCES:
        return False
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return True


def _result(input_: str, kind: Kind, parsed: Parsed, symbology: str | None, text: str) -> ScanResult:
    fields, code, args = parsed
    if symbology:
        fields["symbology"] = symbology
    error = message(f"codes.{code}", **(args or {})) if code else None
    return ScanResult(input_, kind, code is None, fields, error, code, text)


def _describe(value: object) -> str:
    try:
        shown = repr(value)
    except Exception:  # a broken __repr__ must not make classify raise
        shown = object.__repr__(value)
    return f"<{type(value).__name__}> {shown[:80]}"


def _length(value: object) -> object:
    try:
        return len(value)  # type: ignore[arg-type]
    except Exception:
        return "?"
