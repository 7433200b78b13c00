"""Settlement load against a real centre process, and the client's side of a crash: classify every answer (or
its absence), check the centre told the truth, resolve each unknown one by the README's rules (the same msgid
again, or 2601), then check exactly-once on the database. Used by the worker-kill and database-cut tests."""
from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from dataclasses import dataclass
from decimal import Decimal

import requests
from sqlalchemy import select as sql_select

from core.store.models import SettlementRow
from server import journal
from server.centre import NOTHING_CHANGED, OUTCOME_UNKNOWN
from server.models import message
from tests.server.helpers import PH1, Client, RequestsHttp, envelope, new_msgid, settle_input


@dataclass
class Sent:
    env: dict
    status: int | None  # None: no answer at all (connection dropped)
    body: dict | None

    @property
    def kind(self) -> str:
        if self.status is None:
            return "dropped"
        if self.status == 200:
            return "ok" if self.body.get("infcode") == 0 else "refused"
        err = str(self.body.get("err_msg", ""))
        if err.startswith(OUTCOME_UNKNOWN):
            return "unknown"
        return "unchanged" if err.endswith(NOTHING_CHANGED) else f"other {self.status}"


class Load:
    """One 2102 per person from `threads` threads, each with its own keep-alive connection (a dropped one is
    reopened for the next message)."""

    def __init__(self, port: int, secrets: dict, sign_no: str, persons: list[str], threads: int) -> None:
        self.port, self.secrets, self.sign_no = port, secrets, sign_no
        self.queues = [persons[i::threads] for i in range(threads)]
        self.sent: list[Sent] = []
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._run, args=(q,), daemon=True) for q in self.queues]

    def client(self) -> Client:
        c = Client(RequestsHttp(f"http://127.0.0.1:{self.port}"), self.secrets)
        c.sign_nos[PH1] = self.sign_no
        return c

    def _run(self, persons: list[str]) -> None:
        client = self.client()
        for person in persons:
            env = envelope("2102", settle_input(person), PH1, sign_no=self.sign_no)
            try:
                r = client.send(env)
                sent = Sent(env, r.status_code, r.json())
            except requests.RequestException:
                sent = Sent(env, None, None)
                client = self.client()  # a fresh connection, as a terminal reconnects
            with self.cond:
                self.sent.append(sent)
                self.cond.notify_all()

    def start(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def wait_sent(self, n: int, bound_s: float) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.sent) >= n, bound_s), f"{len(self.sent)} of {n} answered"

    def join(self, bound_s: float) -> list[Sent]:
        for t in self.threads:
            t.join(bound_s)
            assert not t.is_alive(), "a client thread did not finish"
        return self.sent


def committed(engine, msgids) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(sql_select(SettlementRow.settlement_id)
                            .where(SettlementRow.settlement_id.in_(list(msgids)))).scalars().all()
        conn.rollback()
    return set(rows)


def _until_answered(client: Client, infno: str, payload: dict, *, msgid: str, attempts: int = 6) -> dict:
    """What a client does with an unknown outcome: the same msgid again until the centre answers."""
    for _ in range(attempts):
        try:
            data = client.call(infno, payload, code=PH1, msgid=msgid)
        except requests.RequestException:
            continue
        if data["_status"] == 200:
            return data
    raise AssertionError(f"{infno} {msgid}: no answer after {attempts} attempts")


