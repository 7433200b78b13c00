"""The pay step's mixed basket and tenders in the real window against the real centre over HTTP (issue 17): a
non-insured good scanned by its commodity barcode joins the sale, WeChat (F7, slip reference) and cash with change
pay the personal share and the good (an unknown barcode: quick-added on the spot, a supervisor approving); the receipt shows both parts and the split; screenshot of the pay step."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.qt import Qt
from tests.e2e.test_account_window_e2e import _to_pay
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P11_CERTNO, _data_key, _templates, approve, centre, d01, desk, idle, login, press, shot, type_in, window,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]
WX = "4200001111222233334444555566"
MASK = "6901234567892"


def test_goods_and_wechat_plus_cash_on_the_pay_step(qtbot, window, centre, desk):  # noqa: ANN001
    win = window
    centre.upload_rx("T0011", [d01(1, 28)])
    desk.shifts.open(desk.auth.login("li", pin="2468"), Decimal("100"))
    win.start()
    login(qtbot, win)
    idle(qtbot, win)
    _to_pay(qtbot, win, P11_CERTNO)
    personal = win.state.view.figures.personal

    panel = win.pay.tender_panel
    type_in(qtbot, panel.goods_edit, "6901234567893")  # bad check digit: refused, the sale unchanged
    idle(qtbot, win)
    assert "校验位" in win.pay.message.text() and win.state.sale.goods == ()
    type_in(qtbot, panel.goods_edit, MASK)  # unknown here: the quick-add row, a supervisor approves
    idle(qtbot, win)
    assert "请主管快速新增" in win.pay.message.text() and panel.add_box.isVisible()
    assert panel.add_code.text() == MASK
    panel.add_name.setText("医用外科口罩")
    panel.add_price.setText("12.50")
    panel.add_button.click()
    approve(qtbot, win)  # 李药师 is a pharmacist: goods.add needs 张主管
    qtbot.waitUntil(lambda: len(win.state.sale.goods) == 1)
    assert not panel.add_box.isVisible()
    assert [e["approver_id"] for e in desk.auth.events("override") if e["ref"] == MASK] == ["zhang"]
    assert "医用外科口罩 x1  12.50" in panel.goods_list.text()
    due = personal + Decimal("12.50")
    assert win.pay.due.text() == f"{due:.2f}"

    press(qtbot, win, Qt.Key.Key_F7)  # WeChat
    assert panel.kind.currentData() == "wechat"
    wechat = due - Decimal("3.00")
    panel.amount.setText(f"{wechat:.2f}")
    panel.reference.setText(WX)
    assert win.pay.due.text() == "3.00" and win.pay.total.text() == f"{due:.2f}"
    qtbot.keyClick(panel.reference, Qt.Key.Key_Return)  # the WeChat slip joins the list (masked), the row is free
    assert len(panel.entries) == 1 and "4200****555566" in panel.entry_list.text()
    assert win.pay.due.text() == "3.00"
    win.pay.cash.setText("10")
    assert win.pay.change.text() == "7.00"
    shot(win, "pay_tenders")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.page() == "done")
    record = win.state.record
    assert [(p["kind"], p["kept"]) for p in record.tenders] == [("wechat", f"{wechat:.2f}"), ("cash", "3.00")]
    assert record.change == Decimal("7.00")
    receipt = win.done.receipt.toPlainText()
    for part in ("【医保部分】", "追溯码", "【非医保部分（自费）】", "医用外科口罩", "微信支付", WX):
        assert part in receipt, (part, receipt)
