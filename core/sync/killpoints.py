"""Kill points for fault-injection tests: SIGKILL this process at a named step of sending a message.

    ONEWINDOW_KILL_AT=before_send|after_send|after_reply   the step
    ONEWINDOW_KILL_INFNO=2102                               only for this transaction (default 2102)
    ONEWINDOW_KILL_NTH=1                                    at the n-th time the step is reached (default 1)

- before_send: the message is reserved (committed) but no byte has left.
- after_send: the request has been written to the socket; the reply has not been read.
- after_reply: the reply has been read and parsed; its result is not committed.

Unset (production), `kill_point` is a dictionary lookup and nothing else. `after_send` needs the socket-level
hook installed by `install_after_send_hook()` (the test driver does it), because requests has no callback
between writing a request and reading its response.
"""
from __future__ import annotations

import os
import signal
import threading

ENV_AT, ENV_INFNO, ENV_NTH = "ONEWINDOW_KILL_AT", "ONEWINDOW_KILL_INFNO", "ONEWINDOW_KILL_NTH"
POINTS = ("before_send", "after_send", "after_reply")

_lock = threading.Lock()
_counts: dict[str, int] = {}
_current = threading.local()


def armed() -> bool:
    return bool(os.environ.get(ENV_AT))


def kill_point(name: str, infno: str) -> None:
    at = os.environ.get(ENV_AT)
    if not at or at != name or infno != os.environ.get(ENV_INFNO, "2102"):
        return
    with _lock:
        _counts[name] = _counts.get(name, 0) + 1
        if _counts[name] < int(os.environ.get(ENV_NTH, "1") or 1):
            return
    os.kill(os.getpid(), signal.SIGKILL)


def set_current(infno: str | None) -> None:
    _current.infno = infno


def install_after_send_hook() -> None:
    """Patch urllib3 so that reading a response first passes the `after_send` kill point."""
    if os.environ.get(ENV_AT) != "after_send":
        return
    from urllib3.connection import HTTPConnection

    original = HTTPConnection.getresponse
    if getattr(original, "_ow_hooked", False):
        return

    def getresponse(self, *args, **kwargs):  # noqa: ANN001, ANN202
        infno = getattr(_current, "infno", None)
        if infno:
            kill_point("after_send", infno)
        return original(self, *args, **kwargs)

    getresponse._ow_hooked = True  # type: ignore[attr-defined]
    HTTPConnection.getresponse = getresponse  # type: ignore[method-assign]


__all__ = ["POINTS", "armed", "install_after_send_hook", "kill_point", "set_current"]
