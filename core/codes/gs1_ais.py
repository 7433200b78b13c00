"""GS1 Application Identifiers: lengths, character sets, check digits and dates (GS1 General Specifications §3).

The whole AI table of the General Specifications (release 24, January 2024), written below in the
specification's own notation and read once at import: `N13` thirteen digits, `N..20` up to twenty,
`X..20` up to twenty characters of GS1 character set 82, `Y` set 39, `Z` set 64 (file-safe base64),
`+` joins the components of one value (253 = N13 + X..17: a GDTI and an optional serial). Flags:
`cd` the first fixed numeric component ends in a GS1 mod-10 check digit (8003: after its leading 0),
`date` / `date0` / `datetime` / `daterange` / `dateopt` / `date8` / `datetime8` / `hourmin` say how the value
holds a date (date0: YYMMDD whose DD may be 00, "end of the month"; daterange: YYMMDD or YYMMDDYYMMDD;
dateopt: YYMMDD and optional HHMM; hourmin: YYMMDDHH and optional MM, SS; date8: YYYYMMDD), `dec` the
last AI digit is a count of decimals (`dec5`: at most 5). A `n` in the AI stands for its last digit (0-9,
capped by `decN`). The AI length follows from its first two digits, so the table is prefix-free (a test keeps
it so) and a lookup tries 2, 3 then 4 digits.
"""
from __future__ import annotations

import re
from typing import NamedTuple


class AISpec(NamedTuple):
    min: int
    max: int
    charset: str  # "N" digits, "X" set 82, "Y" set 39, "Z" set 64; a value of mixed parts takes the laxest
    title: str
    is_date: bool = False  # kept for callers: any date flag below
    date: str = ""        # "", "date", "date0", "datetime", "daterange", "dateopt", "date8", "datetime8", "hourmin"
    check: int = 0        # >0: value[check_from:check] carries a GS1 mod-10 check digit
    check_from: int = 0
    fmt: str = ""         # the specification's notation, e.g. "N13+X..17"


