"""One writer (#21): during a pharmacist's day at the real window (real centre over HTTP, real terminal and
sender), every statement that writes the store runs on the store's writer thread, and none is asked for by the
UI thread — login, shift, a sale with its receipt, a supervisor's reprint, logout. The status
line follows the store's change notifications instead of a 5-second poll."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import event

from core.store.lane import LANE_THREAD, write_engine
from desktop.qt import Qt, QtWidgets
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, _data_key, _templates, centre, d01, desk, idle, login, press, type_in, window,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class Writes:
    """Who ran and who asked for each write: sqlite3's trace callback runs in the thread that executes the
    statement; SQLAlchemy's before_cursor_execute in the thread that asked for it."""

    def __init__(self, engine) -> None:
        self.ran: list[tuple[str, str, str]] = []  # (engine, thread that ran it, statement)
        self.asked_on_ui: list[str] = []
        self._lock = threading.Lock()
        self.gui = threading.current_thread()
        for label, eng in (("read", engine), ("write", write_engine(engine))):
            event.listen(eng, "checkout", self._tracer(label))
        event.listen(write_engine(engine), "before_cursor_execute", self._asked)

    def _tracer(self, label):
        def on_checkout(dbapi_conn, _record, _proxy):
            def trace(sql: str) -> None:
                if sql.lstrip().upper().startswith(WRITES):
                    with self._lock:
                        self.ran.append((label, threading.current_thread().name, sql.strip()[:80]))
            dbapi_conn.set_trace_callback(trace)
        return on_checkout

    def _asked(self, _conn, _cursor, statement, _params, _context, _many):
        if threading.current_thread() is self.gui and statement.lstrip().upper().startswith(WRITES):
            self.asked_on_ui.append(statement.strip()[:80])


def test_a_day_at_the_desk_writes_the_store_from_one_lane_only(qtbot, window, centre, desk):
    win = window
    # connections opened before the watch started (start-up, seeding) get the tracer at their next checkout
    writes = Writes(desk.engine)
    centre.upload_rx("T0001", [d01(1, 28)])
    win.start()
    assert not win.status_timer.isActive()  # no polling while online: notifications drive the status line
    login(qtbot, win)
    type_in(qtbot, win.shift.float_edit, "200.00")
    idle(qtbot, win)
    assert win.state.shift is not None
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    refreshed = []
    win.events.changed.connect(lambda topic, _d: refreshed.append(topic))
    type_in(qtbot, win.sale_screen.scan, trace_codes("8100011", 1)[0])
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")
    press(qtbot, win, Qt.Key.Key_F12)
    type_in(qtbot, win.pay.cash, "20")
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()
    qtbot.waitUntil(lambda: "sale.changed" in refreshed)  # the sale's commit was announced on the GUI thread
    qtbot.waitUntil(lambda: desk.desk.find_sale(win.state.record.receipt_no).prints == 1)  # marked on the worker
    # a supervisor's reprint: the copy is counted on the worker, then printed
    press(qtbot, win, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
    qtbot.keyClicks(win.dialog.user, "zhang")
    qtbot.keyClicks(win.dialog.secret, "135790")
    qtbot.keyClick(win.dialog.secret, Qt.Key.Key_Return)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: "已重打" in win.done.message.text())
    assert desk.desk.find_sale(win.state.record.receipt_no).prints == 2
    press(qtbot, win, Qt.Key.Key_Return)  # next customer
    win.logout()
    idle(qtbot, win)
    qtbot.waitUntil(lambda: any(e["kind"] == "logout" for e in desk.auth.events("logout")))
    QtWidgets.QApplication.processEvents()

    assert writes.ran, "the day wrote nothing?"
    assert {(label, thread) for label, thread, _ in writes.ran} == {("write", LANE_THREAD)}, [
        w for w in writes.ran if w[:2] != ("write", LANE_THREAD)]
    assert writes.asked_on_ui == []
    kinds = " ".join(sql for _, _, sql in writes.ran)
    for table in ("desk_event", "desk_shift", "desk_sale", "sync_outbox"):
        assert table in kinds, table  # the day really wrote through the lane what it should have
