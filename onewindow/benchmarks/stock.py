"""Stock ledger: receiving by scan (each scan to its line) with 100,000 boxes in stock, and a count of 10,000 boxes.

A temporary SQLite store gets `--stock` boxes on hand (received through the ledger's writer in deliveries of
10,000), then `--scans` boxes of a new delivery are scanned one by one through the same function the receiving
screen calls (core.services.stock.scan_box: read the code, find its product, refuse a box already in stock or
already scanned) and posted as one receipt. Budget: p99 per scan < 50 ms. The baseline, measured in the same
run on `--baseline-scans` scans, checks "already in stock" by loading every code on hand (what a naive screen
does). Then a stock count of `--count` boxes of one product is compared against the ledger (budget < 2 s), and
against the per-box lookup baseline.
"""
from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

BUDGET_SCAN_P99_MS = 50.0
BUDGET_COUNT_S = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stock", type=int, default=100_000, help="boxes already in stock (default 100000)")
    parser.add_argument("--scans", type=int, default=10_000, help="boxes received by scan (default 10000)")
    parser.add_argument("--count", type=int, default=10_000, help="boxes in the stock count (default 10000)")
    parser.add_argument("--baseline-scans", type=int, default=20, help="scans through the naive check (default 20)")
    parser.add_argument("--screen-scans", type=int, default=10_000,
                        help="boxes scanned through the receiving screen, each to its line (default 10000; 0: none)")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def _code(prefix: str, n: int) -> str:
    return f"{prefix}{n:013d}"


def run(args: argparse.Namespace) -> dict:
    from sqlalchemy.orm import Session

    from core.domain import Drug
    from core.services.stock import ReceivingDraft, product_of, scan_box
    from core.stock.domain import Delivery, DeliveryLine, StockError
    from core.store import stock as ledger
    from core.store.catalogue import upsert_drugs
    from core.store.db import open_store
    from core.store.paths import sqlite_url

    n_stock = getattr(args, "stock", 100_000)
    n_scans = getattr(args, "scans", 10_000)
    n_count = min(getattr(args, "count", 10_000), n_stock)
    n_base = getattr(args, "baseline_scans", 20)
    n_screen = getattr(args, "screen_scans", 0)
    today = dt.date(2026, 12, 7)
    now = dt.datetime(2026, 12, 7, 8, 0)
    from decimal import Decimal

    drugs = [Drug(key=f"B{k:02d}", name=f"基准药品{k}", price=Decimal("10.00"), pack_size=28,
                  trace_prefix=f"81{k:05d}") for k in range(10)]
    products = {d.key: product_of(d) for d in drugs}
    figures: dict = {"name": "stock", "stock_boxes": n_stock, "scans": n_scans, "count_boxes": n_count}
    tmp = tempfile.TemporaryDirectory(prefix="onewindow-bench-stock-")
    engine = open_store(sqlite_url(Path(tmp.name) / "stock.db"))
    try:
        with Session(engine) as s:
            upsert_drugs(s, drugs, catalogue_version=1)
            s.commit()
            t0 = time.perf_counter()
            per_drug = max(1, n_stock // len(drugs))
            made = 0
            doc = 0
            while made < n_stock:
                k = (made // per_drug) % len(drugs)
                size = min(10_000, n_stock - made, per_drug - made % per_drug)
                lines = tuple(DeliveryLine(_code(drugs[k].trace_prefix or "", made + i), drugs[k].key, f"L{k}",
                                           "2026-01-01", "2028-12-31") for i in range(size))
                doc += 1
                ledger.receive(s, Delivery("供应商", f"I{doc}", lines), products, doc_no=f"PRE-{doc}", now=now,
                               today=today)
                made += size
            figures["preload_s"] = round(time.perf_counter() - t0, 3)

            # receiving by scan: each scan to its line
            draft = ReceivingDraft()
            new = [_code("8100009", 10**9 + i) for i in range(n_scans)]
            upsert_drugs(s, [Drug(key="NEW", name="新到药品", price=Decimal("9.00"), pack_size=30,
                                  trace_prefix="8100009")], catalogue_version=2)
            s.commit()
            times = []
            for code in new:
                t0 = time.perf_counter()
                scan_box(s, draft, code, today)
                times.append((time.perf_counter() - t0) * 1000)
            s.rollback()
            figures["scan_p50_ms"] = round(_pct(times, 50), 3)
            figures["scan_p99_ms"] = round(_pct(times, 99), 3)
            figures["scan_max_ms"] = round(max(times), 3)
            t0 = time.perf_counter()
            lines = tuple(DeliveryLine(x.code, x.drug_key, "LNEW", "2026-06-01", "2029-05-31") for x in draft.lines)
            ledger.receive(s, Delivery("供应商", "INEW", lines), {**products, "NEW": product_of(
                Drug(key="NEW", name="新到药品", price=Decimal("9.00"), pack_size=30, trace_prefix="8100009"))},
                doc_no="NEW-1", now=now, today=today)
            figures["post_receipt_s"] = round(time.perf_counter() - t0, 3)

            # baseline: the "already in stock?" check against every code on hand, per scan
            base = []
            for i in range(n_base):
                t0 = time.perf_counter()
                on_hand = ledger.on_hand_codes(s)
                if _code("8100008", i) in on_hand:
                    raise StockError("unexpected")
                base.append((time.perf_counter() - t0) * 1000)
            figures["baseline_scan_p50_ms"] = round(_pct(base, 50), 3)

            # stock count of one product's boxes (the shelf shows all but 10, plus 10 strangers)
            key = drugs[0].key
            shelf = [_code(drugs[0].trace_prefix or "", i) for i in range(min(n_count, per_drug))]
            scanned = shelf[10:] + [_code("8100008", i) for i in range(10)]
            t0 = time.perf_counter()
            result = ledger.count(s, scanned, key)
            figures["count_s"] = round(time.perf_counter() - t0, 3)
            figures["count_missing"], figures["count_extra"] = len(result.missing), len(result.extra)
            t0 = time.perf_counter()
            for code in scanned[:1000]:
                ledger.existing_boxes(s, [code])
            figures["baseline_count_per_box_s"] = round((time.perf_counter() - t0) * len(scanned) / 1000, 3)
        if n_screen:  # the same scans on the screen: scan -> check on the window's lane -> its line in the list
            from onewindow.benchmarks.stock_screen import scan_to_line

            shown = scan_to_line(sqlite_url(Path(tmp.name) / "stock.db"),
                                 [_code("8100009", 2 * 10**9 + i) for i in range(n_screen)])
            figures["screen_scans"] = n_screen
            figures["screen_scan_p50_ms"] = round(_pct(shown, 50), 3)
            figures["screen_scan_p99_ms"] = round(_pct(shown, 99), 3)
            figures["screen_scan_max_ms"] = round(max(shown), 3)
    finally:
        engine.dispose()
        tmp.cleanup()
    figures["budget_scan_p99_ms"] = BUDGET_SCAN_P99_MS
    figures["budget_count_s"] = BUDGET_COUNT_S
    figures["within_budget"] = (figures["scan_p99_ms"] < BUDGET_SCAN_P99_MS and figures["count_s"] < BUDGET_COUNT_S
                                and figures.get("screen_scan_p99_ms", 0.0) < BUDGET_SCAN_P99_MS)
    return figures
