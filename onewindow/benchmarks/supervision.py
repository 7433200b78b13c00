"""Supervision screen panels on PostgreSQL with a year of settlements and trace uploads (p50/p95 per panel).

Loads, with COPY, N settlements over the last 365 days (persons, institutions in five insurance areas, drugs,
per-disease amounts), their journal entries (hash-chained like the centre's) and 3505 uploads of three codes
each until `--trace-uploads` codes are stored; folds the journal into the aggregates with the screen's own
rollup (server.supervision.rollup, event rules off for the backfill), then times every panel query on fresh
pooled connections. Prints {"name": "supervision", "settlements", "trace_uploads", "panels": {name: {"p50_ms",
"p95_ms"}}, "baseline": {...}, "fold_per_s", "load_s", "loadavg", ...}. Budget: every panel and drill-down
p95 < 200 ms (`within_budget`; `over_budget` names any that is not; the whole board is timed, not budgeted).

The baseline is timed in the same run, the same way, on the same database, so a loaded machine shows in it too:
`select_1` (a fresh pooled connection's round trip: the floor of any panel) and `month_from_settlements` (this
month's count and fund straight from the settlement table: what the summary panel would cost without the
aggregates).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time

PANELS_BUDGET_MS = 200.0
AREAS = ("420702", "420703", "420704", "420700", "421100")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="PostgreSQL URL; default: a fresh database on 127.0.0.1:5432, dropped after")
    parser.add_argument("--settlements", type=int, default=1_000_000)
    parser.add_argument("--trace-uploads", type=int, default=3_000_000, help="trace codes uploaded with 3505")
    parser.add_argument("--facilities", type=int, default=500)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=40, help="timed runs per panel")
    parser.add_argument("--keep", action="store_true", help="keep the generated database")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as conn:
        conn.execute(sql)


def _copy(raw, table: str, cols: tuple[str, ...], rows) -> None:
    with raw.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    raw.commit()


def _load(engine, args, today: dt.date) -> dict:
    from server.journal import GENESIS, entry_hash

    rnd = random.Random(22)
    raw = engine.raw_connection().driver_connection
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    facs = []
    for i in range(args.facilities):
        kind, level = ("pharmacy", "pharmacy") if i % 10 < 6 else ("clinic", "1") if i % 10 < 9 else \
            ("hospital", "2" if i % 3 else "3")
        facs.append((f"F{i:06d}", f"机构{i:04d}", kind, level, level if kind != "pharmacy" else None, AREAS[i % len(AREAS)]))
    _copy(raw, "facility", ("code", "name", "kind", "benefit_level", "hospital_grade", "city"), facs)
    atcs = ("C08CA01", "C09CA04", "C07AB02", "C03AA03", "C10AA05", "A10BA02", "A10BB09", "B01AC06")
    drugs = [(f"D{i:04d}", f"药品{i:04d}", "5mg", "片", "盒", 28, "28.00", "drug", atcs[i % len(atcs)], "0", "mg", False,
              False, "yp", "yaopin", 0, now) for i in range(200)]
    _copy(raw, "drug", ("key", "name", "spec", "unit", "pack_unit", "pack_size", "price", "category", "atc",
                        "preselfpay_ratio", "strength_unit", "inpatient_only", "long_rx_barred", "pinyin_initials",
                        "pinyin_full", "catalogue_version", "updated_at"), drugs)
    _copy(raw, "person", ("person_no", "name", "sex", "birth_date", "insurance_type", "status", "updated_at"),
          ((f"B{i:08d}", "测试", "1", dt.date(1950 + i % 40, 1, 1), "390", "active", now) for i in range(args.persons)))
    settlements, chronic, entries, setls = [], [], [], []
    seq, prev = 0, GENESIS
    for i in range(args.settlements):
        day = today - dt.timedelta(days=min(364, int(rnd.expovariate(1 / 120))))
        t = dt.time(8 + rnd.randrange(10), rnd.randrange(60), rnd.randrange(60))
        fac = facs[rnd.randrange(len(facs))]
        person = f"B{rnd.randrange(args.persons):08d}"
        boxes = 1 + rnd.randrange(3)
        total = 28 * boxes
        fund = round(total * 0.6, 2)
        sid = f"S{i:012d}"
        drug = drugs[rnd.randrange(len(drugs))][0]
        settlements.append((sid, person, day, t, fac[0], fac[5], "LB", str(day.year), total, fund, round(total - fund, 2),
                            0, total, "settled", now))
        htn = drug in ("D0000", "D0001") or int(drug[1:]) % 8 < 4
        chronic.append((sid, person, total if htn else 0, fund if htn else 0, 0 if htn else total, 0 if htn else fund,
                        0, 0, "I10"))
        at = f"{day.isoformat()}T{t.isoformat()}.000000+08:00"
        payload = json.dumps({"setl_id": sid, "psn_no": person, "scheme": "LB", "period": str(day.year),
                              "total": f"{total:.2f}", "fund": f"{fund:.2f}", "personal": f"{total - fund:.2f}",
                              "lines": [[drug, boxes * 28, 28 * boxes, "PASS"]], "codes": [], "hits": []},
                             separators=(",", ":"))
        entries.append((at, "settle", fac[0], sid, payload))
        setls.append((sid, fac[0], person, at))
    _copy(raw, "settlement", ("settlement_id", "person_no", "date", "time", "facility_code", "city", "scheme", "period",
                              "total", "fund", "personal", "deductible_applied", "expense_counted", "status",
                              "created_at"), settlements)
    del settlements
    _copy(raw, "centre_settlement_chronic", ("setl_id", "person_no", "htn_medfee", "htn_fund", "dm_medfee", "dm_fund",
                                             "other_medfee", "other_fund", "diagnoses"), chronic)
    del chronic
    uploads, n_codes, u = [], 0, 0
    pharmacy_setls = [s for s in setls if s[1] in {f[0] for f in facs if f[2] == "pharmacy"}]
    while n_codes < args.trace_uploads:
        sid, fac, person, at = pharmacy_setls[u % len(pharmacy_setls)] if u < len(pharmacy_setls) else \
            (None, facs[u % len(facs)][0], None, setls[u % len(setls)][3])
        msgid = f"U{u:012d}"
        codes = [f"81{u:012d}{k:06d}" for k in range(min(3, args.trace_uploads - n_codes))]
        for code in codes:
            uploads.append((code, fac, msgid, f"DOC{u}", "XC08CAA321A001010199901", "D0000", sid, person, 28, False,
                            at[:19].replace("T", " ")))
        payload = json.dumps({"rtal_docno": f"DOC{u}", "setl_id": sid, "drug": "D0000", "codes": codes, "split": False},
                             separators=(",", ":"))
        entries.append((at, "sale", fac, msgid, payload))
        n_codes += len(codes)
        u += 1
    _copy(raw, "centre_trace_upload", ("code", "fixmedins_code", "msgid", "rtal_docno", "med_list_codg", "drug_key",
                                       "setl_id", "psn_no", "units", "split", "sold_at"), uploads)
    del uploads
    entries.sort(key=lambda e: e[0])

    def chained():
        nonlocal seq, prev
        for at, kind, code, msgid, payload in entries:
            seq += 1
            h = entry_hash(seq, at, kind, code, msgid, payload, prev)
            yield (seq, at, kind, code, msgid, payload, prev, h)
            prev = h

    _copy(raw, "centre_journal", ("seq", "at", "kind", "fixmedins_code", "msgid", "payload", "prev_hash", "hash"),
          chained())
    with raw.cursor() as cur:
        cur.execute("ANALYZE")
    raw.commit()
    return {"journal_entries": len(entries), "upload_messages": u, "trace_codes": n_codes}


def _time(engine, fn, samples: int) -> dict:
    for _ in range(2):  # warm the pool and the caches
        with engine.connect() as conn:
            fn(conn)
            conn.rollback()
    wall = []
    for _ in range(samples):
        with engine.connect() as conn:
            t0 = time.perf_counter()
            fn(conn)
            wall.append((time.perf_counter() - t0) * 1000)
            conn.rollback()
    wall.sort()
    return {"p50_ms": round(statistics.median(wall), 2), "p95_ms": round(wall[min(len(wall) - 1, int(len(wall) * 0.95))], 2)}


def _month_raw(conn, today: dt.date):
    from sqlalchemy import text

    return conn.execute(text(
        "SELECT count(*), coalesce(sum(fund), 0) FROM settlement WHERE date >= :first AND date <= :today "
        "AND reversed_on IS NULL"), {"first": today.replace(day=1), "today": today}).one()


def _checks(engine, today: dt.date) -> dict:
    """The panels against the loaded rows themselves: the aggregates must not drift from the data."""
    from server.supervision import queries

    with engine.connect() as conn:
        month = queries.summary(conn, today)["month"]
        n, fund = _month_raw(conn, today)
        recent = [(r["setl_id"], r["at"], r["facility"], r["person_no"], r["boxes"])
                  for r in (queries.drug(conn, "D0000", today) or {"recent": []})["recent"]]
        conn.rollback()
    return {"month_settlements_match": month["settlements"] == n,
            "fund_matches": abs(month["fund"] - float(fund)) < 0.005,
            "drug_recent_matches": recent == _drug_recent_raw(engine, "D0000", today)}


def _drug_recent_raw(engine, key: str, today: dt.date) -> list[tuple]:
    """The drug page's list without its index: every folded settlement of the last 30 days, its lines read."""
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT setl_id, at, facility_code, person_no, lines FROM centre_sv_settlement WHERE at >= :since "
            "AND NOT reversed ORDER BY at DESC, setl_id DESC"), {"since": (today - dt.timedelta(days=30)).isoformat()})
        out = []
        for sid, at, fac, person, lines in rows:
            boxes = [line[1] for line in json.loads(lines) if line[0] == key]
            if boxes:
                out.append((sid, at, fac, person, sum(boxes) / 1000))
                if len(out) == 100:
                    break
        conn.rollback()
    return out


