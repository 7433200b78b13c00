"""Centre settlement throughput: signed 2102 settlements from concurrent clients over many persons.

Starts the centre (`onewindow server`, a separate process; 2 workers on PostgreSQL, 1 on SQLite), seeds the
public world plus N fresh 两病 persons, pre-builds and signs one settlement per person (plus repeats of some
messages with the same msgid, which must not count twice), fires them from concurrent keep-alive clients,
and checks the database afterwards: settlements recorded == distinct successful msgids, fund total ==
the sum the answers reported. Baseline: a plain insert-and-commit loop on the same database.
Budget (PostgreSQL, 2 cores): >= 500 settlements/s, p99 < 300 ms, double_counted 0.

The load generator shares the cores with the centre and PostgreSQL, so it is kept cheap: every request is a
complete signed HTTP/1.1 request built before the clock starts, and the clients are keep-alive sockets driven
by one thread with a selector (per request: write the bytes, read status line, Content-Length and body,
decode the JSON answer) — about 0.1 ms of CPU per request, where http.client threads took 0.3–0.4 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BUDGET_PER_S = 500.0
BUDGET_P99_MS = 300.0
SHARED_WORLD = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / "audit-vectors.json"
CALL = "/fsi/api/rsfComIfsService/callService"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="centre database URL (default: a temporary SQLite file); a PostgreSQL database "
                                     "that does not exist is created")
    parser.add_argument("--settlements", type=int, default=3000, help="distinct settlements (default 3000)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--repeat-fraction", type=float, default=0.05,
                        help="share of messages sent a second time with the same msgid (default 0.05)")
    parser.add_argument("--workers", type=int, default=0, help="centre worker processes (default 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="requests in the database at once per worker (default 4, the centre's default)")
    parser.add_argument("--world", default=str(SHARED_WORLD), help="world file to seed (default ../shared vectors)")
    parser.add_argument("--baseline-rows", type=int, default=2000)
    from onewindow.benchmarks import server_mix

    server_mix.add_arguments(parser)  # the realistic load (default) and --simple


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _ensure_pg_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    import psycopg

    with psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                         password=u.password, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{u.database}"')


def _persons(engine, n: int, run: str) -> list[str]:
    """n fresh 两病 residents (hypertension) with encrypted ID numbers."""
    from sqlalchemy import insert

    from core.store.models import PersonRow, RegistrationRow
    from server.people import cipher

    c = cipher()
    nos = [f"B{run}{i:06d}" for i in range(n)]
    people, regs = [], []
    for i, no in enumerate(nos):
        idn = f"9{run}{i:07d}".ljust(18, "0")[:18]
        people.append({"person_no": no, "name": f"压测{i}", "sex": "1", "birth_date": dt.date(1960, 1, 1),
                       "insurance_type": "390", "status": "active", "death_date": None,
                       "id_number_enc": c.encrypt(idn), "id_number_hash": c.lookup_hash(idn), "ss_card_no": None,
                       "profile_id": None, "updated_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)})
        regs.append({"person_no": no, "scheme": "LB", "disease": "HTN", "begin": dt.date(2023, 1, 1), "end": None,
                     "designated_facilities": ""})
    with engine.begin() as conn:
        conn.execute(insert(PersonRow.__table__), people)
        conn.execute(insert(RegistrationRow.__table__),
                     [{"person_no": r["person_no"], "scheme": r["scheme"], "disease": r["disease"],
                       "begin_date": r["begin"], "end_date": None, "designated_facilities": ""} for r in regs])
    return nos


def _baseline(engine, rows: int) -> float:
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_baseline (id INTEGER PRIMARY KEY, v VARCHAR(40))"))
        conn.execute(text("DELETE FROM bench_baseline"))
    t0 = time.perf_counter()
    with engine.connect() as conn:
        for i in range(rows):
            conn.execute(text("INSERT INTO bench_baseline (id, v) VALUES (:i, :v)"), {"i": i, "v": "x" * 30})
            conn.commit()
    elapsed = time.perf_counter() - t0
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_baseline"))
    return rows / elapsed


def run(args: argparse.Namespace) -> dict:
    if not getattr(args, "simple", False):
        from onewindow.benchmarks import server_mix

        return server_mix.run(args)
    return run_simple(args)


def run_simple(args: argparse.Namespace) -> dict:
    """The best case: one fresh person and one line per settlement, repeats after all originals."""
    from sqlalchemy import func, select

    from core.services.world import load_world
    from core.store.crypto import KEY_ENV, generate_secret
    from core.store.models import SettlementRow
    from server import people
    from server.db import open_centre
    from server.seed import seed_world
    from server.signing import sign_headers

    tmp = tempfile.TemporaryDirectory(prefix="ow-bench-")
    os.environ.setdefault(KEY_ENV, generate_secret())
    people.cipher.cache_clear()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'centre.db'}"
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    if backend == "postgresql":
        _ensure_pg_database(url)
    engine = open_centre(url)
    secrets_ = seed_world(engine, load_world(args.world)).secrets
    run_id = secrets.token_hex(3).upper()
    persons = _persons(engine, args.settlements, run_id)
    baseline = _baseline(engine, args.baseline_rows)
    engine.dispose()

    workers = args.workers or (2 if backend == "postgresql" else 1)
    port = _free_port()
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "onewindow", "server", "--db", url, "--port", str(port),
                             "--workers", str(workers), "--log-level", "warning",
                             "--concurrency", str(getattr(args, "concurrency", 4))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        _wait(port, proc)
        institutions = ["P42070000001", "P42070000002", "H42070000011", "H42070000021", "H42070000031"]
        sign_nos = {code: _sign_in(port, code, secrets_[code]) for code in institutions}
        messages = _messages(persons, institutions, sign_nos, run_id)
        repeats = messages[: int(len(messages) * args.repeat_fraction)]
        plan = messages + repeats  # repeats go last, after their originals
        # sign everything now (timestamps must be within the 300 s window when they arrive)
        signed = [(body, sign_headers(code, secrets_[code], body)) for code, body in plan]
        requests = [_request(port, body, headers) for body, headers in signed]
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        latencies, answers = _drive(port, requests, args.clients)
        elapsed = time.perf_counter() - t0
        load_after = os.getloadavg()[0]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

    ok_ids = {}
    for i, a in answers:
        if a.get("infcode") == 0:
            s = a["output"]["setlinfo"]
            ok_ids[s["setl_id"]] = Decimal(s["fund_pay_sumamt"])
    failures = [a.get("err_msg", "") for _, a in answers if a.get("infcode") != 0]
    engine = open_centre(url)
    with engine.connect() as conn:
        count, fund = conn.execute(
            select(func.count(), func.coalesce(func.sum(SettlementRow.fund), 0))
            .where(SettlementRow.person_no.like(f"B{run_id}%"))).one()
        conn.rollback()
    engine.dispose()
    tmp.cleanup()
    latencies.sort()
    p = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)  # noqa: E731
    per_s = len(answers) / elapsed
    settled_per_s = len(ok_ids) / elapsed
    return {
        "name": "server",
        "mix": "simple",
        "db": backend,
        "workers": workers,
        "concurrency": getattr(args, "concurrency", 4),
        "clients": args.clients,
        "requests": len(answers),
        "settlements": len(ok_ids),
        "repeats_sent": len(repeats),
        "refused": len(failures),
        "first_refusal": failures[0][:200] if failures else None,
        "seconds": round(elapsed, 2),
        "per_s": round(settled_per_s, 1),
        "requests_per_s": round(per_s, 1),
        "p50_ms": p(0.50),
        "p99_ms": p(0.99),
        "double_counted": int(count) - len(ok_ids),
        "fund_matches": Decimal(fund).quantize(Decimal("0.01")) == sum(ok_ids.values(), Decimal("0.00")),
        "baseline_insert_commit_per_s": round(baseline, 1),
        "ratio_vs_baseline": round(settled_per_s / baseline, 3),
        "load_average": [round(load_before, 2), round(load_after, 2)],  # 1-minute, before and after the run
        "budget_per_s": BUDGET_PER_S,
        "budget_p99_ms": BUDGET_P99_MS,
    }


def _request(port: int, body: bytes, headers: dict[str, str]) -> bytes:
    """One complete HTTP/1.1 request, built before the clock starts (keep-alive is HTTP/1.1's default)."""
    head = [f"POST {CALL} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def _drive(port: int, requests: list[bytes], clients: int) -> tuple[list[float], list[tuple[int, dict]]]:
    """Send `requests` over `clients` keep-alive connections, each one request at a time, from one thread with
    a selector (the load generator shares the centre's cores: per request it only writes prepared bytes,
    reads the status line, Content-Length and body, and decodes the JSON answer). Returns the latencies and
    (request index, answer) pairs; an answer that is not HTTP 200 with a JSON body is recorded with its status
    and an infcode that counts as a refusal."""
    import selectors

    sel = selectors.DefaultSelector()
    queue = iter(range(len(requests)))
    latencies: list[float] = []
    answers: list[tuple[int, dict]] = []
    state: dict[socket.socket, list] = {}  # sock -> [request index, start time, buffer]

    def send_next(sock: socket.socket) -> bool:
        i = next(queue, None)
        if i is None:
            return False
        st = state[sock]
        st[0], st[1], st[2] = i, time.perf_counter(), b""
        sock.sendall(requests[i])
        return True

    for _ in range(min(clients, len(requests))):
        sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        state[sock] = [None, 0.0, b""]
        if send_next(sock):
            sel.register(sock, selectors.EVENT_READ)
        else:
            sock.close()
            del state[sock]
    while state:
        events = sel.select(timeout=120)
        if not events:
            raise RuntimeError("no answer from the centre within 120 s")
        for key, _ in events:
            sock = key.fileobj
            st = state[sock]
            chunk = sock.recv(262144)
            if not chunk:
                raise RuntimeError("the centre closed a connection mid-request")
            buf = st[2] + chunk
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                st[2] = buf
                continue
            head = buf[:end].decode("latin-1").split("\r\n")
            length = next((int(h.split(":", 1)[1]) for h in head[1:] if h[:15].lower() == "content-length:"), None)
            if length is None:
                raise RuntimeError(f"answer without Content-Length: {head[0]}")
            if len(buf) < end + 4 + length:
                st[2] = buf
                continue
            latencies.append(time.perf_counter() - st[1])
            status = int(head[0].split(" ", 2)[1])
            body = buf[end + 4:end + 4 + length]
            try:
                answer = json.loads(body)
            except ValueError:
                answer = {"infcode": None, "err_msg": f"HTTP {status}: not JSON: {body[:100]!r}"}
            if status != 200 and answer.get("infcode") == 0:
                answer = {"infcode": None, "err_msg": f"HTTP {status} with infcode 0"}
            answers.append((st[0], answer))
            if not send_next(sock):
                sel.unregister(sock)
                sock.close()
                del state[sock]
    sel.close()
    return latencies, answers


def _wait(port: int, proc, timeout: float = 180.0) -> None:
    """Until the centre answers /health (a loaded shared machine can take a minute to import and migrate)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the centre exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the centre did not start within {timeout:.0f} s")


def _envelope(infno: str, code: str, msgid: str, sign_no: str, payload: dict) -> bytes:
    now = dt.datetime.now()
    return json.dumps({
        "infno": infno, "msgid": msgid, "mdtrtarea_admvs": "420700", "insuplc_admdvs": "420700",
        "recer_sys_code": "YBXT", "infver": "V1.0", "opter_type": "1", "opter": "BENCH", "opter_name": "压测",
        "inf_time": now.strftime("%Y-%m-%d %H:%M:%S"), "fixmedins_code": code, "fixmedins_name": "",
        "sign_no": sign_no, "input": payload,
    }, ensure_ascii=False).encode()


def _sign_in(port: int, code: str, secret: str) -> str:
    from server.signing import sign_headers

    body = _envelope("9001", code, f"{code}{time.strftime('%Y%m%d%H%M%S')}{secrets.randbelow(10000):04d}", "",
                     {"signIn": {"opter_no": "BENCH"}})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", CALL, body=body, headers=sign_headers(code, secret, body))
    data = json.loads(conn.getresponse().read())
    if data.get("infcode") != 0:
        raise RuntimeError(f"sign-in of {code} failed: {data.get('err_msg')}")
    return data["output"]["signinoutb"]["sign_no"]


def _messages(persons: list[str], institutions: list[str], sign_nos: dict, run_id: str) -> list[tuple[str, bytes]]:
    out = []
    stamp = time.strftime("%Y%m%d%H%M%S")
    pid = int(run_id, 16)
    for i, person in enumerate(persons):
        code = institutions[i % len(institutions)]
        codes = [f"8100011{(pid * 10_000_000 + i * 3 + k) % 10**13:013d}" for k in range(3)]
        payload = {
            "druginfo": {"psn_no": person, "medfee_sumamt": "84.00", "insutype": "390", "med_type": "9901",
                         "dise_codg": "HTN", "expContent": {"long_rx_confirmed": True}},
            "drugdetail": [{"feedetl_sn": "1", "rxno": f"RX{i}", "med_list_codg": "XC08CAA321A001010199901",
                            "medins_list_codg": "D01", "det_item_fee_sumamt": "84.00", "cnt": 3, "pric": "28.00",
                            "prd_days": 84, "trdn_flag": "0", "drugtracinfo": [{"drug_trac_codg": c} for c in codes],
                            "expContent": {"dose": "5", "times_per_day": "1"}}],
            "diseinfo": [{"diag_code": "I10.x00"}],
        }
        msgid = f"{code}{stamp}{i:06d}"[:40]
        out.append((code, _envelope("2102", code, msgid, sign_nos[code], payload)))
    return out
