"""The one settings registry and site file: declarations, validation, sources, legacy upgrade, the typed views."""
from __future__ import annotations

import json
import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from core.services.pharmacy_config import DeskConfig, DeskConfigError
from core.services.sync_link import desk_sync_config
from core.settings import OPTIONS, SettingError, SiteSettings, upgrade
from core.sync.config import OfflineLimits
from hardware.settings import DeviceSettings, load_device_settings, save_device_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    return tmp_path


def test_every_option_declared_once_and_its_default_valid() -> None:
    keys = [o.key for o in OPTIONS]
    assert len(keys) == len(set(keys))
    for o in OPTIONS:
        assert o.validate(o.default) == o.default, o.key
        for value in o.per_shell.values():
            o.validate(value)
        assert o.zh and o.en and o.shells


def test_typed_views_take_their_defaults_from_the_registry(home: Path) -> None:
    assert DeviceSettings().to_dict() | {"version": 1} == \
        DeviceSettings.from_dict(SiteSettings.load().section("devices")).to_dict()
    assert DeskConfig() == DeskConfig.from_settings(SiteSettings.load(), "pharmacy")
    assert OfflineLimits().max_fund_per_transaction == Decimal("300.00")
    counter = DeskConfig.load("counter")
    assert (counter.institution, counter.terminal) == ("A42070000001", "C01")


def test_set_validates_and_writes_with_sources(home: Path) -> None:
    s = SiteSettings.load()
    assert s.source("devices.scanner.wedge.max_gap_ms") == "default"
    s.set("devices.scanner.wedge.max_gap_ms", "120", text=True).set("terminal.id", "C02", "counter").save()
    again = SiteSettings.load()
    assert again.get("devices.scanner.wedge.max_gap_ms") == 120
    assert again.source("devices.scanner.wedge.max_gap_ms") == f"site file {home / 'onewindow.json'}"
    assert again.get("terminal.id", "counter") == "C02" and again.get("terminal.id", "pharmacy") == "T01"
    assert again.source("terminal.id", "counter").endswith("[counter]")
    if os.name == "posix":
        assert stat.S_IMODE((home / "onewindow.json").stat().st_mode) == 0o600


@pytest.mark.parametrize("key, value, named", [
    ("devices.scanner.wedge.max_gap", "120", "devices.scanner.wedge.max_gap"),
    ("devices.scanner.wedge.max_gap_ms", "5000", "1–1000"),
    ("devices.scanner.wedge.max_gap_ms", "fast", "whole number"),
    ("offline.max_fund_per_transaction", "-1", "non-negative"),
    ("offline.allowed_identification", "evoucher", "id_card | ss_card"),
    ("centre.url", "centre:8700", "http(s) URL"),
    ("devices.printer.paper_mm", "70", "58 | 80"),
    ("signing.secret_ref", "vault:x", "keyring:NAME"),
])
def test_bad_key_or_value_refused_named_and_file_unchanged(home: Path, key: str, value: str, named: str) -> None:
    SiteSettings.load().set("ui.font_size", 14).save()
    before = (home / "onewindow.json").read_bytes()
    with pytest.raises(SettingError) as err:
        SiteSettings.load().set(key, value, text=True).save()
    assert named in err.value.en and key.split(".")[0] in err.value.zh
    assert (home / "onewindow.json").read_bytes() == before


def test_unknown_key_in_the_file_refused_with_the_key_named(home: Path) -> None:
    (home / "onewindow.json").write_text(json.dumps({"version": 1, "settings": {"offline.max_fund": "1"}}))
    with pytest.raises(SettingError, match="offline.max_fund"):
        SiteSettings.load()
    with pytest.raises(DeskConfigError, match="offline.max_fund"):
        DeskConfig.load()
    (home / "onewindow.json").write_text(json.dumps({"version": 9, "settings": {}}))
    with pytest.raises(SettingError, match="newer OneWindow"):
        SiteSettings.load()


