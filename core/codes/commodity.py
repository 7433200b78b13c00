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
    return Parsed(fields)
