"""Catalogue search as you type: p50/p99 per keystroke at 100,000 drugs, against a linear scan.

Generates a realistic catalogue (core.store.synthetic.synthetic_drugs), writes it to a temporary SQLite store
through the catalogue repository, loads the search index from the store as the shells do, then replays
queries: pinyin initials typed one key at a time, Chinese name fragments, national-code and local-code
prefixes typed key by key, barcodes and scanned trace codes, full-pinyin prefixes. The baseline is
naive_search (the same ranking by scanning every item) on an evenly spread subset of the same queries; both
must return the same hits. Budget: p99 < 20 ms.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

BUDGET_P99_MS = 20.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drugs", type=int, default=100_000, help="catalogue size (default 100000)")
    parser.add_argument("--queries", type=int, default=2000, help="queries to replay (default 2000)")
    parser.add_argument("--baseline-queries", type=int, default=40,
                        help="queries also run through the linear scan and SQL LIKE (default 40)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-db", action="store_true", help="build the index in memory, skip the SQLite store")


def _queries(drugs, n: int, rng: random.Random) -> list[tuple[str, str]]:
    from core.store.pinyin import pinyin_keys

    out: list[tuple[str, str]] = []
    while len(out) < n:
        d = rng.choice(drugs)
        roll = rng.random()
        if roll < 0.5:  # pinyin initials, typed one key at a time
            initials = pinyin_keys(d.name).initials[0]
            out.extend(("initials", initials[:k]) for k in range(1, min(len(initials), 10) + 1))
        elif roll < 0.7:  # a fragment of the Chinese name, or the generic name without trade name
            name = d.name.split("(")[0]
            if rng.random() < 0.5 and len(name) > 2:
                a = rng.randrange(0, len(name) - 1)
                out.append(("name", name[a:a + rng.randint(2, 4)]))
            else:
                out.extend(("name", name[:k]) for k in range(1, len(name) + 1))
        elif roll < 0.85:  # national code or local key, typed key by key
            code = d.nhsa_code if d.nhsa_code and rng.random() < 0.7 else d.key
            out.extend(("code", code[:k]) for k in range(3, min(len(code), 12) + 1))
        elif roll < 0.95:  # a scan: commodity barcode or trace code
            if d.barcode and rng.random() < 0.6:
                out.append(("barcode", d.barcode))
            elif d.trace_prefix:
                out.append(("trace", f"{d.trace_prefix}{rng.randrange(10**13):013d}"))
        else:  # full pinyin
            full = pinyin_keys(d.name).full
            out.extend(("pinyin", full[:k]) for k in range(2, min(len(full), 12) + 1, 2))
    return out[:n]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def run(args: argparse.Namespace) -> dict:
    from sqlalchemy import text

    from core.store.catalogue import upsert_drugs
    from core.store.catalogue_search import CatalogueIndex
    from core.store.db import open_store, session_factory
    from core.store.paths import sqlite_url
    from core.store.synthetic import synthetic_drugs

    n_drugs = getattr(args, "drugs", 100_000)
    n_queries = getattr(args, "queries", 2000)
    n_baseline = getattr(args, "baseline_queries", 40)
    seed = getattr(args, "seed", 1)
    rng = random.Random(seed)

    t0 = time.perf_counter()
    drugs = synthetic_drugs(n_drugs, seed)
    t_generate = time.perf_counter() - t0
    figures: dict = {"name": "catalogue", "drugs": n_drugs}

    like_sql = text(
        "SELECT key FROM drug WHERE name LIKE :s OR pinyin_initials LIKE :s OR pinyin_full LIKE :s "
        "OR key LIKE :p OR nhsa_code LIKE :p OR barcode = :q LIMIT 50"
    )
    like_engine = None
    tmp = tempfile.TemporaryDirectory(prefix="onewindow-bench-")
    try:
        if getattr(args, "no_db", False):
            t0 = time.perf_counter()
            index = CatalogueIndex.from_drugs(drugs)
            figures["index_build_s"] = round(time.perf_counter() - t0, 3)
        else:
            like_engine = open_store(sqlite_url(Path(tmp.name) / "catalogue.db"))
            t0 = time.perf_counter()
            with session_factory(like_engine)() as session:
                upsert_drugs(session, drugs, catalogue_version=1)
            figures["db_write_s"] = round(time.perf_counter() - t0, 3)
            t0 = time.perf_counter()
            index = CatalogueIndex.from_engine(like_engine)
            figures["index_load_s"] = round(time.perf_counter() - t0, 3)
        figures.update(_replay(index, drugs, n_queries, n_baseline, rng, like_engine, like_sql))
    finally:
        if like_engine is not None:
            like_engine.dispose()
        tmp.cleanup()
    figures["generate_s"] = round(t_generate, 3)
    figures["budget_p99_ms"] = BUDGET_P99_MS
    figures["within_budget"] = figures["p99_ms"] < BUDGET_P99_MS
    return figures


def _replay(index, drugs, n_queries: int, n_baseline: int, rng: random.Random,  # noqa: ANN001
            like_engine, like_sql) -> dict:  # noqa: ANN001
    from core.store.catalogue_search import NaiveCatalogue

    queries = _queries(drugs, n_queries, rng)
    for _kind, q in queries[:20]:  # warm-up
        index.search(q)
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    empty = 0
    for kind, q in queries:
        t0 = time.perf_counter_ns()
        hits = index.search(q)
        ms = (time.perf_counter_ns() - t0) / 1e6
        times.append(ms)
        by_kind.setdefault(kind, []).append(ms)
        empty += not hits

    step = max(1, len(queries) // max(1, n_baseline))
    sample = queries[::step][:n_baseline]
    t0 = time.perf_counter()
    naive = NaiveCatalogue(index.entries)
    naive_build_s = round(time.perf_counter() - t0, 3)
    base_times: list[float] = []
    agree = True
    for _kind, q in sample:
        t0 = time.perf_counter_ns()
        expected = naive.search(q)
        base_times.append((time.perf_counter_ns() - t0) / 1e6)
        agree = agree and expected == index.search(q)

    like_times: list[float] = []
    if like_engine is not None:
        with like_engine.connect() as conn:
            for _kind, q in sample:
                t0 = time.perf_counter_ns()
                conn.execute(like_sql, {"s": f"%{q}%", "p": f"{q}%", "q": q}).all()
                like_times.append((time.perf_counter_ns() - t0) / 1e6)

    p99 = _pct(times, 99)
    base_p99 = _pct(base_times, 99)
    figures = {
        "queries": len(queries),
        "p50_ms": round(_pct(times, 50), 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(max(times), 3),
        "mean_ms": round(statistics.fmean(times), 3),
        "p99_ms_by_kind": {k: round(_pct(v, 99), 3) for k, v in sorted(by_kind.items())},
        "queries_without_hits": empty,
        "baseline_queries": len(sample),
        "baseline_p50_ms": round(_pct(base_times, 50), 3),
        "baseline_p99_ms": round(base_p99, 3),
        "ratio": round(base_p99 / p99, 1) if p99 else None,
        "ratio_p50": round(_pct(base_times, 50) / _pct(times, 50), 1) if _pct(times, 50) else None,
        "same_hits_as_baseline": agree,
        "baseline_build_s": naive_build_s,
    }
    if like_times:  # what an unranked SQL LIKE per keystroke would cost on the same store
        figures["baseline_sql_like_p50_ms"] = round(_pct(like_times, 50), 3)
        figures["baseline_sql_like_p99_ms"] = round(_pct(like_times, 99), 3)
    return figures
