"""`onewindow bench stock --json`: the figures' shape on a small run (no wall-clock limits in tests)."""
from __future__ import annotations

import argparse

from onewindow.benchmarks import stock


def test_bench_stock_figures_on_a_small_run():
    figures = stock.run(argparse.Namespace(stock=300, scans=50, count=30, baseline_scans=2))
    assert figures["name"] == "stock" and figures["scans"] == 50
    for key in ("scan_p50_ms", "scan_p99_ms", "count_s", "baseline_scan_p50_ms", "post_receipt_s"):
        assert isinstance(figures[key], (int, float)) and figures[key] >= 0, key
    # 300 boxes over 10 products: product 0 holds 30, the shelf shows 20 of them and 10 strangers
    assert (figures["count_missing"], figures["count_extra"]) == (10, 10)
    assert isinstance(figures["within_budget"], bool)


def test_bench_stock_scans_through_the_receiving_screen(qapp):
    """--screen-scans: each scan through the stock window's receiving screen until its line is in the list."""
    figures = stock.run(argparse.Namespace(stock=100, scans=5, count=10, baseline_scans=1, screen_scans=30))
    assert figures["screen_scans"] == 30
    for key in ("screen_scan_p50_ms", "screen_scan_p99_ms", "screen_scan_max_ms"):
        assert isinstance(figures[key], (int, float)) and figures[key] > 0, key
