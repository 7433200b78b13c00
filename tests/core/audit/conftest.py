from __future__ import annotations

import copy

import pytest

from core.services.audit_runs import run_case
from core.services.cases import parse_case
from core.services.world import World, load_world


@pytest.fixture(scope="session")
def world(vectors_path) -> World:
    return load_world(vectors_path)


def make_case(**overrides) -> dict:
    """A 两病 sale of one box of amlodipine to P01 at PH1 on 2025-09-15, with fields overridden."""
    case = {
        "id": "T",
        "profile": "TEST_CITY_A",
        "patient": "P01",
        "requested_scheme": "LB",
        "settlement": {"date": "2025-09-15", "facility": "PH1"},
        "prescription": {
            "rx_date": "2025-09-15",
            "diagnoses": ["I10.x00"],
            "long_rx_confirmed": True,
            "lines": [
                {"line": 1, "drug": "D01", "qty": 1, "days": 28, "sig": {"dose": 5, "times_per_day": 1},
                 "trace_codes": ["81000110000000009001"]}
            ],
        },
        "history": {},
    }
    for key, value in overrides.items():
        case[key] = copy.deepcopy(value)
    return case


@pytest.fixture
def audit(world):
    def run(case: dict):
        return run_case(world, parse_case(world, case, "test"))

    return run


def hits(result) -> set[tuple[str, str, int | None]]:
    return {(h.rule, h.severity.value, h.line) for h in result.hits}
