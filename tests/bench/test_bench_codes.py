"""`onewindow bench codes --json`: the figures' shape on a small run (no wall-clock limits in tests)."""
from __future__ import annotations

import json
import random
import subprocess
import sys

from core.codes import Kind, classify
from onewindow.benchmarks.codes import generate_mix


def test_bench_codes_json_shape():
    done = subprocess.run([sys.executable, "-m", "onewindow", "bench", "codes", "--json", "--count", "400",
                           "--repeat", "1"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["name"] == "codes" and figures["scans"] == 400
    for key in ("per_scan_us", "baseline_per_scan_us", "ratio", "p50_us", "p99_us", "max_us"):
        assert isinstance(figures[key], (int, float)) and figures[key] > 0, key
    assert figures["budget_us"] == 100.0 and isinstance(figures["within_budget"], bool)
    assert sum(figures["mix"].values()) == 400


def test_the_mix_is_mostly_valid_trace_codes_with_every_kind_present():
    inputs = generate_mix(3000, random.Random(7))
    results = [classify(text) for text in inputs]
    kinds = {r.kind for r in results}
    assert {Kind.TRACE_CODE, Kind.GS1, Kind.ID_CARD, Kind.COMMODITY_BARCODE, Kind.EVOUCHER, Kind.UNKNOWN} <= kinds
    traces = [r for r in results if r.kind is Kind.TRACE_CODE]
    assert len(traces) > 0.6 * len(inputs)
    assert all(r.valid for r in results if r.kind in (Kind.GS1, Kind.ID_CARD, Kind.EVOUCHER))
