"""The centre over real HTTP: uvicorn on a free loopback port, `requests` as the client — on SQLite and
PostgreSQL. The main path of the issue, then 50 simultaneous settlements of one person from 5 institutions."""
from __future__ import annotations

from pathlib import Path

import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.store.models import SettlementRow
from server.app import create_app
from server.signing import sign_headers
from tests import childlogs
from tests.ports import HeldPort
from tests.server.helpers import (
    CL1, H2, H3, P01_CERTNO, PH1, PH2, Client, LiveServer, RequestsHttp, envelope, settle_input, trace_codes,
)

@pytest.fixture
def live(centre_db, centre_engine):
    with LiveServer(create_app(engine=centre_engine)) as server:
        yield Client(RequestsHttp(server.url), centre_db.secrets)


def test_main_path_over_http(live, centre_engine):
    sign_no = live.sign_in(PH1)
    assert len(sign_no) >= 20
    person = live.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}})
    assert person["infcode"] == 0 and person["output"]["baseinfo"]["psn_no"] == "T0001"
    regs = live.call("5301", {"data": {"psn_no": "T0001"}})
    assert regs["output"]["feedetail"][0]["scheme"] == "LB"
    inp = settle_input("T0001")
    pre = live.call("2101", inp)
    assert pre["infcode"] == 0 and pre["output"]["setlinfo"]["fund_pay_sumamt"] == "42.00", pre
    env = envelope("2102", inp, PH1, sign_no=sign_no)
    first = live.send(env)
    second = live.send(env)
    assert first.status_code == 200 and first.json()["infcode"] == 0, first.json()
    assert second.content == first.content  # byte for byte the first answer
    day = first.json()["output"]["setlinfo"]["setl_time"][:10]  # the centre's date, not the test's clock
    stmt = live.call("3201", {"data": {"stmt_begndate": day, "stmt_enddate": day, "medfee_sumamt": "84.00",
                                       "fund_pay_sumamt": "42.00", "fixmedins_setl_cnt": 1}})
    assert stmt["output"]["stmtinfo"]["stmt_rslt"] == "0", stmt
    with centre_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SettlementRow)).scalar() == 1
        conn.rollback()
    capped = live.call("2101", settle_input("T0001"))
    assert capped["infcode"] == -1 and "DUP-001" in capped["err_msg"]
    rev = live.call("2601", {"data": {"psn_no": "T0001", "omsgid": env["msgid"], "oinfno": "2102"}})
    assert rev["infcode"] == 0 and rev["output"]["data"]["rslt"] == "1", rev
    back = live.call("2101", settle_input("T0001"))
    assert back["infcode"] == 0, back
    assert back["output"]["setlinfo"]["expContent"]["cap_remaining_before"] == "400.00"
    assert live.http.get("/health").json()["status"] == "ok"


def _two_lines(codes_first: list[str], codes_second: list[str], rx_second: str = "RX1") -> dict:
    """A 2102 body with two one-box lines of D01 (the second possibly of another prescription)."""
    inp = settle_input("T0001", packs=1, days=28, codes=codes_first)
    line = dict(inp["drugdetail"][0])
    inp["drugdetail"].append({**line, "feedetl_sn": "2", "rxno": rx_second,
                              "drugtracinfo": [{"drug_trac_codg": c} for c in codes_second]})
    inp["druginfo"]["medfee_sumamt"] = "56.00"
    return inp


@pytest.mark.parametrize("rx_second", ["RX1", "RX2"], ids=["same-prescription", "other-prescription"])
def test_one_box_code_on_two_lines_is_refused_by_the_centre(live, centre_engine, rx_second):
    """TRC-002 at the centre: one code on two lines of a message (one prescription, or two prescriptions in one
    basket) sells one box twice; nothing is written; two codes settle."""
    live.sign_in(PH1)
    code = trace_codes("8100011", 1)
    refused = live.call("2102", _two_lines(code, code, rx_second))
    assert refused["infcode"] == -1 and "TRC-002" in refused["err_msg"], refused
    assert [h["feedetl_sn"] for h in refused["output"]["audit"]["hits"] if h["rule"] == "TRC-002"] == ["2"]
    with centre_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SettlementRow)).scalar() == 0
        conn.rollback()
    ok = live.call("2102", _two_lines(code, trace_codes("8100011", 1), rx_second))
    assert ok["infcode"] == 0 and ok["output"]["setlinfo"]["medfee_sumamt"] == "56.00", ok


def test_fifty_simultaneous_settlements_from_five_institutions(live, centre_engine):
    institutions = [PH1, PH2, CL1, H2, H3]
    for code in institutions:
        live.sign_in(code)
    envs = []
    for i in range(50):
        code = institutions[i % 5]
        inp = settle_input("T0001", codes=trace_codes("8100011", 3))
        envs.append(envelope("2102", inp, code, sign_no=live.sign_nos[code]))
    results: list[dict | None] = [None] * 50
    barrier = threading.Barrier(50)

    def send(i: int) -> None:
        client = Client(RequestsHttp(live.http.base), live.secrets)
        barrier.wait()
        results[i] = client.send(envs[i]).json()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(r is not None for r in results)
    ok = [r for r in results if r["infcode"] == 0]
    refused = [r for r in results if r["infcode"] == -1]
    assert len(ok) == 1, [r["err_msg"] for r in results][:5]
    assert len(refused) == 49
    assert all("DUP-001" in r["err_msg"] or "DUP-002" in r["err_msg"] for r in refused), refused[0]["err_msg"]
    with centre_engine.connect() as conn:
        count, fund = conn.execute(
            select(func.count(), func.coalesce(func.sum(SettlementRow.fund), 0))
            .where(SettlementRow.person_no == "T0001", SettlementRow.reversed_on.is_(None))).one()
        conn.rollback()
    assert count == 1 and Decimal(fund) == Decimal(ok[0]["output"]["setlinfo"]["fund_pay_sumamt"]) == Decimal("42.00")


