"""#21, a pharmacist's day at the desk: what a day of use found, each on a desk with no centre (fast): the last
patient left on screen, held sales (挂单) that did not reserve their boxes and a Z that closed over them,
returns without the money or a confirmation, messages that outlived their truth, focus and keys, settings
that refused the supervisor they asked for, a small amount to collect."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.domain import Person
from core.services.desk.rules import Held
from core.services.pharmacy_sale import check_scan
from core.services.ports import PatientCard, RxSummary
from desktop.qt import Qt, QtWidgets
from tests.core.services.test_desk_rules import record
from tests.core.services.test_pharmacy_sale import code, sale
from tests.ui.pharmacy.fixtures import approve, close_desks, idle, login, make_desk, press

pytestmark = pytest.mark.ui


@pytest.fixture
def local(tmp_path):
    d = make_desk(tmp_path, None, None)
    yield d
    close_desks()


@pytest.fixture
def win(qtbot, local):
    from desktop.pharmacy.window import PharmacyWindow

    w = PharmacyWindow(local.desk, local.auth, local.shifts, local.config, status_interval_ms=60000)
    qtbot.addWidget(w)
    yield w
    w.status_timer.stop()
    w.runner.wait()


def card(name: str, no: str) -> PatientCard:
    person = Person(no, name, "1", dt.date(1957, 3, 12), "390", id_number="420704195703121015")
    return PatientCard(person, "4207**********1015", "390", "active", (), (), (), (), False, "02", "x")


def started(qtbot, win, local, user="li", shift=True):
    if shift:
        local.shifts.open(local.auth.login("li", pin="2468"), Decimal("200"))
    win.start()
    qtbot.waitExposed(win)
    login(qtbot, win, user)
    idle(qtbot, win)
    return win


def focused():
    QtWidgets.QApplication.processEvents()
    return QtWidgets.QApplication.focusWidget()


def test_after_login_the_keys_go_to_the_float_and_each_screen_has_its_field(qtbot, win, local):
    started(qtbot, win, local, shift=False)
    assert win.page() == "shift"
    assert focused() is win.shift.float_edit  # the first keystrokes after login open the shift
    qtbot.keyClicks(focused(), "200")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.state.shift is not None and win.page() == "identify"
    assert focused() is win.identify.box
    for key, page, field in ((Qt.Key.Key_F3, "returns", win.returns.box), (Qt.Key.Key_F4, "shift", win.shift.count_edit)):
        press(qtbot, win, key)
        idle(qtbot, win)
        assert win.page() == page and focused() is field, (page, focused())


def test_each_screen_has_one_action_per_key_and_f1_lists_them(qtbot, win, local):
    started(qtbot, win, local)
    for page, keys in win.keymap().items():
        assert len(keys) == len(set(keys)), page
    press(qtbot, win, Qt.Key.Key_F4)
    idle(qtbot, win)
    press(qtbot, win, Qt.Key.Key_F1)
    shown = win.keys_shown.splitlines()
    assert "F6 X 报表" in shown and not any(k.startswith("F12") or k.startswith("F9") for k in shown), shown
    assert len({s.split()[0] for s in shown}) == len(shown)
    assert "F6 X 报表" in win.status_line.keys_label.text() and "F12" not in win.status_line.keys_label.text()
    press(qtbot, win, Qt.Key.Key_F6)  # the X report has a key
    idle(qtbot, win)
    assert "X" in win.shift.report.toPlainText()


def test_settings_ask_for_a_supervisor_and_accept_one(qtbot, win, local):
    started(qtbot, win, local, user="li")  # a pharmacist
    press(qtbot, win, Qt.Key.Key_F10)
    assert "主管" in win.dialog.windowTitle()
    approve(qtbot, win, "zhang")  # a supervisor, not the admin
    assert win.page() == "settings"


def test_the_header_shows_the_patient_only_where_the_patient_is_served(qtbot, win, local):
    started(qtbot, win, local)
    win.state.card = card("赵某", "T0002")
    for page, shown in (("rx", True), ("identify", False), ("returns", False), ("shift", False), ("sale", True)):
        win.go(page)
        assert ("赵某" in win.banner.text()) is shown, (page, win.banner.text())


def test_a_new_customer_and_a_recalled_sale_leave_nothing_of_the_last_one(qtbot, win, local):
    started(qtbot, win, local)
    zhao = card("赵某", "T0002")
    qian_rx = RxSummary("RX-QIAN", "11111111", "H1", "2026-12-07", "2026-12-10", "uploaded", "T0011")
    zhao_rx = RxSummary("RX-ZHAO", "22222222", "H1", "2026-12-07", "2026-12-10", "uploaded", "T0002")
    # 钱某 is being served (her prescriptions listed); 赵某's sale was put aside earlier with his own list
    win.state.card, win.state.rxs = card("钱某", "T0011"), [qian_rx]
    win._render_all()
    win.state.held.append(Held(1, zhao, sale(), (zhao_rx,)))
    win.go("identify")
    press(qtbot, win, Qt.Key.Key_F9)  # recall 赵某's sale
    assert win.page() == "sale" and win.state.card is zhao
    press(qtbot, win, Qt.Key.Key_Escape)  # back to his prescriptions: his, not 钱某's
    assert win.page() == "rx"
    listed = [win.rx.list.item(i).text() for i in range(win.rx.list.count())]
    assert len(listed) == 1 and "RX-ZHAO" in listed[0], listed
    win.state.sale = None
    press(qtbot, win, Qt.Key.Key_F2)  # the next customer: nothing of 赵某 anywhere
    assert win.state.card is None and win.rx.list.count() == 0 and win.sale_screen.table.rowCount() == 0
    assert "赵某" not in win.banner.text() and win.returns.record is None
    win.state.card = zhao
    win.go("done")
    press(qtbot, win, Qt.Key.Key_Escape)  # Esc after the receipt: the next customer too
    assert win.page() == "identify" and win.state.card is None


def test_a_box_in_a_held_sale_is_refused_to_another_sale(qtbot, win, local):
    started(qtbot, win, local)
    box = code("8100011", 1)
    held = sale()
    held = held.with_code(1, box, "warn", None)
    win.state.held.append(Held(2, card("赵某", "T0002"), held))
    other = sale()
    object.__setattr__(other, "sale_id", "s2")
    win.state.sale = other
    win.sale_screen.show_sale(other)
    check = check_scan(other, box)
    assert check.accepted  # the desk's check alone knows nothing of the held sale …
    win._scan_checked(check, 0.0)
    assert box not in win.state.sale.all_codes  # … the desk refuses it
    assert "此盒在挂单 2 中" in win.sale_screen.message.text() and "赵某" not in win.sale_screen.message.text()


def test_z_waits_for_held_sales_or_a_supervisor_releasing_them(qtbot, win, local):
    started(qtbot, win, local)
    win.state.held.append(Held(1, card("赵某", "T0002"), sale()))
    press(qtbot, win, Qt.Key.Key_F4)
    idle(qtbot, win)
    qtbot.keyClicks(win.shift.count_edit, "200.00")
    qtbot.keyClick(win.shift.count_edit, Qt.Key.Key_Return)
    assert "挂单" in win.shift.message.text() and win.dialog is not None
    assert local.shifts.current() is not None  # nothing closed yet
    approve(qtbot, win, "zhang")
    idle(qtbot, win)
    assert win.state.held == [] and local.shifts.current() is None
    assert win.state.last_z.kind == "Z"


def test_returns_tick_lines_show_the_money_and_ask_before_doing_it(qtbot):
    from desktop.pharmacy.screens import ReturnScreen

    screen = ReturnScreen()
    qtbot.addWidget(screen)
    asked = []
    screen.return_requested.connect(lambda lines, goods: asked.append(lines if goods is None else (lines, goods)))
    r = record()
    screen.show_record(r, [2])  # found by line 2's box: only that line ticked
    assert screen.chosen() == [2]
    assert "现金 14.00 元" in screen.refund.text() and "保留的 1 行（28.00 元）" in screen.refund.text()
    screen._go()
    assert asked == [] and "再按 F12" in screen.message.text()  # the first F12 asks
    assert screen.disarm() and screen.armed is None  # Esc cancels
    screen._go()
    screen.lines.item(0).setCheckState(Qt.CheckState.Checked)  # ticking another line withdraws the question
    assert screen.armed is None and "保留" not in screen.refund.text()
    screen._go()
    screen._go()
    assert asked == [[1, 2]]


def test_cash_short_is_said_while_true_and_the_amount_due_is_large(qtbot):
    from desktop.pharmacy.screens import PayScreen
    from desktop.pharmacy.screens.pay import amount_pixels

    pay = PayScreen()
    qtbot.addWidget(pay)
    pay.show_amounts(Decimal("52.00"), Decimal("33.00"), Decimal("19.00"), Decimal("0.00"))
    pay.cash.setText("10")
    pay._confirm()
    assert "现金不足" in pay.message.text()
    pay.cash.setText("20")
    assert pay.message.text() == ""  # corrected: the message goes with the shortage
    assert pay.due.font().pixelSize() >= 48
    assert amount_pixels(768) == 48 and amount_pixels(1080) == 60
    pay.cash.setText("81000110000000000001")  # a box's code scanned into the cash field is no amount
    assert pay.change.text() == "-"


def test_short_columns_grow_instead_of_wrapping_one_character_a_line(qtbot):
    from desktop.pharmacy.screens import SaleScreen

    screen = SaleScreen()
    qtbot.addWidget(screen)
    screen.resize(1366, 700)
    s = sale()
    screen.show_sale(s)
    for changed, col in ((s.with_split(1, 14), 3), (s.with_uncoded(2, "B2024"), 6)):
        screen.show_sale(changed)  # one row changed: no full re-measure
        row = 0 if col == 3 else 1
        item = screen.table.item(row, col)
        assert item.text() in ("14片 (拆零)", "无码库"), item.text()
        need = screen.table.fontMetrics().horizontalAdvance(item.text())
        assert screen.table.columnWidth(col) >= need, (item.text(), screen.table.columnWidth(col), need)


def test_a_key_added_by_the_shell_is_listed_and_cannot_take_a_screens_key(qtbot, win, local):
    started(qtbot, win, local)
    opened = []
    win.add_key("Ctrl+K", lambda: opened.append(1), "进销存")
    win.rebuild()  # a language or font change keeps it
    press(qtbot, win, Qt.Key.Key_F1)
    assert "Ctrl+K 进销存" in win.keys_shown.splitlines()
    press(qtbot, win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert opened == [1]
    with pytest.raises(ValueError):
        win.add_key("F6", lambda: None, "别的", pages=("shift",))


def test_spin_boxes_are_never_squeezed_below_their_text(qtbot):
    from desktop.pharmacy.drug_search import DrugSearchDialog
    from desktop.pharmacy.screens import SaleScreen, SettingsScreen

    sale_screen, settings, search = SaleScreen(), SettingsScreen(), DrugSearchDialog(28)
    for w in (sale_screen, settings, search):
        qtbot.addWidget(w)
    for spin in (sale_screen.split_box, settings.size, search.days):
        assert spin.minimumWidth() >= spin.sizeHint().width() > 0, spin.objectName()


def test_printer_complaints_reach_the_pharmacist_in_chinese():
    from desktop.pharmacy.print_flow import chinese_part

    assert chinese_part("小票打印机设置有误：端口不存在 / receipt printer settings: no such port") == "小票打印机设置有误：端口不存在"
    assert chinese_part("interrupted (程序中断)") == "程序中断"
    assert chinese_part("[Errno 2] No such file or directory: '/dev/usb/lp0'") == "打印机无响应或未连接"


def test_the_keys_hint_never_widens_the_window_past_the_screen(qtbot, win, local):
    started(qtbot, win, local)
    win.resize(1366, 768)
    win.state.card = card("赵某", "T0002")
    win.state.sale = sale()
    win.sale_screen.show_sale(win.state.sale)
    win.go("sale")
    QtWidgets.QApplication.processEvents()
    hint = win.status_line.keys_label.text()
    assert hint.startswith("F1 快捷键") and "F6 拆零" in hint and "F10" not in hint  # F1 lists the rest
    assert "Ctrl+" not in hint and "Ctrl+T" in win.keys_text()  # combinations: F1 lists them
    assert win.width() <= 1366 and win.minimumSizeHint().width() <= 1366, win.minimumSizeHint()
    assert win.status_line.keys_label.width() >= win.status_line.keys_label.sizeHint().width()  # shown whole
    win.status_line.show_keys("F1 快捷键 · " + "Ctrl+K 进销存 · " * 60)  # whatever keys a shell adds
    QtWidgets.QApplication.processEvents()
    assert win.minimumSizeHint().width() <= 1366, win.minimumSizeHint()
