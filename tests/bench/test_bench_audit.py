"""`onewindow bench audit` at a small size: the figures have the promised shape (no time limits here)."""
from __future__ import annotations

import json
import subprocess
import sys


def test_bench_audit_prints_its_figures():
    run = subprocess.run(
        [sys.executable, "-m", "onewindow", "bench", "audit", "--json", "--persons", "300", "--drugs", "120",
         "--history", "3000", "--prescriptions", "60"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert figures["name"] == "audit" and figures["history_rows"] == 3000
    assert figures["prescriptions"] > 0 and 0 < figures["p50_ms"] <= figures["p99_ms"]
    assert sum(figures["verdicts"].values()) == figures["prescriptions"]
