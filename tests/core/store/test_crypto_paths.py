"""Data key handling (identity numbers at rest) and the application data folder."""
from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from core.settings import paths as folders
from core.store import paths
from core.store.crypto import KEY_ENV, DataCipher, DataKeyError, generate_secret, read_or_create_key_file


def test_home_from_environment(_isolated_home: Path) -> None:
    assert folders.app_home() == _isolated_home
    assert folders.config_dir() == _isolated_home and folders.log_dir() == _isolated_home / "logs"
    assert paths.store_path() == _isolated_home / "onewindow.db"
    assert paths.data_key_path() == _isolated_home / "data.key"
    assert paths.store_url().startswith("sqlite:///") and paths.store_url().endswith("/onewindow.db")
    assert not _isolated_home.exists()  # nothing is created by asking
    assert folders.ensure_app_home().is_dir()


def test_platform_default_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(paths.HOME_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    home = folders.app_home()
    if sys.platform.startswith(("win", "darwin")):
        assert home.name == "onewindow"
    else:  # platformdirs follows the XDG variables
        assert home == tmp_path / "xdg" / "onewindow"
        assert folders.site_file() == tmp_path / "xdg-config" / "onewindow" / "onewindow.json"
        assert folders.log_dir() == tmp_path / "xdg-state" / "onewindow" / "log"


def test_key_file_created_on_first_use_and_reused(_isolated_home: Path) -> None:
    first = DataCipher.load()
    key_file = paths.data_key_path()
    assert key_file.exists()
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = first.encrypt("42070419570312101x")
    second = DataCipher.load()
    assert second.decrypt(token) == "42070419570312101X"  # normalised: check character upper case
    assert second.lookup_hash("42070419570312101x") == first.lookup_hash(" 42070419570312101X ")


def test_environment_key_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = generate_secret()
    monkeypatch.setenv(KEY_ENV, secret)
    cipher = DataCipher.load()
    assert not paths.data_key_path().exists()
    assert DataCipher.from_secret(secret).decrypt(cipher.encrypt("420704195703121015")) == "420704195703121015"


def test_different_keys_do_not_read_each_other() -> None:
    a, b = DataCipher.from_secret(generate_secret()), DataCipher.from_secret(generate_secret())
    assert a.lookup_hash("420704195703121015") != b.lookup_hash("420704195703121015")
    with pytest.raises(DataKeyError, match="wrong key"):
        b.decrypt(a.encrypt("420704195703121015"))


@pytest.mark.parametrize("bad", ["not base64 at all!", "c2hvcnQ=", ""])
def test_malformed_keys_are_refused(bad: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if bad:
        monkeypatch.setenv(KEY_ENV, bad)
        with pytest.raises(DataKeyError):
            DataCipher.load()
    else:
        key_file = tmp_path / "empty.key"
        key_file.write_text("\n")
        with pytest.raises(DataKeyError, match="empty"):
            DataCipher.load(key_file)


def test_concurrent_first_use_agrees_on_one_key(tmp_path: Path) -> None:
    key_file = tmp_path / "race" / "data.key"
    secrets: list[str] = []
    threads = [threading.Thread(target=lambda: secrets.append(read_or_create_key_file(key_file))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(secrets) == 8 and len(set(secrets)) == 1
    assert [p.name for p in key_file.parent.iterdir()] == ["data.key"]  # no temporary files left
