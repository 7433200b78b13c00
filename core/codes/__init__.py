"""Scan vocabulary: classify and parse every code a scanner or camera can deliver.

    from core.codes import classify, Kind
    result = classify("81000110000000000001\r")
    result.kind is Kind.TRACE_CODE, result.valid, result.fields["product_prefix"], result.to_dict()

The rules that tell the kinds apart are in core.codes.classify's docstring; each kind's parser is a module
of its own (trace, gs1, idcard, sscard, tokens, commodity). Pure Python, no Qt.
"""
from core.codes.classify import classify
from core.codes.kinds import Kind
from core.codes.normalize import MAX_LENGTH
from core.codes.result import SENSITIVE_FIELDS, ScanResult

__all__ = ["MAX_LENGTH", "SENSITIVE_FIELDS", "Kind", "ScanResult", "classify"]
