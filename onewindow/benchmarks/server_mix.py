"""`bench server` with a realistic load (the default; `--simple` keeps the best case of server.py).

Population, seeded once into a PostgreSQL template database and cached between runs (name from the sizes;
COPY for persons, registrations and history): 100,000 persons, 1,000,000 history settlements (each with its
dispensed supply) over the two years before the last 100 days, 20,000 drugs (the world's plus clones), 50
institutions. A run copies the template (CREATE DATABASE … TEMPLATE) and starts `onewindow server` on it.

Load: each customer is a script a pharmacy sends over one keep-alive connection, one request at a time —
1101 (by ID number) → 5301 or 5205 → 2101 → 2102 → one 3505 per line (with the settlement id), then for a few
percent 2103 (cancel) or 2601 (reversal). Prescriptions have 1–3 lines. A share of customers is contended:
a second institution settles the same person at the same moment (both 2102 are released together), so the
person lock is fought over and DUP rules refuse one. Repeats of 2102 (same msgid, same body, new signature)
are interleaved at random moments. Checked from the database afterwards: every customer's fund total equals
the sum of the accepted settlements' answers less cancelled or reversed ones, no trace code is sold twice,
every repeat's answer is byte-identical to the original's.

Baseline in the same run (`baseline_per_s`): the same number of database sessions as the centre has
(workers × concurrency) running the settlement's own SQL without the application — person lock, history
reads, inserts of the settlement, its supply, its codes and a journal row, commit.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from onewindow.benchmarks import server as simple

TEMPLATE_VERSION = 1
HTN_LINES = [  # (key, nhsa code, price, pack size, trace prefix, dose): drugs a 两病 hypertension sale uses
    ("D01", "XC08CAA321A001010199901", "28.00", 28, "8100011", "5"),
    ("D03", "XC09CAE901A001010199903", "41.30", 28, "8100033", "150"),
    ("D13", "XC09DXS255A001010199913", "98.00", 14, "8100133", "100"),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--simple", action="store_true",
                        help="the old best case: one fresh person per settlement, one line, repeats at the end")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--history-rows", type=int, default=1_000_000)
    parser.add_argument("--drugs", type=int, default=20_000)
    parser.add_argument("--institutions", type=int, default=50)
    parser.add_argument("--customers", type=int, default=3000, help="customers served in the timed run")
    parser.add_argument("--contended", type=float, default=0.10, help="share of customers settled by two at once")
    parser.add_argument("--cancel-fraction", type=float, default=0.03)
    parser.add_argument("--reverse-fraction", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=20261207)


# ---- population: a cached template database --------------------------------------------------------------
def _admin(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                           password=u.password, dbname="postgres", autocommit=True), u


def _id_number(i: int) -> str:
    return f"42070019{i:010d}"[:18]


@contextlib.contextmanager
def _data_key(key: str):
    """The population's data key for the duration (ID numbers are encrypted and hashed with it), then the
    caller's again: a test process's own centres keep working after a bench ran in it."""
    from core.store.crypto import KEY_ENV
    from server import people

    old = os.environ.get(KEY_ENV)
    os.environ[KEY_ENV] = key
    people.cipher.cache_clear()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(KEY_ENV, None)
        else:
            os.environ[KEY_ENV] = old
        people.cipher.cache_clear()


def _seed_template(url: str, args) -> dict:
    """Migrate and fill the template database; returns its meta (data key, institution secrets)."""
    from core.store.crypto import generate_secret

    key = generate_secret()
    with _data_key(key):
        return _seed_template_with(url, args, key)


def _seed_template_with(url: str, args, key: str) -> dict:
    from sqlalchemy import text

    from core.services.world import load_world
    from core.domain import Facility
    from server import people
    from server.db import open_centre
    from server.seed import seed_world

    world = load_world(args.world)
    facilities = dict(world.facilities)
    for i in range(max(0, args.institutions - len(facilities))):
        facilities[f"BP{i}"] = Facility(code=f"P4207{90000 + i:07d}", name=f"压测药房{i}", kind="pharmacy",
                                        benefit_level="pharmacy", city="420700")
    catalogue = dict(world.catalogue)
    base = list(world.catalogue.values())
    for i in range(max(0, args.drugs - len(catalogue))):
        d = base[i % len(base)]
        catalogue[f"G{i:05d}"] = replace(d, key=f"G{i:05d}", name=f"{d.name}(规格{i})",
                                         nhsa_code=f"{(d.nhsa_code or 'X')[:10]}G{i:06d}" if d.nhsa_code else None,
                                         trace_prefix=f"82{i:05d}", barcode=None)
    world = replace(world, facilities=facilities, catalogue=catalogue)
    engine = open_centre(url)
    try:
        secrets_ = seed_world(engine, world).secrets
    finally:
        engine.dispose()
    _copy_population(url, args, people.cipher())
    meta = {"key": key, "secrets": secrets_, "codes": sorted(f.code for f in facilities.values() if f.city == "420700"
                                                             and f.kind == "pharmacy")}
    engine = open_centre(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_meta (v text)"))
        conn.execute(text("INSERT INTO bench_meta VALUES (:v)"), {"v": json.dumps(meta)})
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return meta


def _copy_population(url: str, args, cipher) -> None:
    """Persons with a 两病 registration, and history: settlements with their supply, by COPY."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    rng = random.Random(args.seed)
    today = dt.date.today()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                         password=u.password, dbname=u.database) as conn, conn.cursor() as cur:
        with cur.copy("COPY person (person_no, name, sex, birth_date, insurance_type, status, id_number_enc, "
                      "id_number_hash, updated_at) FROM STDIN") as copy:
            for i in range(args.persons):
                idn = _id_number(i)
                copy.write_row((f"R{i:07d}", f"居民{i}", "12"[i % 2], dt.date(1940 + i % 50, 1 + i % 12, 1),
                                "390" if i % 3 else "310", "active", cipher.encrypt(idn), cipher.lookup_hash(idn), now))
        with cur.copy("COPY registration (person_no, scheme, disease, begin_date, designated_facilities) FROM STDIN") as copy:
            for i in range(args.persons):
                copy.write_row((f"R{i:07d}", "LB", "HTN", dt.date(2023, 1, 1), ""))
        chains = [("D01", "C08CA01"), ("D03", "C09CA04"), ("D13", "C09DX04")]
        with cur.copy("COPY settlement (settlement_id, person_no, date, time, facility_code, city, scheme, period, "
                      "total, fund, personal, deductible_applied, expense_counted, status, created_at) FROM STDIN") as s_copy:
            for n in range(args.history_rows):
                day = today - dt.timedelta(days=rng.randint(100, 730))
                fund = Decimal(rng.randint(500, 4000)).scaleb(-2)
                s_copy.write_row((f"H{n:09d}", f"R{rng.randrange(args.persons):07d}", day, dt.time(10, 0), "P42070000001",
                                  "420700", "LB", str(day.year), fund * 2, fund, fund, Decimal(0), Decimal(0), "settled",
                                  now))
        rng = random.Random(args.seed)  # the same draws: each settlement's person and day again
        with cur.copy("COPY dispense (person_no, settlement_id, date, time, facility_code, drug_key, chain_key, days) "
                      "FROM STDIN") as d_copy:
            for n in range(args.history_rows):
                day = today - dt.timedelta(days=rng.randint(100, 730))
                rng.randint(500, 4000)
                drug, chain = chains[n % len(chains)]
                d_copy.write_row((f"R{rng.randrange(args.persons):07d}", f"H{n:09d}", day, dt.time(10, 0),
                                  "P42070000001", drug, chain, 28 * (1 + n % 3)))
        conn.commit()


