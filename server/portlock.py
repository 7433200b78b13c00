"""One centre generation per port: a server refuses to start where another one (or an orphan of an older one)
still listens, and says which processes those are.

Two checks, both needed:

- a lock file per port (`<temp dir>/onewindow-centre-<uid>/port-<port>.lock`, flock / msvcrt lock), held by the
  server's main process for its life and holding its pids, host and database as JSON: two servers started at
  the same moment cannot both pass, and the refusal names the running one's processes and database;
- a bind probe WITHOUT SO_REUSEPORT: the workers listen with SO_REUSEPORT, so a second generation's bind would
  succeed and the kernel would spread clients over old and new — the probe fails instead while any listener
  is on the port, also one that never took the lock (an orphan of a version before this file); its pids are
  read from /proc on Linux.

    claim = claim_port(host, port, database)   # raises PortBusy with the message to print
    claim.record(parent_pid, [worker pids], [those beating])   # the pid file follows the workers as they are replaced
    claim.release()
"""
from __future__ import annotations

import errno
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path


class PortBusy(RuntimeError):
    """Another centre generation listens on the port; the message names its processes."""


def lock_path(port: int) -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    folder = Path(tempfile.gettempdir()) / f"onewindow-centre-{uid}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"port-{port}.lock"


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - the embedded centre on Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _probe(host: str, port: int) -> bool:
    """True when nothing listens on (host, port): a bind without SO_REUSEPORT succeeds."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if sys.platform != "win32":  # connections of a stopped server in TIME_WAIT do not count
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                return False
            raise
    return True


def listening_pids(port: int) -> list[int]:
    """Processes with a listening TCP socket on `port` (Linux /proc; those of this user only; else [])."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) > 9 and f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{f[9]}]")
    pids = set()
    if inodes:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                    pids.add(int(entry.name))
            except OSError:
                continue
    return sorted(pids)


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - os.kill there terminates the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _refusal(port: int, pids: list[int], held: dict) -> PortBusy:
    named = [held.get("pid"), *held.get("workers", [])]
    known = sorted(set(pids) | {p for p in named if isinstance(p, int) and _alive(p)})
    who = ", ".join(str(p) for p in known) or "unknown (not readable here)"
    db = f"; database {held['db']}" if held.get("db") else ""
    since = f"; started {held['started']}" if held.get("started") else ""
    return PortBusy(
        f"端口 {port} 已有另一代中心在监听（进程 {who}），请先停止它再启动 / port {port} is still served by another "
        f"centre generation (pids {who}{db}{since}): stop it first (e.g. kill {' '.join(map(str, known))}); "
        "a new centre never shares its port with an older one")


class PortClaim:
    def __init__(self, fd: int, path: Path, host: str, port: int, database: str) -> None:
        self.fd, self.path, self.host, self.port, self.database = fd, path, host, port, database
        self.started = time.strftime("%Y-%m-%d %H:%M:%S")

    def record(self, pid: int, workers: list[int], beating: list[int] | tuple = ()) -> None:
        """`beating`: the workers whose heartbeat the supervisor has seen (serving, watched for hangs)."""
        text = json.dumps({"pid": pid, "workers": workers, "beating": list(beating), "host": self.host,
                           "port": self.port,
                           "db": self.database, "started": self.started}).encode()
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, text)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # drops the lock; the file stays (removing it would race with a starting server)
            self.fd = -1


def read_claim(port: int) -> dict:
    try:
        return json.loads(lock_path(port).read_text() or "{}")
    except (OSError, ValueError):
        return {}


def claim_port(host: str, port: int, database: str, *, probe: bool = True) -> PortClaim:
    """Take the port for this server or raise PortBusy naming who has it. `probe=False`: the caller handed this
    server its listening sockets (`onewindow server --fd`), so a listener on the port is ours, not an orphan."""
    path = lock_path(port)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if not _try_lock(fd):
        os.close(fd)
        raise _refusal(port, listening_pids(port), read_claim(port))
    if probe and not _probe(host, port):
        os.close(fd)
        raise _refusal(port, listening_pids(port), read_claim(port))
    claim = PortClaim(fd, path, host, port, database)
    claim.record(os.getpid(), [])
    return claim
