"""The dispensing desk's receipt printer and drug search, on the real window against the real centre.

Printing: the settlement's receipt goes to the PDF and, through hardware's print queue, to a simulated ESC/POS
printer; the bytes are decoded back as a printer reads them (codes, amounts, settlement id); a reprint is a
copy on paper; an out-of-paper printer leaves the sale settled, a message on the done screen and the job
queued, and Ctrl+R prints it. Drug search: Ctrl+F, type, arrows, Enter adds the drug as a new line that the
audit then judges (a health product in an insurance sale is blocked); Del takes it off again; Esc leaves the
sale as it was; a scan while searching is searched for."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from desktop.qt import Qt
from hardware.printing.escpos_read import read_escpos
from hardware.printing.queue import PrintQueue
from hardware.printing.transports import SimulatedPrinter
from hardware.settings import PrinterSettings
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import P01_CERTNO, approve, d01, idle, login, press, shot, type_in

pytestmark = pytest.mark.ui


@pytest.fixture
def desk_with_printer(qtbot, desk, tmp_path):
    """The desk's window with a receipt printer: hardware's SimulatedPrinter (encodes ESC/POS, reads it back)
    behind a PrintQueue, as DeviceHub / ReceiptPrinting.from_settings set it up for a configured printer."""
    from desktop.common.receipt_printing import ReceiptPrinting
    from desktop.pharmacy.window import PharmacyWindow

    printer = SimulatedPrinter(PrinterSettings(kind="simulator", paper_mm=80), folder=tmp_path / "printer")
    queue = PrintQueue({"receipt": printer}, tmp_path / "print-queue.json")
    printing = ReceiptPrinting(desk.config.receipts_folder(), queue)
    win = PharmacyWindow(desk.desk, desk.auth, desk.shifts, desk.config, status_interval_ms=60000, printing=printing)
    qtbot.addWidget(win)
    yield win, printer, queue
    win.stop()
    queue.stop()


def start_sale(qtbot, win, desk, centre, lines) -> None:
    desk.shifts.open(desk.auth.login("li", pin="2468"), Decimal("100"))
    centre.upload_rx("T0001", lines)
    win.start()
    login(qtbot, win)
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    assert win.page() == "rx", win.identify.message.text()
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.page() == "sale", win.rx.message.text()


def settle(qtbot, win, code: str) -> None:
    type_in(qtbot, win.sale_screen.scan, code)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre", timeout=15000)
    assert win.state.view.verdict == "PASS", win.state.view
    press(qtbot, win, Qt.Key.Key_F12)
    assert win.page() == "pay"
    type_in(qtbot, win.pay.cash, "50")
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()


def on_paper(stem) -> str:
    """What the printer made of the job's bytes (decoded here from the .bin, not taken from the simulator)."""
    data = stem.with_suffix(".bin").read_bytes()
    back = read_escpos(data, columns=48, encoding="gb18030")
    assert back.unknown == [] and back.chinese_mode
    text = "\n".join(back.document.text_lines())
    assert text.strip() == stem.with_suffix(".txt").read_text(encoding="utf-8").strip()
    return text