def test_legacy_files_upgraded_into_the_site_file(home: Path) -> None:
    (home / "desk.json").write_text(json.dumps({
        "server_url": "http://centre:8700", "institution": "P42070000009", "secret": "s3cret", "font_size": 14,
        "offline": {"max_fund_per_transaction": "120.00", "max_offline_hours": 8}}), encoding="utf-8")
    (home / "counter.json").write_text(json.dumps({"server_url": "http://centre:8700", "terminal": "C07"}))
    (home / "devices.json").write_text(json.dumps({"version": 1, "scanner": {
        "kind": "serial", "wedge": {"max_gap_ms": 120, "prefix": "\u0002"}, "serial": {"port": "/dev/ttyACM0"}}}))
    (home / "kiosk.json").write_text(json.dumps({"idle_seconds": 90, "terminal_id": "K02",
                                                 "secret_file": "/etc/onewindow/secret"}))
    s = SiteSettings.load()
    assert s.upgraded_from == 0 and (home / "onewindow.json").exists()
    assert sorted(p.name for p in home.glob("*.upgraded")) == [
        "counter.json.upgraded", "desk.json.upgraded", "devices.json.upgraded", "kiosk.json.upgraded"]
    desk = DeskConfig.load("pharmacy")
    assert (desk.server_url, desk.institution, desk.secret, desk.font_size) == (
        "http://centre:8700", "P42070000009", "s3cret", 14)
    # the offline section desk.json's old loader dropped now reaches the terminal's floor limits
    limits = desk_sync_config(desk).offline
    assert limits.max_fund_per_transaction == Decimal("120.00") and limits.max_offline_hours == 8
    assert DeskConfig.load("counter").terminal == "C07"
    devices = load_device_settings(shell="pharmacy")
    assert (devices.scanner.kind, devices.scanner.wedge.max_gap_ms, devices.scanner.wedge.prefix,
            devices.scanner.serial.port) == ("serial", 120, "\u0002", "/dev/ttyACM0")
    assert s.get("kiosk.idle_seconds") == 90 and s.get("terminal.id", "kiosk") == "K02"
    assert s.get("signing.secret_ref", "kiosk") == "file:/etc/onewindow/secret"


def test_legacy_file_with_a_key_that_is_no_setting_stops_the_upgrade(home: Path) -> None:
    (home / "desk.json").write_text(json.dumps({"server_url": "", "receipt_printr": "XP-80"}))
    with pytest.raises(SettingError, match="receipt_printr"):
        SiteSettings.load()
    assert (home / "desk.json").exists() and not (home / "onewindow.json").exists()


def test_numbered_upgrades_run_in_order_and_keep_the_old_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import site

    (home / "onewindow.json").write_text(json.dumps({"version": 1, "settings": {"ui.font_size": 13}}))

    def to_v2(data: dict) -> dict:  # e.g. a renamed key
        data["settings"]["ui.font_size"] += 1
        return data

    monkeypatch.setattr(site, "VERSION", 2)
    monkeypatch.setitem(upgrade.UPGRADES, 2, to_v2)
    s = SiteSettings.load()
    assert s.upgraded_from == 1 and s.get("ui.font_size") == 14
    assert json.loads((home / "onewindow.json").read_text())["version"] == 2
    assert json.loads((home / "onewindow.json.v1").read_text())["settings"] == {"ui.font_size": 13}


def test_device_settings_saved_and_read_through_the_site_file(home: Path) -> None:
    s = load_device_settings()
    s = s.with_changes(scanner=type(s.scanner)(kind="serial", wedge=s.scanner.wedge, serial=s.scanner.serial))
    save_device_settings(s)
    assert SiteSettings.load().get("devices.scanner.kind") == "serial"
    assert load_device_settings().scanner.kind == "serial"


def test_signing_secret_by_reference(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "secret").write_text("from-file\n")
    s = SiteSettings.load().set("signing.secret_ref", f"file:{home / 'secret'}")
    assert s.signing_secret() == "from-file"
    monkeypatch.setenv("OW_TEST_SECRET", "from-env")
    assert s.set("signing.secret_ref", "env:OW_TEST_SECRET").signing_secret() == "from-env"
    with pytest.raises(SettingError, match="OW_MISSING"):
        s.set("signing.secret_ref", "env:OW_MISSING").signing_secret()
