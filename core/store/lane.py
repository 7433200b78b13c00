"""The one writer of a terminal's store: every write runs on one thread, over one SQLite connection.

    wengine = write_engine(engine)      # shared by everything in the process that writes this store
    with sessionmaker(wengine)() as s, s.begin(): …      # the SQL runs on the lane thread "ow-store-writer"

Why: a terminal process has several threads that write the same SQLite file (the worker lanes of the screen,
the sender's pass and its HTTP workers, the lease). With one connection each they met in SQLite's busy handler,
which sleeps and retries for up to 30 s and lets a long writer starve a short one; a write from the UI thread
froze the till meanwhile. Here (Anki's pattern: one thread owns the collection) the process has exactly one
write connection, created on and used only by the lane thread (sqlite3's check_same_thread guards it), and the
writers queue for it in order instead of polling the file lock. Reads keep their own connections (WAL: readers
never wait for the writer).

How: the write engine's DBAPI connection is a proxy that hands each call (execute, fetch, commit …) to the lane
thread and waits for its answer, so the existing `with write() as s, s.begin():` code keeps its shape and no
statement of a write transaction can run anywhere else. The pool holds that one connection: a second writer
waits for the first one's transaction to end (`pool_timeout`, the former busy timeout). Other processes on the
same file (a kiosk, a command) still meet this one at SQLite's file lock.

Change notifications: the writer publishes on the store's event bus (`store_events(engine)`, core.events) once
a transaction that wrote a sale or the outbox has committed, so that screens refresh when something changed
instead of polling.

Only SQLite files get a lane; PostgreSQL (the centre) and in-memory SQLite (tests: a second connection would be
a second, empty database) get the old engine with BEGIN IMMEDIATE.
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from core.events import OUTBOX_CHANGED, SALE_CHANGED, EventBus

log = logging.getLogger("onewindow.store")

LANE_THREAD = "ow-store-writer"
_STOP = object()


class _Call:
    __slots__ = ("fn", "args", "kwargs", "result", "error", "done")

    def __init__(self, fn: Callable, args: tuple, kwargs: dict) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = threading.Lock()
        self.done.acquire()  # released by the lane when the call has run


def _serve(calls: queue.SimpleQueue) -> None:
    # The thread holds only the queue, not the lane: a lane nobody uses any more is collected, and its
    # finaliser puts _STOP here.
    while True:
        call = calls.get()
        if call is _STOP:
            return
        try:
            call.result = call.fn(*call.args, **call.kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller, who raises it
            call.error = exc
        call.done.release()


class WriterLane:
    """One thread that runs the calls given to it, one at a time, in the order given."""

    def __init__(self, name: str = LANE_THREAD) -> None:
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=_serve, args=(self._calls,), name=name, daemon=True)
        self.thread.start()
        weakref.finalize(self, self._calls.put, _STOP)

    def on_lane(self) -> bool:
        return threading.current_thread() is self.thread

    def call(self, fn: Callable, *args: Any, **kwargs: Any) -> Any:
        """Run fn on the lane and return its result (or raise its exception) in the calling thread."""
        if threading.current_thread() is self.thread:
            return fn(*args, **kwargs)
        job = _Call(fn, args, kwargs)
        self._calls.put(job)
        job.done.acquire()
        if job.error is not None:
            raise job.error
        return job.result

    def stop(self) -> None:
        self._calls.put(_STOP)


class _LaneCursor:
    """A sqlite3 cursor living on the lane. What SQLAlchemy reads after execute (description, rowcount,
    lastrowid) is fetched in the same hand-off."""

    def __init__(self, lane: WriterLane, cursor: sqlite3.Cursor) -> None:
        self._lane, self._cursor = lane, cursor
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    def _run(self, method: str, *args: Any) -> tuple:
        c = self._cursor
        getattr(c, method)(*args)
        return c.description, c.rowcount, c.lastrowid

    def execute(self, sql: str, params: Any = ()) -> "_LaneCursor":
        self.description, self.rowcount, self.lastrowid = self._lane.call(self._run, "execute", sql, params)
        return self

    def executemany(self, sql: str, seq: Any) -> "_LaneCursor":
        self.description, self.rowcount, self.lastrowid = self._lane.call(self._run, "executemany", sql, seq)
        return self

    def fetchone(self) -> Any:
        return self._lane.call(self._cursor.fetchone)

    def fetchmany(self, size: int | None = None) -> list:
        return self._lane.call(self._cursor.fetchmany, *(() if size is None else (size,)))

    def fetchall(self) -> list:
        return self._lane.call(self._cursor.fetchall)

    def close(self) -> None:
        self._lane.call(self._cursor.close)

    def __getattr__(self, name: str) -> Any:  # anything else SQLAlchemy may ask (arraysize …)
        value = self._lane.call(getattr, self._cursor, name)
        return _on_lane(self._lane, value) if callable(value) else value


def _on_lane(lane: WriterLane, fn: Callable) -> Callable:
    return lambda *a, **kw: lane.call(fn, *a, **kw)


class _LaneConnection:
    """The one sqlite3 connection of the store's writer, created on the lane and used only there."""

    def __init__(self, lane: WriterLane, args: list, kwargs: dict) -> None:
        kwargs = dict(kwargs, check_same_thread=True)  # sqlite3 itself refuses any use off the lane
        object.__setattr__(self, "_lane", lane)
        object.__setattr__(self, "_conn", lane.call(sqlite3.connect, *args, **kwargs))

    def cursor(self) -> _LaneCursor:
        return _LaneCursor(self._lane, self._lane.call(self._conn.cursor))

    def commit(self) -> None:
        self._lane.call(self._conn.commit)

    def rollback(self) -> None:
        self._lane.call(self._conn.rollback)

    def close(self) -> None:
        self._lane.call(self._conn.close)

    def __getattr__(self, name: str) -> Any:  # isolation_level, create_function, in_transaction …
        value = self._lane.call(getattr, self._conn, name)
        return _on_lane(self._lane, value) if callable(value) else value

    def __setattr__(self, name: str, value: Any) -> None:
        self._lane.call(setattr, self._conn, name, value)


