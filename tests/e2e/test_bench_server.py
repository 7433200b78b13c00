"""`onewindow bench server` end to end on a small load, on both databases: nothing double-counted."""
from __future__ import annotations

import argparse
import os

import pytest

from core.store.crypto import KEY_ENV

from onewindow.benchmarks import server as bench


def test_bench_server_small(centre_db, vectors_path):
    args = argparse.Namespace(db=centre_db.url, settlements=40, clients=4, repeat_fraction=0.1, workers=1,
                              world=str(vectors_path), baseline_rows=50, json=True, simple=True)
    figures = bench.run(args)
    assert figures["name"] == "server" and figures["settlements"] == 40, figures
    assert figures["double_counted"] == 0 and figures["fund_matches"] and figures["refused"] == 0, figures
    assert figures["repeats_sent"] == 4 and figures["requests"] == 44
    assert figures["per_s"] > 0 and figures["baseline_insert_commit_per_s"] > 0


@pytest.mark.postgres
@pytest.mark.slow
def test_bench_server_realistic_small(vectors_path):
    """The realistic mix on a small cached population: contended customers, interleaved repeats, cancellations
    and reversals; nothing double-counted, every person's fund total matches, no code sold twice, every
    repeat answered byte for byte as the original."""
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    args = parser.parse_args([
        "--db", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres", "--world", str(vectors_path),
        "--persons", "400", "--history-rows", "4000", "--drugs", "60", "--institutions", "9", "--customers", "60",
        "--clients", "6", "--contended", "0.25", "--repeat-fraction", "0.2", "--cancel-fraction", "0.1",
        "--reverse-fraction", "0.1"])
    key_before = os.environ.get(KEY_ENV)
    figures = bench.run(args)
    assert os.environ.get(KEY_ENV) == key_before  # the population's data key does not leak into this process
    assert figures["mix"] == "realistic" and figures["persons"] == 400 and figures["history_rows"] == 4000
    assert figures["institutions"] >= 9 and figures["contended_customers"] > 0 and figures["repeats_sent"] > 0
    assert figures["settlements"] > 0 and figures["cancelled_or_reversed"] > 0, figures
    assert figures["double_counted"] == 0 and figures["fund_matches"] and figures["codes_sold_twice"] == 0, figures
    assert figures["repeats_identical"] is True, figures
    assert {"1101", "2101", "2102", "3505"} <= figures["per_infno"].keys()
    assert all(v["n"] > 0 and v["p99_ms"] >= v["p50_ms"] for v in figures["per_infno"].values())
    assert figures["baseline_per_s"] > 0 and figures["per_s"] > 0 and figures["p99_ms"] > 0