def _template(url_for, args) -> tuple[str, dict]:
    """The template's name and meta, seeding it when missing (or left incomplete by an interrupted seed)."""
    digest = hashlib.sha1(f"{TEMPLATE_VERSION}:{args.persons}:{args.history_rows}:{args.drugs}:{args.institutions}:"
                          f"{args.seed}:{Path(args.world).name}".encode()).hexdigest()[:10]
    name = f"ow_bench_tpl_{digest}"
    admin, _ = _admin(url_for("postgres"))
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if exists:
        import psycopg

        try:
            admin2, u = _admin(url_for("postgres"))
            admin2.close()
            with psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                                 password=u.password, dbname=name) as conn:
                row = conn.execute("SELECT v FROM bench_meta").fetchone()
            return name, json.loads(row[0])
        except Exception:  # noqa: BLE001 - an incomplete template: seed it again
            pass
        with _admin(url_for("postgres"))[0] as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    with _admin(url_for("postgres"))[0] as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, _seed_template(url_for(name), args)


# ---- the load -------------------------------------------------------------------------------------------
class Step:
    __slots__ = ("infno", "code", "body", "msgid", "pair", "after", "customer")

    def __init__(self, infno, code, body, msgid, customer, pair=None, after=None):
        self.infno, self.code, self.body, self.msgid, self.customer = infno, code, body, msgid, customer
        self.pair, self.after = pair, after  # pair: released together with its twin; after: a msgid sent first


