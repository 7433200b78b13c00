"""The engine gives the same answer whether history comes from memory or from a fresh SQLite store."""
from __future__ import annotations

import json

from core.services.audit_runs import result_row, run_case, run_cases_in_stores
from core.services.cases import parse_vectors


def test_every_public_vector_agrees(world, vectors_path):
    data = json.loads(vectors_path.read_text(encoding="utf-8"))
    cases = parse_vectors(world, data, str(vectors_path))
    in_store = run_cases_in_stores(world, cases)
    for case, stored in zip(cases, in_store):
        assert result_row(case, stored) == result_row(case, run_case(world, case)), case.case_id
