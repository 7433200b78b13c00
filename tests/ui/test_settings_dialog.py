"""全部设置: the shell's settings from the one registry, changed on screen with validation, saved to the site file
(no file edited by hand); the pharmacy reaches it from F10's settings screen, with the device panel on its hub."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.settings import SiteSettings
from desktop.common.settings_dialog import SettingsDialog
from onewindow.root import build_pharmacy, start_process

pytestmark = pytest.mark.ui


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    return tmp_path


def _edit(dialog: SettingsDialog, key: str, text: str) -> None:
    dialog.table.item(dialog.row_of(key), 1).setText(text)


def test_offline_limit_changed_on_screen_is_validated_and_saved(qtbot, home):
    process = start_process("pharmacy", logs=False)
    dialog = SettingsDialog(process.settings, "pharmacy", process.save_settings)
    qtbot.addWidget(dialog)
    keys = {dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())}
    assert {"offline.max_fund_per_transaction", "offline.identify_cache_days", "devices.scanner.wedge.max_gap_ms",
            "centre.url"} <= keys and not any(k.startswith("kiosk.") for k in keys)
    _edit(dialog, "offline.max_fund_per_transaction", "200")
    assert "已保存" in dialog.message.text()
    saved = json.loads((home / "onewindow.json").read_text(encoding="utf-8"))["settings"]
    assert saved == {"offline.max_fund_per_transaction": "200.00"}
    assert dialog.table.item(dialog.row_of("offline.max_fund_per_transaction"), 2).text().startswith("site file")
    assert process.desk_config().offline["max_fund_per_transaction"] == "200.00"
    _edit(dialog, "offline.max_fund_per_transaction", "abc")  # refused, named, nothing written
    assert "不是金额" in dialog.message.text() and "not an amount" in dialog.message.text()
    assert json.loads((home / "onewindow.json").read_text(encoding="utf-8"))["settings"] == saved
    assert dialog.table.item(dialog.row_of("offline.max_fund_per_transaction"), 1).text() == '"200.00"'
    _edit(dialog, "devices.scanner.wedge.max_gap_ms", "120")
    assert SiteSettings.load().get("devices.scanner.wedge.max_gap_ms") == 120


def test_pharmacy_settings_screen_opens_all_settings_with_the_device_panel(qtbot, home):
    SiteSettings.load().set_many({"devices.camera.kind": "none", "devices.card_reader.kind": "none",
                                  "store.url": f"sqlite:///{home / 'store.db'}"}).save()
    process = start_process("pharmacy", logs=False)
    window, parts = build_pharmacy(process.desk_config(), process=process)
    qtbot.addWidget(window)
    try:
        window.settings.more.emit()
        dialogs = window.findChildren(SettingsDialog)
        assert len(dialogs) == 1 and dialogs[0].devices is not None and dialogs[0].devices.hub is parts.hub
        dialogs[0].close()
    finally:
        window.stop()
        parts.close()
