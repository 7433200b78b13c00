"""Opaque tokens: medical insurance e-vouchers (医保电子凭证) and e-prescription pickup codes.

E-voucher. The national QR is dynamic and only the platform can decode it (nhsa-interface.md §3): it is
recognised by its shape, never parsed for identity, never queued. Two shapes:
- ours (server/evoucher.py issues them): `NHSAEV1.` + one or more base64url segments separated by `.`
  (`<body>.<sig>`; each segment 16 or more of `A-Z a-z 0-9 _ -`, up to two `=`); the prefix with its
  letters in the wrong case means Caps Lock flipped the scan (kind evoucher, not valid, error
  evoucher_case_flipped); the prefix with any other body is evoucher_malformed;
- the platform's: 32 to 512 characters of the base64 / base64url alphabet (`A-Z a-z 0-9 + / _ -`,
  up to two `=` at the end) holding at least one letter and one digit (the 100-200 character URL-safe
  tokens of barcode.md, long upper-case alphanumerics). Shorter opaque text is too easily something
  typed by hand.
Fields: format (onewindow | opaque) and length; the payload itself is ScanResult.text.

Pickup code (rx_token) of an e-prescription circulated by our centre: `RX` + 8 to 24 letters or digits,
case-insensitive, written in upper case (fields: token). This also covers the centre's prescription id
(hi_rxno, `RX` + 14-digit time + 10 hex). At most 26 characters, so it never meets the 32-character minimum
of an opaque e-voucher.
"""
from __future__ import annotations

import re

from core.codes.result import Parsed

EVOUCHER_PREFIX = "NHSAEV1."
_EV_BODY = re.compile(r"[A-Za-z0-9_-]{16,}={0,2}(?:\.[A-Za-z0-9_-]{16,}={0,2})*")
_OPAQUE = re.compile(r"[A-Za-z0-9+/_-]{32,512}={0,2}")
_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_LETTER = re.compile(r"[A-Za-z]")
RX_TOKEN = re.compile(r"RX[0-9A-Z]{8,24}")
_PREFIX_LENGTH = len(EVOUCHER_PREFIX)


def match_evoucher(text: str) -> Parsed | None:
    head = text[:_PREFIX_LENGTH]
    if head == EVOUCHER_PREFIX:
        fields = {"format": "onewindow", "length": len(text)}
        if _EV_BODY.fullmatch(text, _PREFIX_LENGTH):
            return Parsed(fields)
        return Parsed(fields, "evoucher_malformed")
    if head.upper() == EVOUCHER_PREFIX:
        return Parsed({"format": "onewindow", "length": len(text)}, "evoucher_case_flipped")
    if len(text) >= 32 and _OPAQUE.fullmatch(text) and _HAS_DIGIT.search(text) and _HAS_LETTER.search(text):
        return Parsed({"format": "opaque", "length": len(text)})
    return None


def match_rx_token(text: str) -> Parsed | None:
    if 10 <= len(text) <= 26 and text[:2].upper() == "RX":
        upper = text.upper()
        if RX_TOKEN.fullmatch(upper):
            return Parsed({"token": upper})
    return None
