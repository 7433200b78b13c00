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
    for part in ("【医保部分】", "追溯码", "【非医保部分（自费）】", "医用外科口罩", "微信支付", "4200****555566"):
        assert part in receipt, (part, receipt)


def test_wechat_and_cash_then_a_partial_return_back_to_each_tender_in_the_window(qtbot, window, centre, desk):  # noqa: ANN001
    """D01 + D03 and a good, paid WeChat + cash with change; returning D03 in the window shows what goes back to
    each tender before F12 confirms (cash first, then WeChat with its masked slip number), then what went back;
    screenshots of the confirmation and the result."""
    from tests.server.helpers import trace_codes
    from tests.ui.pharmacy.fixtures import d03

    win = window
    centre.upload_rx("T0011", [d01(1, 28), d03(1, 28)])
    desk.shifts.open(desk.auth.login("li", pin="2468"), Decimal("100"))
    desk.desk.quick_add_goods(MASK, "医用外科口罩", "12.50", approver="zhang")
    win.start()
    login(qtbot, win)
    idle(qtbot, win)
    type_in(qtbot, win.identify.box, P11_CERTNO)
    idle(qtbot, win)
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    for prefix in ("8100011", "8100033"):
        type_in(qtbot, win.sale_screen.scan, trace_codes(prefix, 1)[0])
        idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre"
                    and win.state.sale.complete)
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "pay", win.sale_screen.message.text()
    personal = win.state.view.figures.personal
    panel = win.pay.tender_panel
    type_in(qtbot, panel.goods_edit, MASK)
    qtbot.waitUntil(lambda: len(win.state.sale.goods) == 1)
    wechat = personal + Decimal("12.50") - Decimal("3.00")
    press(qtbot, win, Qt.Key.Key_F7)
    panel.amount.setText(f"{wechat:.2f}")
    panel.reference.setText(WX)
    qtbot.keyClick(panel.reference, Qt.Key.Key_Return)
    win.pay.cash.setText("10")
    assert (win.pay.total.text(), win.pay.due.text(), win.pay.change.text()) == (
        f"{personal + Decimal('12.50'):.2f}", "3.00", "7.00")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.page() == "done")
    sold = win.state.record
    assert [(p["kind"], p["kept"]) for p in sold.tenders] == [("wechat", f"{wechat:.2f}"), ("cash", "3.00")]

    press(qtbot, win, Qt.Key.Key_F3)
    type_in(qtbot, win.returns.box, sold.receipt_no)
    idle(qtbot, win)
    keep = next(i for i, l in enumerate(sold.lines) if l["drug_key"] == "D01")
    win.returns.lines.setFocus()
    win.returns.lines.setCurrentRow(keep)
    qtbot.keyClick(win.returns.lines, Qt.Key.Key_Space)  # keep D01, return D03
    shown = win.returns.refund.text()
    assert "预计应退" in shown and "现金 3.00 元" in shown and "微信支付" in shown and "4200****555566" in shown, shown
    assert shown.index("现金") < shown.index("微信支付")  # the cash goes back first
    press(qtbot, win, Qt.Key.Key_F12)  # F12 shows what goes back and asks
    assert "再按 F12" in win.returns.message.text()
    shot(win, "return_tenders_confirm")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: "部分退货" in win.returns.message.text())
    kept = desk.desk.find_sale(sold.lines[keep]["codes"][0])
    wx_back = personal - kept.personal - Decimal("3.00")
    done = win.returns.message.text()
    assert f"已退还：现金 3.00 元，微信支付 {wx_back:.2f} 元（凭证号 4200****555566）（原路退回）" in done, done
    assert [(p["kind"], p["kept"]) for p in kept.tenders] == [("wechat", f"{wechat - wx_back:.2f}")]
    assert f"微信支付 {wx_back:.2f} 元" in shown, shown  # the estimate from the sale's line detail was right
    shot(win, "return_tenders_done")

    # the mask alone, from the kept sale: its goods line ticked, the drug line not — nothing goes to the centre,
    # the 12.50 goes back to WeChat (the kept sale's only tender)
    type_in(qtbot, win.returns.box, kept.receipt_no)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.returns.record is not None and win.returns.record.receipt_no == kept.receipt_no)
    rows = [win.returns.lines.item(i) for i in range(win.returns.lines.count())]
    assert [r.text().split(".")[0] for r in rows[len(kept.lines):]] == ["商品 1"]
    win.returns.lines.setFocus()
    for i in range(len(kept.lines)):  # untick the drug line
        win.returns.lines.setCurrentRow(i)
        qtbot.keyClick(win.returns.lines, Qt.Key.Key_Space)
    win.returns.lines.setCurrentRow(len(kept.lines))
    qtbot.keyClick(win.returns.lines, Qt.Key.Key_Space)  # tick the mask
    assert (win.returns.chosen(), win.returns.chosen_goods()) == ([], [1])
    shown = win.returns.refund.text()
    assert "应退商品 12.50 元" in shown and "微信支付 12.50 元" in shown and "医保部分不变" in shown, shown
    press(qtbot, win, Qt.Key.Key_F12)
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: "已退还" in win.returns.message.text())
    assert "微信支付 12.50 元" in win.returns.message.text(), win.returns.message.text()
    after = desk.desk.find_sale(kept.receipt_no)
    assert after.status == "settled" and [g["returned"] for g in after.goods] == [True]
