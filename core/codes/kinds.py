"""What a scan can be, and the scanner symbology identifiers that tell us something about it."""
from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    TRACE_CODE = "trace_code"
    GS1 = "gs1"
    ID_CARD = "id_card"
    SS_CARD = "ss_card"
    EVOUCHER = "evoucher"
    RX_TOKEN = "rx_token"
    COMMODITY_BARCODE = "commodity_barcode"
    UNKNOWN = "unknown"


# AIM symbology identifiers whose data is a GS1 element string (FNC1 in first position):
# ]C1 GS1-128, ]d2 GS1 DataMatrix, ]Q3 GS1 QR Code, ]e0 GS1 DataBar, ]J1 GS1 DotCode.
GS1_SYMBOLOGIES = frozenset({"]C1", "]d2", "]Q3", "]e0", "]J1"})
# The same with the letter's case flipped: a keyboard wedge typing under Caps Lock (]e0/]E0 are both real
# identifiers, DataBar and EAN, so they tell nothing).
GS1_SYMBOLOGIES_FLIPPED = frozenset({"]c1", "]D2", "]q3", "]j1"})

# The first letter of an AIM identifier names the symbology; shown to the operator for support calls.
SYMBOLOGY_NAMES = {
    "A": "Code 39",
    "C": "Code 128",
    "d": "Data Matrix",
    "E": "EAN/UPC",
    "e": "GS1 DataBar",
    "F": "Codabar",
    "G": "Code 93",
    "I": "ITF",
    "J": "DotCode",
    "L": "PDF417",
    "Q": "QR Code",
    "z": "Aztec",
}
