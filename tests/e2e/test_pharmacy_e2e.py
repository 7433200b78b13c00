"""The pharmacy desk end to end: the real window against a real centre over HTTP (uvicorn on a free port,
public world seeded), driven by keyboard and scans only.

One pharmacist's shift: log in, open the shift, identify by ID number, download the e-prescription, scan the
right trace code (after a commodity barcode by mistake), see PASS, settle, get the receipt PDF with the codes
and the centre's amounts; then a duplicate code (refused with the reason), an early refill (BLOCK shown,
settle disabled), a return, and the shift close whose Z matches the centre's reconciliation.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.qt import Qt, QtWidgets
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, P11_CERTNO, _data_key, _templates, approve, centre, d01, desk, idle, shot, window,
)
from tests.ui.pharmacy.pdftext import pdf_text

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def type_in(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.clear()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def press(qtbot, win, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key on the keyboard: it goes to whatever has focus."""
    QtWidgets.QApplication.processEvents()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, key, modifier)


def login(qtbot, win, user="li", secret="yaoshi123"):
    qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
    dlg = win.dialog
    qtbot.keyClicks(dlg.user, user)
    qtbot.keyClick(dlg.user, Qt.Key.Key_Return)
    qtbot.keyClicks(dlg.secret, secret)
    return dlg


