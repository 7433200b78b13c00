"""`onewindow bench supervision` at a small size on PostgreSQL: the promised shape, and the panels agree with the
data it loaded (no time limits here)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.postgres
@pytest.mark.slow
def test_bench_supervision_prints_its_figures():
    run = subprocess.run(
        [sys.executable, "-m", "onewindow", "bench", "supervision", "--json", "--settlements", "3000",
         "--trace-uploads", "9000", "--persons", "800", "--facilities", "60", "--samples", "3"],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    f = json.loads(run.stdout)
    assert f["name"] == "supervision" and f["settlements"] == 3000 and f["trace_uploads"] == 9000
    assert f["folded"] == f["journal_entries"] == 3000 + 3000  # one settle and one 3505 (3 codes) per settlement
    for name in ("summary", "fund_flow", "drug_use", "regions", "trace_coverage", "alerts"):
        p = f["panels"][name]
        assert 0 < p["p50_ms"] <= p["p95_ms"], (name, p)
    for name in ("select_1", "month_from_settlements"):  # the same run's baseline
        p = f["baseline"][name]
        assert 0 < p["p50_ms"] <= p["p95_ms"], (name, p)
    assert f["checks"]["month_settlements_match"] and f["checks"]["fund_matches"], f["checks"]
    assert f["checks"]["drug_recent_matches"], f["checks"]  # the indexed list equals the plain scan
    for name in ("institution_drilldown", "drug_drilldown"):  # the drill-downs are timed and budgeted too
        assert 0 < f["panels"][name]["p50_ms"] <= f["panels"][name]["p95_ms"]
    assert f["within_budget"] == (f["over_budget"] == [])
    assert set(f["over_budget"]) <= set(f["panels"]) - {"board"}
