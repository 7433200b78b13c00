"""`onewindow bench sync --json`: the figures' shape on a small run (no wall-clock limits in tests)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.sync.helpers import REPO


@pytest.mark.slow
def test_bench_sync_json_shape():
    done = subprocess.run([sys.executable, "-m", "onewindow", "bench", "sync", "--json", "--items", "60"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert figures["name"] == "sync" and figures["items"] == 60
    assert figures["duplicates"] == 0 and figures["lost"] == 0 and figures["sent"] == 60
    assert figures["drain_s"] > 0 and figures["per_s"] > 0
    assert figures["budget_s"] == 20.0 and isinstance(figures["within_budget"], bool)
    assert figures["client_cpu_ms_per_item"] > 0 and figures["client_bound_per_s"] > 0
    assert figures["centre_bound_per_s"] > 0 and figures["cpu_bound_per_s_on_2_cores"] > 0
