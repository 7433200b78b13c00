"""GS1 Application Identifiers: lengths, character sets and titles (GS1 General Specifications §3).

Only what a pharmacy, a wholesaler's carton or an imported drug pack carries, plus the usual logistics and
internal AIs so that a full element string still parses. A value's length is `min..max` (fixed when equal);
`charset` N is digits, X is GS1 character set 82. Composite formats (e.g. 253 = N13 + X..17) are held as
their overall length and the laxer charset. The AI length follows from its first two digits, so the table is
prefix-free (a test keeps it so) and a lookup tries 2, 3 then 4 digits.
"""
from __future__ import annotations

import re
from typing import NamedTuple


class AISpec(NamedTuple):
    min: int
    max: int
    charset: str  # "N" or "X"
    title: str
    is_date: bool = False  # YYMMDD; DD "00" means the last day of the month


def _n(length: int, title: str, *, upto: bool = False, is_date: bool = False) -> AISpec:
    return AISpec(1 if upto else length, length, "N", title, is_date)


def _x(length: int, title: str, minimum: int = 1) -> AISpec:
    return AISpec(minimum, length, "X", title)


TABLE: dict[str, AISpec] = {
    "00": _n(18, "SSCC"),
    "01": _n(14, "GTIN"),
    "02": _n(14, "CONTENT"),
    "10": _x(20, "BATCH/LOT"),
    "11": _n(6, "PROD DATE", is_date=True),
    "12": _n(6, "DUE DATE", is_date=True),
    "13": _n(6, "PACK DATE", is_date=True),
    "15": _n(6, "BEST BEFORE", is_date=True),
    "16": _n(6, "SELL BY", is_date=True),
    "17": _n(6, "USE BY / EXPIRY", is_date=True),
    "20": _n(2, "VARIANT"),
    "21": _x(20, "SERIAL"),
    "22": _x(20, "CPV"),
    "235": _x(28, "TPX"),
    "240": _x(30, "ADDITIONAL ID"),
    "241": _x(30, "CUST. PART No."),
    "242": _n(6, "MTO VARIANT", upto=True),
    "243": _x(20, "PCN"),
    "250": _x(30, "SECONDARY SERIAL"),
    "251": _x(30, "REF. TO SOURCE"),
    "253": _x(30, "GDTI", minimum=13),
    "254": _x(20, "GLN EXTENSION COMPONENT"),
    "255": AISpec(13, 25, "N", "GCN"),
    "30": _n(8, "VAR. COUNT", upto=True),
    "37": _n(8, "COUNT", upto=True),
    "400": _x(30, "ORDER NUMBER"),
    "401": _x(30, "GINC"),
    "402": _n(17, "GSIN"),
    "403": _x(30, "ROUTE"),
    "420": _x(20, "SHIP TO POST"),
    "421": _x(12, "SHIP TO POST", minimum=4),
    "422": _n(3, "ORIGIN"),
    "423": AISpec(3, 15, "N", "COUNTRY - INITIAL PROCESS"),
    "424": _n(3, "COUNTRY - PROCESS"),
    "425": AISpec(3, 15, "N", "COUNTRY - DISASSEMBLY"),
    "426": _n(3, "COUNTRY - FULL PROCESS"),
    "427": _x(3, "ORIGIN SUBDIVISION"),
    "7001": _n(13, "NSN"),
    "7002": _x(30, "MEAT CUT"),
    "7003": _n(10, "EXPIRY TIME"),
    "7004": _n(4, "ACTIVE POTENCY", upto=True),
    "7005": _x(12, "CATCH AREA"),
    "7006": _n(6, "FIRST FREEZE DATE"),
    "7007": AISpec(6, 12, "N", "HARVEST DATE"),
    "7008": _x(3, "AQUATIC SPECIES"),
    "7009": _x(10, "FISHING GEAR TYPE"),
    "7010": _x(2, "PROD METHOD"),
    "7011": AISpec(6, 10, "N", "TEST BY DATE"),
    "7020": _x(20, "REFURB LOT"),
    "7021": _x(20, "FUNC STAT"),
    "7022": _x(20, "REV STAT"),
    "7023": _x(30, "GIAI - ASSEMBLY"),
    "710": _x(20, "NHRN PZN"),
    "711": _x(20, "NHRN CIP"),
    "712": _x(20, "NHRN CN"),
    "713": _x(20, "NHRN DRN"),
    "714": _x(20, "NHRN AIM"),
    "715": _x(20, "NHRN NDC"),
    "7240": _x(20, "PROTOCOL"),
    "8001": _n(14, "DIMENSIONS"),
    "8002": _x(20, "CMT No."),
    "8003": _x(30, "GRAI", minimum=14),
    "8004": _x(30, "GIAI"),
    "8005": _n(6, "PRICE PER UNIT"),
    "8006": _n(18, "ITIP"),
    "8007": _x(34, "IBAN"),
    "8008": AISpec(8, 12, "N", "PROD TIME"),
    "8009": _x(50, "OPTSEN"),
    "8010": _x(30, "CPID"),
    "8011": _n(12, "CPID SERIAL", upto=True),
    "8012": _x(20, "VERSION"),
    "8013": _x(25, "GMN"),
    "8017": _n(18, "GSRN - PROVIDER"),
    "8018": _n(18, "GSRN - RECIPIENT"),
    "8019": _n(10, "SRIN", upto=True),
    "8020": _x(25, "REF No."),
    "8026": _n(18, "ITIP CONTENT"),
    "8110": _x(70, "COUPON"),
    "8111": _n(4, "POINTS"),
    "8112": _x(70, "PAPERLESS COUPON"),
    "8200": _x(70, "PRODUCT URL"),
    "90": _x(30, "INTERNAL"),
}
# Trade measures: the fourth digit is the number of decimals (e.g. 3103 = net kg with 3 decimals).
for _family in ("310", "311", "312", "313", "314", "315", "316", "320", "321", "322", "323", "324", "325", "326",
                "327", "328", "329", "330", "331", "332", "333", "334", "335", "336", "337", "340", "341", "342",
                "343", "344", "345", "346", "347", "348", "349", "350", "351", "352", "353", "354", "355", "356",
                "357", "360", "361", "362", "363", "364", "365", "366", "367", "368", "369"):
    for _d in "0123456789":
        TABLE[_family + _d] = _n(6, "MEASURE")
