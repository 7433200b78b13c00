"""A patient walks in while the centre is down and is served from the prescription the desk fetched ahead of time
(issue 19, item 3 and its "Done when": a cached prescription dispensed as a provisional sale with the centre
stopped, confirmed when it returns), at the pharmacy window over HTTP.

王某 bought 28 days of 苯磺酸氨氯地平片 at this pharmacy this morning. The site fetches ahead the prescriptions of
patients whose supply runs out within 30 days (setting rx_cache.refill_days): he is due, 钱某 (never served here)
is not. His doctor writes 厄贝沙坦片. The desk program starts again: its start-up (off the UI thread) caches that
prescription — nobody opened it. The centre stops (its port refuses connections). 王某 walks in: identified from
the card cache, his waiting prescription listed from the cache (marked 离线缓存; screenshot
pharmacy_rx_offline_cached), Enter opens it, the box is scanned, the offline pre-settlement, F12, cash: a 离线暂存
receipt. The centre starts again: the sale is settled there and the prescription marked dispensed; the cache no
longer holds it."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.domain.clock import today_cst
from desktop.qt import Qt
from tests.e2e.test_pharmacy_offline_e2e import _sell, centre_rows, gated  # noqa: F401
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, P11_CERTNO, PH1, _data_key, _templates, close_desks, d01, d03, idle, login, make_desk, press, shot,
    type_in,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]
SYNC = {"sender": {"offline_probe_s": 1.0, "backoff_max_s": 2.0}}


def test_walk_in_during_the_outage_served_from_the_prescription_fetched_ahead(qtbot, gated, tmp_path):  # noqa: F811
    from desktop.pharmacy.window import PharmacyWindow

    centre = gated
    # the morning: 王某's 28 days of D01 sold here (the desk's history of this pharmacy)
    morning = make_desk(tmp_path, centre.url, centre.secrets[PH1], sync_sections=SYNC)
    morning.desk.start()
    morning.desk.set_operator(morning.auth.login("li", pin="2468"))
    shift = morning.shifts.open(morning.desk.operator, Decimal("100"))
    sold = _sell(morning.desk, P01_CERTNO, centre.upload_rx("T0001", [d01(1, 28)])["hi_rxno"], shift)
    assert sold.status == "settled"
    morning.desk.terminal.sender.drain(timeout_s=20)
    morning.desk.drain()
    assert morning.desk.refill_due() == []  # the default (7 days ahead): 28 days of supply are not due yet
    close_desks()

    refill = centre.upload_rx("T0001", [d03(1, 28)])  # the doctor's next prescription for 王某
    other = centre.upload_rx("T0011", [d01(1, 28)])   # 钱某 was never served here: not fetched ahead

    d = make_desk(tmp_path, centre.url, centre.secrets[PH1], sync_sections=SYNC)  # the program starts again
    d.desk.rx_refill_days = 30  # as apply_rx_settings sets it from rx_cache.refill_days = 30
    assert d.desk.refill_due() == ["T0001"]
    win = PharmacyWindow(d.desk, d.auth, d.shifts, d.config, status_interval_ms=400)
    qtbot.addWidget(win)
    try:
        win.start()  # desk.start() on the remote lane: catalogue, follow-ups, then the prefetch
        login(qtbot, win)
        qtbot.waitUntil(lambda: d.desk.rx_cache().count() == 1, timeout=20000)
        cache, today = d.desk.rx_cache(), today_cst()
        assert cache.get(refill["hi_rxno"], today=today) and cache.get(other["hi_rxno"], today=today) is None
        qtbot.waitUntil(lambda: win.status_line.link_label.text().endswith("在线"), timeout=10000)

        centre.server.stop()  # the port refuses connections from here on
        type_in(qtbot, win.identify.box, P01_CERTNO)
        idle(qtbot, win)
        assert win.page() == "rx" and not win.state.card.online, win.identify.message.text()
        assert [r.rx_id for r in win.state.rxs] == [refill["hi_rxno"]] and win.state.rxs[0].cached
        assert "离线缓存" in win.rx.list.item(0).text() and "厄贝沙坦片" in win.rx.list.item(0).text()
        shot(win, "rx_offline_cached")
        win.rx.list.setFocus()
        qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
        idle(qtbot, win)
        assert win.page() == "sale" and win.state.sale.rx_id == refill["hi_rxno"], win.rx.message.text()
        code = trace_codes("8100033", 1)[0]
        type_in(qtbot, win.sale_screen.scan, code)
        idle(qtbot, win)
        qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.offline, timeout=10000)
        assert win.state.view.verdict in ("PASS", "WARN"), win.state.view
        assert win.sale_screen.settle_button.isEnabled(), win.sale_screen.message.text()
        press(qtbot, win, Qt.Key.Key_F12)
        assert win.page() == "pay"
        type_in(qtbot, win.pay.cash, "50")
        idle(qtbot, win)
        assert win.page() == "done", win.pay.message.text()
        record = win.state.record
        assert record.status == "provisional" and record.offline_no, record
        assert "离线暂存" in win.done.receipt.toPlainText()
        assert d.desk.rx_cache().get(refill["hi_rxno"], today=today) is None  # dispensed: no second sale from the copy

        centre.server.start()
        qtbot.waitUntil(lambda: d.desk.find_sale(record.receipt_no).status == "settled", timeout=30000)
        assert d.desk.find_sale(record.receipt_no).setl_id
        qtbot.waitUntil(lambda: d.desk.status().waiting == 0, timeout=30000)  # its 3505 and 7206 followed
        assert centre_rows(centre, "SELECT status FROM centre_eprescription WHERE rx_id = :r",
                           r=refill["hi_rxno"])[0][0] == "dispensed"
        assert centre_rows(centre, "SELECT code FROM centre_trace_upload WHERE code = :c", c=code)
    finally:
        win.status_timer.stop()
        win.runner.wait()