class _Turns:
    """A first-come first-served lock. The pool's own queue is not fair: a sender that gives the connection
    back and asks again at once wins against a sale that has waited for seconds (measured: the sale waited up
    to the full timeout). Here the releasing thread hands the turn to the longest waiter."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True
        with self._mutex:
            try:
                self._waiters.remove(turn)
            except ValueError:
                return True  # handed over just as the wait timed out: the turn is ours
            return False

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # the turn passes on; _held stays True
            else:
                self._held = False


class _LanePool(QueuePool):
    """The writer's pool: one connection, given to the writers in the order they asked for it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turns = _Turns()

    def _do_get(self) -> ConnectionPoolEntry:
        if not self._turns.acquire(self._timeout):
            raise sa_exc.TimeoutError(f"the store's writer was busy for {self._timeout:.0f} s", code="3o7r")
        try:
            return super()._do_get()
        except BaseException:
            self._turns.release()
            raise

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            self._turns.release()


_writers: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()
_buses: "weakref.WeakKeyDictionary[Engine, EventBus]" = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()

# tables whose writes are announced, and the topic (desk_followup: the 7206 messages waiting, like the outbox)
WATCHED = {"desk_sale": SALE_CHANGED, "sync_sale": SALE_CHANGED, "sync_outbox": OUTBOX_CHANGED,
           "desk_followup": OUTBOX_CHANGED}
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _base(engine: Engine) -> Engine:
    base: Engine = engine
    while getattr(base, "_proxied", None) is not None:  # an engine with execution options: its own engine
        base = base._proxied  # type: ignore[attr-defined]
    return base


