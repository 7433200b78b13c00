"""The pay step's personal account in the real window against the real centre over HTTP (issue 17): T0011
(employee, 2000.00) pays the whole personal share with F8, the record and the centre agree, screenshots of the pay
step (balance before → after) and the receipt; then T0001 (resident) bound to T0011 pays with F6 (共济)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.qt import Qt
from tests.server.helpers import AGY, trace_codes
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, P11_CERTNO, _data_key, _templates, centre, d01, desk, idle, login, press, shot, type_in, window,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def _to_pay(qtbot, win, certno: str) -> None:
    type_in(qtbot, win.identify.box, certno)
    idle(qtbot, win)
    assert win.page() == "rx", win.identify.message.text()
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.page() == "sale", win.rx.message.text()
    type_in(qtbot, win.sale_screen.scan, trace_codes("8100011", 1)[0])
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "pay", win.sale_screen.message.text()


def test_f8_account_and_f6_family_account_in_the_window(qtbot, window, centre, desk):
    win = window
    centre.upload_rx("T0011", [d01(1, 28)])
    centre.upload_rx("T0001", [d01(1, 28)])
    shift = desk.shifts.open(desk.auth.login("li", pin="2468"), Decimal("100"))
    win.start()
    login(qtbot, win)
    idle(qtbot, win)
    assert win.state.shift["shift_id"] == shift

    _to_pay(qtbot, win, P11_CERTNO)
    personal = win.state.view.figures.personal
    press(qtbot, win, Qt.Key.Key_F8)
    assert win.pay.account.text() == f"{personal:.2f}" and win.pay.due.text() == "0.00"
    assert win.pay.balance_label.text() == f"2000.00 → {Decimal('2000.00') - personal:.2f}"
    shot(win, "pay_account")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()
    answer = win.state.record.answer["setlinfo"]
    assert answer["acct_pay"] == f"{personal:.2f}" and win.state.record.account_pay == personal
    assert answer["balc"] == f"{Decimal('2000.00') - personal:.2f}"
    shot(win, "receipt_account")

    bound = centre.client.call("2594", {"data": {"holder_psn_no": "T0011", "relative_psn_no": "T0001", "relation": "1",
                                                 "holder_cert_type": "02", "holder_cert_no": P11_CERTNO}}, code=AGY)
    assert bound["infcode"] == 0, bound
    press(qtbot, win, Qt.Key.Key_Return)  # 下一位顾客
    _to_pay(qtbot, win, P01_CERTNO)
    share = win.state.view.figures.personal
    press(qtbot, win, Qt.Key.Key_F6)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.pay.family is not None)
    assert "钱*****" in win.pay.family_label.text() and win.pay.due.text() == "0.00"
    shot(win, "pay_family_account")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()
    answer = win.state.record.answer["setlinfo"]
    assert answer["acct_mulaid_pay"] == f"{share:.2f}" and win.state.record.cash_pay == Decimal("0.00")