def resolve_and_check(sent: list[Sent], engine, client: Client) -> dict:
    """Truth of the answers, resolution of the unknown ones, exactly-once. Returns counts for the report."""
    by_kind: dict[str, list[Sent]] = {}
    for s in sent:
        by_kind.setdefault(s.kind, []).append(s)
    assert set(by_kind) <= {"ok", "unchanged", "unknown", "dropped"}, {k: v[0].body for k, v in by_kind.items()}
    msgid = lambda s: s.env["msgid"]  # noqa: E731
    done = committed(engine, [msgid(s) for s in sent])
    # the centre's words are true: "nothing was changed" means nothing was; every success is recorded
    lied = done & {msgid(s) for s in by_kind.get("unchanged", [])}
    assert not lied, f"answered \"nothing was changed\" but committed: {sorted(lied)}"
    assert {msgid(s) for s in by_kind.get("ok", [])} <= done
    lost = by_kind.get("unknown", []) + by_kind.get("dropped", [])
    lost_done = [s for s in lost if msgid(s) in done]
    lost_not = [s for s in lost if msgid(s) not in done]
    active, reversed_, fund = {msgid(s) for s in by_kind.get("ok", [])}, set(), {}
    for s in by_kind.get("ok", []):
        fund[msgid(s)] = Decimal(s.body["output"]["setlinfo"]["fund_pay_sumamt"])
    # committed ones: 2601 first (a reversal of a settlement that did commit), then alternately; the others
    # start with a resend. The client does not know which is which; the test only makes sure both happen.
    plan = [(s, i % 2 == 0) for i, s in enumerate(lost_done)] + [(s, i % 2 == 1) for i, s in enumerate(lost_not)]
    plan += [(s, False) for s in by_kind.get("unchanged", [])]
    for s, by_reversal in plan:
        m = msgid(s)
        if by_reversal:
            person = s.env["input"]["druginfo"]["psn_no"]
            r = _until_answered(client, "2601", {"data": {"psn_no": person, "omsgid": m, "oinfno": "2102"}},
                                msgid=new_msgid(PH1))
            assert r["infcode"] == 0, r
            if m in done:
                assert r["output"]["data"]["rslt"] == "1", r
                reversed_.add(m)
            else:
                assert r["output"]["data"]["rslt"] == "0" and "未到达" in r["output"]["data"]["memo"], r
            late = _until_answered(client, "2102", s.env["input"], msgid=m)  # the original arriving late
            assert (late["infcode"] == 0) == (m in done), late  # a voided one never settles
        else:
            r = _until_answered(client, "2102", s.env["input"], msgid=m)
            assert r["infcode"] == 0 and r["output"]["setlinfo"]["setl_id"] == m, r
            active.add(m)
            fund[m] = Decimal(r["output"]["setlinfo"]["fund_pay_sumamt"])
    ours = [msgid(s) for s in sent]
    with engine.connect() as conn:
        rows = conn.execute(sql_select(SettlementRow.settlement_id, SettlementRow.person_no, SettlementRow.fund,
                                       SettlementRow.reversed_on)
                            .where(SettlementRow.settlement_id.in_(ours))).all()
        stored_ok = conn.execute(sql_select(message.c.msgid).where(message.c.msgid.in_(ours),
                                                                   message.c.infno == "2102",
                                                                   message.c.infcode == 0)).scalars().all()
        conn.rollback()
    persons = [r.person_no for r in rows]
    assert len(persons) == len(set(persons)), "a person settled twice"
    assert {r.settlement_id for r in rows if r.reversed_on is None} == active
    assert {r.settlement_id for r in rows if r.reversed_on is not None} == reversed_
    assert set(stored_ok) == {r.settlement_id for r in rows}  # every settlement has its stored answer
    assert sum((r.fund for r in rows if r.reversed_on is None), Decimal(0)) == sum(
        (fund[m] for m in active), Decimal(0))
    check = journal.verify(engine)
    assert check.ok, check.describe()
    return {k: len(v) for k, v in by_kind.items()} | {"lost_committed": len(lost_done), "reversed": len(reversed_)}


class PgProxy:
    """A TCP proxy in front of PostgreSQL that breaks the centre's connections as a restart would:
    `cut_all()` closes every connection (both sides); `cut_after_commit = n` lets the next n connections send
    COMMIT and the server answer it, then closes them before the answer reaches the centre."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        self.cut_after_commit = 0
        self.commit_cuts = 0
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                c, _ = self.listener.accept()
            except OSError:
                return
            try:
                s = socket.create_connection(self.target, timeout=5)
            except OSError:
                _rst(c)
                continue
            with self.lock:
                self.pairs.add((c, s))
            threading.Thread(target=self._pump, args=(c, s), daemon=True).start()

    def _pump(self, c: socket.socket, s: socket.socket) -> None:
        cutting, held = False, b""
        try:
            while True:
                readable, _, _ = select.select([c, s], [], [], 1.0)
                if c in readable:
                    data = c.recv(65536)
                    if not data:
                        break
                    if not cutting and b"COMMIT\x00" in data:
                        with self.lock:
                            if self.cut_after_commit > 0:
                                self.cut_after_commit -= 1
                                cutting = True
                    s.sendall(data)
                if s in readable:
                    data = s.recv(65536)
                    if not data:
                        break
                    if cutting:  # hold the server's answer; cut once it says the transaction is over
                        held += data
                        if b"Z\x00\x00\x00\x05" in held:
                            with self.lock:
                                self.commit_cuts += 1
                            break
                    else:
                        c.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                self.pairs.discard((c, s))
            _rst(c)
            _rst(s)

    def cut_all(self) -> int:
        with self.lock:
            pairs = list(self.pairs)
        for c, s in pairs:
            for sock in (c, s):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        return len(pairs)

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        self.cut_all()


def _rst(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def seed_persons(url: str, n: int) -> list[str]:
    from core.services.world import load_world
    from core.sync.synthetic import synthetic_persons, world_with_persons
    from server.db import open_centre
    from server.seed import seed_world
    from tests.sync.helpers import VECTORS

    persons = synthetic_persons(n)
    engine = open_centre(url)
    try:
        seed_world(engine, world_with_persons(load_world(VECTORS), persons))
    finally:
        engine.dispose()
    return [p.person_no for p in persons]


def worker_backends(engine, pid: int, *, waiting: bool = False, active: bool = False) -> int:
    from sqlalchemy import text

    sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = :a"
    if waiting:
        sql += " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    if active:
        sql += " AND state = 'active'"
    with engine.connect() as conn:
        n = conn.execute(text(sql), {"a": f"onewindow-centre-{pid}"}).scalar()
        conn.rollback()
    return n


__all__ = ["Load", "PgProxy", "Sent", "committed", "resolve_and_check", "seed_persons", "worker_backends"]
