"""Issue #16, "Done when": the pharmacy, the counter and the kiosk read their devices (and the desks their offline
floor limits and cache ages) from the one site settings file, through the composition root, and each shows them
in its settings screen, reached the way a supervisor reaches it (pharmacy: F10 screen -> 设备与全部设置; counter:
F10 with a supervisor logged in; kiosk: the admin page after the supervisor code)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.services.auth import Operator
from core.settings import SiteSettings
from desktop.common.settings_dialog import SettingsDialog
from desktop.qt import Qt, QtWidgets
from onewindow.root import build_counter, build_kiosk, build_pharmacy, build_scan, start_process

pytestmark = pytest.mark.ui

DEVICES = {"devices.scanner.wedge.max_gap_ms": 120, "devices.scanner.wedge.prefix": "\u0002",
           "devices.printer.kind": "pdf", "devices.camera.kind": "none", "devices.card_reader.kind": "simulator"}
OFFLINE = {"offline.max_fund_per_transaction": "123.00", "offline.max_offline_hours": 12,
           "offline.identify_cache_days": 9, "offline.max_registration_age_hours": 48}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    return tmp_path


def _site(home: Path, shell: str) -> Path:
    values = {**DEVICES, "store.url": f"sqlite:///{home / 'store.db'}", "centre.url": "http://127.0.0.1:9",
              "signing.secret": "s3cret"}
    if shell != "kiosk":
        values.update(OFFLINE)
    return SiteSettings.load().set_many(values).save()


def _dialog(window) -> SettingsDialog:
    dialogs = [d for d in window.findChildren(SettingsDialog) if d.isVisible()]
    assert len(dialogs) == 1, "the shell's way in did not open its settings screen"
    return dialogs[0]


def _shown(dialog: SettingsDialog, key: str) -> tuple[str, str]:
    row = dialog.row_of(key)
    return dialog.table.item(row, 1).text(), dialog.table.item(row, 2).text()


def _check_shown(dialog: SettingsDialog, site: Path, keys: dict) -> None:
    for key, value in keys.items():
        text, source = _shown(dialog, key)
        assert source == f"site file {site}", (key, source)
        assert text == ('"\\u0002"' if value == "\u0002" else f'"{value}"' if isinstance(value, str) else str(value))


def _check_hub(hub) -> None:
    wedge = hub.settings.scanner.wedge
    assert (wedge.max_gap_ms, wedge.prefix) == (120, "\u0002")
    assert hub.wedge is not None and hub.wedge.settings.max_gap_ms == 120  # the running filter, not only the file
    assert hub.settings.printer.kind == "pdf" and hub.settings.card_reader.kind == "simulator"


def _check_offline(link, window_config) -> None:
    limits = link.t.config.offline  # what the terminal's offline checks actually use
    assert limits.max_fund_per_transaction == Decimal("123.00") and limits.max_offline_hours == 12
    assert limits.max_registration_age_hours == 48
    assert window_config.cache_max_age_days == 9  # identifying offline from the cache


def test_pharmacy_uses_and_shows_the_site_file(qtbot, home):
    site = _site(home, "pharmacy")
    process = start_process("pharmacy", logs=False)
    window, parts = build_pharmacy(process.desk_config(), process=process)
    qtbot.addWidget(window)
    try:
        _check_hub(parts.hub)
        _check_offline(parts.link, window.config)
        window.settings.more.emit()  # F10's settings screen: 设备与全部设置
        dialog = _dialog(window)
        _check_shown(dialog, site, {**DEVICES, **OFFLINE})
        assert dialog.devices is not None and dialog.devices.hub is parts.hub
        assert dialog.devices.max_gap.value() == 120
    finally:
        window.stop()
        parts.close()


def test_counter_uses_and_shows_the_site_file(qtbot, home, monkeypatch):
    from desktop.counter.window import PAGES
    from tests.ui.counter.test_unique_keys import duplicates

    told: list[str] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "information", lambda _w, _t, text: told.append(text))
    site = _site(home, "counter")
    process = start_process("counter", logs=False)
    config = process.desk_config()
    window, parts = build_counter(config, process=process)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # a window shortcut needs its window active
    try:
        _check_hub(parts.hub)
        _check_offline(parts.link, config)
        # the composition root's key is one more key of the counter: no page binds a key twice (Qt would do
        # nothing on an ambiguous key), 结算 with the embedded desk included
        for page, _label in PAGES:
            window.go(page)
            assert duplicates(window) == [], page
        window.go("apply")
        assert "F11 设置" in window.status_line.keys_label.text()
        window.set_operator(Operator("C01", "李", "clerk"))
        qtbot.keyClick(window, Qt.Key.Key_F11)  # a clerk is told a supervisor is needed, no settings screen
        assert told and "主管" in told[0] and not [d for d in window.findChildren(SettingsDialog) if d.isVisible()]
        window.set_operator(Operator("S01", "张", "supervisor"))
        qtbot.keyClick(window, Qt.Key.Key_F11)
        dialog = _dialog(window)
        _check_shown(dialog, site, {**DEVICES, **OFFLINE})
        assert dialog.devices is not None and dialog.devices.hub is parts.hub
        dialog.close()
        qtbot.keyClick(window, Qt.Key.Key_F10)  # F10 stays the counter's 家庭共济
        assert window.page() == "family"
    finally:  # the order of `onewindow gui` (onewindow.root._run_desk)
        window.runner.wait(10000)
        window.desk_page.close_desk()
        parts.close()


def test_kiosk_uses_and_shows_the_site_file(qtbot, home):
    site = _site(home, "kiosk")
    process = start_process("kiosk", logs=False)
    window, link = build_kiosk(process.kiosk_config(), process=process, fullscreen=False)
    qtbot.addWidget(window)
    try:
        _check_hub(window.devices.hub)
        assert window.devices.card_reader is window.devices.hub.card_reader is not None
        window.pages["admin"].settings.emit()  # 设置与日志, after the supervisor code
        dialog = _dialog(window)
        _check_shown(dialog, site, DEVICES)
        keys = {dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())}
        assert not any(k.startswith("offline.") for k in keys)  # the kiosk settles nothing offline
        assert dialog.devices is not None and dialog.devices.hub is window.devices.hub
    finally:
        window.stop()
        window.devices.hub.stop()
        link.close()


def test_scan_window_opens_its_settings_on_f10(qtbot, home):
    site = SiteSettings.load().set_many({"devices.scanner.wedge.max_gap_ms": 120, "ui.font_size": 14}).save()
    process = start_process("scan", logs=False)
    window = build_scan(process)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert "F10" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_F10)
    dialog = _dialog(window)
    _check_shown(dialog, site, {"devices.scanner.wedge.max_gap_ms": 120, "ui.font_size": 14})
    assert dialog.devices is None  # the scan window runs no device hub: the table only
