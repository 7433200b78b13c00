"""The one ID-number mask. Every shell (pharmacy desk, counter, kiosk, receipts, statements), the card reader's
`CardRead.masked_id`, the centre's work lists and its supervision screen show ID and certificate numbers through
`mask_id`, so a person sees the same masked number on the screen, on paper and at the window.

The rule (as the national 医保 apps print it): the region (first six digits) and the last four stay, the birth
date and sequence between are hidden — 420704********1657 for an 18-digit ID, 420704*****123 for a 15-digit one.
`mask_name` is the one name mask (张**). Shorter numbers (social security card numbers, passports) keep their last four, and their first two from twelve
characters on, so that at least half of any number is hidden; eight characters or fewer are hidden entirely.
"""
from __future__ import annotations

HIDDEN = "*"


def mask_name(name: str | None) -> str:
    """A person's name as the centre shows it to someone who is not that person: 张三丰 -> 张** (the supervision
    screen, a 共济 account holder shown at the desk)."""
    n = (name or "").strip()
    return n[:1] + HIDDEN * max(1, len(n) - 1) if n else ""


def mask_id(number: str | None) -> str:
    """The masked form of an ID or certificate number ("" for none). Surrounding spaces are ignored."""
    n = (number or "").strip()
    if len(n) <= 8:
        return HIDDEN * len(n)
    head = 6 if len(n) >= 15 else 2 if len(n) >= 12 else 0
    return n[:head] + HIDDEN * (len(n) - head - 4) + n[-4:]


__all__ = ["mask_id", "mask_name"]