def test_pharmacist_shift_end_to_end(qtbot, window, centre, desk, tmp_path):
    win = window
    # two prescriptions of the same drug, both passing the centre's pre-audit at upload (no supply yet); the
    # second becomes an early refill once the first is dispensed, and the desk's own audit blocks it below
    early = centre.upload_rx("T0001", [d01(1, 28)])
    rx1 = centre.upload_rx("T0001", [d01(1, 28)])
    win.start()
    dlg = login(qtbot, win)
    shot(dlg, "login")
    qtbot.keyClick(dlg.secret, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.state.operator.user_id == "li" and win.page() == "shift"

    # open the shift with a float
    shot(win, "shift_open")
    type_in(qtbot, win.shift.float_edit, "200.00")
    idle(qtbot, win)
    assert win.state.shift is not None and win.page() == "identify"
    idle(qtbot, win)
    assert win.status_line.link_label.text().endswith("在线")
    shot(win, "identify")

    # identify by ID number (typed, as a card reader would)
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    assert win.page() == "rx", win.identify.message.text()
    card = win.state.card
    assert card.name == "王某(测试)" and card.masked_id == "420704********1015"
    assert P01_CERTNO not in win.rx.card.id_label.text()
    assert win.rx.card.quotas.rowCount() == 1 and win.rx.card.quotas.item(0, 4).text() == "400.00"
    assert win.rx.list.count() == 2
    # pictured as listed (the first row current): the centre lists the two in the order of their random numbers,
    # so the row of rx1 — and a picture taken after choosing it — changed from run to run
    shot(win, "prescriptions")
    row = next(i for i in range(2) if rx1["hi_rxno"] in win.rx.list.item(i).text())
    win.rx.list.setCurrentRow(row)

    # download the prescription (Enter on the list)
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.page() == "sale" and win.state.sale.lines[0].drug.name == "苯磺酸氨氯地平片"
    assert not win.sale_screen.settle_button.isEnabled()

    # a commodity barcode by mistake, then the right traceability code
    type_in(qtbot, win.sale_screen.scan, "6901234567892")
    idle(qtbot, win)
    assert "这是商品条码，请扫描药品追溯码" in win.sale_screen.message.text()
    shot(win, "scan_commodity_barcode")
    code = trace_codes("8100011", 1)[0]
    times = []
    win.verdict_shown.connect(times.append)
    type_in(qtbot, win.sale_screen.scan, code)
    idle(qtbot, win)
    assert times and times[0] < 500
    assert win.state.sale.lines[0].codes == (code,)
    assert "本行完成" in win.sale_screen.table.item(0, 7).text()
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")
    assert win.state.view.verdict == "PASS"
    assert "通过" in win.sale_screen.verdict.badge.text()
    assert win.sale_screen.settle_button.isEnabled()
    assert win.sale_screen.verdict.values["fund"].text() == "14.00"
    shot(win, "scan_pass")

    # settle: F12, cash 20, Enter
    press(qtbot, win, Qt.Key.Key_F12)
    assert win.page() == "pay"
    assert "14.00" in win.pay.summary.text()
    shot(win, "pay")
    type_in(qtbot, win.pay.cash, "20")
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()
    record = win.state.record
    answer = record.answer["setlinfo"]
    assert record.fund == Decimal(answer["fund_pay_sumamt"]) == Decimal("14.00")
    assert record.change == Decimal("6.00")
    text = pdf_text(win.state.receipt_path)
    for needle in (code, answer["medfee_sumamt"], answer["fund_pay_sumamt"], answer["psn_part_amt"], answer["setl_id"],
                   record.receipt_no):
        assert needle in text, (needle, text)
    shot(win, "receipt")

    # reprint needs a supervisor; the copy is marked and logged
    press(qtbot, win, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
    shot(win.dialog, "reprint_approval")
    qtbot.keyClicks(win.dialog.user, "zhang")
    qtbot.keyClicks(win.dialog.secret, "135790")
    qtbot.keyClick(win.dialog.secret, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert "副本" in pdf_text(win.state.receipt_path)
    assert [e["approver_id"] for e in desk.auth.events("reprint")] == ["zhang"]
    assert desk.auth.events("override")[-1]["detail"]["permission"] == "receipt.reprint"

    # next patient: the same box again is refused with the reason
    rx2 = centre.upload_rx("T0011", [d01(1, 28)])
    press(qtbot, win, Qt.Key.Key_Return)  # 下一位顾客
    assert win.page() == "identify"
    type_in(qtbot, win.identify.box, P11_CERTNO)
    idle(qtbot, win)
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.state.sale.rx_id == rx2["hi_rxno"]
    type_in(qtbot, win.sale_screen.scan, code)
    idle(qtbot, win)
    assert win.state.sale.lines[0].codes == ()
    assert "已销售" in win.sale_screen.table.item(0, 7).text() and record.receipt_no in win.sale_screen.message.text()
    assert not win.sale_screen.settle_button.isEnabled()
    shot(win, "scan_duplicate")
    # a box sold at another pharmacy passes here, and the centre refuses it
    elsewhere = trace_codes("8100011", 1)[0]
    from tests.server.helpers import settle_input

    other = centre.client.call("2102", settle_input("T0012", codes=[elsewhere], packs=1, days=28),
                               code="P42070000002")
    assert other["infcode"] == 0, other["err_msg"]
    type_in(qtbot, win.sale_screen.scan, elsewhere)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")
    assert win.state.view.verdict == "BLOCK" and any(h.rule == "TRC-002" for h in win.state.view.hits)
    assert not win.sale_screen.settle_button.isEnabled()
    press(qtbot, win, Qt.Key.Key_Delete)  # take the bad code off the line
    idle(qtbot, win)
    good = trace_codes("8100011", 1)[0]
    type_in(qtbot, win.sale_screen.scan, good)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")
    assert win.state.view.verdict == "PASS", win.state.view
    press(qtbot, win, Qt.Key.Key_F12)
    type_in(qtbot, win.pay.cash, "")
    idle(qtbot, win)
    assert win.page() == "done"
    second = win.state.record

    # early refill: the same drug again for T0001 the same day is blocked (a new upload now would be refused
    # by the centre's pre-audit, DUP-001: the one uploaded before the first sale is the one left)
    press(qtbot, win, Qt.Key.Key_Return)
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    assert win.rx.card.refills.rowCount() == 1  # next allowed refill date shown
    assert win.rx.list.count() == 1 and early["hi_rxno"] in win.rx.list.item(0).text()
    assert win.rx.card.quotas.item(0, 3).text() == "14.00"
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    type_in(qtbot, win.sale_screen.scan, trace_codes("8100011", 1)[0])
    idle(qtbot, win)
    # The terminal's own audit (through the checkout, on the history the sync layer's ledger keeps) blocks it:
    # a sale that cannot be settled is not pre-settled at the centre at all.
    qtbot.waitUntil(lambda: win.state.view is not None)
    view = win.state.view
    assert view.source == "local"
    assert view.verdict == "BLOCK" and any(h.rule == "DUP-001" for h in view.hits), view
    assert "拦截" in win.sale_screen.verdict.badge.text()
    assert not win.sale_screen.settle_button.isEnabled()
    press(qtbot, win, Qt.Key.Key_F12)
    assert win.page() == "sale"  # F12 does nothing on a blocked sale
    shot(win, "early_refill_block")

    # return the first sale by its receipt number: quota back, codes free
    press(qtbot, win, Qt.Key.Key_F9)  # hold the blocked sale (挂单)
    assert win.page() == "identify" and len(win.state.held) == 1
    press(qtbot, win, Qt.Key.Key_F3)
    assert win.page() == "returns"
    type_in(qtbot, win.returns.box, record.receipt_no)
    idle(qtbot, win)
    assert win.returns.record.msgid == record.msgid
    # what goes back, per tender, before anything is done; F12 asks for confirmation first, Esc cancels
    assert f"现金 {record.cash_pay:.2f} 元" in win.returns.refund.text(), win.returns.refund.text()
    shot(win, "return_found")
    press(qtbot, win, Qt.Key.Key_F12)
    assert "再按 F12" in win.returns.message.text() and desk.desk.find_sale(record.receipt_no).status == "settled"
    press(qtbot, win, Qt.Key.Key_Escape)
    assert win.page() == "returns" and win.returns.armed is None
    press(qtbot, win, Qt.Key.Key_F12)
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert "已退货" in win.returns.message.text(), win.returns.message.text()
    assert f"已退还：现金 {record.cash_pay:.2f} 元" in win.returns.message.text()
    assert desk.desk.find_sale(record.receipt_no).status == "returned"
    shot(win, "return_done")
    card_after = desk.desk.identify(P01_CERTNO)
    assert card_after.quotas[0].used == Decimal("0.00") and card_after.quotas[0].left == Decimal("400.00")
    assert desk.desk.check_scan(win.state.held[0].sale, code).accepted is False  # the held sale's box code list
    assert desk.desk._sold(code) == []  # the first sale's code is free again locally

    # shift: X any time, Z once with a blind count, reconciled with the centre
    press(qtbot, win, Qt.Key.Key_F4)
    idle(qtbot, win)
    assert win.page() == "shift"
    win.shift.x_button.click()
    idle(qtbot, win)
    assert "X 报表" in win.shift.report.toPlainText()
    shot(win, "shift_x")
    x = desk.shifts.report(win.state.shift["shift_id"])
    expected = Decimal("200.00") + record.cash_pay + second.cash_pay - record.cash_pay
    assert x.expected_cash == expected
    type_in(qtbot, win.shift.count_edit, str(expected))
    idle(qtbot, win)
    # the blocked sale is still held (挂单): the Z waits for a supervisor to release it
    assert "挂单" in win.shift.message.text() and win.state.shift is not None, win.shift.message.text()
    approve(qtbot, win)
    assert win.state.held == []
    z = win.state.last_z
    assert z.kind == "Z" and z.reconciled is True, z.reconciliation
    # the sync layer's 3201 reconciliation, stored with the Z: the centre's statement and ours, the same
    rec = z.centre["reconciliation"]
    assert rec["balanced"] and rec["centre_reached"] and rec["id"] is not None, rec
    centre_info = z.centre["centre"]
    assert Decimal(centre_info["fund"]) == second.fund and centre_info["count"] == 1
    assert rec["local"] == centre_info and not rec["differences"]
    assert z.variance == Decimal("0.00")
    assert "对账平" in win.shift.message.text()
    z_pdf = pdf_text(win.state.z_path)
    assert "报表" in z_pdf and "No.1" in z_pdf and "对账平" in z_pdf and str(expected) in z_pdf
    shot(win, "shift_z")
    assert desk.shifts.verify_chain()
    # every staff action of the day — logins, the reprint with its approval, the return, the shift's open and
    # close — is in the store's chained journal, and the chain holds
    from core.store import staff_journal

    journal = staff_journal.verify(desk.engine)
    assert journal.ok, journal.describe()
    kinds = {e["kind"] for e in desk.auth.events()}
    assert {"login", "reprint", "override", "return", "shift_open", "shift_close"} <= kinds, kinds
