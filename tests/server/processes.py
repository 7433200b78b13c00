"""The centre as real processes (`onewindow server` in a child process), for crash tests: start, wait until it
serves, read its port's pid file, see processes go. Every wait polls with a bound; none is a fixed sleep."""
from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from server import portlock
from tests.ports import HeldPort


def gone(pid: int) -> bool:
    """Exited (a zombie counts: nothing runs and its sockets are closed; PID 1 here may never reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def wait_for(what: str, check, bound_s: float, every_s: float = 0.02):
    deadline = time.monotonic() + bound_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {bound_s} s: {what}")
        time.sleep(every_s)


def health(port: int, timeout: float = 5.0) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", "/health")
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


class Centre:
    """`onewindow server --workers N` in its own process group (so a test can kill it alone), listening on sockets
    the test bound (`--fd`, one per worker) on a port it holds: `port`, a HeldPort the test keeps for several
    generations, or one of its own given back at `stop`."""

    def __init__(self, db_url: str, *, workers: int = 2, port: HeldPort | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.held, self.own_port = port or HeldPort(), port is None
        self.port = self.held.port
        self.log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"ow-centre-{self.port}-{os.getpid()}.log", "w+b")
        given = self.held.listeners(workers)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "onewindow", "server", "--db", db_url, *given.args(),
                 "--workers", str(workers), "--log-level", "warning", *extra],
                stdout=self.log, stderr=self.log, start_new_session=True, pass_fds=given.fds)
        finally:
            given.close()  # the centre's now: when it is gone, nothing listens (the placeholder keeps the port)

    def wait_ready(self, bound_s: float = 90.0) -> "Centre":
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"the centre exited ({self.proc.returncode}): {self.output()[-2000:]}")
            claim = portlock.read_claim(self.port)
            return claim.get("pid") == self.proc.pid and len(claim.get("workers", [])) > 0 and health(self.port) == 200
        wait_for("the centre answers /health", ready, bound_s, every_s=0.1)
        return self

    @property
    def workers(self) -> list[int]:
        return portlock.read_claim(self.port).get("workers", [])

    @property
    def beating(self) -> list[int]:
        """The workers whose heartbeat the supervisor has seen (the pid file's "beating")."""
        return portlock.read_claim(self.port).get("beating", [])

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        for pid in portlock.read_claim(self.port).get("workers", []):  # after a SIGKILL of the parent
            if not gone(pid) and os.getpgid(pid) == self.proc.pid:  # ours: same process group
                os.kill(pid, signal.SIGKILL)
        self.log.close()
        if self.own_port:
            self.held.close()


def sleep_watching_parent(parent_pid: int) -> None:  # pragma: no cover - runs in a spawned child
    """A worker's parent watch as on a system without PR_SET_PDEATHSIG (Windows, macOS): the sentinel thread."""
    import sys as child_sys

    from server import workers

    child_sys.platform = "elsewhere"  # this child process only: take the portable path
    workers._die_with_parent(parent_pid)
    print("watching", flush=True)
    time.sleep(600)
