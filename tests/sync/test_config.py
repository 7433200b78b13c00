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


def test_numbers_and_codes_come_from_one_table_profile_then_site(tmp_path):
    """The interface profile's own infno and med_type maps are what the terminal sends; the site's settings
    change them on top; a saved configuration keeps only the site's own (the profile stays the source)."""
    from core.gateway.profiles import profiles_dir

    prof = json.loads((profiles_dir() / "hubei.json").read_text(encoding="utf-8"))
    prof.update(id="province-x", infno={"sale_upload": "3505X", "settle": "2207"})
    path = tmp_path / "province-x.json"
    path.write_text(json.dumps(prof, ensure_ascii=False), encoding="utf-8")
    term = {"institution_code": "P42070000001"}
    cfg = config_from_dict({"terminal": term, "centre": {"interface_profile": str(path)}})
    assert (cfg.infno["sale_upload"], cfg.infno["settle"], cfg.infno["cancel"]) == ("3505X", "2207", "2103")
    assert (cfg.med_type["LB"], cfg.med_type["MT"]) == ("9901", "140104")  # the province's codes
    site = config_from_dict({"terminal": term, "centre": {"interface_profile": str(path)},
                             "infno": {"settle": "2102"}, "med_type": {"MT": "14"}})
    assert (site.infno["sale_upload"], site.infno["settle"], site.med_type["MT"]) == ("3505X", "2102", "14")
    saved = config_to_dict(site)
    assert saved["infno"] == {"settle": "2102"} and saved["med_type"] == {"MT": "14"}
    national = config_from_dict({"terminal": term, "centre": {"interface_profile": "national"}})
    assert national.med_type["LB"] == "14" and national.med_type["general"] == "41"


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