# AI  format  flags  title  (GS1 General Specifications, Figure 3.2-1)
_SPEC = """
00 N18 cd SSCC
01 N14 cd GTIN
02 N14 cd CONTENT
03 N14 cd MTO GTIN
10 X..20 - BATCH/LOT
11 N6 date0 PROD DATE
12 N6 date0 DUE DATE
13 N6 date0 PACK DATE
15 N6 date0 BEST BEFORE or BEST BY
16 N6 date0 SELL BY
17 N6 date0 USE BY or EXPIRY
20 N2 - VARIANT
21 X..20 - SERIAL
22 X..20 - CPV
235 X..28 - TPX
240 X..30 - ADDITIONAL ID
241 X..30 - CUST. PART No.
242 N..6 - MTO VARIANT
243 X..20 - PCN
250 X..30 - SECONDARY SERIAL
251 X..30 - REF. TO SOURCE
253 N13+X..17 cd GDTI
254 X..20 - GLN EXTENSION COMPONENT
255 N13+N..12 cd GCN
30 N..8 - VAR. COUNT
310n N6 dec5 NET WEIGHT (kg)
311n N6 dec5 LENGTH (m)
312n N6 dec5 WIDTH (m)
313n N6 dec5 HEIGHT (m)
314n N6 dec5 AREA (m2)
315n N6 dec5 NET VOLUME (l)
316n N6 dec5 NET VOLUME (m3)
320n N6 dec5 NET WEIGHT (lb)
321n N6 dec5 LENGTH (in)
322n N6 dec5 LENGTH (ft)
323n N6 dec5 LENGTH (yd)
324n N6 dec5 WIDTH (in)
325n N6 dec5 WIDTH (ft)
326n N6 dec5 WIDTH (yd)
327n N6 dec5 HEIGHT (in)
328n N6 dec5 HEIGHT (ft)
329n N6 dec5 HEIGHT (yd)
330n N6 dec5 GROSS WEIGHT (kg)
331n N6 dec5 LENGTH (m), log
332n N6 dec5 WIDTH (m), log
333n N6 dec5 HEIGHT (m), log
334n N6 dec5 AREA (m2), log
335n N6 dec5 VOLUME (l), log
336n N6 dec5 VOLUME (m3), log
337n N6 dec5 KG PER m2
340n N6 dec5 GROSS WEIGHT (lb)
341n N6 dec5 LENGTH (in), log
342n N6 dec5 LENGTH (ft), log
343n N6 dec5 LENGTH (yd), log
344n N6 dec5 WIDTH (in), log
345n N6 dec5 WIDTH (ft), log
346n N6 dec5 WIDTH (yd), log
347n N6 dec5 HEIGHT (in), log
348n N6 dec5 HEIGHT (ft), log
349n N6 dec5 HEIGHT (yd), log
350n N6 dec5 AREA (in2)
351n N6 dec5 AREA (ft2)
352n N6 dec5 AREA (yd2)
353n N6 dec5 AREA (in2), log
354n N6 dec5 AREA (ft2), log
355n N6 dec5 AREA (yd2), log
356n N6 dec5 NET WEIGHT (troy oz)
357n N6 dec5 NET VOLUME (oz)
360n N6 dec5 NET VOLUME (qt)
361n N6 dec5 NET VOLUME (gal.)
362n N6 dec5 VOLUME (qt), log
363n N6 dec5 VOLUME (gal.), log
364n N6 dec5 VOLUME (in3)
365n N6 dec5 VOLUME (ft3)
366n N6 dec5 VOLUME (yd3)
367n N6 dec5 VOLUME (in3), log
368n N6 dec5 VOLUME (ft3), log
369n N6 dec5 VOLUME (yd3), log
37 N..8 - COUNT
390n N..15 dec9 AMOUNT
391n N3+N..15 dec9 AMOUNT (ISO currency)
392n N..15 dec9 PRICE
393n N3+N..15 dec9 PRICE (ISO currency)
394n N4 dec3 PRCNT OFF
395n N6 dec5 PRICE/UoM
400 X..30 - ORDER NUMBER
401 X..30 - GINC
402 N17 cd GSIN
403 X..30 - ROUTE
410 N13 cd SHIP TO LOC
411 N13 cd BILL TO
412 N13 cd PURCHASE FROM
413 N13 cd SHIP FOR LOC
414 N13 cd LOC No.
415 N13 cd PAY TO
416 N13 cd PROD/SERV LOC
417 N13 cd PARTY
420 X..20 - SHIP TO POST
421 N3+X..9 - SHIP TO POST (ISO country)
422 N3 - ORIGIN
423 N3+N..12 - COUNTRY - INITIAL PROCESS
424 N3 - COUNTRY - PROCESS
425 N3+N..12 - COUNTRY - DISASSEMBLY
426 N3 - COUNTRY - FULL PROCESS
427 X..3 - ORIGIN SUBDIVISION
4300 X..35 - SHIP TO COMP
4301 X..35 - SHIP TO NAME
4302 X..70 - SHIP TO ADD1
4303 X..70 - SHIP TO ADD2
4304 X..70 - SHIP TO SUB
4305 X..70 - SHIP TO LOC
4306 X..70 - SHIP TO REG
4307 X2 - SHIP TO COUNTRY
4308 X..30 - SHIP TO PHONE
4309 N20 - SHIP TO GEO
4310 X..35 - RTN TO COMP
4311 X..35 - RTN TO NAME
4312 X..70 - RTN TO ADD1
4313 X..70 - RTN TO ADD2
4314 X..70 - RTN TO SUB
4315 X..70 - RTN TO LOC
4316 X..70 - RTN TO REG
4317 X2 - RTN TO COUNTRY
4318 X..20 - RTN TO POST
4319 X..30 - RTN TO PHONE
4320 X..35 - SRV DESCRIPTION
4321 N1 - DANGEROUS GOODS
4322 N1 - AUTH LEAVE
4323 N1 - SIG REQUIRED
4324 N10 datetime NBEF DEL DT
4325 N10 datetime NAFT DEL DT
4326 N6 date REL DATE
4330 N6+X..1 - MAX TEMP F
4331 N6+X..1 - MAX TEMP C
4332 N6+X..1 - MIN TEMP F
4333 N6+X..1 - MIN TEMP C
7001 N13 - NSN
7002 X..30 - MEAT CUT
7003 N10 datetime EXPIRY TIME
7004 N..4 - ACTIVE POTENCY
7005 X..12 - CATCH AREA
7006 N6 date FIRST FREEZE DATE
7007 N6..12 daterange HARVEST DATE
7008 X..3 - AQUATIC SPECIES
7009 X..10 - FISHING GEAR TYPE
7010 X..2 - PROD METHOD
7011 N6+N..4 dateopt TEST BY DATE
7020 X..20 - REFURB LOT
7021 X..20 - FUNC STAT
7022 X..20 - REV STAT
7023 X..30 - GIAI - ASSEMBLY
703n N3+X..27 - PROCESSOR # n
7040 N1+X3 - UIC+EXT
7041 X..4 - UFRGT UNIT TYPE
710 X..20 - NHRN PZN
711 X..20 - NHRN CIP
712 X..20 - NHRN CN
713 X..20 - NHRN DRN
714 X..20 - NHRN AIM
715 X..20 - NHRN NDC
716 X..20 - NHRN AIC
723n X2+X..28 - CERT # n
7240 X..20 - PROTOCOL
7241 N2 - AIDC MEDIA TYPE
7242 X..25 - VCN
7250 N8 date8 DOB
7251 N12 datetime8 DOB TIME
7252 N1 - BIO SEX
7253 X..40 - FAMILY NAME
7254 X..40 - GIVEN NAME
7255 X..10 - SUFFIX
7256 X..90 - FULL NAME
7257 X..70 - PERSON ADDR
7258 N1+X1+N1 - BIRTH SEQUENCE
7259 X..40 - BABY
8001 N14 - DIMENSIONS
8002 X..20 - CMT No.
8003 N14+X..16 cd1 GRAI
8004 X..30 - GIAI
8005 N6 - PRICE PER UNIT
8006 N14+N2+N2 cd ITIP
8007 X..34 - IBAN
8008 N8+N..4 hourmin PROD TIME
8009 X..50 - OPTSEN
8010 Y..30 - CPID
8011 N..12 - CPID SERIAL
8012 X..20 - VERSION
8013 X..25 - GMN
8014 X..25 - MUDI
8017 N18 cd GSRN - PROVIDER
8018 N18 cd GSRN - RECIPIENT
8019 N..10 - SRIN
8020 X..25 - REF No.
8026 N14+N2+N2 cd ITIP CONTENT
8030 Z..90 - DIGSIG
8110 X..70 - COUPON
8111 N4 - POINTS
8112 X..70 - PAPERLESS COUPON
8200 X..70 - PRODUCT URL
90 X..30 - INTERNAL
9n X..90 - INTERNAL
"""