def _settle_input(person: str, lines: list[tuple], rxno: str, codes: list[list[str]]) -> dict:
    total = Decimal("0.00")
    details = []
    for no, ((key, nhsa, price, _pack, _prefix, dose), boxes) in enumerate(zip(lines, codes), start=1):
        amount = Decimal(price) * len(boxes)
        total += amount
        details.append({"feedetl_sn": str(no), "rxno": rxno, "med_list_codg": nhsa, "medins_list_codg": key,
                        "det_item_fee_sumamt": f"{amount:.2f}", "cnt": len(boxes), "pric": price,
                        "prd_days": 28 * len(boxes), "trdn_flag": "0",
                        "drugtracinfo": [{"drug_trac_codg": c} for c in boxes],
                        "expContent": {"dose": dose, "times_per_day": "1"}})
    return {"druginfo": {"psn_no": person, "medfee_sumamt": f"{total:.2f}", "insutype": "390", "med_type": "9901",
                         "dise_codg": "HTN", "expContent": {"long_rx_confirmed": True}},
            "drugdetail": details, "diseinfo": [{"diag_code": "I10.x00"}]}


def _sale_upload(person: str, line: tuple, boxes: list[str], setl_id: str, docno: str) -> dict:
    key, nhsa, *_ = line
    return {"selinfo": {"med_list_codg": nhsa, "fixmedins_hilist_id": key, "fixmedins_hilist_name": key,
                        "fixmedins_bchno": "B1", "trdn_flag": "0", "rtal_docno": docno, "sel_retn_cnt": len(boxes),
                        "sel_retn_time": time.strftime("%Y-%m-%d %H:%M:%S"), "sel_retn_opter_name": "药师",
                        "setl_id": setl_id, "mdtrt_setl_type": "1", "psn_no": person,
                        "drugtracinfo": [{"drug_trac_codg": c} for c in boxes]}}


def _scripts(args, meta, sign_nos, run_id: str) -> tuple[list[list[Step]], list[Step], dict]:
    """Customer scripts (one connection each, in order), the repeats to interleave, and what was planned."""
    rng = random.Random(args.seed + 1)
    codes_ = [c for c in meta["codes"] if c in sign_nos]
    stamp = time.strftime("%Y%m%d%H%M%S")
    people = rng.sample(range(args.persons), min(args.customers, args.persons))
    scripts, repeats, seq = [], [], iter(range(10**9))
    plan = {"customers": {}, "contended": 0}
    box = iter(range(10**9))

    def msgid(code: str) -> str:
        return f"{code}{stamp}{run_id}{next(seq):07d}"[:40]

    def env(infno, code, payload, mid):
        return simple._envelope(infno, code, mid, sign_nos[code], payload)

    pid = int(run_id, 16) % 10**4
    for ci, pi in enumerate(people):
        person = f"R{pi:07d}"
        lines = rng.sample(HTN_LINES, rng.choice((1, 1, 2, 2, 3)))
        contended = rng.random() < args.contended
        twins = (rng.sample(codes_, 2) if contended else [rng.choice(codes_)])
        plan["customers"][person] = []
        plan["contended"] += contended
        for t, code in enumerate(twins):
            codes = [[f"{prefix}{pid:04d}{next(box):09d}" for _ in range(rng.randint(1, 2))]
                     for (_k, _n, _p, _s, prefix, _d) in lines]
            settle = _settle_input(person, lines, f"RX{run_id}{ci}{t}", codes)
            sm = msgid(code)
            script = [Step("1101", code, env("1101", code, {"data": {"mdtrt_cert_type": "02",
                                                                     "mdtrt_cert_no": _id_number(pi)}}, msgid(code)), None, person),
                      Step("5301" if rng.random() < 0.5 else "5205", code, None, None, person),
                      Step("2101", code, env("2101", code, settle, msgid(code)), None, person),
                      Step("2102", code, env("2102", code, settle, sm), sm, person, pair=ci if contended else None)]
            script[1].body = env(script[1].infno, code, {"data": {"psn_no": person}}, msgid(code))
            for no, (line, boxes) in enumerate(zip(lines, codes)):
                script.append(Step("3505", code, env("3505", code, _sale_upload(person, line, boxes, sm, f"{sm}-{no}"),
                                                     msgid(code)), None, person))
            r = rng.random()
            if r < args.cancel_fraction:
                script.append(Step("2103", code, env("2103", code, {"data": {"setl_id": sm, "psn_no": person}},
                                                     msgid(code)), None, person))
            elif r < args.cancel_fraction + args.reverse_fraction:
                script.append(Step("2601", code, env("2601", code, {"data": {"psn_no": person, "omsgid": sm,
                                                                             "oinfno": "2102"}}, msgid(code)), None, person))
            plan["customers"][person].append(sm)
            if rng.random() < args.repeat_fraction:
                repeats.append(Step("2102", code, script[3].body, sm, person, after=sm))
            scripts.append(script)
    # twins start side by side, so that they reach their released-together 2102 at about the same time
    return scripts, repeats, plan


