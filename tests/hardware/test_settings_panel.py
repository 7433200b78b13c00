"""The device settings screen, driven like an operator would: scan through the real filter, simulate a scan,
print a test page (failing once, then retried), change and save settings. Saves a screenshot."""
from __future__ import annotations


import pytest

from core.codes import Kind
from desktop.devices.settings_panel import DeviceSettingsPanel, show_text
from desktop.qt import QtWidgets
from hardware.factory import RECEIPT_PRINTER, DeviceHub
from hardware.printing.queue import DONE
from hardware.printing.transports import SimulatedPrinter
from hardware.settings import DeviceSettings, PrinterSettings, load_device_settings
from hardware.sim.scanner import ScannerSimulator
from hardware.wedge import ManualClock, ScannerEventFilter
from tests import screenshots

pytestmark = pytest.mark.ui



@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def panel(qtbot, qapp, clock, tmp_path):
    hub = DeviceHub(DeviceSettings(), wedge=ScannerEventFilter(clock=clock, device="keyboard"))
    hub.start()
    widget = DeviceSettingsPanel(hub, path=tmp_path / "devices.json")
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    hub.stop()


def _all_text_fits(root: QtWidgets.QWidget) -> list[str]:
    """Widgets whose text is cut: narrower or lower than they ask to be."""
    bad = []
    for w in root.findChildren(QtWidgets.QWidget):
        if not w.isVisible() or isinstance(w, (QtWidgets.QTableWidget, QtWidgets.QLineEdit)):
            continue
        if isinstance(w, (QtWidgets.QLabel, QtWidgets.QPushButton, QtWidgets.QCheckBox, QtWidgets.QComboBox,
                          QtWidgets.QSpinBox)):
            hint = w.minimumSizeHint() if isinstance(w, QtWidgets.QLabel) and w.wordWrap() else w.sizeHint()
            if w.width() < hint.width() or w.height() < hint.height():
                bad.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r} {w.size()} < {hint}")
    return bad


def test_scan_from_the_keyboard_wedge_is_shown_with_its_classification(panel, clock):
    gs1 = "]d2" + "0106901234567892" + "17261200" + "10A1\x1d21S9"
    ScannerSimulator().type_now(gs1, clock=clock, target=panel.test_input)
    assert panel.last_scan is not None and panel.last_scan.symbology == "]d2"
    assert panel.last_result.kind is Kind.GS1
    assert "GS1" in panel.scan_kind.text()
    assert "<GS>" in panel.scan_text.text()
    assert panel.scan_source.text().startswith("keyboard")
    assert panel.test_input.text() == ""  # the burst never reached the box
    assert panel.scan_fields.rowCount() >= 4


def test_id_card_number_is_masked_on_screen(panel, clock):
    ScannerSimulator().type_now("11010519491231002X", clock=clock, target=panel.test_input)
    assert panel.last_result.kind is Kind.ID_CARD
    assert "11010519491231002X" not in panel.scan_text.text()
    cells = [panel.scan_fields.item(r, 1).text() for r in range(panel.scan_fields.rowCount())]
    assert "11010519491231002X" not in " ".join(cells)


def test_simulate_button_types_through_the_real_filter(qtbot, panel):
    panel.simulate_text.setText("6901234567892")
    with qtbot.waitSignal(panel.hub.scanned, timeout=3000) as got:
        panel.simulate_button.click()
    assert got.args[0].text == "6901234567892"
    assert panel.last_result.kind is Kind.COMMODITY_BARCODE


@pytest.mark.allow_warnings  # the failed print is logged
def test_print_test_page_fails_then_retry_prints(qtbot, panel, tmp_path):
    printer = SimulatedPrinter(PrinterSettings(kind="simulator"), folder=tmp_path / "paper", name="sim-80")
    printer.fail_next = 1
    panel.hub.print_queue.set_printer(RECEIPT_PRINTER, printer)
    with qtbot.waitSignal(panel.hub.print_queue.job_failed, timeout=5000):
        panel.print_button.click()
    qtbot.waitUntil(lambda: panel.retry_button.isEnabled(), timeout=3000)
    assert "失败" in panel.print_status.text() and "缺纸" in panel.print_status.text()
    with qtbot.waitSignal(panel.hub.print_queue.job_done, timeout=5000):
        panel.retry_button.click()
    qtbot.waitUntil(lambda: panel.last_job.state == DONE, timeout=3000)
    assert "已打印" in panel.print_status.text()
    assert not panel.retry_button.isEnabled()
    (stem,) = printer.printed
    assert "sim-80" in stem.with_suffix(".txt").read_text(encoding="utf-8")


def test_save_writes_the_settings_and_applies_them(panel, tmp_path):
    panel.max_gap.setValue(120)
    panel.suffix.setCurrentIndex(panel.suffix.findData("tab"))
    panel.paper.setCurrentIndex(panel.paper.findData(58))
    panel.prefix.setText("\\x02")
    assert panel.save()
    saved = load_device_settings(tmp_path / "devices.json")
    assert saved.scanner.wedge.max_gap_ms == 120 and saved.scanner.wedge.suffix == "tab"
    assert saved.scanner.wedge.prefix == "\x02"
    assert saved.printer.paper_mm == 58
    assert panel.hub.wedge.settings.max_gap_ms == 120
    assert "已保存" in panel.message.text()


def test_bad_settings_are_refused_with_a_message_and_nothing_is_written(panel, tmp_path):
    panel.printer_kind.setCurrentIndex(panel.printer_kind.findData("escpos_network"))
    panel.printer_address.setText("")
    assert not panel.save()
    assert "printer.address" in panel.message.text()
    assert not (tmp_path / "devices.json").exists()


def test_camera_tab_shows_the_hub_camera_live_and_its_codes_are_test_scans(qtbot, qapp, clock, tmp_path):
    from hardware.settings import CameraSettings

    hub = DeviceHub(DeviceSettings(camera=CameraSettings(kind="simulator")),
                    wedge=ScannerEventFilter(clock=clock, device="keyboard"))
    hub.start()
    widget = DeviceSettingsPanel(hub, path=tmp_path / "devices.json")
    qtbot.addWidget(widget)
    try:
        widget.show()
        widget.tabs.setCurrentIndex(1)  # 摄像头 Camera
        qtbot.waitUntil(lambda: widget.preview._frame is not None, timeout=20000)  # the generated scenes
        assert "running" in widget.preview_state.text()
        qtbot.waitUntil(lambda: widget.last_scan is not None and widget.last_scan.source.value == "camera",
                        timeout=20000)
        widget.camera_kind.setCurrentIndex(widget.camera_kind.findData("none"))
        assert widget.save()  # the hub's camera goes, the tab says so
        assert hub.camera is None and "未开启" in widget.preview_state.text()
    finally:
        hub.stop()


def test_show_text_makes_control_characters_visible():
    assert show_text("10A1\x1d21S9\x02") == "10A1<GS>21S9\\x02"


def test_screenshot(qtbot, panel, clock):
    ScannerSimulator().type_now("]d2" + "0106901234567892" + "17261200" + "10A1\x1d21S9", clock=clock,
                                target=panel.test_input)
    panel.print_status.setText("已打印 · printed · 20260101120000-abcdef12")
    QtWidgets.QApplication.processEvents()
    assert _all_text_fits(panel) == []
    path = screenshots.check(panel, "device_settings")
    assert path.stat().st_size > 10_000
