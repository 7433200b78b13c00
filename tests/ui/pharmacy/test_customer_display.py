"""The customer display (desktop.pharmacy.customer_display) as a second window: it draws what the desk publishes on
the event bus — the insurance-code prompt at identification, amount due, paid and change at the pay step and after
— at a customer screen's 1024x600, with no polling (the test drives it only by publishing and by the desk)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.events import EventBus
from core.services.desk import display
from desktop.pharmacy.customer_display import CustomerDisplay, place
from desktop.qt import Qt
from tests import screenshots
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import d01, idle, press, type_in
from tests.ui.pharmacy.test_desk_printing_and_search import start_sale

pytestmark = pytest.mark.ui


def texts(d: CustomerDisplay) -> tuple[str, str, str, str]:
    return (d.prompt.text(), d.amounts["due"].text(), d.amounts["paid"].text(), d.amounts["change"].text())


def test_the_display_draws_what_the_bus_carries_at_1024x600(qtbot):
    bus = EventBus()
    d = CustomerDisplay(bus, shop="康济大药房(慢特病定点,测试)")
    qtbot.addWidget(d)
    assert place(d, "window")
    assert (d.width(), d.height()) == (1024, 600)
    display.publish(bus, display.identify())
    assert texts(d) == ("请出示医保码", "", "", "") and d.prompt_en.text() == "Please show your medical-insurance code"
    screenshots.check(d, "pharmacy_customer_display_identify")
    display.publish(bus, display.paying(Decimal("47.99"), Decimal("100.00"), Decimal("52.01")))
    assert texts(d) == ("请收好找零", "¥ 47.99", "¥ 100.00", "¥ 52.01")
    assert all(d.captions[k].isVisible() for k in ("due", "paid", "change"))
    screenshots.check(d, "pharmacy_customer_display_change")


@pytest.mark.allow_warnings  # the missing screen is logged
def test_a_missing_second_screen_leaves_the_display_hidden(qtbot):
    d = CustomerDisplay(EventBus())
    qtbot.addWidget(d)
    assert not place(d, "screen", screen=5) and not d.isVisible()


def test_the_desk_drives_the_display_through_a_cash_sale(qtbot, window, desk, centre):
    d = CustomerDisplay(window.display_bus, shop=desk.config.institution_name)
    qtbot.addWidget(d)
    place(d, "window")
    start_sale(qtbot, window, desk, centre, [d01(1, 28)])
    type_in(qtbot, window.sale_screen.scan, trace_codes("8100011", 1)[0])
    idle(qtbot, window)
    qtbot.waitUntil(lambda: window.state.view is not None and window.state.view.source == "centre", timeout=15000)
    personal = window.state.view.figures.personal
    assert d.amounts["due"].text() == f"¥ {personal}" and d.prompt.text() == "请核对药品与应付金额"
    press(qtbot, window, Qt.Key.Key_F12)
    assert window.page() == "pay" and d.prompt.text() == "请付款"
    window.pay.cash.setFocus()
    qtbot.keyClicks(window.pay.cash, "50")  # as the cashier types: paid and change follow
    change = Decimal("50.00") - personal
    assert texts(d) == ("请收好找零", f"¥ {personal}", "¥ 50.00", f"¥ {change}")
    qtbot.keyClick(window.pay.cash, Qt.Key.Key_Return)
    idle(qtbot, window)
    assert window.page() == "done"
    assert d.prompt.text() == "谢谢惠顾，祝您早日康复" and d.amounts["change"].text() == f"¥ {change}"
    press(qtbot, window, Qt.Key.Key_Escape)  # the next customer
    assert d.prompt.text() == "请出示医保码" and d.amounts["due"].text() == ""
