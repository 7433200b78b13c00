"""Sync configuration: defaults from resources/config, overrides, clear errors."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from core.sync.config import (
    ConfigError,
    OfflineLimits,
    config_from_dict,
    config_to_dict,
    default_offline_limits,
    load_config,
)


def test_defaults_come_from_resources():
    limits = default_offline_limits()
    assert limits.max_fund_per_transaction == Decimal("300.00")
    assert limits.allowed_identification == ("id_card", "ss_card")
    rows = {k: (label, value) for k, label, value in limits.rows()}
    assert rows["max_offline_hours"] == ("最长离线时间（小时）", "24")
    cfg = config_from_dict({"terminal": {"institution_code": "P42070000001"}})
    assert cfg.infno["settle"] == "2102" and cfg.med_type["LB"] == "9901"
    assert cfg.centre.path == "/fsi/api/rsfComIfsService/callService" and cfg.centre.verify_tls is True


def test_overrides_and_round_trip(tmp_path):
    cfg = config_from_dict({
        "terminal": {"institution_code": "P42070000001", "terminal_no": 4, "secret": "s"},
        "centre": {"url": "https://gw.example", "read_timeout_s": 7.5, "verify_tls": "/etc/ca.pem"},
        "offline": {"max_fund_per_transaction": "100", "max_offline_hours": 2},
        "infno": {"sale_upload": "3505A"},
        "sender": {"workers": 2},
    })
    assert cfg.terminal.terminal_no == 4 and cfg.centre.read_timeout_s == 7.5 and cfg.centre.verify_tls == "/etc/ca.pem"
    assert cfg.offline.max_fund_per_transaction == Decimal("100.00") and cfg.offline.max_offline_hours == 2
    assert cfg.offline.max_terminal_offline_fund == Decimal("5000.00")  # untouched default
    assert cfg.infno["sale_upload"] == "3505A" and cfg.sender.workers == 2
    data = config_to_dict(cfg)
    assert "secret" not in data["terminal"]
    path = tmp_path / "terminal.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    back = load_config(path)
    assert back.offline == cfg.offline and back.centre == cfg.centre and back.infno == cfg.infno


@pytest.mark.parametrize("data,where", [
    ({}, "terminal.institution_code"),
    ({"terminal": {"institution_code": "P1", "terminal_no": 12}}, "terminal.terminal_no"),
    ({"terminal": {"institution_code": "P1", "bogus": 1}}, "terminal.bogus"),
    ({"terminal": {"institution_code": "P1"}, "offline": {"max_fund_per_transaction": 1.5}}, "max_fund_per_transaction"),
    ({"terminal": {"institution_code": "P1"}, "offline": {"allowed_identification": ["evoucher"]}}, "allowed_identification"),
    ({"terminal": {"institution_code": "P1"}, "centre": {"read_timeout_s": "slow"}}, "centre.read_timeout_s"),
])
def test_bad_settings_name_the_key(data, where):
    with pytest.raises(ConfigError) as info:
        config_from_dict(data)
    assert where in str(info.value) and info.value.message_zh


def test_an_evoucher_can_never_be_an_offline_identification():
    with pytest.raises(ConfigError, match="dynamic"):
        OfflineLimits.from_dict({"allowed_identification": ["id_card", "evoucher"]})


def test_missing_secret_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_SIGNING_SECRET", raising=False)
    cfg = config_from_dict({"terminal": {"institution_code": "P42070000001"}})
    with pytest.raises(ConfigError, match="signing secret"):
        cfg.terminal.signing_secret()
