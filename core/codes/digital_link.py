"""GS1 Digital Link URIs: a QR code on a pack that is a web address and a GS1 element string at once.

    https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ?17=271231
    https://example.com/any/path/first/01/9506000134352?10=ABC&linkType=gs1:pip

Shape (GS1 Digital Link Standard: URI syntax): http or https, any host, any path before the first primary
key (01 GTIN, 00 SSCC, 253, 255, 401, 402, 414, 417, 8003, 8004, 8006, 8010, 8013, 8017, 8018) that is
followed by its value; after it, AI/value pairs (key qualifiers such as 22, 10, 21, 254); then query
parameters, those whose name is all digits being AIs (17, 7003, ...), the others (linkType, …) ignored.
Values are percent-decoded. A GTIN may be written with 8, 12, 13 or 14 digits: it is padded to 14.
The pairs are then read exactly as an element string (core.codes.gs1.parse_elements), so the fields are
the same as for the GS1 DataMatrix on the same pack, plus digital_link (the host).
"""
from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, unquote, urlsplit

from core.codes import gs1
from core.codes.result import Parsed

PRIMARY_KEYS = frozenset({"01", "00", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010",
                          "8013", "8017", "8018"})
_GTIN_LENGTHS = (8, 12, 13, 14)


def match(text: str, today: date | None = None) -> Parsed | None:
    """The parsed URI, or None when `text` is not a GS1 Digital Link (any other web address)."""
    if text[:4].lower() != "http":
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    start = next((i for i in range(len(segments) - 1) if segments[i] in PRIMARY_KEYS), None)
    if start is None:
        return None
    path = segments[start:]
    if len(path) % 2:
        return Parsed({"digital_link": parts.netloc}, "gs1_malformed", {"pos": len(text) - len(parts.query)})
    pairs = [(path[i], path[i + 1]) for i in range(0, len(path), 2)]
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.isascii() and name.isdigit():
            pairs.append((name, value))
    pairs = [(ai, value.zfill(14) if ai == "01" and len(value) in _GTIN_LENGTHS and value.isdigit() else value)
             for ai, value in pairs]
    fields, error, args = gs1.parse_elements(pairs, today)
    fields["digital_link"] = parts.netloc
    return Parsed(fields, error, args)