def test_the_receipt_goes_to_the_printer_and_a_reprint_is_a_copy(qtbot, desk_with_printer, desk, centre):
    win, printer, queue = desk_with_printer
    start_sale(qtbot, win, desk, centre, [d01(1, 28)])
    code = trace_codes("8100011", 1)[0]
    settle(qtbot, win, code)
    qtbot.waitUntil(lambda: win.done.printer.text() == "小票已打印", timeout=10000)
    record = win.state.record
    (stem,) = printer.printed
    text = on_paper(stem)
    for needle in (code, record.setl_id, record.receipt_no, str(record.total), str(record.fund), str(record.personal),
                   str(record.change), "苯磺酸氨氯地平片", "医疗费总额", "统筹基金支付", "找零", "追溯码"):
        assert needle in text, (needle, text)
    assert f"[QR: {record.setl_id}]" in text and "COPY" not in text and "副本" not in text
    assert win.state.receipt_path.endswith(f"{record.receipt_no}.pdf")  # and the PDF, as always
    shot(win, "receipt_printed")

    # reprint (a supervisor approves): a copy on paper too
    press(qtbot, win, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    approve(qtbot, win, "zhang")
    qtbot.waitUntil(lambda: len(printer.printed) == 2 and win.done.printer.text() == "小票已打印", timeout=10000)
    copy = on_paper(printer.printed[-1])
    assert "** 重打 COPY **" in copy and "（副本 COPY）" in copy and "重打副本 第 1 次" in copy
    assert code in copy and record.setl_id in copy
    assert win.state.receipt_path.endswith("-copy1.pdf")

    # a return's receipt goes the same way; the return screen says what the printer did
    press(qtbot, win, Qt.Key.Key_F3)
    type_in(qtbot, win.returns.box, record.receipt_no)
    idle(qtbot, win)
    press(qtbot, win, Qt.Key.Key_F12)  # the first F12 shows what goes back and asks for confirmation
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    qtbot.waitUntil(lambda: len(printer.printed) == 3 and win.returns.printer.text() == "小票已打印", timeout=10000)
    back = on_paper(printer.printed[-1])
    assert "退货小票" in back and f"-{record.total}" in back and code in back


@pytest.mark.allow_warnings  # the print queue logs the failed job
def test_a_failing_printer_never_blocks_the_sale_and_keeps_the_job(qtbot, desk_with_printer, desk, centre, tmp_path):
    win, printer, queue = desk_with_printer
    printer.fail_next = 1  # out of paper
    start_sale(qtbot, win, desk, centre, [d01(1, 28)])
    code = trace_codes("8100011", 1)[0]
    settle(qtbot, win, code)
    record = win.state.record
    qtbot.waitUntil(lambda: "小票打印失败" in win.done.printer.text(), timeout=10000)
    msg = win.done.printer.text()
    assert "模拟缺纸" in msg and "Ctrl+R" in msg and "PDF" in msg
    assert "结算成功" in win.done.message.text() and desk.desk.find_sale(record.receipt_no).status == "settled"
    assert printer.printed == []
    (job,) = queue.jobs(("failed",))
    assert job.settlement_id == record.setl_id
    saved = json.loads((tmp_path / "print-queue.json").read_text(encoding="utf-8"))
    assert [j["state"] for j in saved["jobs"]] == ["failed"]  # persisted: a restart still has it
    shot(win, "receipt_printer_failed")
    # paper in, Ctrl+R: the same job prints (not a copy: nothing reached the paper)
    press(qtbot, win, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.done.printer.text() == "小票已打印", timeout=10000)
    assert queue.job(job.id).state == "done"
    text = on_paper(printer.printed[-1])
    assert code in text and record.setl_id in text and "COPY" not in text


def results(dlg) -> list[list[str]]:
    t = dlg.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def search(qtbot, win, dlg, text: str) -> list[list[str]]:
    dlg.box.clear()
    qtbot.keyClicks(dlg.box, text)
    qtbot.waitUntil(lambda: dlg.query == text and win.runner.busy == 0, timeout=10000)
    return results(dlg)


def test_drug_search_adds_a_line_that_the_audit_judges(qtbot, desk_with_printer, desk, centre):
    win, _printer, _queue = desk_with_printer
    shown: list[float] = []
    win.drugs_shown.connect(shown.append)
    start_sale(qtbot, win, desk, centre, [d01(1, 28)])
    idle(qtbot, win)
    before = win.state.sale

    # Esc: nothing changes
    press(qtbot, win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dlg = win.drug_search
    assert dlg is not None and dlg.isVisible()
    qtbot.waitUntil(dlg.box.hasFocus)  # typing goes straight into the search box
    qtbot.keyClick(dlg.box, Qt.Key.Key_Escape)
    assert win.drug_search is None and win.state.sale is before

    press(qtbot, win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dlg = win.drug_search
    assert dlg.days.value() == 28  # the prescription's days unless the pharmacist changes them
    rows = search(qtbot, win, dlg, "XC09CAE")  # national code prefix
    assert rows[0][0].startswith("厄贝沙坦片\nXC09CAE") and rows[0][3] == "乙类，先行自付 10%" and rows[0][5] == "需扫码"
    # a box scanned while the search is up is searched for, not sold
    win.route.submit(trace_codes("8100011", 1)[0])
    qtbot.waitUntil(lambda: dlg.choices and dlg.query == dlg.box.text(), timeout=10000)
    assert dlg.choices[0].drug.key == "D01" and len(win.state.sale.lines) == 1
    # a camera's EAN-13 (AIM ]E0) that the catalogue does not have is an unknown product, not silence
    win.route.submit("]E06901234567892")
    qtbot.waitUntil(lambda: "未知商品" in dlg.status.text(), timeout=10000)
    assert "6901234567892" in dlg.status.text() and dlg.choices == [] and len(win.state.sale.lines) == 1
    rows = search(qtbot, win, dlg, "yy")  # pinyin initials of 鱼油软胶囊
    fish = next(i for i, r in enumerate(rows) if r[0].startswith("鱼油软胶囊"))
    assert rows[fish][1:] == ["1g*60粒", "98.00/瓶", "非医保商品（保健食品），自费", "-", "不需要"]
    shot(dlg, "drug_search")
    # arrows pick (Down then back Up to the health product), Enter adds it
    for _ in range(fish):
        qtbot.keyClick(dlg.box, Qt.Key.Key_Down)
    qtbot.keyClick(dlg.box, Qt.Key.Key_Down)
    qtbot.keyClick(dlg.box, Qt.Key.Key_Up)
    assert dlg.table.currentRow() == fish
    qtbot.keyClick(dlg.box, Qt.Key.Key_Return)
    assert win.drug_search is None
    sale = win.state.sale
    assert [l.drug.key for l in sale.lines] == ["D01", "H01"] or sale.lines[1].drug.name.startswith("鱼油")
    added = sale.lines[1]
    assert (added.no, added.qty, added.days, added.codes) == (2, 1, 28, ())
    assert "已加入第 2 行" in win.sale_screen.message.text()
    assert win.sale_screen.table.rowCount() == 2 and win.sale_screen.current_line() == 2
    # the audit judges the new line like any other: health food cannot go on the insurance fund
    qtbot.waitUntil(lambda: win.state.view is not None, timeout=10000)
    idle(qtbot, win)
    view = win.state.view
    assert view.verdict == "BLOCK" and any(h.rule == "CAT-002" and h.line == 2 for h in view.hits), view
    assert not win.sale_screen.settle_button.isEnabled()
    shot(win, "drug_added_blocked")
    # Del on the added line (no code yet) takes it off; the prescription's own lines stay
    press(qtbot, win, Qt.Key.Key_Delete)
    idle(qtbot, win)
    assert [l.no for l in win.state.sale.lines] == [1] and "已撤销第 2 行" in win.sale_screen.message.text()
    win.sale_screen.table.setCurrentCell(0, 0)
    press(qtbot, win, Qt.Key.Key_Delete)  # a prescription line is never removed this way
    assert [l.no for l in win.state.sale.lines] == [1]
    assert shown and max(shown) < 2000, shown  # keystroke to results on screen (ms), off the UI thread
