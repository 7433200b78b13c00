"""The paper prescription entry of the pharmacy window, driven with the keys (issue 19): F6 from the prescription
screen (F1 lists it), the fields typed, the drug found by pinyin (Ctrl+F), the dose typed into the line, the photo
attached (Ctrl+O, a file), F12; each refusal of core.rx.paper is shown in Chinese next to its field and nothing is
written, then the sale opens with the paper's prescriber and the slip's image kept. Screenshot:
tests/ui/screenshots/pharmacy_paper_entry.png."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.domain.clock import today_cst
from core.store.rx_cache import rx_image
from tests.ui.pharmacy.fixtures import P01_CERTNO, _data_key, _templates, centre, desk, idle, login, press, shot, type_in  # noqa: F401,E501

pytestmark = [pytest.mark.ui, pytest.mark.slow]
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def typed(qtbot, text: str) -> None:
    """Keys typed into whatever has focus (a table cell's editor opens on the first key)."""
    from desktop.qt import QtWidgets

    for ch in text:
        qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is not None)
        qtbot.keyClicks(QtWidgets.QApplication.focusWidget(), ch)


def images(d) -> int:
    d._rx_tables()
    with d.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(rx_image)).scalar()


def test_paper_prescription_entered_with_keys_refused_next_to_the_field_then_opened(
        qtbot, centre, desk, tmp_path, monkeypatch):  # noqa: F811 - fixtures
    from desktop.pharmacy.window import PharmacyWindow
    from desktop.qt import Qt, QtCore, QtWidgets

    win = PharmacyWindow(desk.desk, desk.auth, desk.shifts, desk.config, status_interval_ms=60000)
    qtbot.addWidget(win)
    desk.shifts.open(desk.auth.login("li", pin="2468"), Decimal("100"))
    win.start()
    login(qtbot, win)
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    assert win.page() == "rx", win.identify.message.text()
    press(qtbot, win, Qt.Key.Key_F1)
    assert "F6 纸质处方" in win.keys_shown
    press(qtbot, win, Qt.Key.Key_F6)
    assert win.page() == "paper"
    paper = win.paper
    press(qtbot, win, Qt.Key.Key_F1)
    assert "F12 开单" in win.keys_shown and "Ctrl+F 查药品" in win.keys_shown and "Ctrl+O 处方图片" in win.keys_shown

    def f12() -> None:
        press(qtbot, win, Qt.Key.Key_F12)
        idle(qtbot, win)

    f12()  # blank: the prescriber first, next to its field
    assert paper.errors["prescriber"].text() == "请填写开方医师" and win.page() == "paper"
    qtbot.waitUntil(paper.prescriber.hasFocus)
    paper.prescriber.insert("刘医生")  # Chinese comes from the input method (QTest types Latin-1 only)
    qtbot.keyClick(paper.prescriber, Qt.Key.Key_Tab)
    qtbot.waitUntil(paper.institution.hasFocus)
    paper.institution.insert("区人民医院")
    qtbot.keyClicks(paper.diag_code, "I10.x00")
    paper.diag_name.insert("高血压")
    f12()
    assert paper.errors["prescriber"].text() == "" and paper.errors["lines"].text() == "处方没有药品"

    # the drug by its pinyin initials, as on the sale screen
    press(qtbot, win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dlg = win.drug_search
    assert dlg is not None
    qtbot.waitUntil(dlg.box.hasFocus)
    qtbot.keyClicks(dlg.box, "bhsaldp")
    qtbot.waitUntil(lambda: bool(dlg.choices) and dlg.query == "bhsaldp", timeout=10000)
    assert dlg.choices[0].drug.key == "D01"
    qtbot.keyClick(dlg.box, Qt.Key.Key_Return)
    assert win.drug_search is None and [d.key for d in paper.drugs] == ["D01"]
    win.activateWindow()  # the offscreen platform leaves no window active after a dialog
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is not None)
    assert paper.table.isAncestorOf(QtWidgets.QApplication.focusWidget())  # the dose cell's editor
    typed(qtbot, "abc")  # the dose cell: cannot be read
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Return)
    f12()
    assert paper.errors["image"].text().startswith("纸质处方须拍照或扫描")
    slip = tmp_path / "slip.png"
    slip.write_bytes(PHOTO)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", lambda *a, **k: (str(slip), ""))
    press(qtbot, win, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert "slip.png" in paper.photo.text() and paper.errors["image"].text() == ""
    f12()
    assert paper.errors["lines"].text().startswith("第 1 行 苯磺酸氨氯地平片：单次剂量无法识别")
    assert paper.table.currentRow() == 0
    paper.table.item(0, 1).setText("5mg")  # corrected (re-editing a committed cell by keys: see the report)
    tomorrow = today_cst() + dt.timedelta(days=1)
    paper.rx_date.setDate(QtCore.QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    f12()
    assert paper.errors["date"].text() == f"开方日期 {tomorrow} 晚于今天" and paper.errors["lines"].text() == ""
    assert win.state.sale is None and images(desk.desk) == 0  # nothing written on bad input
    today = today_cst()
    paper.rx_date.setDate(QtCore.QDate(today.year, today.month, today.day))
    paper.clear_errors()
    shot(win, "paper_entry")

    f12()
    assert win.page() == "sale", (paper.message.text(), [v.text() for v in paper.errors.values() if v.text()], win.page())
    sale = win.state.sale
    assert (sale.rx_kind, sale.doctor, sale.issuer, sale.diagnoses) == ("paper", "刘医生", "区人民医院", ("I10.x00",))
    assert [(l.drug.key, l.qty, l.days) for l in sale.lines] == [("D01", 1, 28)] and sale.lines[0].dose_text == "5mg 口服"
    assert desk.desk.paper_image(sale.rx_id) == ("image/png", PHOTO) and images(desk.desk) == 1

    # the trail from the sale: Ctrl+T (listed by F1), the reviewer signs with the keys, Esc closes it
    idle(qtbot, win)
    desk.desk.set_licence("li", "YS4207001")  # the staff profile
    press(qtbot, win, Qt.Key.Key_F1)
    assert "Ctrl+T 审方/核对" in win.keys_shown
    press(qtbot, win, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    dlg = win.trail_dialog
    assert dlg is not None and dlg.panel.verdict.text().startswith("审核结果：") and win.route.paused
    qtbot.keyClicks(dlg.panel.user, "li")
    qtbot.keyClicks(dlg.panel.pin, "2468")
    qtbot.keyClick(dlg.panel.sign, Qt.Key.Key_Space)
    assert dlg.panel.steps.item(0, 0).text() == "李药师", dlg.panel.message.text()
    assert dlg.panel.steps.item(0, 1).text() == "YS4207001"
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert win.trail_dialog is None and not win.route.paused and desk.desk.trail(sale).by("review") is not None
    win.stop()