def run(args: argparse.Namespace) -> dict:
    from server.db import open_centre
    from server.envelope import CST
    from server.supervision import queries, rollup
    from server.supervision.rules import load

    name = None
    url = args.db
    if url is None:
        name = f"onewindow_bench_supervision_{os.getpid()}"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    engine = open_centre(url)
    try:
        today = dt.datetime.now(CST).date()
        t0 = time.perf_counter()
        loaded = _load(engine, args, today)
        load_s = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        folded = rollup.fold_all(engine, event_rules=False)
        fold_s, fold_cpu = time.perf_counter() - t0, time.process_time() - c0
        rules = load()
        first_fac = "F000000"
        panels = {
            "summary": lambda c: queries.summary(c, today),
            "fund_flow": lambda c: queries.fund_flow(c, today, rules.top_n),
            "drug_use": lambda c: queries.drug_use(c, today, rules.top_n),
            "regions": lambda c: queries.regions(c, today),
            "trace_coverage": lambda c: queries.trace_coverage(c, today),
            "alerts": lambda c: queries.alert_rows(c, limit=20),
            "board": lambda c: queries.board(c, today, rules),
            "institution_drilldown": lambda c: queries.institution(c, first_fac, today),
            "drug_drilldown": lambda c: queries.drug(c, "D0000", today),
        }
        from sqlalchemy import text

        loadavg_before = open("/proc/loadavg").read().split()[:3]
        timed = {k: _time(engine, fn, args.samples) for k, fn in panels.items()}
        baseline = {"select_1": _time(engine, lambda c: c.execute(text("SELECT 1")).one(), args.samples),
                    "month_from_settlements": _time(engine, lambda c: _month_raw(c, today), args.samples)}
        # every panel and every drill-down page must be within budget (the board is their sum, shown for scale)
        budgeted = [k for k in panels if k != "board"]
        checks = _checks(engine, today)
        return {
            "name": "supervision", "settlements": args.settlements, "trace_uploads": loaded["trace_codes"],
            "panels": timed, "baseline": baseline,
            "within_budget": all(timed[k]["p95_ms"] < PANELS_BUDGET_MS for k in budgeted),
            "over_budget": [k for k in budgeted if timed[k]["p95_ms"] >= PANELS_BUDGET_MS],
            "budget_p95_ms": PANELS_BUDGET_MS, "journal_entries": loaded["journal_entries"], "folded": folded,
            "fold_per_s": round(folded / fold_s, 1) if fold_s else None, "fold_cpu_s": round(fold_cpu, 1),
            "load_s": round(load_s, 1), "loadavg_before_timing": loadavg_before,
            "loadavg": open("/proc/loadavg").read().split()[:3], "checks": checks,
        }
    finally:
        engine.dispose()
        if name and not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
