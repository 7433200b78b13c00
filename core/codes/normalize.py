"""Turn what a scanner, camera or keyboard delivered into the text a code is judged on.

Steps, in this order (each one exists because of a trap in ../shared/domain/barcode.md):
1. refuse anything longer than RAW_LIMIT at once, before any per-character work (junk must be cheap);
2. NFKC when the text is not ASCII: a Chinese IME in full-width mode types `８１０…` and `（０１）`;
3. strip spaces, CR, LF and TAB at both ends: the scanner's configured suffix (GS is kept: it is data);
4. printable stand-ins for the GS1 separator become GS (ASCII 29): scanners are often programmed to send
   `<GS>` or `{GS}` because keyboard wedges lose Ctrl+]; U+241D (␝) is the Unicode picture of GS;
5. refuse any other control character (C0, DEL, C1): STX/ETX framing, ESC sequences, NUL, a second CR
   inside the text all mean the scan was not one clean code; but inside a QR, Data Matrix or Aztec symbol
   reported with its AIM identifier they are the symbol's own text (several lines): unrecognised, not
   "scan again";
6. take off an AIM symbology identifier (`]` letter char, e.g. ]C1 ]d2 ]Q3 ]E0) and remember it;
7. refuse text longer than MAX_LENGTH;
8. digits typed from a label in groups (`8100011 0000 ...`, `420704 19800101 004X`: an ID number may end in
   X) lose their spaces.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

GS = "\x1d"
MAX_LENGTH = 512
# Raw limit: NFKC can lengthen text, so the final check is MAX_LENGTH; this one only keeps junk cheap.
RAW_LIMIT = 4 * MAX_LENGTH

_ENDS = " \r\n\t"
_GS_STANDINS = re.compile(r"<GS>|\{GS\}|\u241d", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1c\x1e\x1f\x7f-\x9f]")
_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")
# QR, Data Matrix, Aztec: a camera or scanner that reports the symbology read one whole symbol, checked by its
# error correction, so a line break or other control character inside is the symbol's text (a vCard, a
# multi-line note), not scanner framing or two scans run together: "scan again" would not help.
_WHOLE_SYMBOL = re.compile(r"\][Qdz][0-9A-Za-z]")


class Normalized(NamedTuple):
    text: str
    symbology: str | None


class Refused(NamedTuple):
    error_code: str
    error_args: dict[str, Any]


def normalize(raw: str) -> Normalized | Refused:
    if len(raw) > RAW_LIMIT:
        return Refused("too_long", {"length": len(raw), "limit": MAX_LENGTH})
    text = raw
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    text = text.strip(_ENDS)
    if "<" in text or "{" in text or "\u241d" in text:
        text = _GS_STANDINS.sub(GS, text)
    bad = _CONTROL.search(text)
    if bad:
        if _WHOLE_SYMBOL.match(text):  # one 2D symbol's own text (a vCard, a note): read whole, but not ours
            return Refused("unrecognised", {})
        return Refused("control_char", {"char": f"U+{ord(bad.group()):04X}"})
    symbology = None
    if text[:1] == "]" and _AIM.match(text):
        symbology, text = text[:3], text[3:]
    if len(text) > MAX_LENGTH:
        return Refused("too_long", {"length": len(text), "limit": MAX_LENGTH})
    if " " in text:
        compact = text.replace(" ", "")
        if compact.isascii() and (compact.isdigit() or (len(compact) == 18 and compact[17] in "Xx"
                                                          and compact[:17].isdigit())):
            text = compact
    if not text:
        return Refused("empty", {})
    return Normalized(text, symbology)
