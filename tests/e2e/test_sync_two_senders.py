"""Two client processes on one terminal database: only the lease holder sends; no message goes out twice.

The queue is filled offline (in this process), then two `python -m core.sync.driver serve` processes start
together against the real centre. Each reports the msgids it sent.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import select

from core.services.checkout import CheckoutService, Identification
from core.sync.models import SyncOutbox
from core.sync.synthetic import basket_for, id_number
from tests.sync.fixtures import (  # noqa: F401 - fixtures
    cache_persons,
    load_catalogue,
    make_terminal,
    new_persons,
    sqlite_template,
    start_centre,
    sync_key,
)
from tests.ports import HeldPort
from tests.server.processes import wait_for
from tests.sync.helpers import PH1, REPO


def test_two_processes_one_sender(sqlite_template, tmp_path, make_terminal, sync_key):
    centre = start_centre(sqlite_template, tmp_path)
    home = tmp_path / "shared_terminal"
    home.mkdir()
    dead = HeldPort()  # refused while the queue is filled: offline
    try:
        # queue offline work in the shared terminal database
        t = make_terminal(dead.url, centre.secrets[PH1], name="shared_terminal/terminal",
                          terminal_no=5)
        load_catalogue(t)
        persons = new_persons(20)
        cache_persons(t, persons)
        co = CheckoutService(t)
        for i in persons:
            sale = co.audit(basket_for(i, rx_date=t.today()), Identification("id_card", id_number(i)), operator="OP01")
            sale = co.settle(co.pre_settle(sale.sale_id).sale_id)
            assert sale.state == "provisional"
            if i % 2:
                co.print_receipt(sale.sale_id)
        with t.read() as s:
            queued = {r.msgid for r in s.scalars(select(SyncOutbox).where(SyncOutbox.status == "pending"))}
        assert len(queued) == 20  # the 2102s; the printed sales' 3505s are queued with the answers
        t.close()
        (home / "terminal.json").write_text(json.dumps({
            "terminal": {"institution_code": PH1, "terminal_id": "T01", "terminal_no": 5, "secret": centre.secrets[PH1]},
            "centre": {"url": centre.url},
            # a lease no stall of a loaded machine outlasts: its expiry is tests/sync/test_recovery_lease's, on a
            # fake clock; here the holder must keep it
            "sender": {"batch": 5, "workers": 2, "lease_ttl_s": 120.0},
        }), encoding="utf-8")
        env = dict(os.environ, ONEWINDOW_DATA_KEY=sync_key, ONEWINDOW_HOME=str(home))
        go, stop = tmp_path / "go", tmp_path / "stop"
        cmd = [sys.executable, "-m", "core.sync.driver", "--home", str(home), "serve", "--seconds", "300",
               "--go", str(go), "--until", str(stop)]
        procs = [subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        for p in procs:  # both started (imports, recovery) before either sends: they contend from the first pass
            for line in iter(p.stdout.readline, ""):
                if '"ready"' in line:  # (lines before it: the recovery's report)
                    break
            else:
                raise AssertionError(p.communicate()[1][-3000:])
        go.touch()

        def delivered() -> bool:  # the event: every settlement and the printed sales' uploads answered
            assert all(p.poll() is None for p in procs), [p.communicate()[1][-3000:] for p in procs]
            answered = centre.messages()
            return queued <= answered.keys() and sum(infno == "3505" for infno, _ in answered.values()) >= 10

        wait_for("the queue delivered by the two processes", delivered, 240.0, every_s=0.2)
        stop.touch()  # each process ends after its pass under way
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [o[1][-3000:] for o in outs]
        reports = [json.loads([l for l in o[0].splitlines() if '"serve"' in l][-1]) for o in outs]
        sent = [set(r["msgids"]) for r in reports]
        assert not (sent[0] & sent[1]), "the same message was sent by both processes"
        assert sorted(len(x) > 0 for x in sent) == [False, True], "exactly one process is the sender"
        with t.read() as s:
            uploads = {r.msgid for r in s.scalars(select(SyncOutbox).where(SyncOutbox.kind == "sale_upload"))}
        assert len(uploads) == 10 and not uploads & queued
        assert sent[0] | sent[1] == queued | uploads
        assert sum(len(r["msgids"]) for r in reports) == len(queued) + 10  # and each exactly once
        live = centre.live_settlements()
        settles = {m for m in queued if m in live}
        assert len(settles) == 20
    finally:
        dead.close()
        centre.process.close()
