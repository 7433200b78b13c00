"""The store's one writer (core.store.lane): every write of a store runs on its lane thread, over one connection,
whoever asks; writers queue for it instead of polling SQLite's lock; readers never wait for it."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from core.store.db import open_store
from core.store.lane import LANE_THREAD, lane_of, write_engine

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class SqlThreads:
    """Which thread ran each statement on a connection of the engines watched: sqlite3's trace callback is
    called by the thread that executes the statement, not by the one that asked for it."""

    def __init__(self, *engines) -> None:
        self.ran: list[tuple[str, str, str]] = []  # (engine label, thread, statement)
        self._lock = threading.Lock()
        for label, engine in engines:
            event.listen(engine, "checkout", self._hook(label))

    def _hook(self, label: str):
        def on_checkout(dbapi_conn, _record, _proxy) -> None:
            def trace(sql: str) -> None:
                with self._lock:
                    self.ran.append((label, threading.current_thread().name, sql.strip()))
            dbapi_conn.set_trace_callback(trace)
        return on_checkout

    def writes(self) -> list[tuple[str, str, str]]:
        return [r for r in self.ran if r[2].upper().startswith(WRITES)]


@pytest.fixture
def store(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}", upgrade=False)
    with write_engine(engine).begin() as conn:
        conn.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
    yield engine
    engine.dispose()


def test_writes_from_many_threads_run_on_the_lane_and_reads_where_asked(store):
    watch = SqlThreads(("read", store), ("write", write_engine(store)))
    wengine = write_engine(store)
    assert write_engine(store.execution_options(x=1)) is wengine  # one writer per store, however it is reached

    def writer(k: int) -> None:
        with wengine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:k, 'x')"), {"k": k})
            conn.execute(text("UPDATE t SET v = 'y' WHERE k = :k"), {"k": k})

    threads = [threading.Thread(target=writer, args=(k,), name=f"w{k}") for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t WHERE v = 'y'")).scalar() == 8
    writes = watch.writes()
    assert len(writes) == 16
    assert {(label, thread) for label, thread, _ in writes} == {("write", LANE_THREAD)}
    reads = [r for r in watch.ran if r[0] == "read" and r[2].upper().startswith("SELECT")]
    assert reads and {thread for _, thread, _ in reads} == {threading.current_thread().name}


def test_a_failed_write_leaves_the_store_as_it_was_and_the_lane_usable(store):
    wengine = write_engine(store)
    with wengine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1, 'a')"))
    with pytest.raises(IntegrityError):
        with wengine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2, 'b')"))
            conn.execute(text("INSERT INTO t VALUES (1, 'dup')"))
    with wengine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (3, 'c')"))
    with store.connect() as conn:
        assert conn.execute(text("SELECT k, v FROM t ORDER BY k")).all() == [(1, "a"), (3, "c")]


def test_the_lane_connection_refuses_any_other_thread(store):
    """sqlite3's own check: the lane's connection cannot be used off the lane, even by mistake."""
    lane = lane_of(store)
    assert lane is not None and lane.thread.name == LANE_THREAD
    with write_engine(store).connect() as conn:
        real = conn.connection.dbapi_connection._conn  # the sqlite3 connection behind the proxy
        with pytest.raises(Exception, match="thread"):
            real.execute("SELECT 1")


def test_a_long_write_holds_no_reader_and_the_next_writer_starts_when_it_ends(store):
    """A sender's long transaction: readers go on (WAL), a sale's write waits in the queue (no 'database is
    locked', no busy polling) and runs right after."""
    wengine = write_engine(store)
    inside, release, sale_done = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []

    def long_sender_write() -> None:
        with wengine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1, 'sender')"))
            inside.set()
            release.wait(30)
            order.append("sender")

    def sale() -> None:
        with wengine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2, 'sale')"))
        order.append("sale")
        sale_done.set()

    sender = threading.Thread(target=long_sender_write)
    sender.start()
    assert inside.wait(30)
    seller = threading.Thread(target=sale)
    seller.start()
    with store.connect() as conn:  # the screen reads while the sender writes
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
    assert not sale_done.is_set()
    release.set()
    assert sale_done.wait(30)
    sender.join()
    seller.join()
    assert order == ["sender", "sale"]


def test_memory_stores_keep_one_engine(tmp_path):
    engine = open_store("sqlite://", upgrade=False)
    assert lane_of(engine) is None
    with write_engine(engine).begin() as conn:
        conn.execute(text("CREATE TABLE m (k INTEGER)"))
        conn.execute(text("INSERT INTO m VALUES (1)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT k FROM m")).scalar() == 1
    engine.dispose()


def test_writers_take_turns_in_order_a_sender_cannot_cut_in_front_of_a_waiting_sale(store):
    """The sender gives the connection back and asks again at once: the sale that was waiting goes first."""
    wengine = write_engine(store)
    turns = wengine.pool._turns
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def sender() -> None:
        for n in (1, 2):
            with wengine.begin() as conn:
                conn.execute(text("INSERT INTO t (v) VALUES ('sender')"))
                order.append(f"sender{n}")
                if n == 1:
                    inside.set()
                    release.wait(30)

    def sale() -> None:
        with wengine.begin() as conn:
            conn.execute(text("INSERT INTO t (v) VALUES ('sale')"))
            order.append("sale")

    s = threading.Thread(target=sender)
    s.start()
    assert inside.wait(30)
    c = threading.Thread(target=sale)
    c.start()
    while not turns._waiters:  # the sale is queued for the writer (no clock: it is in the queue or not yet)
        threading.Event().wait(0.001)
    release.set()
    s.join()
    c.join()
    assert order == ["sender1", "sale", "sender2"]
