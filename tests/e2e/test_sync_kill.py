"""SIGKILL the client at each step of a settlement, restart it, and check that nothing is lost or doubled.

The client is `python -m core.sync.driver` in its own process; ONEWINDOW_KILL_AT makes it kill itself with
SIGKILL right before the 2102 is sent, after it was written to the socket, or after the reply was read but
before it was recorded. The centre is a real `onewindow server` process on SQLite and on PostgreSQL.

After each restart (start-up recovery first): the centre holds exactly one live settlement or none, the
sale is complete (settled) or clearly reversed, the local settlement record and the person's quota agree with
the centre, and the local journal chain is intact. Then the person can buy again.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.sync.fixtures import (  # noqa: F401 - fixtures
    pg_template,
    sqlite_template,
    start_centre,
    sync_key,
)
from tests import childlogs
from tests.sync.helpers import PH1, REPO

KILL_POINTS = ("before_send", "after_send", "after_reply")


class Driver:
    def __init__(self, home: Path, key: str, centre_url: str, secret: str, terminal_no: int, **sender) -> None:
        self.home, self.key = home, key
        home.mkdir(parents=True, exist_ok=True)
        (home / "terminal.json").write_text(json.dumps({
            "terminal": {"institution_code": PH1, "institution_name": "康济大药房(测试)", "terminal_id": "T01",
                         "terminal_no": terminal_no, "city": "420700", "secret": secret},
            "centre": {"url": centre_url, "connect_timeout_s": 1.0, "read_timeout_s": 5.0},
            "sender": {"settle_patience_s": 5.0, **sender},
        }), encoding="utf-8")

    def run(self, *args: str, kill_at: str | None = None, expect_killed: bool = False,
            kill_infno: str = "2102", kill_nth: int = 1) -> list[dict]:
        env = dict(os.environ, ONEWINDOW_DATA_KEY=self.key, ONEWINDOW_HOME=str(self.home), PYTHONUNBUFFERED="1")
        for name in ("ONEWINDOW_KILL_AT", "ONEWINDOW_KILL_INFNO", "ONEWINDOW_KILL_NTH"):
            env.pop(name, None)
        if kill_at:
            env.update(ONEWINDOW_KILL_AT=kill_at, ONEWINDOW_KILL_INFNO=kill_infno, ONEWINDOW_KILL_NTH=str(kill_nth))
        out = subprocess.run([sys.executable, "-m", "core.sync.driver", "--home", str(self.home), *args], cwd=REPO,
                             env=env, capture_output=True, text=True, timeout=180)
        log = childlogs.watch(self.home / "driver.log")  # read at the test's end: a logged error fails it
        with open(log, "a", encoding="utf-8") as f:
            f.write(out.stderr)
        if expect_killed:
            assert out.returncode == -signal.SIGKILL, f"not killed ({out.returncode}):\n{out.stdout}\n{out.stderr}"
        else:
            assert out.returncode == 0, f"driver {args} failed ({out.returncode}):\n{out.stdout}\n{out.stderr[-4000:]}"
        return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]

    def events(self, kind: str, events: list[dict]) -> list[dict]:
        return [e for e in events if e["event"] == kind]

    def dump(self) -> dict:
        """The terminal database, read from this process (the driver is not running)."""
        from core.store.models import SettlementRow
        from core.sync import journal
        from core.sync.models import SyncOutbox, SyncSale

        engine = create_engine(f"sqlite:///{self.home / 'terminal.db'}")
        try:
            with Session(engine) as s:
                return {
                    "sales": [{"sale_id": r.sale_id, "state": r.state, "msgid": r.msgid, "person_no": r.person_no,
                               "offline_no": r.offline_no} for r in s.scalars(select(SyncSale))],
                    "outbox": [{"msgid": r.msgid, "infno": r.infno, "status": r.status, "sale_id": r.sale_id}
                               for r in s.scalars(select(SyncOutbox))],
                    "settlements": [{"settlement_id": r.settlement_id, "person_no": r.person_no, "status": r.status,
                                     "fund": r.fund, "reversed_on": r.reversed_on}
                                    for r in s.scalars(select(SettlementRow))],
                    "journal_ok": journal.verify(s).ok,
                }
        finally:
            engine.dispose()


def _check(centre, dump: dict, person_index: int) -> dict:
    person = f"S{person_index:06d}"
    sales = [s for s in dump["sales"] if s["person_no"] == person]
    live = {k: v for k, v in centre.live_settlements().items() if v["person_no"] == person}
    assert len(live) <= 1, f"double settlement at the centre: {live}"
    for sale in sales:
        assert sale["state"] in ("settled", "printed", "uploaded", "reversed", "rejected"), sale
        if sale["state"] in ("settled", "printed", "uploaded"):
            assert sale["msgid"] in live, (sale, live)
        else:
            assert sale["msgid"] not in live, (sale, live)
    # the local record of the person's settlements agrees with the centre (the quota used)
    local = {r["settlement_id"]: r for r in dump["settlements"] if r["person_no"] == person}
    counted = {k for k, r in local.items() if r["reversed_on"] is None}
    assert counted == set(live), (local, live)
    assert sum(local[k]["fund"] for k in counted) == sum(Decimal(str(v["fund"])) for v in live.values())
    assert not [o for o in dump["outbox"] if o["status"] == "pending"], dump["outbox"]
    assert dump["journal_ok"]
    return {"sales": sales, "live": live}


def _kill_each_step(centre, tmp_path: Path, key: str) -> None:
    drv = Driver(tmp_path / "terminal", key, centre.url, centre.secrets[PH1], terminal_no=3)
    for n, point in enumerate(KILL_POINTS):
        person = 40 + n
        args = ["sell", "--person", str(person), "--no-print"] + (["--catalogue"] if n == 0 else [])
        drv.run(*args, kill_at=point, expect_killed=True)

        def mine() -> list[dict]:
            return [v for v in centre.live_settlements().values() if v["person_no"] == f"S{person:06d}"]

        # after_send: the request went out, the centre settles it a moment later — wait for that event (its
        # settlement row), however long a busy machine takes, not for a fixed time
        deadline = time.monotonic() + 60
        while point == "after_send" and not mine() and time.monotonic() < deadline:
            time.sleep(0.05)
        before = mine()
        # before_send: nothing reached the centre (the 2601 leaves a tombstone); otherwise the centre had
        # settled it, and recovery reverses it
        assert len(before) == (0 if point == "before_send" else 1), (point, before)

        # restart: recovery first (reported), then the person buys again, then the outbox drains
        events = drv.run("sell", "--person", str(person), "--n", "1", "--drain")
        (report,) = drv.events("recovery", events)
        (action,) = report["actions"]
        assert action["decision"] == "reverse" and action["sale_state"] == "reversed", (point, report)
        assert report["waiting"] == 0 and report["centre_reached"]
        (sale,) = drv.events("sale", events)
        assert sale["state"] == "printed", sale
        result = _check(centre, drv.dump(), person)
        assert sorted(s["state"] for s in result["sales"]) == ["reversed", "uploaded"], result["sales"]


def _kill_while_draining(centre, tmp_path: Path, key: str) -> None:
    """An offline sale was handed out: killed while draining, it is delivered after the restart (same msgid),
    never reversed."""
    drv = Driver(tmp_path / "terminal2", key, centre.url, centre.secrets[PH1], terminal_no=4)
    person = 50
    drv.run("identify", "--person", str(person), "--catalogue")  # cached, with fresh registrations
    centre.process.stop()
    events = drv.run("sell", "--person", str(person))
    (sale,) = drv.events("sale", events)
    assert sale["state"] == "provisional" and sale["offline_no"], sale
    centre.process.start()
    drv.run("drain", kill_at="after_send", expect_killed=True)
    events = drv.run("drain")
    (report,) = drv.events("recovery", events)
    # the 2102 is sent again with its msgid: delivered, never reversed; its upload is queued with the answer
    # (it carries the platform's setl_id), so no upload was waiting at the kill
    assert {(a["infno"], a["decision"]) for a in report["actions"]} == {("2102", "resend")}
    assert report["waiting"] == 0
    result = _check(centre, drv.dump(), person)
    (sale,) = result["sales"]
    assert sale["state"] == "uploaded" and len(result["live"]) == 1  # printed offline, then settled and uploaded


def _kill_in_a_group(centre, tmp_path: Path, key: str) -> None:
    """The sender records answers in groups, one transaction each (apply_group 4 here): killed while a
    group's answers were read but not recorded — after the first two groups were — nothing is lost or doubled.
    The unrecorded ones are sent again after the restart with their msgids and answered by replay."""
    drv = Driver(tmp_path / "terminal3", key, centre.url, centre.secrets[PH1], terminal_no=5, apply_group=4)
    first, n = 60, 11
    drv.run("identify", "--person", str(first), "--count", str(n), "--catalogue")
    centre.process.stop()
    events = drv.run("sell", "--person", str(first), "--count", str(n))
    assert [e["state"] for e in drv.events("sale", events)] == ["provisional"] * n
    centre.process.start()
    # killed on reading the 10th answer: whole groups recorded before it (how many depends on when the answers
    # came in), the rest of the answers read and lost with the process
    drv.run("drain", kill_at="after_reply", kill_nth=10, expect_killed=True)
    recorded = [o for o in drv.dump()["outbox"] if o["infno"] == "2102" and o["status"] == "done"]
    assert len(recorded) <= 9, recorded
    drv.run("drain")
    dump = drv.dump()
    for i in range(first, first + n):
        result = _check(centre, dump, i)
        (sale,) = result["sales"]
        assert sale["state"] == "uploaded" and len(result["live"]) == 1, (i, sale, result["live"])


def test_sigkill_at_each_step_sqlite(sqlite_template, tmp_path, sync_key):
    centre = start_centre(sqlite_template, tmp_path)
    try:
        _kill_each_step(centre, tmp_path, sync_key)
        _kill_while_draining(centre, tmp_path, sync_key)
        _kill_in_a_group(centre, tmp_path, sync_key)
    finally:
        centre.process.close()


@pytest.mark.postgres
def test_sigkill_at_each_step_postgres(pg_template, tmp_path, sync_key):
    centre = start_centre(pg_template, tmp_path)
    try:
        _kill_each_step(centre, tmp_path, sync_key)
        _kill_in_a_group(centre, tmp_path, sync_key)
    finally:
        centre.process.close()
