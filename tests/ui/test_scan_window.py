"""The scan window driven by keyboard like a keyboard-wedge scanner: type, Enter, read the labels."""
from __future__ import annotations

from datetime import date

import pytest

from core.codes import Kind
from desktop.qt import QEvent, Qt, QtGui, QtWidgets
from desktop.scan_window import HISTORY_SIZE, ScanPanel, ScanWindow
from tests import screenshots

pytestmark = pytest.mark.ui



def _scan(qtbot, panel: ScanPanel, text: str) -> None:
    qtbot.keyClicks(panel.scan_input, text)
    qtbot.keyClick(panel.scan_input, Qt.Key.Key_Return)


def _table(panel: ScanPanel) -> dict[str, str]:
    t = panel.fields_table
    return {t.item(r, 0).text(): t.item(r, 1).text() for r in range(t.rowCount())}


@pytest.fixture
def window(qtbot):
    win = ScanWindow("pharmacy")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_scans_show_kind_validity_fields_and_history(qtbot, window):
    panel = window.panel
    assert "药房" in window.windowTitle() and "pharmacy" in window.windowTitle()

    _scan(qtbot, panel, "81000110000000000001")
    assert panel.kind_label.text() == "药品追溯码"
    assert panel.kind_en_label.text() == "drug traceability code"
    assert "有效" in panel.status_label.text() and "valid" in panel.status_label.text()
    assert _table(panel)["产品标识（前 7 位） product prefix (first 7)"] == "8100011"
    assert panel.scan_input.text() == ""  # ready for the next box

    _scan(qtbot, panel, "6901234567892")
    assert panel.kind_label.text().startswith("商品条码")
    assert panel.hint_label.isVisibleTo(window)
    assert "请扫描药品追溯码" in panel.hint_label.text()

    _scan(qtbot, panel, "420704199902301234")  # wrong check digit
    assert panel.kind_label.text().startswith("居民身份证")
    assert "无效" in panel.status_label.text() and "校验位错误" in panel.status_label.text()
    table = _table(panel)
    assert "420704199902301234" not in " ".join(table.values())  # only the masked number is on screen
    assert table["证件号（脱敏） number (masked)"] == "420704********1234"

    # The scanner types the GS1 separator as Ctrl+]; QLineEdit alone would drop it.
    qtbot.keyClicks(panel.scan_input, "]d20106901234567892172612001012345")
    qtbot.keyClick(panel.scan_input, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert panel.scan_input.text().endswith("12345<GS>")
    _scan(qtbot, panel, "21SN001")
    assert panel.kind_label.text().startswith("GS1")
    table = _table(panel)
    assert table["有效期至 expiry"] == "2026-12-31"
    assert table["批号 batch"] == "12345" and table["序列号 serial"] == "SN001"

    _scan(qtbot, panel, "hello?")
    assert panel.kind_label.text().startswith("无法识别")
    assert "无法识别的条码" in panel.status_label.text()

    _scan(qtbot, panel, "NHSAEV1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_")
    assert panel.kind_label.text().startswith("医保电子凭证")

    history = [panel.history_list.item(i).text() for i in range(panel.history_list.count())]
    assert len(history) == 6
    assert history[0].startswith("✓ 医保电子凭证")
    assert history[-1] == "✓ 药品追溯码  81000110000000000001"
    assert [r.kind for r in panel.results][-1] is Kind.TRACE_CODE

    panel.history_list.setCurrentRow(4)  # the commodity barcode, with its hint
    assert panel.kind_label.text().startswith("商品条码")
    QtWidgets.QApplication.processEvents()  # let the layout catch up before the picture
    screenshots.check(window, "scan_window_hint")
    panel.history_list.setCurrentRow(2)  # the GS1 pack: the richest table
    assert panel.kind_label.text().startswith("GS1")
    panel.scan_input.setFocus()
    QtWidgets.QApplication.processEvents()
    screenshots.check(window, "scan_window")


def test_escape_clears_and_history_reselects(qtbot, window):
    panel = window.panel
    _scan(qtbot, panel, "81000110000000000001")
    _scan(qtbot, panel, "6901234567893")  # wrong EAN check digit
    assert "校验位错误" in panel.status_label.text()

    qtbot.keyClicks(panel.scan_input, "half typed")
    qtbot.keyClick(panel.scan_input, Qt.Key.Key_Escape)
    assert panel.scan_input.text() == ""
    assert panel.fields_table.rowCount() == 0
    assert "等待扫码" in panel.kind_label.text()

    panel.history_list.setCurrentRow(1)  # the trace code again
    assert panel.kind_label.text().startswith("药品追溯码")


def test_full_width_digits_and_enter_on_empty_line(qtbot, window):
    panel = window.panel
    qtbot.keyClick(panel.scan_input, Qt.Key.Key_Return)
    assert panel.history_list.count() == 0
    # QTest.keyClicks handles Latin-1 only; full-width digits come as key events carrying their text.
    for ch in "８１０００１１００００００００００００１":
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QtWidgets.QApplication.sendEvent(panel.scan_input, QtGui.QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))
    assert panel.scan_input.text() == "８１０００１１００００００００００００１"
    qtbot.keyClick(panel.scan_input, Qt.Key.Key_Return)
    assert panel.kind_label.text().startswith("药品追溯码")


def test_history_keeps_the_last_scans_only(qtbot):
    panel = ScanPanel()
    qtbot.addWidget(panel)
    for i in range(HISTORY_SIZE + 5):
        panel.submit(f"8100011{i:013d}")
    assert panel.history_list.count() == HISTORY_SIZE == len(panel.results)
    assert panel.history_list.item(0).text().endswith(f"{HISTORY_SIZE + 4:013d}")


def test_panel_emits_the_result_and_uses_the_injected_classifier(qtbot):
    from core.codes import classify

    seen = []
    panel = ScanPanel(classifier=lambda text: classify(text, today=date(2000, 1, 1)))
    qtbot.addWidget(panel)
    panel.scanned.connect(seen.append)
    panel.submit("110101200101011234")  # born after "today" in this classifier's world
    assert seen[0].error_code in ("id_birth_future", "id_check_digit")
