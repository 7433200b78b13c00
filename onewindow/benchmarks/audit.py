"""audit one prescription against 1,000,000 dispensing-history rows (p99 budget 5 ms)

Builds (or reuses, cached in the temp folder) a SQLite store with 1,000,000 dispensing rows over 100,000
persons and 20,000 drugs, then audits realistic prescriptions for random persons: each person's regimen
drugs, 28–84 days, trace codes scanned, under the TEST_CITY_A profile. The timed part is what the pharmacist
waits for after the last scan: the engine with its history queries on the store. A baseline measured in the
same run — one primary-key lookup on the same database — shows the cost relative to the cheapest possible
round trip. Wall-clock figures on a shared machine include waiting for a CPU; the CPU-time figures and the
load average are printed beside them so a slow run can be told from a slow engine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from decimal import Decimal


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--persons", type=int, default=100_000)
    p.add_argument("--drugs", type=int, default=20_000)
    p.add_argument("--history", type=int, default=1_000_000, help="dispensing-history rows")
    p.add_argument("--prescriptions", type=int, default=2_000)
    p.add_argument("--seed", type=int, default=7)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run(args: argparse.Namespace) -> dict:
    from sqlalchemy import select

    from core.audit.engine import evaluate
    from core.domain import AuditRequest, Prescription, PrescriptionLine, Scheme, Sig
    from core.policy.profile import bundled_profiles
    from core.store.catalogue import get_facility
    from core.store.db import open_store, session_factory
    from core.store.history_sql import SqlHistory
    from core.store.models import DispenseRow, DrugRow, FacilityRow, PersonRow
    from core.store.persons import get_person
    from core.store.synthetic import build_world

    world = build_world(persons=args.persons, drugs=args.drugs, dispenses=args.history, seed=1)
    engine = open_store(world.url)
    Session = session_factory(engine)
    profile = bundled_profiles()["TEST_CITY_A"]
    rng = random.Random(args.seed)
    cipher = world.cipher()

    with Session() as session:
        catalogue = {row.key: row.to_domain() for row in session.scalars(select(DrugRow))}
        facility_codes = list(session.scalars(select(FacilityRow.code)))
        facilities = {c: get_facility(session, c) for c in facility_codes}
        history_rows = session.query(DispenseRow).count()

    audit_ms: list[float] = []
    cpu_ms: list[float] = []  # this thread's CPU time: what the audit costs when the machine is not shared
    baseline_ms: list[float] = []
    verdicts: dict[str, int] = {}
    day = world.last_date + dt.timedelta(days=1)
    with Session() as session:
        history = SqlHistory(session)
        for i in range(args.prescriptions):
            person_no = world.person_no(rng.randrange(world.persons))
            t0 = time.perf_counter()
            session.get(PersonRow, person_no)
            baseline_ms.append((time.perf_counter() - t0) * 1000)
            person = get_person(session, person_no, cipher=cipher)
            if person is None or not person.registrations:
                continue
            # The person's own regimen: the drugs of their last fills, as a refill prescription would list them.
            recent = session.scalars(
                select(DispenseRow.drug_key).where(DispenseRow.person_no == person_no)
                .order_by(DispenseRow.date.desc()).limit(3)
            ).all()
            keys = list(dict.fromkeys(recent)) or [rng.choice(list(catalogue))]
            lines = []
            for n, key in enumerate(keys, start=1):
                drug = catalogue[key]
                days = rng.choice((28, 56, 84))
                per_day = 1
                units = days * per_day
                packs = max(1, -(-units // drug.pack_size))
                codes = tuple(f"{drug.trace_prefix or '8999999'}{rng.randrange(10**13):013d}" for _ in range(packs))
                dose = drug.strength or Decimal(1)
                lines.append(PrescriptionLine(n, key, packs, days, Sig(dose, Decimal(per_day)), False, codes))
            scheme = person.registrations[0].scheme
            rx = Prescription(f"B{i}", day, ("I10.x00", "E11.900", "I25.100", "J44.900"), tuple(lines), True)
            facility = facilities[rng.choice(facility_codes)]
            request = AuditRequest(person, facility, rx, Scheme(scheme), day, dt.time(10, 0), profile.profile_id)
            c0, t0 = time.thread_time(), time.perf_counter()
            result = evaluate(request, history, profile, catalogue, facilities)
            audit_ms.append((time.perf_counter() - t0) * 1000)
            cpu_ms.append((time.thread_time() - c0) * 1000)
            verdicts[result.verdict.value] = verdicts.get(result.verdict.value, 0) + 1
    engine.dispose()
    p50, p99 = _pct(audit_ms, 0.50), _pct(audit_ms, 0.99)
    base = statistics.median(baseline_ms)
    return {
        "name": "audit",
        "history_rows": history_rows,
        "persons": world.persons,
        "drugs": world.drugs,
        "prescriptions": len(audit_ms),
        "p50_ms": round(p50, 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(max(audit_ms), 3),
        "cpu_p50_ms": round(_pct(cpu_ms, 0.50), 3),
        "cpu_p99_ms": round(_pct(cpu_ms, 0.99), 3),
        "load_average": round(os.getloadavg()[0], 2),
        "baseline_pk_lookup_ms": round(base, 4),
        "ratio_p50_to_baseline": round(p50 / base, 1) if base else None,
        "verdicts": verdicts,
        "store_built_s": world.build_seconds,
        "store_reused": world.reused,
        "budget_p99_ms": 5,
    }
