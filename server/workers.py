"""Several centre worker processes on one port, each with its own listening socket (SO_REUSEPORT).

uvicorn's own multi-worker mode shares ONE listening socket between the workers: whichever event loop wakes
first accepts every connection waiting, so a burst of keep-alive clients (terminals connect once and stay)
regularly lands entirely on one worker while the others idle — measured: one worker at 95 % of a core, the
other at 0 %, throughput that of one process. With one SO_REUSEPORT socket per worker the kernel spreads new
connections over the workers by hash. The sockets are bound here, in the supervisor, and stay open here, so a
worker that dies is restarted on its socket and the connections queued on it wait for the new one.

    serve(config, workers)   # config: a uvicorn.Config with an import string app (the workers are spawned)
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("onewindow.server")


def reuse_port_available() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _bind(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _worker(config: uvicorn.Config, sock: socket.socket) -> None:  # pragma: no cover - runs in the child
    config.configure_logging()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass


def serve(config: uvicorn.Config, workers: int) -> int:
    """Run `workers` processes until SIGINT/SIGTERM; restart one that dies (not one that fails to start)."""
    if not reuse_port_available():  # pragma: no cover - not Linux/BSD: uvicorn's shared socket
        uvicorn.run(config.app, factory=config.factory, host=config.host, port=config.port, workers=workers,
                    log_level=config.log_level, access_log=config.access_log)
        return 0
    try:
        sockets = [_bind(config.host, config.port, config.backlog) for _ in range(workers)]
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", config.host, config.port, exc)
        return STARTUP_FAILURE
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start(i: int):
        p = spawn.Process(target=_worker, args=(config, sockets[i]), name=f"centre-worker-{i}")
        p.start()
        return p

    procs = [start(i) for i in range(workers)]
    log.info("centre on http://%s:%s with %d workers (pids %s)", config.host, config.port, workers,
             ", ".join(str(p.pid) for p in procs))
    code = 0
    try:
        while not stop.wait(0.5):
            for i, p in enumerate(procs):
                if p.is_alive():
                    continue
                if p.exitcode == STARTUP_FAILURE:
                    log.error("worker %s failed to start; stopping the centre", p.pid)
                    stop.set()
                    code = STARTUP_FAILURE
                    break
                log.warning("worker %s exited (code %s); starting another", p.pid, p.exitcode)
                procs[i] = start(i)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=15)
            if p.is_alive():  # pragma: no cover
                p.kill()
                p.join()
        for s in sockets:
            s.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code