def store_events(engine: Engine) -> EventBus:
    """The change notifications of `engine`'s store (one bus per store and process)."""
    base = _base(engine)
    write_engine(base)  # the writer is what publishes
    return _buses[base]


def _announce(writer: Engine, bus: EventBus) -> None:
    """Note which watched tables a transaction wrote; publish their topics when the connection comes back to
    the pool after the commit (the SQLAlchemy commit event fires before the commit itself), never after a
    rollback."""

    @event.listens_for(writer, "before_cursor_execute")
    def _noted(conn, _cursor, statement: str, _params, _context, _many) -> None:  # noqa: ANN001
        head = statement.lstrip()[:7].upper()
        if not head.startswith(_WRITE_VERBS):
            return
        low = statement[:200].lower()
        for table, topic in WATCHED.items():
            if table in low:
                conn.info.setdefault("ow_topics", set()).add(topic)

    @event.listens_for(writer, "commit")
    def _committing(conn) -> None:  # noqa: ANN001
        topics = conn.info.pop("ow_topics", None)
        if topics:
            conn.info.setdefault("ow_committed", set()).update(topics)

    @event.listens_for(writer, "rollback")
    def _rolled_back(conn) -> None:  # noqa: ANN001
        conn.info.pop("ow_topics", None)

    @event.listens_for(writer.pool, "checkin")
    def _returned(_dbapi_conn, record) -> None:  # noqa: ANN001
        if record is None:
            return
        record.info.pop("ow_topics", None)
        for topic in sorted(record.info.pop("ow_committed", ())):
            bus.publish(topic)


def has_lane(engine: Engine) -> bool:
    """True for a store whose writes go through a lane (an SQLite file)."""
    db = engine.url.database or ""
    return engine.dialect.name == "sqlite" and db not in ("", ":memory:") and "mode=memory" not in db


def write_engine(engine: Engine) -> Engine:
    """The engine every writer of `engine`'s store uses (one per store and process; BEGIN IMMEDIATE).

    The lane's engine shares the store's hooks (WAL, foreign keys, real transactions): they are installed on
    it the same way. Disposing of the store's engine closes the lane's connection too.
    """
    base = _base(engine)
    with _writers_lock:
        found = _writers.get(base)
        if found is not None:
            return found
        if not has_lane(base):  # not kept: an engine with options holds its base, which would never go
            if base not in _buses:
                _buses[base] = EventBus()
                _announce(base, _buses[base])
            return base.execution_options(sqlite_begin="IMMEDIATE")
        bus = _buses[base] = EventBus()
        from core.store.db import SQLITE_BUSY_TIMEOUT_S, install_sqlite_hooks

        lane = WriterLane()
        args, params = base.dialect.create_connect_args(base.url)
        cargs, cparams = list(args), dict(params)
        cparams["timeout"] = SQLITE_BUSY_TIMEOUT_S  # other processes on the file
        writer = create_engine(
            base.url, creator=lambda: _LaneConnection(lane, cargs, cparams), poolclass=_LanePool,
            pool_size=1, max_overflow=0, pool_timeout=SQLITE_BUSY_TIMEOUT_S,
        )
        writer.lane = lane  # type: ignore[attr-defined]  # kept alive with the engine
        install_sqlite_hooks(writer, memory=False)
        _announce(writer, bus)
        weng = writer.execution_options(sqlite_begin="IMMEDIATE")

        @event.listens_for(base, "engine_disposed")
        def _disposed(_engine: Engine) -> None:
            writer.dispose()

        _writers[base] = weng
        return weng


def lane_of(engine: Engine) -> WriterLane | None:
    """The lane writing `engine`'s store, when it has one (tests, diagnostics)."""
    return getattr(getattr(write_engine(engine), "_proxied", None), "lane", None)


__all__ = ["LANE_THREAD", "WATCHED", "WriterLane", "has_lane", "lane_of", "store_events", "write_engine"]
