"""Run audit cases. `onewindow audit vectors` gives each case a fresh store holding its world and history,
so the engine reads history exactly as on a terminal (SqlHistory over SQLite); `run_case` (in memory) is the
quick path for tests and explanations, and both must agree."""
from __future__ import annotations

from core.audit.engine import evaluate
from core.audit.history import HistoryRepository, MemoryHistory
from core.audit.result import AuditResult
from core.services.cases import Case
from core.services.world import World


def _evaluate(world: World, case: Case, history: HistoryRepository) -> AuditResult:
    profile = world.profiles[case.request.profile_id]
    return evaluate(case.request, history, profile, world.catalogue, world.facility_by_code())


def run_case(world: World, case: Case) -> AuditResult:
    return _evaluate(world, case, MemoryHistory(case.settlements, case.dispenses, case.trace_sales))


def run_cases_in_stores(world: World, cases: list[Case]) -> list[AuditResult]:
    """Each case in its own fresh SQLite store (migrated once, copied per case)."""
    from core.services.case_store import FreshStores, load_case
    from core.store.history_sql import SqlHistory

    results = []
    with FreshStores() as stores:
        for case in cases:
            engine, Session = stores.new()
            try:
                with Session() as session:
                    load_case(session, world, case)
                    results.append(_evaluate(world, case, SqlHistory(session)))
            finally:
                engine.dispose()
    return results


def result_row(case: Case, result: AuditResult) -> dict:
    return {"id": case.case_id, **result.to_dict()}
