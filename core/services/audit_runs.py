"""Run audit cases: each case's history goes into a fresh store, then the engine audits the prescription."""
from __future__ import annotations

from core.audit.engine import evaluate
from core.audit.history import MemoryHistory
from core.audit.result import AuditResult
from core.services.cases import Case
from core.services.world import World


def run_case(world: World, case: Case) -> AuditResult:
    history = MemoryHistory(case.settlements, case.dispenses, case.trace_sales)
    profile = world.profiles[case.request.profile_id]
    return evaluate(case.request, history, profile, world.catalogue, world.facility_by_code())


def result_row(case: Case, result: AuditResult) -> dict:
    return {"id": case.case_id, **result.to_dict()}