def test_cli_server_seed_and_journal(centre_db, tmp_path, vectors_path):
    """`onewindow seed` twice, `onewindow server` as a real process, `onewindow journal verify`."""
    import json
    import os

    env = dict(os.environ)
    seed = [sys.executable, "-m", "onewindow", "seed", "--db", centre_db.url, "--world", str(vectors_path), "--json"]
    out = json.loads(subprocess.run(seed, capture_output=True, text=True, check=True, env=env, timeout=120).stdout)
    assert out["drugs_changed"] == 0 and out["persons_changed"] == 0 and out["institutions_created"] == []
    held = HeldPort()  # bound once here, handed to the server (--fd)
    port = held.port
    log = childlogs.watch(tmp_path / "centre.log")  # its errors fail the test
    given = held.listeners()
    proc = subprocess.Popen([sys.executable, "-m", "onewindow", "server", "--db", centre_db.url, *given.args(),
                             "--docs"],
                            stdout=open(log, "ab"), stderr=subprocess.STDOUT, env=env, pass_fds=given.fds)
    given.close()
    try:
        http = RequestsHttp(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                if http.get("/health").status_code == 200:
                    break
            except Exception:  # noqa: BLE001 - not listening yet
                pass
            assert time.monotonic() < deadline, "onewindow server did not answer /health within 30 s"
            time.sleep(0.1)
        client = Client(http, out["secrets"])
        assert client.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}})["infcode"] == 0
        assert "/fsi/api/rsfComIfsService/callService" in http.get("/openapi.json").json()["paths"]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        held.close()
    # the centre logs to its own rotating file in the log folder too, named by its port (#16)
    centre_log = Path(os.environ["ONEWINDOW_HOME"]) / "logs" / f"centre-{port}.log"
    assert f"centre-{port} started" in centre_log.read_text(encoding="utf-8")
    verify = subprocess.run([sys.executable, "-m", "onewindow", "journal", "verify", "--db", centre_db.url],
                            capture_output=True, text=True, env=env, timeout=60)
    assert verify.returncode == 0 and verify.stdout.startswith("OK:"), verify.stdout + verify.stderr
    qr = subprocess.run([sys.executable, "-m", "onewindow", "evoucher", "issue", "--db", centre_db.url,
                         "--certno", P01_CERTNO], capture_output=True, text=True, env=env, timeout=60)
    assert qr.returncode == 0 and qr.stdout.startswith("NHSAEV1."), qr.stderr


def _children(pid: int) -> set[int]:
    """The centre's worker processes (multiprocessing's resource tracker is a child too, but no worker)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids = {int(p) for p in f.read().split()}
    except OSError:
        return set()
    out = set()
    for child in pids:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                if b"resource_tracker" not in f.read():
                    out.add(child)
        except OSError:
            pass
    return out


def test_cli_server_workers_share_the_connections(centre_db, tmp_path):
    """`onewindow server --workers 2`: each worker listens on its own socket (SO_REUSEPORT), so keep-alive
    connections opened at once land on both (uvicorn's shared socket often gave them all to one); a worker
    that dies is replaced; SQLite refuses several workers."""
    import json
    import os
    import signal

    env = dict(os.environ)
    held = HeldPort()  # bound once here; each worker gets its own listening socket on it (--fd twice)
    port = held.port
    given = held.listeners(2)
    cmd = [sys.executable, "-m", "onewindow", "server", "--db", centre_db.url, *given.args(), "--workers", "2",
           "--log-level", "warning"]
    if centre_db.backend == "sqlite":
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, pass_fds=given.fds)
        given.close()
        held.close()
        assert done.returncode == 2 and "several workers need PostgreSQL" in done.stderr
        return
    log = childlogs.watch(tmp_path / "centre.log")  # its errors fail the test
    proc = subprocess.Popen(cmd, stdout=open(log, "ab"), stderr=subprocess.STDOUT, env=env, pass_fds=given.fds)
    given.close()
    try:
        http = RequestsHttp(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 2 or not _answers(http):
            assert proc.poll() is None, "the centre exited"
            assert time.monotonic() < deadline, "onewindow server --workers 2 did not start within 60 s"
            time.sleep(0.1)
        workers = _children(proc.pid)

        def worker_of(conn) -> str:
            body = json.dumps(envelope("9001", {"signIn": {"opter_no": "OP01"}}, PH1), ensure_ascii=False).encode()
            conn.request("POST", "/fsi/api/rsfComIfsService/callService", body=body,
                         headers=sign_headers(PH1, centre_db.secrets[PH1], body))
            answer = json.loads(conn.getresponse().read())
            assert answer["infcode"] == 0, answer
            return answer["inf_refmsgid"][20:23]  # the answering process's pid % 1000 (server.envelope.ref_msgid)

        conns = [http_client(port) for _ in range(24)]
        seen = {worker_of(c) for c in conns}
        assert seen == {f"{pid % 1000:03d}" for pid in workers}, (seen, workers)
        for c in conns:
            c.close()
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while victim in _children(proc.pid) or len(_children(proc.pid)) < 2 or not _answers(http):
            assert time.monotonic() < deadline, "the dead worker was not replaced within 60 s"
            time.sleep(0.1)
        assert worker_of(http_client(port))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        held.close()
    assert not _children(proc.pid)


def http_client(port: int):
    import http.client

    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def _answers(http) -> bool:
    try:
        return http.get("/health").status_code == 200
    except Exception:  # noqa: BLE001 - not listening yet
        return False