for _d in "0123456789":
    TABLE["390" + _d] = _n(15, "AMOUNT", upto=True)
    TABLE["391" + _d] = AISpec(4, 18, "N", "AMOUNT + ISO CURRENCY")
    TABLE["392" + _d] = _n(15, "PRICE", upto=True)
    TABLE["393" + _d] = AISpec(4, 18, "N", "PRICE + ISO CURRENCY")
    TABLE["703" + _d] = _x(30, "PROCESSOR # " + _d, minimum=3)
for _d in range(410, 418):
    TABLE[str(_d)] = _n(13, "GLN")
for _d in range(91, 100):
    TABLE[str(_d)] = _x(90, "INTERNAL")
for _d in "0123":
    TABLE["394" + _d] = _n(4, "PRCNT OFF")
TABLE["3950"] = _n(6, "PRICE/UoM")
del _family, _d

# AIs whose value carries a GS1 mod-10 check digit.
CHECKED = frozenset({"00", "01", "02", "8017", "8018"})

# GS1 character set 82 (Figure 7.11-1): the characters an X value may hold.
CHARSET_82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*")


def lookup(text: str, pos: int) -> tuple[str, AISpec] | None:
    """The AI starting at `pos` and its spec, or None when no known AI starts there."""
    for width in (2, 3, 4):
        ai = text[pos:pos + width]
        spec = TABLE.get(ai)
        if spec is not None:
            return ai, spec
    return None
