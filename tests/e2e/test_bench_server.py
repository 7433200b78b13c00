"""`onewindow bench server` end to end on a small load, on both databases: nothing double-counted."""
from __future__ import annotations

import argparse

from onewindow.benchmarks import server as bench


def test_bench_server_small(centre_db, vectors_path):
    args = argparse.Namespace(db=centre_db.url, settlements=40, clients=4, repeat_fraction=0.1, workers=1,
                              world=str(vectors_path), baseline_rows=50, json=True)
    figures = bench.run(args)
    assert figures["name"] == "server" and figures["settlements"] == 40, figures
    assert figures["double_counted"] == 0 and figures["fund_matches"] and figures["refused"] == 0, figures
    assert figures["repeats_sent"] == 4 and figures["requests"] == 44
    assert figures["per_s"] > 0 and figures["baseline_insert_commit_per_s"] > 0
