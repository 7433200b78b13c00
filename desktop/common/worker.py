"""Run service calls off the UI thread and get a typed result back on it (Anki's "operation" pattern).

    runner = Runner(parent)                           # three ordered lanes: "local", "remote" and "search"
    runner.run(desk.identify, text, done=self.show_card, failed=self.show_error, lane="remote")

`done(value)` or `failed(Failure)` is called on the GUI thread, in submission order per lane (each lane is
one thread, so calls on a lane never overlap: the service needs no locks of its own for them). A DeskError
or AuthFailed becomes a Failure carrying its bilingual message; anything else is logged with its traceback
(an ERROR, which fails a test) and shown as an internal error. `wait()` drains the lanes (tests, shutdown):
no thread is left running at exit.
"""
from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from desktop.qt import QObject, QtCore, Signal

from core.i18n import Message

log = logging.getLogger("onewindow.gui.worker")
T = TypeVar("T")

INTERNAL = Message("internal", "内部错误（已记录日志），请重试或联系管理员", "internal error (logged): retry or call support")


@dataclass(frozen=True)
class Failure:
    message: Message
    error: BaseException | None = None


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None = None
    failure: Failure | None = None


def _failure(exc: BaseException) -> Failure:
    msg = getattr(exc, "message", None)
    if isinstance(msg, Message):
        return Failure(msg, exc)
    log.error("unexpected error in a worker", exc_info=(type(exc), exc, exc.__traceback__))
    return Failure(INTERNAL, exc)


class _Relay(QObject):
    finished = Signal(int, object)  # token, Outcome


class _Job(QtCore.QRunnable):
    def __init__(self, relay: _Relay, token: int, fn: Callable, args: tuple, kwargs: dict) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.relay, self.token, self.fn, self.args, self.kwargs = relay, token, fn, args, kwargs

    def run(self) -> None:
        try:
            outcome = Outcome(self.fn(*self.args, **self.kwargs))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI as a value
            outcome = Outcome(failure=_failure(exc))
        self.relay.finished.emit(self.token, outcome)


class Runner(QObject):
    # local: SQLite and memory work the screen waits for (scan checks, the local audit); remote: the centre;
    # search: catalogue searches as the pharmacist types (and building their index), so that neither a slow
    # centre nor an audit holds up a keystroke's results, and a search never delays a scan's verdict.
    LANES = ("local", "remote", "search")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools = {lane: QtCore.QThreadPool(self) for lane in self.LANES}
        for pool in self._pools.values():
            pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished)
        self._tokens = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}

    @property
    def busy(self) -> int:
        return len(self._callbacks)

    def run(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
            failed: Callable[[Failure], None] | None = None, lane: str = "remote", **kwargs: Any) -> int:
        token = next(self._tokens)
        self._callbacks[token] = (done, failed)
        self._pools[lane].start(_Job(self._relay, token, fn, args, kwargs))
        return token

    def _finished(self, token: int, outcome: Outcome) -> None:
        done, failed = self._callbacks.pop(token, (None, None))
        if outcome.failure is None:
            if done is not None:
                done(outcome.value)
        elif failed is not None:
            failed(outcome.failure)
        elif outcome.failure.error is not None and outcome.failure.message is not INTERNAL:
            log.info("unhandled failure: %s", outcome.failure.message.en)

    def wait(self, msecs: int = 30000) -> bool:
        ok = all(pool.waitForDone(msecs) for pool in self._pools.values())
        QtCore.QCoreApplication.processEvents()  # deliver the results that were queued
        return ok


__all__ = ["Failure", "INTERNAL", "Outcome", "Runner"]
