"""Screens of the pharmacy shell beyond the main path, against the real centre: WARN acknowledgements (one a
pharmacist gives, one only a supervisor may), the 无码库, 拆零 with the opened box remembered, hold/recall,
offline identification from the cache, English and a larger font. Screenshots go to tests/ui/screenshots."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.qt import Qt
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import (
    P01_CERTNO, P11_CERTNO, PH1, approve, d01, d03, idle, login, make_desk, press, shot, type_in,
)

pytestmark = pytest.mark.ui


def open_first_rx(qtbot, win, certno: str) -> None:
    type_in(qtbot, win.identify.box, certno)
    idle(qtbot, win)
    assert win.page() == "rx", win.identify.message.text()
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.page() == "sale", win.rx.message.text()


def start(qtbot, win, desk, user="li"):
    shift = desk.shifts.open(desk.auth.login("li", pin="2468"), Decimal("100"))
    win.start()
    login(qtbot, win, user)
    assert win.state.shift["shift_id"] == shift and win.page() == "identify"


def test_warnings_need_acknowledgement_and_uncoded_stock_a_supervisor(qtbot, window, centre, desk):
    win = window
    desk.desk.add_uncoded_stock("D03", "WM2406", 3, __import__("datetime").date(2025, 6, 1))
    centre.upload_rx("T0011", [d01(2, 56), d03(1, 28)])
    start(qtbot, win, desk)
    open_first_rx(qtbot, win, P11_CERTNO)
    # two boxes of D01 by scan; D03 from the 无码库 (F8 on its line, Enter on the batch)
    for c in trace_codes("8100011", 2):
        type_in(qtbot, win.sale_screen.scan, c)
        idle(qtbot, win)
    win.sale_screen.table.setCurrentCell(1, 0)
    press(qtbot, win, Qt.Key.Key_F8)
    idle(qtbot, win)
    assert win.sale_screen.uncoded.isVisible() and win.sale_screen.uncoded.count() == 1
    qtbot.keyClick(win.sale_screen.uncoded, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.state.sale.line(2).uncoded_batch == "WM2406"
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")
    view = win.state.view
    rules = {h.rule: h for h in view.hits}
    assert view.verdict == "WARN" and {"QTY-002", "TRC-001"} <= set(rules), view
    assert rules["TRC-001"].restricted and not rules["QTY-002"].restricted
    assert not win.sale_screen.settle_button.isEnabled() and "警告需确认" in win.sale_screen.blocker.text()
    shot(win, "verdict_warn")
    panel = win.sale_screen.verdict
    # the pharmacist ticks the long-prescription warning herself (Space on the row)
    row = next(i for i in range(panel.hits.count()) if "QTY-002" in panel.hits.item(i).text())
    panel.hits.setFocus()
    panel.hits.setCurrentRow(row)
    qtbot.keyClick(panel.hits, Qt.Key.Key_Space)
    assert ("QTY-002", 1) in win.state.sale.acks
    # the uncoded stock warning needs a supervisor
    row = next(i for i in range(panel.hits.count()) if "TRC-001" in panel.hits.item(i).text())
    panel.hits.setCurrentRow(row)
    qtbot.keyClick(panel.hits, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
    shot(win, "supervisor_approval")
    approve(qtbot, win, "zhang")
    assert ("TRC-001", 2) in win.state.sale.acks
    assert win.sale_screen.settle_button.isEnabled()
    acks = desk.auth.events("ack")
    assert {(a["detail"]["rule"], a["user_id"], a["approver_id"]) for a in acks} == {
        ("QTY-002", "li", None), ("TRC-001", "li", "zhang")}
    shot(win, "verdict_acknowledged")
    press(qtbot, win, Qt.Key.Key_F12)
    assert win.page() == "pay"
    type_in(qtbot, win.pay.cash, "100")
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()
    assert desk.desk.uncoded_batches("D03")[0]["boxes"] == 2  # one box left the 无码库
    assert "无码库存" in "\n".join(win.done.receipt.toPlainText().splitlines())
    sold = win.state.record
    # partial return of the uncoded box: the sale is cancelled at the centre and line 1 settled again
    press(qtbot, win, Qt.Key.Key_F3)
    type_in(qtbot, win.returns.box, sold.receipt_no)
    idle(qtbot, win)
    win.returns.lines.setFocus()
    win.returns.lines.setCurrentRow(0)
    qtbot.keyClick(win.returns.lines, Qt.Key.Key_Space)  # keep line 1
    assert win.returns.chosen() == [2]
    assert "保留的 1 行" in win.returns.refund.text(), win.returns.refund.text()
    press(qtbot, win, Qt.Key.Key_F12)  # F12 shows what goes back and asks; F12 again does it
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert "部分退货" in win.returns.message.text(), win.returns.message.text()
    shot(win, "return_partial")
    assert desk.desk.uncoded_batches("D03")[0]["boxes"] == 3  # back in the 无码库
    assert desk.desk.find_sale(sold.receipt_no).status == "returned"
    kept = desk.desk.find_sale(sold.lines[0]["codes"][0])  # found again by a box's code
    assert kept.status == "settled" and kept.receipt_no != sold.receipt_no and len(kept.lines) == 1
    assert kept.fund < sold.fund


def test_split_pack_remembers_the_opened_box_and_hold_recall(qtbot, window, centre, desk):
    win = window
    centre.upload_rx("T0001", [d01(1, 14)])
    start(qtbot, win, desk)
    open_first_rx(qtbot, win, P01_CERTNO)
    # F6: sell 14 tablets from one box instead of the whole box
    press(qtbot, win, Qt.Key.Key_F6)
    assert win.sale_screen.split_box.hasFocus()
    win.sale_screen.split_box.lineEdit().selectAll()
    qtbot.keyClicks(win.sale_screen.split_box, "14")
    qtbot.keyClick(win.sale_screen.split_box, Qt.Key.Key_Return)
    idle(qtbot, win)
    line = win.state.sale.line(1)
    assert line.split and line.qty == 14 and line.amount == Decimal("14.00")
    box = trace_codes("8100011", 1)[0]
    type_in(qtbot, win.sale_screen.scan, box)
    idle(qtbot, win)
    assert "剩 14片" in win.sale_screen.message.text()
    shot(win, "split_pack")
    # hold the sale (F9), serve nobody, recall it (F9 on the identify screen)
    press(qtbot, win, Qt.Key.Key_F9)
    assert win.page() == "identify" and "挂单 1 笔" in win.identify.held.text()
    shot(win, "held")
    press(qtbot, win, Qt.Key.Key_F9)
    idle(qtbot, win)
    assert win.page() == "sale" and win.state.sale.line(1).codes == (box,)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")
    assert win.state.view.verdict == "PASS", win.state.view
    press(qtbot, win, Qt.Key.Key_F12)
    type_in(qtbot, win.pay.cash, "")
    idle(qtbot, win)
    assert win.page() == "done"
    opened = desk.desk._open_box(box)
    assert opened.units_left == 14
    # the same opened box may be sold again for its last 14 tablets, not for more
    sale = win.state.record
    assert sale.lines[0]["split"] and sale.lines[0]["codes"] == [box]


def test_offline_identify_uses_the_cache(qtbot, centre, desk, tmp_path, dead_port):
    from desktop.pharmacy.window import PharmacyWindow

    desk.desk.identify(P01_CERTNO)  # online once: registrations cached
    offline = make_desk(tmp_path, dead_port.url, centre.secrets[PH1])
    win = PharmacyWindow(offline.desk, offline.auth, offline.shifts, offline.config, status_interval_ms=60000)
    qtbot.addWidget(win)
    try:
        offline.shifts.open(offline.auth.login("li", pin="2468"), Decimal("0"))
        win.start()
        login(qtbot, win)
        idle(qtbot, win)
        assert win.status_line.link_label.text().endswith("离线")
        type_in(qtbot, win.identify.box, P01_CERTNO)
        idle(qtbot, win)
        assert win.page() == "rx" and not win.state.card.online
        assert "离线" in win.rx.card.warnings_label.text() and win.rx.card.source_label.text() == "离线缓存"
        assert win.rx.card.regs.rowCount() == 1
        shot(win, "offline_card")
        type_in(qtbot, win.identify.box, "NHSAEV1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_")
        idle(qtbot, win)
        assert "离线时不能使用医保电子凭证" in win.identify.message.text()
    finally:
        win.status_timer.stop()
        win.runner.wait()
        offline.engine.dispose()


def test_english_and_a_larger_font(qtbot, window, centre, desk):
    from desktop.common import i18n, theme

    win = window
    start(qtbot, win, desk, user="admin")
    try:
        press(qtbot, win, Qt.Key.Key_F10)
        assert win.page() == "settings"
        win.settings.size.setValue(16)
        win.settings.lang.setCurrentIndex(1)
        shot(win, "settings")
        win.settings._apply()
        assert i18n.lang() == "en" and theme.base_size() == 16
        assert win.identify.findChild(type(win.identify.message), "").parent() is not None
        assert "Step 1: identify the patient" in win.identify.findChildren(type(win.banner))[0].text() or any(
            "Step 1" in w.text() for w in win.identify.findChildren(type(win.banner)))
        assert win.status_line.link_label.text().endswith("online")
        type_in(qtbot, win.identify.box, "6901234567892")
        idle(qtbot, win)
        assert "commodity barcode" in win.identify.message.text()
        shot(win, "identify_en")
        type_in(qtbot, win.identify.box, P01_CERTNO)
        idle(qtbot, win)
        assert win.rx.card.quotas.horizontalHeaderItem(2).text() == "Cap"
        shot(win, "prescriptions_en")
    finally:
        i18n.set_language("zh")
        theme.set_base_size(12)
