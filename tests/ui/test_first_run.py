"""首次设置: the wizard writes the institution and centre into the site settings, keeps the signing secret out of
the settings file (an encrypted file without a keyring) and adds the first administrator; bad input is named
and nothing is written."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.services.auth import Auth
from core.settings import SiteSettings
from core.settings.paths import config_dir
from core.settings.secrets import store_secret
from core.store.db import open_store
from desktop.common.first_run import FirstRunWizard
from onewindow.root import start_process

pytestmark = pytest.mark.ui


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    monkeypatch.delenv("ONEWINDOW_DATA_KEY", raising=False)
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # no OS keyring here: the encrypted file
    return tmp_path


def test_wizard_sets_up_a_counter(qtbot, home):
    from core.store.desk import ensure_desk_schema

    engine = open_store(f"sqlite:///{home / 'store.db'}")
    ensure_desk_schema(engine)
    auth = Auth(engine)
    process = start_process("counter", logs=False)
    wizard = FirstRunWizard(process.settings, "counter", save=process.save_settings,
                            store_secret=lambda code, s: store_secret(code, s, config_dir()),
                            add_admin=lambda u, n, pin: auth.add_user(u, n, "admin", pin=pin),
                            profiles=("national", "onewindow"))
    qtbot.addWidget(wizard)
    assert wizard.code.text() == "A42070000001"  # the counter's defaults to start from
    wizard.url.setText("centre:8700")  # no scheme: refused, named, nothing written
    wizard.secret.setText("s3cret-from-the-centre")
    wizard.admin_pin.setText("258025")
    assert not wizard.finish()
    assert "centre.url" in wizard.message.text() and not (home / "onewindow.json").exists()
    assert not auth.has_users()
    wizard.url.setText("http://centre:8700")
    wizard.terminal.setText("C02")
    assert wizard.finish()
    settings = SiteSettings.load()
    assert (settings.get("centre.url", "counter"), settings.get("terminal.id", "counter")) == (
        "http://centre:8700", "C02")
    text = (home / "onewindow.json").read_text(encoding="utf-8")
    assert "s3cret" not in text and json.loads(text)["settings"]["signing.secret_ref"].startswith("enc:")
    assert "s3cret" not in next(home.glob("signing-*.secret")).read_text()
    assert settings.signing_secret("counter") == "s3cret-from-the-centre"
    assert auth.login("admin", pin="258025").role == "admin"
    engine.dispose()


def test_wizard_sets_up_a_kiosk_with_its_supervisor_code(qtbot, home):
    from core.services.auth import verify_secret

    process = start_process("kiosk", logs=False)
    wizard = FirstRunWizard(process.settings, "kiosk", save=process.save_settings,
                            store_secret=lambda code, s: store_secret(code, s, config_dir()), add_admin=None,
                            profiles=("national", "onewindow"))
    qtbot.addWidget(wizard)
    assert wizard.terminal.text() == "K01" and wizard.admin_pin.objectName() == "supervisorCode"
    wizard.url.setText("http://centre:8700")
    wizard.secret.setText("kiosk-secret")
    for code, again, why in (("2468", "2468", "6–12"), ("24681357", "24681358", "不一致")):
        wizard.admin_pin.setText(code)
        wizard.code_again.setText(again)
        assert not wizard.finish()
        assert why in wizard.message.text() and not (home / "onewindow.json").exists()
    wizard.code_again.setText("24681357")
    assert wizard.finish()
    settings = SiteSettings.load()
    stored = settings.get("kiosk.supervisor_code_hash", "kiosk")
    assert stored and "24681357" not in stored and verify_secret("24681357", stored)
    assert settings.get("centre.url", "kiosk") == "http://centre:8700"
    assert settings.signing_secret("kiosk") == "kiosk-secret"

