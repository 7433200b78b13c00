"""Start the kiosk shell, and keep it running.

`onewindow gui --shell kiosk [--server URL]` runs `run_watchdog`: the shell itself runs in a child process
(`onewindow gui --shell kiosk --no-watchdog …`, built by the composition root onewindow.root) and is started
again whenever it ends in any way other than the supervisor's "退出自助机" (exit code 0) — a crash, an abort, a
kill. Restarts back off (1 s, doubling to 60 s) when the shell keeps dying within a minute of starting, so a
broken install does not spin a CPU.

The shell dies with its watchdog: a watchdog stopped by SIGTERM (or Ctrl+C) kills the shell before it exits,
and the shell is given `--parent-pid` and polls it (desktop.kiosk.guard.ParentWatch, `parent_alive`), so even
a watchdog killed outright (SIGKILL, a crash) does not leave a full-screen window nobody restarts.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

log = logging.getLogger("onewindow.gui.kiosk")

BACKOFF_START_S = 1.0
BACKOFF_MAX_S = 60.0
HEALTHY_AFTER_S = 60.0


def child_command(server_url: str | None = None, quit_after_ms: int | None = None, windowed: bool = False) -> list[str]:
    # the onewindow program again (a frozen build is the executable itself; from source, this Python -m onewindow)
    head = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "onewindow"]
    cmd = [*head, "gui", "--shell", "kiosk", "--no-watchdog", "--parent-pid", str(os.getpid())]
    if server_url:
        cmd += ["--server", server_url]
    if quit_after_ms is not None:
        cmd += ["--quit-after", str(quit_after_ms)]
    if windowed:
        cmd.append("--windowed")
    return cmd


def run_watchdog(command: Sequence[str], *, max_restarts: int | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> int:
    """Run `command` until it exits 0; restart it otherwise. Returns 0, or the last exit code when
    `max_restarts` (tests) is used up."""
    backoff = BACKOFF_START_S
    restarts = 0
    while True:
        started = clock()
        try:
            with _terminate_as_interrupt():
                rc = subprocess.call(list(command))  # an exception in the wait kills the shell (Popen's contract)
        except KeyboardInterrupt:
            log.info("kiosk watchdog stopped: the shell was stopped with it")
            return 130
        if rc == 0:
            log.info("kiosk shell left by the supervisor")
            return 0
        if rc == 2:
            log.error("kiosk shell refused to start (exit code 2: bad settings): not restarting it")
            return 2
        ran = clock() - started
        log.error("kiosk shell ended with exit code %s after %.1f s: restarting it", rc, ran)
        if max_restarts is not None and restarts >= max_restarts:
            return rc
        restarts += 1
        backoff = BACKOFF_START_S if ran >= HEALTHY_AFTER_S else min(backoff * 2, BACKOFF_MAX_S) if restarts > 1 else backoff
        sleep(backoff)


class _terminate_as_interrupt:
    """While the shell runs, SIGTERM to the watchdog raises KeyboardInterrupt (as Ctrl+C does), so that
    subprocess.call kills the shell before the watchdog ends (a service manager stopping the kiosk stops it)."""

    def __enter__(self):
        self.old = None
        if hasattr(signal, "SIGTERM") and _main_thread():
            self.old = signal.signal(signal.SIGTERM, self._raise)
        return self

    def __exit__(self, *exc) -> None:
        if self.old is not None:
            signal.signal(signal.SIGTERM, self.old)

    @staticmethod
    def _raise(_signum, _frame) -> None:
        raise KeyboardInterrupt


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def parent_alive(pid: int) -> bool:
    """Is the watchdog `pid` that started this process still running? On POSIX a dead parent's children are
    adopted (getppid changes); on Windows the process handle is asked."""
    if pid <= 0:
        return True
    if sys.platform.startswith("win"):
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE
        if not handle:
            return False
        try:
            return kernel32.WaitForSingleObject(handle, 0) == 0x102  # WAIT_TIMEOUT: still running
        finally:
            kernel32.CloseHandle(handle)
    return os.getppid() == pid


__all__ = ["child_command", "parent_alive", "run_watchdog"]
