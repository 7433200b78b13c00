"""Several centre worker processes on one port, each with its own listening socket (SO_REUSEPORT).

uvicorn's own multi-worker mode shares ONE listening socket between the workers: whichever event loop wakes
first accepts every connection waiting, so a burst of keep-alive clients (terminals connect once and stay)
regularly lands entirely on one worker while the others idle — measured: one worker at 95 % of a core, the
other at 0 %, throughput that of one process. With one SO_REUSEPORT socket per worker the kernel spreads new
connections over the workers by hash. The sockets are bound here, in the supervisor, and stay open here, so a
worker that dies is restarted on its socket and the connections queued on it wait for the new one. (Without
SO_REUSEPORT — Windows — the workers share one socket bound here, with the same supervision.)

The workers belong to this process and die with it: on Linux the kernel kills each one when the supervisor
dies (prctl PR_SET_PDEATHSIG, SIGKILL: a worker killed that way drops its in-flight requests, which clients
resolve as any dropped connection — README, "On a 5xx or a dropped connection"); elsewhere a thread in the
worker waits on multiprocessing's parent sentinel and ends the worker. Orphans would go on serving
unsupervised, never restarted, possibly old code or another database.

Each worker beats a counter from its event loop (uvicorn's tick, once a second); a worker whose counter stops
for `hung_after` seconds is killed and replaced like a dead one (a stuck event loop accepts connections and
answers none).

    serve(config, workers, hung_after=15.0, on_workers=None)   # config: a uvicorn.Config with an import string app
    on_workers(pids, beating)   # called whenever either changes: the workers, and those whose first beat was seen
"""
from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
from typing import Callable

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("onewindow.server")

HUNG_AFTER_S = 15.0
STARTUP_LIMIT_S = 120.0  # the first heartbeat: imports, database warm-up on a loaded machine
PR_SET_PDEATHSIG = 1


def reuse_port_available() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _bind(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if sys.platform != "win32":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port_available():
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _die_with_parent(parent_pid: int) -> None:  # pragma: no cover - runs in the child
    """End this worker when the supervisor dies, however it dies (SIGKILL included)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
        if os.getppid() != parent_pid:  # the supervisor died before the prctl
            os._exit(1)
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker(config: uvicorn.Config, sock: socket.socket, beat, parent_pid: int,
            log_name: str = "") -> None:  # pragma: no cover - child
    _die_with_parent(parent_pid)
    config.configure_logging()
    if log_name:  # its own rotating file (one writer per file: a replaced worker is dead before the next starts)
        from onewindow import logs

        level = config.log_level if isinstance(config.log_level, int) else logging.getLevelName(
            str(config.log_level or "info").upper())
        logs.setup(log_name, level=level if isinstance(level, int) else logging.INFO)

    async def heartbeat() -> None:
        beat.value += 1

    config.callback_notify, config.timeout_notify = heartbeat, 0  # uvicorn calls it once a second from its loop
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    if not server.started:
        sys.exit(STARTUP_FAILURE)  # as uvicorn.run does: the supervisor stops instead of restarting it forever


class _Worker:
    """A worker process and what the supervisor saw of its heartbeat."""

    def __init__(self, proc, beat, now: float) -> None:
        self.proc, self.beat, self.seen, self.since = proc, beat, 0, now

    def hung(self, now: float, hung_after: float) -> str | None:
        value = self.beat.value
        if value != self.seen:
            self.seen, self.since = value, now
            return None
        limit = hung_after if value else STARTUP_LIMIT_S
        if now - self.since > limit:
            return f"no heartbeat for {now - self.since:.1f} s" + ("" if value else " since it started")
        return None


def serve(config: uvicorn.Config, workers: int, *, hung_after: float = HUNG_AFTER_S,
          on_workers: Callable[[list[int], list[int]], None] | None = None,
          given: list[socket.socket] | None = None) -> int:
    """Run `workers` processes until SIGINT/SIGTERM; replace one that dies or hangs (not one that fails to start).
    `on_workers` gets the worker pids and those of them whose heartbeat has been seen (from then on they are judged
    by `hung_after`), whenever either changes (the port's pid file). `given`: listening sockets
    bound by the caller (`--fd`; one per worker, or one shared), used instead of binding here."""
    if given:
        sockets = [given[i] if i < len(given) else given[0] for i in range(workers)]
    else:
        try:
            first = _bind(config.host, config.port, config.backlog)
            sockets = [first] + [_bind(config.host, config.port, config.backlog) if reuse_port_available() else first
                                 for _ in range(workers - 1)]
        except OSError as exc:
            log.error("cannot listen on %s:%s: %s", config.host, config.port, exc)
            return STARTUP_FAILURE
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start(i: int) -> _Worker:
        beat = spawn.RawValue("Q", 0)
        p = spawn.Process(target=_worker, args=(config, sockets[i], beat, os.getpid(), f"centre-{config.port}-w{i}"),
                          name=f"centre-worker-{i}")
        p.start()
        return _Worker(p, beat, time.monotonic())

    def announce() -> None:
        if on_workers is not None:
            on_workers([w.proc.pid for w in procs], [w.proc.pid for w in procs if w.seen])

    procs = [start(i) for i in range(workers)]
    announce()
    log.info("centre on http://%s:%s with %d workers (pids %s)", config.host, config.port, workers,
             ", ".join(str(w.proc.pid) for w in procs))
    code = 0
    try:
        while not stop.is_set():
            multiprocessing.connection.wait([w.proc.sentinel for w in procs], timeout=0.5)  # a death wakes it
            now = time.monotonic()
            for i, w in enumerate(procs):
                if w.proc.is_alive():
                    beaten = bool(w.seen)
                    why = w.hung(now, hung_after)
                    if why is None:
                        if w.seen and not beaten:  # its first beat: the pid file says so
                            announce()
                        continue
                    log.error("worker %s hung (%s); killing it and starting another", w.proc.pid, why)
                    w.proc.kill()
                    w.proc.join(10)
                elif w.proc.exitcode == STARTUP_FAILURE:
                    log.error("worker %s failed to start; stopping the centre", w.proc.pid)
                    stop.set()
                    code = STARTUP_FAILURE
                    break
                else:
                    log.warning("worker %s exited (code %s); starting another", w.proc.pid, w.proc.exitcode)
                procs[i] = start(i)
                announce()
    finally:
        for w in procs:
            if w.proc.is_alive():
                w.proc.terminate()
        for w in procs:
            w.proc.join(timeout=15)
            if w.proc.is_alive():  # pragma: no cover
                w.proc.kill()
                w.proc.join()
        for s in set(sockets):
            s.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code
