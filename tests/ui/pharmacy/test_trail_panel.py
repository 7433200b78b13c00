"""The 审方 → 调配 → 核对 → 发药 panel against a real centre over HTTP (issue 19): each step signed with a user's PIN,
the reviewer seeing the verdict, the check by scanning every box again, strict mode refusing the dispenser as
checker; a screenshot after each step (tests/ui/screenshots/pharmacy_trail_*.png)."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from core.services.pharmacy_sale import apply_check
from core.services.ports import Payment
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import P01_CERTNO, _data_key, _templates, centre, d01, desk, shot  # noqa: F401

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def test_each_step_signed_shown_and_photographed(qtbot, centre, desk):  # noqa: F811 - fixtures
    from desktop.pharmacy.screens.trail import TrailPanel

    d = desk.desk
    d.trail_mode, d.trail_check, d.trail_required = "strict", "scan", True
    d.set_operator(desk.auth.login("zhang", pin="135790"))
    shift = desk.shifts.open(d.operator, Decimal("100"))
    d.set_licence("li", "YS4207001")
    d.set_licence("zhang", "YS4207009")
    rx = centre.upload_rx("T0001", [d01(2, 56)])  # the doctor acknowledged QTY-002: the reviewer sees a WARN
    card = d.identify(P01_CERTNO)
    sale = d.open_sale(card, rx["hi_rxno"])
    codes = []
    for line in sale.lines:
        for _ in range(line.codes_wanted):
            codes.append(trace_codes("8100011", 1)[0])
            sale = apply_check(sale, d.check_scan(sale, codes[-1]))
    view = d.pre_settle(sale, card)
    d.trail_start(sale, view)
    panel = TrailPanel(d, desk.auth, sale)
    qtbot.addWidget(panel)
    panel.resize(900, 620)
    panel.show()
    assert panel.verdict.text().startswith("审核结果：" + view.verdict)

    def sign(user: str, pin: str) -> None:
        panel.user.setText(user)
        panel.pin.setText(pin)
        panel.sign.click()

    sign("li", "2468")
    assert panel.steps.item(0, 0).text() == "李药师" and panel.steps.item(0, 1).text() == "YS4207001"
    shot(panel, "trail_review")
    sign("wang", "1111")
    assert panel.steps.item(1, 0).text() == "王营业员" and panel.scan.isVisibleTo(panel)
    shot(panel, "trail_dispense")
    panel.scan.setText(codes[0])
    panel.scan.returnPressed.emit()
    assert panel.progress.text().endswith(f"1/{len(codes)}")
    sign("zhang", "135790")
    assert "未核对" in panel.message.text()  # a box not scanned again yet
    for code in codes[1:]:
        panel.scan.setText(code)
        panel.scan.returnPressed.emit()
    sign("wang", "1111")  # strict: the dispenser cannot check
    assert "核对人不能是调配人" in panel.message.text()
    sign("zhang", "135790")
    assert panel.steps.item(2, 0).text() == "张主管" and not panel.sign.isEnabled()  # 发药 after payment
    shot(panel, "trail_check")
    sale = dataclasses.replace(sale, acks=frozenset((h.rule, h.line) for h in view.warns()))  # the reviewer's
    record = d.settle(sale, card, Payment(cash_tendered=Decimal("100")), shift)
    panel.receipt_no = record.receipt_no
    panel.refresh()
    sign("wang", "1111")
    assert panel.steps.item(3, 3).text() == "与调配同一人"
    shot(panel, "trail_hand_out")
    assert d.trail_of(record.receipt_no).done
