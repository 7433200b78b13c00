"""The synthetic world (benchmark data) at a small size, and the catalogue benchmark on a small catalogue."""
from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from core.store.catalogue import get_drug
from core.store.catalogue_search import CatalogueIndex
from core.store.db import current_revision, head_revision, journal_mode, open_store, session_factory
from core.store.history_sql import SqlHistory
from core.store.persons import find_person_by_id_number, find_person_by_ss_card, get_person
from core.store.synthetic import build_world, drug_group, synthetic_drugs


def test_synthetic_drugs_are_unique_and_realistic() -> None:
    drugs = synthetic_drugs(2000, seed=3)
    assert len({d.key for d in drugs}) == 2000
    assert len({d.barcode for d in drugs}) == 2000
    prefixes = [d.trace_prefix for d in drugs if d.trace_prefix]
    assert len(set(prefixes)) == len(prefixes) and all(len(p) == 7 and p.startswith("8") for p in prefixes)
    coded = [d for d in drugs if d.nhsa_code]
    assert all(len(d.nhsa_code) == 23 and d.nhsa_code[0] == "X" for d in coded)
    groups = Counter(drug_group(d) for d in drugs)
    assert groups["HTN"] > 300 and groups["DM"] > 150 and groups["LIPID"] > 50
    assert any(d.name.startswith("苯磺酸氨氯地平") for d in drugs)
    assert any(not d.is_drug for d in drugs) and any(d.drug_class == "乙" for d in drugs)
    assert synthetic_drugs(50, seed=3) == drugs[:50]  # deterministic


def test_small_world(tmp_path: Path) -> None:
    world = build_world(persons=300, drugs=400, dispenses=3000, facilities=20, cache_dir=tmp_path)
    assert not world.reused
    assert (world.persons, world.dispenses) == (300, 3000)
    assert world.settlements > 0 and world.trace_sales >= world.dispenses
    again = build_world(persons=300, drugs=400, dispenses=3000, facilities=20, cache_dir=tmp_path)
    assert again.reused and again.path == world.path and again.settlements == world.settlements
    assert [p.name for p in tmp_path.iterdir() if "building" in p.name] == []

    engine = open_store(world.url)
    try:
        assert current_revision(engine) == head_revision()
        assert journal_mode(engine) == "wal"
        with engine.connect() as conn:
            def scalar(sql: str) -> int:
                return conn.execute(text(sql)).scalar_one()

            assert scalar("SELECT count(*) FROM dispense") == 3000
            assert scalar("SELECT count(*) FROM person") == 300
            assert scalar("SELECT count(*) FROM drug") == 400
            assert scalar("SELECT count(*) FROM settlement") == world.settlements
            assert scalar("SELECT count(*) FROM trace_sale") == world.trace_sales
            # every dispense belongs to a settlement of the same person; nothing dangles
            assert scalar("SELECT count(*) FROM dispense d LEFT JOIN settlement s "
                          "ON s.settlement_id = d.settlement_id AND s.person_no = d.person_no "
                          "WHERE s.settlement_id IS NULL") == 0
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            schemes = dict(conn.execute(text("SELECT scheme, count(*) FROM registration GROUP BY scheme")).all())
            assert schemes["LB"] > schemes["MT"] > 0
            diseases = {r[0] for r in conn.execute(text("SELECT DISTINCT disease FROM registration"))}
            assert {"HTN", "DM", "M03900", "M01600"} <= diseases
            chains = [r[0] for r in conn.execute(text("SELECT DISTINCT chain_key FROM dispense"))]
            assert all(c[:3] in ("C08", "C09", "C07", "C03", "C02", "A10", "C10", "B01", "C01", "R03") for c in chains)
            assert scalar("SELECT count(*) FROM settlement WHERE reversed_on IS NOT NULL") >= 0
            pno, chain = conn.execute(text("SELECT person_no, chain_key FROM dispense LIMIT 1")).one()
            drug_key = conn.execute(text("SELECT drug_key FROM dispense LIMIT 1")).scalar_one()
        with session_factory(engine)() as session:
            cipher = world.cipher()
            person = get_person(session, pno, cipher=cipher)
            assert person is not None and person.registrations and len(person.id_number) == 18
            assert find_person_by_id_number(session, person.id_number, cipher=cipher) == person
            assert find_person_by_ss_card(session, f"SC{int(pno[1:]):010d}", cipher=cipher) == person
            history = SqlHistory(session)
            fills = history.dispenses(pno, [chain])
            assert fills and all(f.chain_key == chain for f in fills)
            assert fills == sorted(fills, key=lambda f: (f.date, f.time or dt.time.min))
            assert history.settlements(pno, world.first_date, world.last_date)
            drug = get_drug(session, drug_key)
            assert drug.atc == drug.chain_key and drug.price > 0 and drug.pack_size > 0
        index = CatalogueIndex.from_engine(engine)
        assert len(index) == 400 and index.search(drug.name.split("(")[0])
    finally:
        engine.dispose()


def test_catalogue_benchmark_small() -> None:
    from onewindow.benchmarks import catalogue

    parser = argparse.ArgumentParser()
    catalogue.add_arguments(parser)
    figures = catalogue.run(parser.parse_args(["--drugs", "1500", "--queries", "120", "--baseline-queries", "15"]))
    assert figures["name"] == "catalogue" and figures["drugs"] == 1500 and figures["queries"] == 120
    assert figures["same_hits_as_baseline"] is True
    assert figures["p99_ms"] > 0 and figures["baseline_p99_ms"] > 0 and figures["ratio"] > 0
    assert {"p50_ms", "index_load_s", "db_write_s", "within_budget"} <= set(figures)
