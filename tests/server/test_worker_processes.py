"""The centre's supervisor and workers as real processes (PostgreSQL, `onewindow server --workers 2`):
workers die with their parent, one generation per port, hung workers are replaced."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from server import portlock
from tests.ports import HeldPort
from tests.server.processes import Centre, gone, health, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres,
              pytest.mark.parametrize("centre_db", ["postgres"], indirect=True)]


def _refused(port: int, db_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "onewindow", "server", "--db", db_url, "--port", str(port),
                           "--workers", "2"], capture_output=True, text=True, timeout=60)


def _nobody_listens(port: int) -> bool:
    """No listening socket on the port (the test's placeholder is bound, never listening)."""
    return not portlock.listening_pids(port)


def test_parent_killed_workers_follow_and_the_port_has_one_generation(centre_db, tmp_path):
    held = HeldPort()  # the port of both generations, bound once by the test
    old = Centre(centre_db.url, port=held).wait_ready()
    try:
        workers = old.workers
        assert len(workers) == 2 and not any(gone(p) for p in workers)

        second = _refused(old.port, centre_db.url)  # a second server on the busy port refuses, naming the old pids
        assert second.returncode == 2, second.stderr
        assert "另一代中心" in second.stderr and "another centre generation" in second.stderr
        for pid in [old.proc.pid, *workers]:
            assert str(pid) in second.stderr, second.stderr
        assert health(old.port) == 200  # and disturbed nothing

        os.kill(old.proc.pid, signal.SIGKILL)  # the parent alone
        wait_for("the workers die with their parent", lambda: all(gone(p) for p in workers), 2.0)
        wait_for("nothing listens on the port", lambda: _nobody_listens(old.port), 2.0)
        old.proc.wait(5)
    finally:
        old.stop()
    try:
        new = Centre(centre_db.url, port=held).wait_ready()  # the next generation takes the port
        try:
            assert set(new.workers).isdisjoint(workers) and health(new.port) == 200
        finally:
            new.stop()
        assert all(gone(p) for p in new.workers) and _nobody_listens(new.port)
    finally:
        held.close()


def test_an_orphan_without_the_lock_file_still_blocks_the_port(centre_db):
    """An older generation that never wrote the lock file (the code before it): found by the port itself."""
    sock = socket.socket()  # bound here and handed to the orphan: no other process can take the port between
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    orphan = subprocess.Popen([sys.executable, "-c", (
        f"import socket,sys;s=socket.socket(fileno={sock.fileno()});print('up',flush=True);sys.stdin.read()")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, pass_fds=(sock.fileno(),))
    sock.close()  # the orphan's alone now
    try:
        assert orphan.stdout.readline().strip() == "up"
        refused = _refused(port, centre_db.url)
        assert refused.returncode == 2 and str(orphan.pid) in refused.stderr, refused.stderr
    finally:
        orphan.kill()
        orphan.wait(10)
    assert portlock._probe("127.0.0.1", port)


def test_a_hung_worker_is_replaced(centre_db):
    centre = Centre(centre_db.url, extra=("--hung-after", "2")).wait_ready()
    try:
        # Ready means one worker answered; the other may not have beaten yet, and a worker stopped before its first
        # beat is judged by the 120 s start-up limit, not --hung-after. The pid file lists a worker as beating once
        # the supervisor has seen its heartbeat: from then on --hung-after applies to it.
        def both_beating() -> list[int] | None:
            workers = centre.workers
            return workers if len(workers) == 2 and set(centre.beating) == set(workers) else None

        workers = wait_for("the supervisor has seen both workers beat", both_beating, 60.0, every_s=0.05)
        stuck = workers[0]
        os.kill(stuck, signal.SIGSTOP)  # alive, listening, answering nothing
        wait_for("the supervisor replaces the stuck worker", lambda: stuck not in centre.workers and gone(stuck), 30.0,
                 every_s=0.1)
        wait_for("the replacement serves", lambda: len(centre.workers) == 2 and health(centre.port) == 200, 60.0,
                 every_s=0.1)
        for _ in range(12):  # fresh connections land on either socket: every one is answered
            assert health(centre.port, timeout=60) == 200
        assert "hung (no heartbeat" in centre.output()
    finally:
        centre.stop()
