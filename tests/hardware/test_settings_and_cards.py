"""DeviceSettings (JSON in the app data folder), card readers, scan events, the scanner script format, the hub."""
from __future__ import annotations

import json
from datetime import date

import pytest

from core.codes import Kind
from hardware.cards import DEMO_CARDS, CardRead, CardReaderError, SimulatedCardReader, card_reader_from_settings
from hardware.events import ScanEvent, ScanSource, make_scan_event
from hardware.settings import (
    CardReaderSettings,
    DeviceSettings,
    DeviceSettingsError,
    WedgeSettings,
    load_device_settings,
    save_device_settings,
)
from hardware.sim.scanner import parse_script


def test_settings_default_save_load_round_trip(_app_home):
    assert load_device_settings() == DeviceSettings()  # no file yet
    custom = DeviceSettings().with_changes(scanner=DeviceSettings().scanner.__class__(
        kind="serial", wedge=WedgeSettings(max_gap_ms=120, prefix="\x02")))
    path = save_device_settings(custom)  # into the one site settings file
    assert path == _app_home / "onewindow.json"  # ONEWINDOW_HOME decides the folder
    assert load_device_settings() == custom
    assert json.loads(path.read_text(encoding="utf-8"))["settings"]["devices.scanner.wedge.prefix"] == "\x02"


def test_settings_tolerate_missing_keys_and_refuse_unknown_ones(tmp_path):
    path = tmp_path / "devices.json"
    path.write_text(json.dumps({"scanner": {"wedge": {"max_gap_ms": 90}}}), encoding="utf-8")
    loaded = load_device_settings(path)
    assert loaded.scanner.wedge.max_gap_ms == 90 and loaded.scanner.wedge.min_length == 6
    assert loaded.printer == DeviceSettings().printer
    path.write_text(json.dumps({"scanner": {"wedge": {"max_gap_ms": 90}, "future": 1}}), encoding="utf-8")
    with pytest.raises(DeviceSettingsError, match="scanner.future"):
        load_device_settings(path)


@pytest.mark.parametrize("content, field", [
    ("{not json", "JSON"),
    (json.dumps({"scanner": {"wedge": {"max_gap_ms": "fast"}}}), "scanner.wedge.max_gap_ms"),
    (json.dumps({"scanner": {"wedge": {"max_gap_ms": 0}}}), "wedge.max_gap_ms"),
    (json.dumps({"printer": {"paper_mm": 76}}), "printer.paper_mm"),
    (json.dumps({"camera": {"rotate_retry": "yes"}}), "camera.rotate_retry"),
    (json.dumps({"printer": []}), "printer"),
])
def test_bad_settings_name_the_file_and_field_in_both_languages(tmp_path, content, field):
    path = tmp_path / "devices.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DeviceSettingsError) as info:
        load_device_settings(path)
    assert str(path) in info.value.zh and str(path) in info.value.en
    assert field in info.value.en
    assert path.read_text(encoding="utf-8") == content  # left as it was


def test_simulated_card_reader_and_masking(tmp_path):
    reader = SimulatedCardReader()
    assert reader.read(timeout_s=0.01) is None  # no card on the reader
    reader.present(DEMO_CARDS[0])
    card = reader.read(timeout_s=0.01)
    assert card.kind == "id_card" and card.birth_date == date(1949, 12, 31) and card.sex == "2"
    assert card.masked_id == "110105********002X"
    assert "11010519491231002X" not in repr(card)
    reader.fail_next = True
    with pytest.raises(CardReaderError):
        reader.read()
    path = tmp_path / "cards.json"
    path.write_text(json.dumps([{"kind": "ss_card", "id_number": "11010519491231002X", "name": "张三",
                                 "card_no": "A12345678", "birth_date": "1949-12-31"}], ensure_ascii=False),
                    encoding="utf-8")
    from_file = card_reader_from_settings(CardReaderSettings(kind="simulator", port=str(path)))
    got = from_file.read(0.01)
    assert got == CardRead("ss_card", "11010519491231002X", "张三", birth_date=date(1949, 12, 31), card_no="A12345678")
    with pytest.raises(CardReaderError):
        card_reader_from_settings(CardReaderSettings(kind="cvr100"))


def test_scan_events_are_normalised_by_core_codes():
    event = make_scan_event("８１０００１１００００００００００００１\r", ScanSource.KEYBOARD)
    assert event.text == "81000110000000000001" and event.classify().kind is Kind.TRACE_CODE
    aim = make_scan_event("]d20106901234567892172612001 0A1\x1d21S9".replace(" ", ""), ScanSource.SERIAL)
    assert aim.symbology == "]d2" and aim.wire_text.startswith("]d2")
    assert aim.classify().kind is Kind.GS1
    assert make_scan_event(" \r\n", ScanSource.SERIAL) is None
    odd = make_scan_event("AB\x02CD", ScanSource.SERIAL)  # refused by core.codes: passed on so classify says why
    assert odd.text == "AB\x02CD" and odd.classify().kind is Kind.UNKNOWN
    assert ScanEvent("x", ScanSource.CAMERA, "]Q1") == ScanEvent("x", ScanSource.CAMERA, "]Q1")


def test_scanner_script_format():
    steps = parse_script("# a pharmacy morning\n81000110000000000001\n\n@500 gap=120 ]d2010690<GS>21S9\n")
    assert [(s.text, s.pause_ms, s.gap_ms) for s in steps] == [
        ("81000110000000000001", 0, None), ("]d2010690\x1d21S9", 500, 120)]


@pytest.mark.ui
def test_device_hub_routes_every_scanner_to_one_signal(qtbot, qapp, tmp_path):
    from hardware.factory import DeviceHub
    from hardware.settings import CameraSettings
    from hardware.sim.scanner import ScannerSimulator
    from hardware.wedge import ManualClock, ScannerEventFilter

    clock = ManualClock()
    settings = DeviceSettings(camera=CameraSettings(kind="simulator"))
    hub = DeviceHub(settings, wedge=ScannerEventFilter(clock=clock))
    scans = []
    hub.scanned.connect(scans.append)
    hub.start()
    try:
        from desktop.qt import QtWidgets

        box = QtWidgets.QLineEdit()
        qtbot.addWidget(box)
        ScannerSimulator().type_now("81000110000000000001", clock=clock, target=box)
        assert scans and scans[0].source is ScanSource.KEYBOARD
        qtbot.waitUntil(lambda: any(s.source is ScanSource.CAMERA for s in scans), timeout=15000)
        assert hub.card_reader is not None and hub.card_reader.read(0.01).kind == "id_card"
    finally:
        hub.stop()
    assert hub.camera is None