def _drive(port: int, scripts: list[list[Step]], repeats: list[Step], clients: int, secrets_: dict, seed: int):
    """Scripts over `clients` keep-alive connections from one thread (see server._drive); a step with `pair`
    waits for its twin and both are written together; a repeat goes out only after its original was sent,
    taken between scripts at random moments. Returns [(step, latency_s, status, body bytes)]."""
    import selectors
    import socket

    from server.signing import sign_headers

    rng = random.Random(seed)
    order = list(scripts)
    # interleave repeats: each becomes a one-step script at a random position after its original's script
    for rep in repeats:
        order.insert(rng.randrange(len(order) // 4, len(order) + 1), [rep])
    todo = iter(order)
    sent: set[str] = set()
    held: dict[int, tuple] = {}  # pair -> (sock, step) waiting for its twin
    deferred: list[list[Step]] = []
    results = []
    sel = selectors.DefaultSelector()
    state: dict = {}  # sock -> [script, index, start, buffer]

    def request(step: Step) -> bytes:
        headers = sign_headers(step.code, secrets_[step.code], step.body)
        head = [f"POST {simple.CALL} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(step.body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + step.body

    def write(sock, step: Step) -> None:
        st = state[sock]
        st[2], st[3], st[4] = time.perf_counter(), b"", True
        sock.sendall(request(step))
        if step.infno == "2102":
            sent.add(step.msgid)

    def next_script():
        for i, script in enumerate(deferred):
            if script[0].after is None or script[0].after in sent:
                return deferred.pop(i)
        for script in todo:
            if script[0].after is not None and script[0].after not in sent:
                deferred.append(script)
                continue
            return script
        return deferred.pop(0) if deferred else None

    def advance(sock) -> bool:
        st = state[sock]
        while True:
            if st[0] is None or st[1] >= len(st[0]):
                st[0], st[1] = next_script(), 0
                if st[0] is None:
                    return False
            step = st[0][st[1]]
            if step.pair is not None:
                twin = held.pop(step.pair, None)
                if twin is None:
                    held[step.pair] = (sock, step)
                    return True  # waits, still registered, for its twin
                write(twin[0], twin[1])
            write(sock, step)
            return True

    def connect(st: list | None = None):
        sock = socket.create_connection(("127.0.0.1", port), timeout=300)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        state[sock] = st or [None, 0, 0.0, b"", False]  # script, step, sent at, buffer, in flight
        sel.register(sock, selectors.EVENT_READ)
        return sock

    def drop(sock) -> None:
        sel.unregister(sock)
        sock.close()
        del state[sock]

    for _ in range(clients):
        sock = connect()
        if not advance(sock):
            drop(sock)
    while state:
        busy = list(state)
        waiting = {h[0] for h in held.values()}
        if busy and set(busy) <= waiting:
            # every live connection waits for a twin that no connection will reach: release them singly
            for pair in list(held):
                sock, step = held.pop(pair)
                write(sock, step)
        events = sel.select(timeout=300)
        if not events:
            raise RuntimeError("no answer from the centre within 300 s")
        for key, _ in events:
            sock = key.fileobj
            st = state[sock]
            chunk = sock.recv(262144)
            if not chunk and not st[4]:
                # an idle keep-alive connection (waiting for its twin) closed by the server: open another
                drop(sock)
                fresh = connect(st)
                for pair, (held_sock, held_step) in list(held.items()):
                    if held_sock is sock:
                        held[pair] = (fresh, held_step)
                continue
            if not chunk:
                raise RuntimeError("the centre closed a connection mid-request")
            buf = st[3] + chunk
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                st[3] = buf
                continue
            head = buf[:end].decode("latin-1").split("\r\n")
            length = next(int(h.split(":", 1)[1]) for h in head[1:] if h[:15].lower() == "content-length:")
            if len(buf) < end + 4 + length:
                st[3] = buf
                continue
            step, body = st[0][st[1]], buf[end + 4:end + 4 + length]
            results.append((step, time.perf_counter() - st[2], int(head[0].split(" ", 2)[1]), body))
            st[1], st[4] = st[1] + 1, False
            if step.infno == "2102" and step.after is None and b'"infcode":0' not in body.replace(b" ", b""):
                st[1] = len(st[0])  # refused: a pharmacy uploads and cancels nothing of it
            if not advance(sock):
                drop(sock)  # nothing left for it: an idle connection the server might close under us
    for sock in list(state):
        drop(sock)
    sel.close()
    return results


# ---- the baseline: the settlement's SQL without the application -------------------------------------------
BASELINE_SQL = (
    ("SELECT pg_advisory_xact_lock(hashtext(%(p)s))", False),
    ("SELECT settlement_id, date, fund, deductible_applied, expense_counted, reversed_on FROM settlement "
     "WHERE person_no = %(p)s AND date >= %(since)s", True),
    ("SELECT date, chain_key, days, settlement_id FROM dispense WHERE person_no = %(p)s AND chain_key = ANY(%(chains)s)", True),
    ("SELECT t.code, t.units, t.split, s.reversed_on FROM trace_sale t JOIN settlement s "
     "ON s.settlement_id = t.settlement_id WHERE t.code = ANY(%(codes)s)", True),
    ("INSERT INTO settlement (settlement_id, person_no, date, time, facility_code, city, scheme, period, total, fund, "
     "personal, deductible_applied, expense_counted, status, created_at) VALUES (%(id)s, %(p)s, %(d)s, '10:00', "
     "'P42070000001', '420700', 'LB', %(y)s, 84, 42, 42, 0, 0, 'settled', now())", False),
    ("INSERT INTO dispense (person_no, settlement_id, date, facility_code, drug_key, chain_key, days) "
     "VALUES (%(p)s, %(id)s, %(d)s, 'P42070000001', 'D01', 'C08CA01', 84)", False),
    ("INSERT INTO trace_sale (code, settlement_id, line, drug_key, date, units, split, facility_code) "
     "SELECT c, %(id)s, 1, 'D01', %(d)s, 28, false, 'P42070000001' FROM unnest(%(codes)s::text[]) AS c", False),
)


def _baseline(url: str, sessions: int, persons: list[str], seconds: float = 8.0) -> float:
    """Settlements/s of `sessions` concurrent sessions running BASELINE_SQL for `persons` (rolled back at the
    end is not needed: a fresh run database is dropped afterwards)."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    done = [0] * sessions
    stop = time.monotonic() + seconds
    today = dt.date.today()

    def work(k: int) -> None:
        with psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                             password=u.password, dbname=u.database) as conn:
            n = 0
            while time.monotonic() < stop:
                p = persons[(k + n * sessions) % len(persons)]
                params = {"p": p, "since": today - dt.timedelta(days=400), "chains": ["C08CA01", "C09CA04"],
                          "codes": [f"83{k:03d}{n:015d}"[:20] for _ in range(1)], "id": f"BASE{k:03d}{n:09d}",
                          "d": today, "y": str(today.year)}
                with conn.transaction():
                    for sql, fetch in BASELINE_SQL:
                        cur = conn.execute(sql, params, prepare=True)
                        if fetch:
                            cur.fetchall()
                n += 1
            done[k] = n

    threads = [threading.Thread(target=work, args=(k,)) for k in range(sessions)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


# ---- the run --------------------------------------------------------------------------------------------
def _cpu_tree(pid: int) -> float:
    """CPU seconds of a process and its live children (the centre's workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:13]) / tick
        except (OSError, ValueError, IndexError):
            pass
    return total


def run(args: argparse.Namespace) -> dict:
    import secrets as pysecrets

    from sqlalchemy.engine import make_url

    base_url = args.db or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    if not base_url.startswith("postgresql"):
        raise SystemExit("onewindow bench server: the realistic load needs PostgreSQL (--db postgresql+psycopg://…); "
                         "--simple runs on SQLite")
    u = make_url(base_url)
    url_for = lambda name: u.set(database=name).render_as_string(hide_password=False)  # noqa: E731
    t0 = time.perf_counter()
    template, meta = _template(url_for, args)
    seed_s = time.perf_counter() - t0
    run_db = f"ow_bench_run_{os.getpid()}_{pysecrets.token_hex(2)}"
    with _admin(url_for("postgres"))[0] as admin:
        admin.execute(f'CREATE DATABASE "{run_db}" TEMPLATE "{template}"')
    try:
        return _run_on(url_for(run_db), args, meta, template, seed_s)
    finally:
        with _admin(url_for("postgres"))[0] as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)')


def _run_on(url: str, args, meta: dict, template: str, seed_s: float) -> dict:
    with _data_key(meta["key"]):  # the centre process inherits it
        return _run_with_key(url, args, meta, template, seed_s)


def _run_with_key(url: str, args, meta: dict, template: str, seed_s: float) -> dict:
    import secrets as pysecrets

    workers = args.workers or 2
    concurrency = getattr(args, "concurrency", 4)
    port = simple._free_port()
    proc = subprocess.Popen([sys.executable, "-m", "onewindow", "server", "--db", url, "--port", str(port),
                             "--workers", str(workers), "--log-level", "warning", "--concurrency", str(concurrency)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        simple._wait(port, proc)
        secrets_ = meta["secrets"]
        sign_nos = {code: simple._sign_in(port, code, secrets_[code]) for code in meta["codes"]}
        run_id = pysecrets.token_hex(2).upper()
        scripts, repeats, plan = _scripts(args, meta, sign_nos, run_id)
        load_before, cpu0, own0 = os.getloadavg(), _cpu_tree(proc.pid), time.process_time()
        t1 = time.perf_counter()
        results = _drive(port, scripts, repeats, args.clients, secrets_, args.seed)
        elapsed = time.perf_counter() - t1
        centre_cpu, own_cpu, load_after = _cpu_tree(proc.pid) - cpu0, time.process_time() - own0, os.getloadavg()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    figures = _check(url, results, plan)
    baseline = _baseline(url, workers * concurrency, list(plan["customers"]))
    settled = figures.pop("_settled")
    per_s = settled / elapsed if elapsed else 0.0
    lat = sorted(r[1] for r in results if r[0].infno == "2102")
    pct = lambda xs, q: round(xs[min(len(xs) - 1, int(q * len(xs)))] * 1000, 1) if xs else None  # noqa: E731
    per_infno = {}
    for infno in sorted({r[0].infno for r in results}):
        xs = sorted(r[1] for r in results if r[0].infno == infno)
        per_infno[infno] = {"n": len(xs), "p50_ms": pct(xs, 0.5), "p99_ms": pct(xs, 0.99)}
    return {
        "name": "server", "mix": "realistic", "db": "postgresql", "workers": workers, "concurrency": concurrency,
        "clients": args.clients, "persons": args.persons, "history_rows": args.history_rows, "drugs": args.drugs,
        "institutions": len(meta["secrets"]), "customers": len(plan["customers"]),
        "contended_customers": plan["contended"], "requests": len(results), "seconds": round(elapsed, 2),
        "settlements": settled, "per_s": round(per_s, 1), "requests_per_s": round(len(results) / elapsed, 1),
        "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99), "per_infno": per_infno, **figures,
        "baseline_per_s": round(baseline, 1), "ratio_vs_baseline": round(per_s / baseline, 3) if baseline else None,
        "centre_cpu_ms_per_settlement": round(centre_cpu * 1000 / settled, 2) if settled else None,
        "centre_cpu_ms_per_request": round(centre_cpu * 1000 / len(results), 2) if results else None,
        "loadgen_cpu_ms_per_request": round(own_cpu * 1000 / len(results), 3) if results else None,
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)], "seed_s": round(seed_s, 1),
        "template": template, "budget_per_s": simple.BUDGET_PER_S, "budget_p99_ms": simple.BUDGET_P99_MS,
    }


def _check(url: str, results: list, plan: dict) -> dict:
    """Correctness from the answers and the database."""
    from sqlalchemy import create_engine, text

    accepted: dict[str, tuple[str, Decimal]] = {}  # msgid -> (person, fund) of an accepted original 2102
    first_answer: dict[str, bytes] = {}
    undone: set[str] = set()
    refusals: dict[str, int] = {}
    repeated = [(step.msgid, body) for step, _lat, _st, body in results if step.infno == "2102" and step.after]
    for step, _lat, status, body in results:
        answer = json.loads(body) if body[:1] == b"{" else {}
        if step.infno == "2102":
            if step.after is not None:
                continue  # compared below, with the original's answer (which may have arrived later)
            first_answer[step.msgid] = body
            if answer.get("infcode") == 0:
                accepted[step.msgid] = (step.customer, Decimal(answer["output"]["setlinfo"]["fund_pay_sumamt"]))
        if answer.get("infcode") != 0:
            key = f"{step.infno} {str(answer.get('err_msg', status))[:40]}"
            refusals[key] = refusals.get(key, 0) + 1
        elif step.infno in ("2103", "2601"):
            undone.add(json.loads(step.body)["input"]["data"].get("setl_id") or
                       json.loads(step.body)["input"]["data"].get("omsgid"))
    differing = [(m, first_answer.get(m, b"")[:300], body[:300]) for m, body in repeated if first_answer.get(m) != body]
    expected: dict[str, Decimal] = {}
    for msgid, (person, fund) in accepted.items():
        if msgid not in undone:
            expected[person] = expected.get(person, Decimal("0.00")) + fund
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT person_no, settlement_id, fund FROM settlement WHERE person_no = ANY(:p) "
                                 "AND reversed_on IS NULL AND settlement_id NOT LIKE 'H%'"),
                            {"p": list(plan["customers"])}).all()
        twice = conn.execute(text(
            "SELECT count(*) FROM (SELECT t.code FROM trace_sale t JOIN settlement s ON s.settlement_id = t.settlement_id "
            "WHERE s.reversed_on IS NULL GROUP BY t.code HAVING count(*) > 1) x")).scalar()
        up_twice = conn.execute(text(
            "SELECT count(*) FROM (SELECT code FROM centre_trace_upload WHERE returned_at IS NULL GROUP BY code "
            "HAVING count(*) > 1) x")).scalar()
    engine.dispose()
    live: dict[str, Decimal] = {}
    for person, _sid, fund in rows:
        live[person] = live.get(person, Decimal("0.00")) + Decimal(fund)
    mismatched = [p for p in set(live) | set(expected) if live.get(p, Decimal("0")) != expected.get(p, Decimal("0"))]
    return {
        "_settled": len(accepted),
        "double_counted": len([r for r in rows if r[1] not in accepted or r[1] in undone]),
        "fund_matches": not mismatched, "persons_fund_mismatched": len(mismatched),
        "codes_sold_twice": int(twice) + int(up_twice), "repeats_sent": len(repeated),
        "repeats_identical": not differing,
        "first_differing_repeat": [x.decode("utf-8", "replace") if isinstance(x, bytes) else x
                                   for x in differing[0]] if differing else None, "cancelled_or_reversed": len(undone & set(accepted)),
        "refusals": dict(sorted(refusals.items(), key=lambda kv: -kv[1])[:8]),
    }
