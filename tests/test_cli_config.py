"""`onewindow config show|set|unset`: values with their sources; a bad key or value named in Chinese and English,
exit 2, the file as it was."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from onewindow.cli import main


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    return tmp_path


def _show(capsys, *args) -> dict:
    assert main(["config", "show", "--json", *args]) == 0
    return {row["key"]: row for row in json.loads(capsys.readouterr().out)}


def test_set_show_unset(home, capsys):
    assert main(["config", "set", "devices.scanner.wedge.max_gap_ms", "120"]) == 0
    assert main(["config", "set", "terminal.id", "C02", "--shell", "counter"]) == 0
    assert main(["config", "set", "signing.secret", "s3cret"]) == 0
    capsys.readouterr()
    rows = _show(capsys, "--shell", "counter")
    assert rows["devices.scanner.wedge.max_gap_ms"]["value"] == 120
    assert rows["devices.scanner.wedge.max_gap_ms"]["source"] == f"site file {home / 'onewindow.json'}"
    assert rows["terminal.id"]["value"] == "C02" and rows["terminal.id"]["source"].endswith("[counter]")
    assert rows["institution.code"] == {**rows["institution.code"], "value": "A42070000001",
                                        "source": "default (counter)"}
    assert rows["signing.secret"]["value"] == "********"  # never printed
    assert "kiosk.idle_seconds" not in rows and rows["offline.max_fund_per_transaction"]["value"] == "300.00"
    assert main(["config", "unset", "devices.scanner.wedge.max_gap_ms"]) == 0
    capsys.readouterr()
    assert _show(capsys)["devices.scanner.wedge.max_gap_ms"]["source"] == "default"


@pytest.mark.parametrize("key, value, zh", [("devices.scanner.wedge.max_gap", "120", "未知设置"),
                                            ("ui.font_size", "99", "范围"),
                                            ("offline.allowed_identification", "evoucher", "允许")])
def test_bad_input_is_named_and_changes_nothing(home, capsys, key, value, zh):
    assert main(["config", "set", "ui.language", "en"]) == 0
    before = (home / "onewindow.json").read_bytes()
    capsys.readouterr()
    assert main(["config", "set", key, value]) == 2
    err = capsys.readouterr().err
    assert zh in err and key in err
    assert (home / "onewindow.json").read_bytes() == before
