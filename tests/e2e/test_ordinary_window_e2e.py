"""The ordinary insured purchase (41 定点药店购药) in the real window against the real centre over HTTP (issue 17):
T0002 (employee, 500.00) has no prescription; F8 on the prescriptions screen opens an ordinary purchase, the boxes
scanned become its lines, F12 → the pay step, F8 pays the whole share from the personal account (balance before →
after), the receipt; the 2102 answer's acct_pay and balc are the figures the desk showed. Then T0003 (20.00) types
more than the balance: refused with the reason on the pay step, nothing settled; F8 takes what the balance allows.
Last the centre goes away: F8 says the account needs the centre and offers cash, cash settles provisionally."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from desktop.qt import Qt
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, _data_key, _templates, centre, d01, desk, idle, login, press, shot, type_in, window,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]

P02_CERTNO = "420704196306301148"  # T0002, employee, 500.00
P03_CERTNO = "420704195511021255"  # T0003, employee, 20.00


def _ordinary(qtbot, win, certno: str, boxes: list[str], *, picture: str = "") -> None:
    type_in(qtbot, win.identify.box, certno)
    idle(qtbot, win)
    assert win.page() == "rx", win.identify.message.text()
    if picture:
        assert "F8" in win.rx.message.text(), win.rx.message.text()
        press(qtbot, win, Qt.Key.Key_F1)
        assert "F8 普通购药" in win.keys_shown.split("\n"), win.keys_shown  # F1 lists it
        shot(win, picture)
    press(qtbot, win, Qt.Key.Key_F8)
    idle(qtbot, win)
    assert win.page() == "sale" and win.state.sale.scheme == "OP", win.rx.message.text()
    for code in boxes:
        type_in(qtbot, win.sale_screen.scan, code)
        idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")


def test_ordinary_purchase_with_the_account_in_the_window(qtbot, window, centre, desk):
    win = window
    shift = desk.shifts.open(desk.auth.login("li", pin="2468"), Decimal("100"))
    win.start()
    login(qtbot, win)
    idle(qtbot, win)
    assert win.state.shift["shift_id"] == shift
    assert "F8" in win.keymap()["rx"] and win.keymap()["rx"]["F8"][1] == "普通购药"

    # a waiting prescription is not turned into an ordinary purchase by a box scanned on its screen
    centre.upload_rx("T0001", [d01(1, 28)])
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.rx.list.count() == 1)
    type_in(qtbot, win.rx.pickup, trace_codes("8100011", 1)[0])
    idle(qtbot, win)
    assert win.page() == "rx" and win.state.sale is None and "F8" in win.rx.message.text(), win.rx.message.text()
    press(qtbot, win, Qt.Key.Key_Escape)

    _ordinary(qtbot, win, P02_CERTNO, [*trace_codes("8100011", 2), trace_codes("8100066", 1)[0]],
              picture="rx_no_prescription")
    sale = win.state.sale
    assert [(l.drug.key, l.qty) for l in sale.lines] == [("D01", 2), ("D06", 1)]
    assert "普通购药 41" in win.sale_screen.header.text() and "处方" not in win.sale_screen.header.text()
    f = win.state.view.figures
    assert (f.total, f.fund, f.personal) == (Decimal("70.00"), Decimal("0.00"), Decimal("70.00"))
    shot(win, "sale_ordinary")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "pay", win.sale_screen.blocker.text()
    press(qtbot, win, Qt.Key.Key_F8)
    assert (win.pay.account.text(), win.pay.due.text()) == ("70.00", "0.00")
    assert win.pay.balance_label.text() == "500.00 → 430.00"
    shot(win, "pay_ordinary_account")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()
    answer = win.state.record.answer["setlinfo"]
    assert (answer["fund_pay_sumamt"], answer["acct_pay"], answer["balc"]) == ("0.00", "70.00", "430.00")
    assert (win.state.record.fund, win.state.record.account_pay) == (Decimal("0.00"), Decimal("70.00"))
    shot(win, "receipt_ordinary")

    # bad input: T0003 has 20.00; typing 28.00 is refused with the reason, nothing is settled
    press(qtbot, win, Qt.Key.Key_Return)  # 下一位顾客
    _ordinary(qtbot, win, P03_CERTNO, trace_codes("8100011", 1))
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "pay"
    win.pay.account.setText("28.00")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "pay" and "余额不足" in win.pay.message.text(), win.pay.message.text()
    assert win.state.record is None and win.state.sale is not None  # still this sale, not settled
    shot(win, "pay_account_short")
    press(qtbot, win, Qt.Key.Key_F8)
    assert (win.pay.account.text(), win.pay.balance_label.text()) == ("20.00", "20.00 → 0.00")
    type_in(qtbot, win.pay.cash, "10")
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()
    assert (win.state.record.account_pay, win.state.record.change) == (Decimal("20.00"), Decimal("2.00"))

    # offline: the account needs the centre; F8 says so and leaves the share to cash
    press(qtbot, win, Qt.Key.Key_Return)
    _ordinary(qtbot, win, P02_CERTNO, trace_codes("8100066", 1))
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "pay"
    win._status(replace(desk.desk.status(), online=False))  # what the status line shows once a call to the centre failed
    press(qtbot, win, Qt.Key.Key_F8)
    assert win.pay.account.text() == "0.00" and win.pay.due.text() == "14.00"
    assert "个人账户" in win.pay.message.text() and "现金" in win.pay.message.text(), win.pay.message.text()
    shot(win, "pay_account_offline")
