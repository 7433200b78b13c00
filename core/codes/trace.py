"""Drug traceability codes (药品追溯码).

The retail code is 20 digits, the first 7 identify the product (药品标识码) and 码上放心 codes start with 8;
the split and check algorithm of the other 13 digits are not public, so only the structure is checked here
(nhsa-interface.md §4.1). A 20-digit code that does not start with 8 stays a trace_code but is not valid: the
audit rule TRC-005 treats "not 20 digits starting 8 / not GS1" as malformed, and the operator should see
"trace code" rather than "unknown" for what is almost certainly a misread or an enterprise code.
"""
from __future__ import annotations

from core.codes.result import Parsed

LENGTH = 20
PREFIX_LENGTH = 7


def parse(text: str) -> Parsed:
    """`text` is all ASCII digits."""
    if len(text) != LENGTH:
        # A dropped or doubled digit (fast scanners, VMs): say so, so the operator rescans.
        return Parsed({"code": text}, "trace_length", {"length": len(text)})
    fields = {"code": text, "product_prefix": text[:PREFIX_LENGTH]}
    if text[0] != "8":
        return Parsed(fields, "trace_prefix")
    return Parsed(fields)
