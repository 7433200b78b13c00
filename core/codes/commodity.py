"""Commodity barcodes (商品条码): EAN-8, UPC-A, EAN-13 and GTIN-14 (ITF-14 on cartons).

A valid one is still not what the pharmacy wants at the box-scanning step: the 69… EAN-13 names the product,
the traceability code names the box. Such results carry fields["hint"] = "commodity_not_trace" so the screen
can say so (message key codes.hint.commodity_not_trace), and the audit rule TRC-005 can refuse it.
"""
from __future__ import annotations

from core.codes.checksums import gs1_valid
from core.codes.result import Parsed

LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}


def parse(text: str) -> Parsed:
    """`text` is all ASCII digits and its length is one of LENGTHS."""
    fields = {"gtin": text.zfill(14), "symbology_guess": LENGTHS[len(text)], "hint": "commodity_not_trace"}
    if not gs1_valid(text):
        return Parsed(fields, "ean_check_digit")
    use = prefix_use(text)
    if use != "trade_item":
        fields["prefix_use"] = use
    if use == "unassigned":
        return Parsed(fields, "ean_prefix_unassigned", {"prefix": fields["gtin"][1:4]})
    return Parsed(fields)


# GS1 prefixes (first three digits of the GTIN-13) that GS1 does not allocate to trade items. 140-199 are
# reserved for future use, so a number there names no product anywhere: a Japanese book's price code (192…)
# printed beside the ISBN is the usual one a camera sees.
_UNASSIGNED = (range(140, 200),)
_USES = ((range(20, 30), "restricted"), (range(40, 50), "restricted"), (range(200, 300), "restricted"),
         (range(50, 60), "coupon"), (range(977, 980), "publication"), (range(980, 1000), "coupon"))


def prefix_use(gtin: str) -> str:
    """What a GTIN-13 (or a 12-digit UPC-A, or a GTIN-14 with a leading indicator) is allocated to:
    "trade_item", "unassigned", "restricted" (in-store numbers), "coupon" or "publication" (ISBN/ISSN)."""
    digits = gtin[-13:].zfill(13)
    if len(gtin) == 8:
        return "trade_item"
    prefix = int(digits[:3])
    if any(prefix in r for r in _UNASSIGNED):
        return "unassigned"
    for r, use in _USES:
        if prefix in r:
            return use
    return "trade_item"
