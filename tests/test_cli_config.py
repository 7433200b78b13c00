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


def test_secret_is_kept_out_of_the_settings_file(home, capsys, monkeypatch):
    import io

    from core.settings import SiteSettings
    from core.settings.secrets import resolve_secret

    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # never this machine's keyring: the file
    assert main(["config", "set", "signing.secret", "old-plain", "--shell", "counter"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("  THE-SECRET-THE-CENTRE-ISSUED\n"))
    capsys.readouterr()
    assert main(["config", "secret", "--shell", "counter"]) == 0
    site = (home / "onewindow.json").read_text(encoding="utf-8")
    assert "THE-SECRET" not in site and "old-plain" not in site  # neither the new secret nor the old plain one
    settings = SiteSettings.load()
    ref = settings.get("signing.secret_ref", "counter")
    assert ref.startswith("enc:") and resolve_secret(ref) == "THE-SECRET-THE-CENTRE-ISSUED"
    kept = Path(ref.removeprefix("enc:"))
    assert "THE-SECRET" not in kept.read_text(encoding="ascii") and kept.stat().st_mode & 0o077 == 0
    assert settings.signing_secret("counter") == "THE-SECRET-THE-CENTRE-ISSUED"  # what the counter signs with
    assert settings.get("signing.secret_ref", "pharmacy") == ""  # for the counter only
    assert f"signing.secret_ref = \"{ref}\"" in capsys.readouterr().out


def test_an_empty_secret_is_refused_and_changes_nothing(home, capsys, monkeypatch):
    import io

    assert main(["config", "set", "ui.language", "en"]) == 0
    before = (home / "onewindow.json").read_bytes()
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    capsys.readouterr()
    assert main(["config", "secret"]) == 2
    err = capsys.readouterr().err
    assert "没有读到签名密钥" in err and "no signing secret" in err
    assert (home / "onewindow.json").read_bytes() == before
