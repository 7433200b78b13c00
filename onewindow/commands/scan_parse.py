"""`onewindow scan-parse TEXT...` and `onewindow scan-parse --json -`: classify scans, print JSON.

One JSON object per TEXT, one per line. With `--json SOURCE` (`-` = standard input) SOURCE holds a JSON
array; the answer is one JSON array in the same order (an element that is not a string gets an invalid
result, as classify gives any non-str). Exit 0 when every input was classified, valid or not; 2 on a usage
error or when SOURCE is not a JSON array.
"""
from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scan-parse",
        help="classify scanned codes, print JSON (扫码解析)",
        description="Classify each scan and print {input, kind, valid, fields, error} as JSON. "
        "error is null or {\"zh\": ..., \"en\": ...}.",
    )
    p.add_argument("texts", nargs="*", metavar="TEXT", help="scanned text; use -- before a text starting with -")
    p.add_argument("--json", dest="json_source", metavar="SOURCE",
                   help="read a JSON array of strings from SOURCE (- for standard input); print a JSON array")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from core.codes import classify

    if args.json_source is not None and args.texts:
        return _fail("give either TEXT arguments or --json SOURCE, not both")
    # Lone surrogates can arrive through JSON escapes; write them as \\uXXXX instead of dying on encode.
    sys.stdout.reconfigure(errors="backslashreplace")
    if args.json_source is None:
        if not args.texts:
            return _fail("nothing to parse: give TEXT arguments or --json -")
        for text in args.texts:
            print(json.dumps(classify(text).to_dict(), ensure_ascii=False))
        return 0
    items = _read_array(args.json_source)
    if isinstance(items, str):
        return _fail(items)
    print(json.dumps([classify(item).to_dict() for item in items], ensure_ascii=False))
    return 0


def _read_array(source: str) -> list | str:
    """The array, or the reason it could not be read."""
    try:
        if source == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(source, "rb") as fh:
                raw = fh.read()
    except OSError as exc:
        return f"cannot read {source}: {exc.strerror or exc}"
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return f"{_name(source)} is not UTF-8 (byte {exc.start})"
    except RecursionError:
        return f"{_name(source)} is nested too deeply (JSON 嵌套层数过多)"
    except json.JSONDecodeError as exc:
        return f"{_name(source)} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if not isinstance(data, list):
        return f"{_name(source)} must hold a JSON array of strings, not a {type(data).__name__}"
    return data


def _name(source: str) -> str:
    return "standard input" if source == "-" else source


def _fail(reason: str) -> int:
    print(f"onewindow scan-parse: error: {reason}", file=sys.stderr)
    return 2
