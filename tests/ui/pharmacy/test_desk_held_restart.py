"""The desk window after a restart (or a crash): the held sale (挂单) put aside before is listed again with its
boxes reserved, F9 takes it back (kept in the store until settled or discarded) and F2 drops it; one whose prescription expired meanwhile is refused
with a clear message and stays held."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from core.services.pharmacy_sale import check_scan
from desktop.qt import Qt
from tests.core.services.test_pharmacy_sale import code, sale
from tests.ui.pharmacy.fixtures import close_desks, idle, make_desk, press
from tests.ui.pharmacy.test_desk_day_fixes import card, started

pytestmark = pytest.mark.ui


def window(qtbot, d):
    from desktop.pharmacy.window import PharmacyWindow

    w = PharmacyWindow(d.desk, d.auth, d.shifts, d.config, status_interval_ms=60000)
    qtbot.addWidget(w)
    return w


def stop(w) -> None:
    w.status_timer.stop()
    w.runner.wait()


@pytest.fixture
def desks():
    yield
    close_desks()


def hold(qtbot, tmp_path, s):
    first = make_desk(tmp_path, None, None)
    win = window(qtbot, first)
    started(qtbot, win, first)
    win.state.card, win.state.sale = card("赵某", "T0002"), s
    win.go("sale")
    press(qtbot, win, Qt.Key.Key_F9)  # put aside
    idle(qtbot, win)
    assert win.page() == "identify" and [h.no for h in win.state.held] == [1]
    stop(win)
    win.close()
    return make_desk(tmp_path, None, None)  # the desk restarted on the same store


def test_a_held_sale_is_back_after_a_restart_reserved_and_recalled(qtbot, tmp_path, desks):
    box = code("8100011", 1)
    s = sale().with_code(1, box, "warn", None)
    again = hold(qtbot, tmp_path, s)
    win = window(qtbot, again)
    started(qtbot, win, again, shift=False)
    qtbot.waitUntil(lambda: len(win.state.held) == 1)
    assert win.state.held[0].sale == s and win.state.held[0].card.name == "赵某"
    other = dataclasses.replace(sale(), sale_id="s2")
    win.state.sale = other
    win.sale_screen.show_sale(other)
    win._scan_checked(check_scan(other, box), 0.0)
    assert box not in win.state.sale.all_codes and "此盒在挂单 1 中" in win.sale_screen.message.text()
    win.state.sale = None
    win.go("identify")
    press(qtbot, win, Qt.Key.Key_F9)  # recall
    idle(qtbot, win)
    assert win.page() == "sale" and win.state.sale == s and win.state.held == []
    # recalled: kept (marked) until settled or discarded, so that a crash now would lose nothing
    qtbot.waitUntil(lambda: [h.sale for h in again.desk.held_sales()] == [s])
    win.go("identify")
    press(qtbot, win, Qt.Key.Key_F2)  # a new customer: the recalled sale is discarded, its row goes
    idle(qtbot, win)
    qtbot.waitUntil(lambda: again.desk.held_sales() == [])
    stop(win)


def test_a_held_sale_whose_prescription_expired_stays_held_with_a_message(qtbot, tmp_path, desks):
    s = dataclasses.replace(sale(), rx_valid_until=dt.date(2026, 1, 2))
    again = hold(qtbot, tmp_path, s)
    win = window(qtbot, again)
    started(qtbot, win, again, shift=False)
    qtbot.waitUntil(lambda: len(win.state.held) == 1)
    win.go("identify")
    press(qtbot, win, Qt.Key.Key_F9)
    idle(qtbot, win)
    assert "挂单 1 的处方已于 2026-01-02 过期" in win.identify.message.text()
    assert win.page() == "identify" and len(win.state.held) == 1 and len(again.desk.held_sales()) == 1
    stop(win)


def test_an_unreadable_held_sale_is_shown_and_blocks_z_until_a_supervisor_releases_it(qtbot, tmp_path, desks):
    from sqlalchemy import update

    from core.store.models_held import DeskHeldRow
    from tests.ui.pharmacy.fixtures import approve

    again = hold(qtbot, tmp_path, sale())
    with again.desk.wengine.begin() as conn:
        conn.execute(update(DeskHeldRow).values(payload="written by another version"))
    win = window(qtbot, again)
    started(qtbot, win, again, shift=False)
    qtbot.waitUntil(lambda: "挂单 1 的数据无法读取" in win.identify.message.text())
    assert win.state.held == []
    press(qtbot, win, Qt.Key.Key_F4)
    idle(qtbot, win)
    qtbot.keyClicks(win.shift.count_edit, "200.00")
    qtbot.keyClick(win.shift.count_edit, Qt.Key.Key_Return)
    assert "挂单" in win.shift.message.text() and win.dialog is not None
    assert again.shifts.current() is not None  # not closed over it
    approve(qtbot, win, "zhang")
    idle(qtbot, win)
    assert again.shifts.current() is None
    qtbot.waitUntil(lambda: again.desk.held_sales() == [])  # released: gone from the store
    stop(win)


def test_a_sale_recalled_when_the_program_stopped_is_listed_as_interrupted(qtbot, tmp_path, desks):
    """Held, the program restarted, F9 took it back to the desk ... and the program died (nothing settled, nothing
    discarded). The next start lists it again as held, and step 1 says it had been recalled, not merely put aside
    — in the UI language."""
    from desktop.common import i18n

    s = sale().with_code(1, code("8100011", 1), "warn", None)
    again = hold(qtbot, tmp_path, s)
    win = window(qtbot, again)
    started(qtbot, win, again, shift=False)
    qtbot.waitUntil(lambda: len(win.state.held) == 1)
    assert "已取回" not in win.identify.held.text()  # only put aside so far
    press(qtbot, win, Qt.Key.Key_F9)  # recalled: on the desk
    idle(qtbot, win)
    qtbot.waitUntil(lambda: [h.recalled for h in again.desk.held_sales()] == [True])
    stop(win)  # the program dies here: no F2, no settlement (its store as a kill -9 leaves it)
    win.close()

    third = make_desk(tmp_path, None, None)
    win = window(qtbot, third)
    started(qtbot, win, third, shift=False)
    qtbot.waitUntil(lambda: len(win.state.held) == 1)
    assert win.state.held[0].recalled and win.state.held[0].sale == s
    assert win.identify.held.text() == ("挂单 1 笔（F9 取回）\n"
                                        "挂单 1 在程序重启前已取回、未结算（仍为挂单，其药盒仍保留）")
    try:
        assert i18n.set_language("en")
        win._render_all()
        assert win.identify.held.text().startswith("1 held sale(s) (F9 recalls)\nheld sale 1 had been recalled")
    finally:
        i18n.set_language("zh")
    stop(win)
