"""Social security cards (社会保障卡).

The card itself carries no barcode; what reaches us as text is typed from the card or passed on by a card
reader. Two shapes are recognised (case-insensitive, written in upper case):

- card number (卡号, mdtrt_cert_no for cert type 03): 9 characters, a letter, two letters or digits, six
  digits: `[A-Z][0-9A-Z]{2}[0-9]{6}`, e.g. X00000019, B7K334774. Some regions issue all-digit card numbers;
  nine bare digits say too little to be recognised from text alone and stay unknown (the card reader reports
  its own kind).
- card identification code (卡识别码, card_sn): 32 characters, the issuing region (6 digits), `D156` (China),
  6 digits of specification version, 16 hex digits: `[0-9]{6}D156[0-9]{6}[0-9A-F]{16}`.

Neither has a public check digit, so valid means "has the shape".
"""
from __future__ import annotations

import re

from core.codes.result import Parsed

CARD_NO = re.compile(r"[A-Z][0-9A-Z]{2}[0-9]{6}")
CARD_SN = re.compile(r"[0-9]{6}D156[0-9]{6}[0-9A-F]{16}")


def match(text: str) -> Parsed | None:
    """The parsed card, or None when `text` has neither shape."""
    if len(text) == 9:
        upper = text.upper()
        if CARD_NO.fullmatch(upper):
            return Parsed({"card_no": upper, "format": "card_no"})
    elif len(text) == 32:
        upper = text.upper()
        if CARD_SN.fullmatch(upper):
            return Parsed({"card_sn": upper, "region": upper[:6], "format": "card_sn"})
    return None
