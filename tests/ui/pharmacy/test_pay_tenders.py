"""The pay step with several external tenders (issue 17): WeChat and Alipay, each with its slip's reference, and
cash for the rest; 合计应收 large; a payment that does not match is refused on screen with the reason and nothing
is confirmed."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.pos.goods import Good, GoodsLine
from desktop.pharmacy.screens.pay import PayScreen
from desktop.qt import Qt

pytestmark = pytest.mark.ui
WX = "4200001111222233334444555566"
ALI = "2026120822001400001234"


def _pay(qtbot) -> tuple[PayScreen, list]:
    pay = PayScreen()
    qtbot.addWidget(pay)
    pay.show_amounts(Decimal("28.00"), Decimal("16.80"), Decimal("11.20"), Decimal("0.00"))
    pay.tender_panel.set_goods((GoodsLine(Good("06901234567892", "医用外科口罩", Decimal("12.50")), 1),))
    got: list = []
    pay.confirmed.connect(lambda a, t: got.append((a, t)))
    return pay, got


def _add(qtbot, pay: PayScreen, presses: int, amount: str, ref: str) -> None:
    panel = pay.tender_panel
    for _ in range(presses):
        panel.next_kind()
    panel.amount.setText(amount)
    panel.reference.setText(ref)
    qtbot.keyClick(panel.reference, Qt.Key.Key_Return)  # Enter on the reference adds the tender


def test_wechat_and_alipay_and_cash(qtbot):
    pay, got = _pay(qtbot)
    panel = pay.tender_panel
    assert pay.total.text() == "23.70" and pay.due.text() == "23.70"  # 合计应收 = 11.20 + 12.50
    assert pay.total.font().pixelSize() >= 48
    _add(qtbot, pay, 1, "10", WX)
    assert [(t.kind.value, t.amount) for t in panel.entries] == [("wechat", Decimal("10.00"))]
    assert panel.kind.currentData() == "" and panel.amount.text() == ""  # the row is free for the next one
    assert "4200****555566" in panel.entry_list.text() and WX not in panel.entry_list.text()  # masked
    _add(qtbot, pay, 2, "5", ALI)
    assert pay.due.text() == "8.70" and "其他付款 15.00" in pay.parts.text()
    pay.cash.setText("10")
    assert pay.change.text() == "1.30"
    pay._confirm()
    assert got == [(Decimal("0.00"), Decimal("10.00"))]
    assert [(t.kind.value, t.amount, t.reference) for t in panel.tenders(Decimal("10.00"))] == [
        ("wechat", Decimal("10.00"), WX), ("alipay", Decimal("5.00"), ALI), ("cash", Decimal("10.00"), "")]
    panel.remove_last()
    assert pay.due.text() == "13.70" and len(panel.entries) == 1


def test_a_tender_total_that_does_not_match_is_refused_on_screen(qtbot):
    pay, got = _pay(qtbot)
    _add(qtbot, pay, 1, "20", WX)
    _add(qtbot, pay, 1, "5", ALI[:-1] + "9")  # WeChat 20 + WeChat 5 = 25 > 23.70: only cash gives change
    assert pay.change.text() == "-"
    pay._confirm()
    assert got == [] and "只有现金可以找零" in pay.message.text()
    pay.tender_panel.remove_last()  # corrected: the refusal goes with the mismatch
    assert pay.message.text() == "" and pay.due.text() == "3.70"
    pay.cash.setText("3")
    pay._confirm()
    assert got == [] and "现金不足：应收 3.70，实收 3.00" in pay.message.text()


def test_a_tender_without_its_reference_is_not_added(qtbot):
    pay, got = _pay(qtbot)
    _add(qtbot, pay, 1, "10", "12")
    assert pay.tender_panel.entries == [] and "支付凭证号" in pay.message.text()
    _add(qtbot, pay, 0, "10", WX)
    _add(qtbot, pay, 1, "3", WX)  # the same slip twice
    assert len(pay.tender_panel.entries) == 1 and "重复" in pay.message.text()
    pay.tender_panel.kind.setCurrentIndex(0)
    pay.tender_panel.next_kind()
    pay.tender_panel.amount.setText("5")  # a row being typed, no reference: refused at confirmation
    pay._confirm()
    assert got == [] and "支付凭证号" in pay.message.text()