_PART = re.compile(r"([NXYZ])(\.\.)?(\d+)(?:\.\.(\d+))?$")
_LAXEST = "NYZX"  # a mixed value is checked against the laxest set among its parts


def _parse(spec: str) -> tuple[int, int, str, int]:
    """(min, max, charset, length of the leading fixed numeric part) of e.g. "N13+X..17" or "N6..12"."""
    lo = hi = 0
    charset = "N"
    lead = 0
    for i, part in enumerate(spec.split("+")):
        m = _PART.match(part)
        if m is None:
            raise ValueError(f"bad AI format {spec!r}")
        kind, upto, a, b = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        if b is not None:      # N6..12: six to twelve
            lo, hi = lo + a, hi + int(b)
        elif upto:             # N..20: one to twenty (a later part may be left out altogether)
            lo, hi = lo + (1 if i == 0 else 0), hi + a
        else:
            lo, hi = lo + a, hi + a
            if i == 0 and kind == "N":
                lead = a
        if _LAXEST.index(kind) > _LAXEST.index(charset):
            charset = kind
    return lo, hi, charset, lead


def _build() -> tuple[dict[str, AISpec], dict[str, int]]:
    table: dict[str, AISpec] = {}
    decimals: dict[str, int] = {}  # AI family (first three digits) -> most decimals its last digit may say
    for line in _SPEC.strip().splitlines():
        ai, fmt, flags, title = line.split(" ", 3)
        lo, hi, charset, lead = _parse(fmt)
        date = flags if flags.startswith(("date", "hourmin")) else ""
        check, check_from = 0, 0
        if flags.startswith("cd"):  # cd1: the check digit closes value[1:lead] (8003's leading 0 is not part)
            check, check_from = lead, int(flags[2:] or 0)
        top = int(flags[3:]) if flags.startswith("dec") else 9
        if flags.startswith("dec"):
            decimals[ai[:3]] = top
        digits = [str(d) for d in range(top + 1)] if ai.endswith("n") else [""]
        for d in digits:
            name = ai[:-1] + d if ai.endswith("n") else ai
            if name in table:  # 9n after 90: the first line for an AI wins
                continue
            table[name] = AISpec(lo, hi, charset, title.replace(" n", " " + d) if d else title, bool(date), date,
                                 check, check_from, fmt)
    return table, decimals


TABLE, DECIMALS = _build()

# AIs whose value carries a GS1 mod-10 check digit (kept for callers; AISpec.check says where it is).
CHECKED = frozenset(ai for ai, spec in TABLE.items() if spec.check)

# GS1 character sets (General Specifications Figures 7.11-1, 7.11-2, 7.11-3).
CHARSET_82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*")
CHARSET_39 = re.compile(r"[#\-/0-9A-Z]*")
CHARSET_64 = re.compile(r"[\-0-9A-Z_a-z]*={0,2}")
CHARSETS = {"X": CHARSET_82, "Y": CHARSET_39, "Z": CHARSET_64}


def lookup(text: str, pos: int) -> tuple[str, AISpec] | None:
    """The AI starting at `pos` and its spec, or None when no known AI starts there."""
    for width in (2, 3, 4):
        ai = text[pos:pos + width]
        spec = TABLE.get(ai)
        if spec is not None:
            return ai, spec
    return None


def bad_decimals(text: str, pos: int) -> str | None:
    """A measure AI whose decimals digit is out of range (3106: six decimals in a six-digit value), else None."""
    ai = text[pos:pos + 4]
    top = DECIMALS.get(ai[:3])
    if top is not None and len(ai) == 4 and ai[3].isdigit() and int(ai[3]) > top:
        return ai
    return None
