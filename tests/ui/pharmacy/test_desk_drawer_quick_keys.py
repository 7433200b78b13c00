"""The cash drawer and the quick keys on the real desk window against the real centre (issue 17, items 5 and 6).

Drawer: a cash sale sends ESC p (the site's pin) to the simulated receipt printer as a job of its own, before the
receipt; a reprint and a non-cash sale send none; a drawer that fails leaves the sale settled and the receipt
printed, with the reason on the status line; F11 opens it for a supervisor (logged). Quick keys: "N*" sets the
selected line's quantity within the prescription, refuses 0 / too big; Ctrl+D on an insured line is refused
without calling a supervisor; on the pay step "N*" then a good's barcode, an amount then Ctrl+D (a supervisor)
discounts it, never above its price; Ctrl+F8 on the prescriptions screen repeats the patient's last sale without codes."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from desktop.qt import Qt
from hardware.printing.queue import PrintQueue
from hardware.printing.transports import SimulatedPrinter
from hardware.settings import PrinterSettings
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import P01_CERTNO, approve, d01, idle, press, type_in
from tests.ui.pharmacy.test_desk_printing_and_search import settle, start_sale

pytestmark = pytest.mark.ui

KICK_PIN5 = b"\x1b\x40\x1c\x26" + b"\x1b\x70\x01\x19\xfa"  # ESC @, FS & (Chinese mode), ESC p 1 25 250: pin 5


@pytest.fixture
def drawer_desk(qtbot, desk, tmp_path):
    from desktop.common.receipt_printing import ReceiptPrinting
    from desktop.pharmacy.window import PharmacyWindow

    settings = PrinterSettings(kind="simulator", paper_mm=80, drawer=True, drawer_pin=1)
    printer = SimulatedPrinter(settings, folder=tmp_path / "printer")
    queue = PrintQueue({"receipt": printer}, tmp_path / "print-queue.json")
    printing = ReceiptPrinting(desk.config.receipts_folder(), queue)
    win = PharmacyWindow(desk.desk, desk.auth, desk.shifts, desk.config, status_interval_ms=60000, printing=printing)
    qtbot.addWidget(win)
    yield win, printer, queue
    win.stop()
    queue.stop()


def key(qtbot, widget, text_: str) -> None:
    """Typed keys into a focused box, as the keyboard sends them ("*" included)."""
    widget.setFocus()
    qtbot.keyClicks(widget, text_)


def test_a_cash_sale_opens_the_drawer_first_and_a_reprint_does_not(qtbot, drawer_desk, desk, centre):
    win, printer, queue = drawer_desk
    start_sale(qtbot, win, desk, centre, [d01(1, 28)])
    settle(qtbot, win, trace_codes("8100011", 1)[0])
    qtbot.waitUntil(lambda: win.done.printer.text() == "小票已打印" and len(printer.printed) == 2, timeout=10000)
    kick, receipt = printer.printed
    assert kick.with_suffix(".bin").read_bytes() == KICK_PIN5  # exactly the pulse, nothing else
    assert b"\x1bp" not in receipt.with_suffix(".bin").read_bytes()  # the receipt job kicks nothing
    assert win.status_line.notice_label.text() == ""
    press(qtbot, win, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # a copy moves no money
    approve(qtbot, win, "zhang")
    qtbot.waitUntil(lambda: len(printer.printed) == 3 and win.done.printer.text() == "小票已打印", timeout=10000)
    assert b"\x1bp" not in printer.printed[-1].with_suffix(".bin").read_bytes()


@pytest.mark.allow_warnings  # the queue and the desk log the failed kick
def test_a_drawer_that_fails_never_blocks_the_sale(qtbot, drawer_desk, desk, centre):
    win, printer, queue = drawer_desk
    printer.fail_next = 1  # the kick goes first and fails; the receipt after it prints
    start_sale(qtbot, win, desk, centre, [d01(1, 28)])
    settle(qtbot, win, trace_codes("8100011", 1)[0])
    qtbot.waitUntil(lambda: "钱箱未能打开" in win.status_line.notice_label.text(), timeout=10000)
    assert "模拟缺纸" in win.status_line.notice_label.text() and "钥匙" in win.status_line.notice_label.text()
    qtbot.waitUntil(lambda: win.done.printer.text() == "小票已打印", timeout=10000)
    assert "结算成功" in win.done.message.text()
    assert desk.desk.find_sale(win.state.record.receipt_no).status == "settled"
    assert queue.jobs(("failed",)) == []  # dropped, never retried later with nobody paying
    (receipt,) = printer.printed
    assert b"\x1bp" not in receipt.with_suffix(".bin").read_bytes()


def test_no_drawer_for_a_non_cash_sale_and_f11_for_a_supervisor(qtbot, drawer_desk, desk, centre):
    from tests.ui.pharmacy.test_receipt_printing import record

    win, printer, queue = drawer_desk
    start_sale(qtbot, win, desk, centre, [d01(1, 28)])
    wechat = dataclasses.replace(record(), cash_pay=Decimal("0.00"), change=Decimal("0.00"), tenders=(
        {"kind": "wechat", "name": "微信支付", "kept": "22.99", "tendered": "0.00", "change": "0.00",
         "reference": "WX20261125001"},))
    win._print(wechat, 0)
    assert queue.wait_idle(10)
    (only,) = printer.printed
    assert b"\x1bp" not in only.with_suffix(".bin").read_bytes()
    win.go("identify")
    press(qtbot, win, Qt.Key.Key_F11)  # li is a pharmacist: a supervisor approves
    approve(qtbot, win, "zhang")
    qtbot.waitUntil(lambda: len(printer.printed) == 2, timeout=10000)
    assert printer.printed[-1].with_suffix(".bin").read_bytes() == KICK_PIN5
    qtbot.waitUntil(lambda: any(e["kind"] == "drawer.open" for e in desk.auth.events()), timeout=5000)
    (event,) = [e for e in desk.auth.events() if e["kind"] == "drawer.open"]
    assert event["approver_id"] == "zhang"


def test_quantity_star_and_a_refused_discount_on_the_sale_screen(qtbot, drawer_desk, desk, centre):
    win, printer, queue = drawer_desk
    start_sale(qtbot, win, desk, centre, [d01(2, 56)])
    box = win.sale_screen.scan
    for typed, why in (("0", "不能为 0"), ("100", "过大"), ("3", "处方开 2 盒")):
        key(qtbot, box, typed + "*")
        assert why in win.sale_screen.message.text(), (typed, win.sale_screen.message.text())
        assert win.state.sale.lines[0].qty == 2  # nothing changed
        box.clear()
    key(qtbot, box, "1*")
    assert win.state.sale.lines[0].qty == 1 and box.text() == "" and "数量改为 1" in win.sale_screen.message.text()
    idle(qtbot, win)
    key(qtbot, box, "5")
    press(qtbot, win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert win.dialog is None or not win.dialog.isVisible()  # refused before any supervisor is asked
    assert "医保药品" in win.sale_screen.message.text() and "不能打折" in win.sale_screen.message.text()
    press(qtbot, win, Qt.Key.Key_F1)
    shown = win.keys_shown.splitlines()
    for k in ("* 数量（先输数字）", "Ctrl+D 折扣（先输金额，主管）", "Ctrl+F8 重复上次购药"):
        assert k in shown, shown
    assert len({s.split()[0] for s in shown}) == len(shown)


def test_goods_quantity_and_a_supervisors_discount_on_the_pay_step(qtbot, drawer_desk, desk, centre):
    win, printer, queue = drawer_desk
    desk.desk.quick_add_goods("6901234567892", "医用口罩", "12.50", approver="zhang")
    start_sale(qtbot, win, desk, centre, [d01(1, 28)])
    type_in(qtbot, win.sale_screen.scan, trace_codes("8100011", 1)[0])
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre", timeout=15000)
    press(qtbot, win, Qt.Key.Key_F12)
    assert win.page() == "pay"
    goods = win.pay.tender_panel.goods_edit
    key(qtbot, goods, "3*")
    assert "×3" in win.pay.message.text()
    type_in(qtbot, goods, "6901234567892")
    idle(qtbot, win)
    assert [(g.good.name, g.qty) for g in win.state.sale.goods] == [("医用口罩", 3)]
    key(qtbot, goods, "40")  # more than 3 x 12.50: refused, no supervisor asked
    press(qtbot, win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert "超过" in win.pay.message.text() and win.state.sale.goods[0].discount == 0
    assert win.dialog is None or not win.dialog.isVisible()
    goods.clear()
    key(qtbot, goods, "2.50")
    press(qtbot, win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    approve(qtbot, win, "zhang")  # li is a pharmacist
    assert win.state.sale.goods[0].discount == Decimal("2.50") and win.state.sale.goods[0].amount == Decimal("35.00")
    assert "35.00" in win.pay.tender_panel.goods_list.text()
    qtbot.waitUntil(lambda: any(e["kind"] == "discount" for e in desk.auth.events()), timeout=5000)
    key(qtbot, goods, "4*")  # a quantity typed, then the pay step left: it does not wait for a later good
    press(qtbot, win, Qt.Key.Key_Escape)
    assert win.page() == "sale" and win.take_pending_qty() == 1


def test_repeat_the_patients_last_sale_without_its_codes(qtbot, drawer_desk, desk, centre):
    win, printer, queue = drawer_desk
    start_sale(qtbot, win, desk, centre, [d01(1, 28)])
    press(qtbot, win, Qt.Key.Key_Escape)
    press(qtbot, win, Qt.Key.Key_F8, Qt.KeyboardModifier.ControlModifier)  # no sale of this patient here yet
    idle(qtbot, win)
    assert "没有已结算的购药记录" in win.rx.message.text()
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    settle(qtbot, win, trace_codes("8100011", 1)[0])
    last = win.state.record
    press(qtbot, win, Qt.Key.Key_Escape)  # the next customer: the same patient again
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    assert win.page() == "rx"
    press(qtbot, win, Qt.Key.Key_F8, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, win)
    assert win.page() == "sale"
    (line,) = win.state.sale.lines
    assert line.drug.key == last.lines[0]["drug_key"] and line.qty == last.lines[0]["qty"] and line.codes == ()
    assert win.state.sale.sale_id != last.sale_id
    assert "须重新逐盒扫描追溯码" in win.sale_screen.message.text()
