"""Check digits: GS1 mod 10 (EAN/UPC/GTIN/SSCC) and GB 11643 ISO 7064 MOD 11-2 (resident ID)."""
from __future__ import annotations

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def gs1_check_digit(body: str) -> str:
    """The check digit for the digits `body` (everything but the check digit).

    Weights 3,1,3,... from the right-most body digit, so one function serves EAN-8, UPC-A, EAN-13, GTIN-14, SSCC.
    """
    total = 0
    weight = 3
    for ch in reversed(body):
        total += (ord(ch) - 48) * weight
        weight = 4 - weight
    return str(-total % 10)


def gs1_valid(digits: str) -> bool:
    return len(digits) >= 2 and digits[-1] == gs1_check_digit(digits[:-1])


def id_check_char(body17: str) -> str:
    """The 18th character of a resident ID number: one of 0-9 or X."""
    total = sum((ord(ch) - 48) * w for ch, w in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]
