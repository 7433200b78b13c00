"""Sync configuration: declared once, typed, with defaults in resources/config/ and shown to the user.

- OfflineLimits: the floor limits of offline settlement (declared with their defaults in core.settings.options,
  `offline.*`; a site sets them in its settings file).
- CentreConfig, SenderConfig (defaults in resources/config/sync.json).
- Transaction numbers by use and med_type codes differ by province: one table each, resolved in one place
  (SyncConfig.infno / .med_type): the national numbering here (DEFAULT_INFNO), then what the site's interface
  profile (resources/interface/<name>.json) changes, then what this site's own settings change.
- TerminalConfig: who this terminal is (institution, terminal id, its facility, profile, signing secret).
- SyncConfig: all of it; `load_config(path)` reads a terminal's JSON file over the defaults.

Every problem is a ConfigError naming the key, in English and Chinese; a bad file never half-loads.
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping

from core.domain import Facility
from core.settings import default_of

IDENTIFICATION_KINDS = ("evoucher", "id_card", "ss_card")
DEFAULT_PATH = "/fsi/api/rsfComIfsService/callService"


class ConfigError(ValueError):
    def __init__(self, where: str, problem: str, problem_zh: str = "") -> None:
        super().__init__(f"sync configuration: {where}: {problem}")
        self.where, self.problem = where, problem
        self.message_zh = f"同步配置错误：{where}：{problem_zh or problem}"


def resources_dir() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "resources" / "config"


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc.strerror or exc}", "无法读取") from None
    except ValueError as exc:
        raise ConfigError(str(path), f"not valid JSON: {exc}", "不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "must be a JSON object", "必须是 JSON 对象")
    return data


def _amount(where: str, value: Any) -> Decimal:
    if isinstance(value, (bool, float)):
        raise ConfigError(where, f"write amounts as strings or integers, got {value!r}", "金额请写成字符串")
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ConfigError(where, f"not an amount: {value!r}", "不是金额") from None
    if not d.is_finite() or d < 0:
        raise ConfigError(where, f"must be a non-negative amount: {value!r}", "必须是非负金额")
    return d.quantize(Decimal("0.01"))


def _number(where: str, value: Any, *, integer: bool = False, positive: bool = True) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(where, f"must be a number, got {value!r}", "必须是数字")
    if integer and not isinstance(value, int):
        raise ConfigError(where, f"must be a whole number, got {value!r}", "必须是整数")
    if positive and value <= 0:
        raise ConfigError(where, f"must be greater than 0, got {value!r}", "必须大于 0")
    return value


def _text(where: str, value: Any, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ConfigError(where, f"must be {'' if empty else 'non-empty '}text, got {value!r}", "必须是文本")
    return value


@dataclass(frozen=True)
class OfflineLimits:
    """离线限额: offline settlement happens only inside all of these."""

    max_registration_age_hours: int = default_of("offline.max_registration_age_hours")
    max_fund_per_transaction: Decimal = Decimal(default_of("offline.max_fund_per_transaction"))
    max_fund_per_person_per_day: Decimal = Decimal(default_of("offline.max_fund_per_person_per_day"))
    max_terminal_offline_fund: Decimal = Decimal(default_of("offline.max_terminal_offline_fund"))
    max_offline_hours: int = default_of("offline.max_offline_hours")
    allowed_identification: tuple[str, ...] = tuple(default_of("offline.allowed_identification"))

    LABELS_ZH = {
        "max_registration_age_hours": "备案缓存最长有效（小时）",
        "max_fund_per_transaction": "单笔统筹支付上限（元）",
        "max_fund_per_person_per_day": "每人每日统筹支付上限（元）",
        "max_terminal_offline_fund": "本终端离线统筹累计上限（元）",
        "max_offline_hours": "最长离线时间（小时）",
        "allowed_identification": "离线允许的身份凭证",
    }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "offline") -> "OfflineLimits":
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key.startswith("_"):
                continue
            if key not in known:
                raise ConfigError(f"{where}.{key}", "unknown setting", "未知设置")
            w = f"{where}.{key}"
            if key in ("max_fund_per_transaction", "max_fund_per_person_per_day", "max_terminal_offline_fund"):
                values[key] = _amount(w, value)
            elif key in ("max_registration_age_hours", "max_offline_hours"):
                values[key] = _number(w, value, integer=True)
            else:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(w, "must be a list of identification kinds", "必须是凭证类型列表")
                bad = [v for v in value if v not in ("id_card", "ss_card")]
                if bad:
                    raise ConfigError(w, f"only id_card and ss_card can identify offline, not {bad} "
                                      "(an e-voucher QR is dynamic and is never queued)",
                                      "离线只能使用身份证或社保卡（电子凭证为动态码，不能离线使用）")
                values[key] = tuple(value)
        return cls(**values)

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, Chinese label, value) for the status screen."""
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            text = ", ".join(value) if isinstance(value, tuple) else str(value)
            out.append((f.name, self.LABELS_ZH[f.name], text))
        return out


@dataclass(frozen=True)
class CentreConfig:
    url: str = ""
    path: str = "/fsi/api/rsfComIfsService/callService"
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 15.0
    verify_tls: bool | str = True  # True, False (never in production) or a CA bundle path
    admvs: str = "420700"
    infver: str = "V1.0"
    recer_sys_code: str = "YBXT"
    # the platform this site talks to (resources/interface/<name>.json: field tables, paths, signing, codes)
    interface_profile: str = "onewindow"
    signing_style: str = ""  # "" = the interface profile's (ow / tif / csb)
    csb_api_name: str = "callService"  # CSB style only: _api_name / _api_version the gateway expects
    csb_api_version: str = "1.0.0"

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + self.path

    def endpoint_for(self, infno: str, profile) -> str:
        """The URL of one transaction: a path set in this configuration wins, else the profile's path."""
        path = self.path if self.path != profile.default_path and self.path != DEFAULT_PATH else profile.path_for(infno)
        return self.url.rstrip("/") + path


@dataclass(frozen=True)
class SenderConfig:
    settle_patience_s: float = 10.0  # how long a cashier waits for a settlement answer before it is reversed
    reversal_patience_s: float = 5.0
    lease_ttl_s: float = 15.0
    poll_s: float = 0.5
    batch: int = 200
    workers: int = 4
    apply_group: int = 64  # answers recorded per transaction by a pass (a kill -9 loses at most these: resent)
    backoff_max_s: float = 30.0
    offline_probe_s: float = 10.0
    total_tolerance: Decimal = Decimal("0.10")  # the 0.1 元 rule between local and centre totals


@dataclass(frozen=True)
class TerminalConfig:
    institution_code: str
    institution_name: str = ""
    terminal_id: str = "T01"
    terminal_no: int = 0  # one digit in the msgid sequence: up to 10 terminals per institution code
    facility_kind: str = "pharmacy"
    benefit_level: str = "pharmacy"
    hospital_grade: str | None = None
    city: str = ""
    profile_id: str = "TEST_CITY_A"
    secret: str = ""
    secret_file: str = ""
    opter_type: str = "1"
    utc_offset_hours: int = 8
    pharmacist_licence: str = ""  # 执业药师注册证号 of the pharmacist on duty: 3505/3506 phar_prac_cert_no

    def facility(self) -> Facility:
        return Facility(self.institution_code, self.institution_name or self.institution_code, self.facility_kind,
                        self.benefit_level, self.hospital_grade, self.city)

    def signing_secret(self) -> str:
        if self.secret:
            return self.secret
        if self.secret_file:
            try:
                return Path(self.secret_file).expanduser().read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError("terminal.secret_file", f"cannot read: {exc.strerror or exc}", "无法读取签名密钥") from None
        env = os.environ.get("ONEWINDOW_SIGNING_SECRET", "")
        if env:
            return env
        raise ConfigError("terminal.secret", "no signing secret (secret, secret_file or $ONEWINDOW_SIGNING_SECRET)",
                          "未配置接口签名密钥")


DEFAULT_INFNO = {
    "sign_in": "9001", "sign_out": "9002", "person": "1101", "registrations": "5301", "drug_history": "5205", "cumulative": "5206",
    "pre_settle": "2101", "settle": "2102", "cancel": "2103", "reverse": "2601", "sale_upload": "3505",
    "sale_return": "3506", "statement": "3201", "catalogue": "1301", "registration": "2503",
    # 电子凭证 decoding and the e-prescription (电子处方流转) calls of the desk, named as the kiosk names them
    "evoucher": "1162", "rx_by_code": "7201", "prescriptions": "7202", "rx_detail": "7203", "rx_dispensed": "7206",
    # stock (进销存): uploads through the outbox (core.sync.stock_uploads) and the queries of the reconciliation
    "stock_count": "3501", "stock_change": "3502", "purchase": "3503", "purchase_return": "3504", "stock_delete": "3507",
    "stock_query": "3508", "sale_query": "3511",
    # 家庭共济: the open bindings of a person, to offer a holder's account at the pay step (our extension)
    "family_accounts": "2596",
}
DEFAULT_MED_TYPE = {"LB": "9901", "MT": "14"}


@dataclass(frozen=True)
class SyncConfig:
    terminal: TerminalConfig
    centre: CentreConfig = field(default_factory=CentreConfig)
    sender: SenderConfig = field(default_factory=SenderConfig)
    offline: OfflineLimits = field(default_factory=OfflineLimits)
    site_infno: Mapping[str, str] = field(default_factory=dict)  # this site's own numbers (settings `infno`)
    site_med_type: Mapping[str, str] = field(default_factory=dict)  # this site's own codes (settings `med_type`)

    @functools.cached_property
    def infno(self) -> Mapping[str, str]:
        """Transaction numbers by use: national, then the interface profile's, then this site's."""
        return {**DEFAULT_INFNO, **self.interface.infno, **self.site_infno}

    @functools.cached_property
    def med_type(self) -> Mapping[str, str]:
        """med_type by scheme (LB, MT, general …): national, then the interface profile's, then this site's."""
        return {**DEFAULT_MED_TYPE, **self.interface.med_type, **self.site_med_type}

    @property
    def interface(self):
        from core.gateway.profiles import load_profile

        return load_profile(self.centre.interface_profile)

    def with_centre(self, url: str, **kw: Any) -> "SyncConfig":
        return replace(self, centre=replace(self.centre, url=url, **kw))

    def with_offline(self, **kw: Any) -> "SyncConfig":
        return replace(self, offline=replace(self.offline, **kw))

    def with_sender(self, **kw: Any) -> "SyncConfig":
        return replace(self, sender=replace(self.sender, **kw))


def _dataclass_from(cls, data: Mapping[str, Any], where: str, base=None):
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("_"):
            continue
        if key not in known:
            raise ConfigError(f"{where}.{key}", "unknown setting", "未知设置")
        w = f"{where}.{key}"
        current = getattr(base, key) if base is not None else None
        if key == "verify_tls":
            if not isinstance(value, (bool, str)):
                raise ConfigError(w, "must be true, false or a CA bundle path", "必须是 true/false 或证书路径")
            values[key] = value
        elif key == "total_tolerance":
            values[key] = _amount(w, value)
        elif key in ("terminal_no",):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9:
                raise ConfigError(w, "must be a digit 0–9", "必须是 0–9 的数字")
            values[key] = value
        elif key == "utc_offset_hours":
            if not isinstance(value, int) or isinstance(value, bool) or not -12 <= value <= 14:
                raise ConfigError(w, "must be a whole number of hours", "必须是整数小时")
            values[key] = value
        elif key == "hospital_grade":
            values[key] = None if value is None else _text(w, value)
        elif isinstance(current, bool) or (base is None and known[key].type in ("bool",)):
            if not isinstance(value, bool):
                raise ConfigError(w, "must be true or false", "必须是 true 或 false")
            values[key] = value
        elif isinstance(current, (int, float)) and not isinstance(current, bool):
            values[key] = _number(w, value, integer=isinstance(current, int))
        else:
            values[key] = _text(w, value, empty=key in ("secret", "secret_file", "url", "institution_name", "city",
                                                        "signing_style", "pharmacist_licence"))
    return replace(base, **values) if base is not None else cls(**values)


def default_sync_values() -> dict:
    path = resources_dir() / "sync.json"
    return _read_json(path) if path.exists() else {}


def default_offline_limits() -> OfflineLimits:
    return OfflineLimits()


def config_from_dict(data: Mapping[str, Any], where: str = "config") -> SyncConfig:
    """A SyncConfig from a terminal's settings over the defaults in resources/config/."""
    defaults = default_sync_values()
    if not isinstance(data, Mapping):
        raise ConfigError(where, "must be a JSON object", "必须是 JSON 对象")
    term = data.get("terminal")
    if not isinstance(term, Mapping) or not term.get("institution_code"):
        raise ConfigError(f"{where}.terminal.institution_code", "missing", "缺少定点机构编号")
    terminal = _dataclass_from(TerminalConfig, term, f"{where}.terminal")
    if len(terminal.institution_code) > 30:
        raise ConfigError(f"{where}.terminal.institution_code", "longer than 30 characters", "过长")
    centre = _dataclass_from(CentreConfig, defaults.get("centre", {}), "defaults.centre", CentreConfig())
    centre = _dataclass_from(CentreConfig, data.get("centre", {}), f"{where}.centre", centre)
    _check_interface(centre, f"{where}.centre")
    sender = _dataclass_from(SenderConfig, defaults.get("sender", {}), "defaults.sender", SenderConfig())
    sender = _dataclass_from(SenderConfig, data.get("sender", {}), f"{where}.sender", sender)
    offline = default_offline_limits()
    if data.get("offline"):
        merged = {k: v for k, v in _offline_dict(offline).items()}
        merged.update(data["offline"])
        offline = OfflineLimits.from_dict(merged, f"{where}.offline")
    tables = {}
    for name in ("infno", "med_type"):
        table = data.get(name, {})
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}.{name}", "must be an object of texts", "必须是文本映射")
        tables[name] = {str(k): _text(f"{where}.{name}.{k}", v) for k, v in table.items()}
    return SyncConfig(terminal, centre, sender, offline, tables["infno"], tables["med_type"])


def _check_interface(centre: CentreConfig, where: str) -> None:
    from core.gateway.profiles import SIGNING_STYLES, InterfaceProfileError, load_profile

    try:
        load_profile(centre.interface_profile)
    except InterfaceProfileError as exc:
        raise ConfigError(f"{where}.interface_profile", exc.en, exc.zh) from None
    if centre.signing_style and centre.signing_style not in SIGNING_STYLES:
        raise ConfigError(f"{where}.signing_style", f"must be one of {', '.join(SIGNING_STYLES)}",
                          f"签名方式必须是 {'/'.join(SIGNING_STYLES)}")


def _offline_dict(limits: OfflineLimits) -> dict:
    out = {}
    for f in fields(limits):
        v = getattr(limits, f.name)
        out[f.name] = str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, tuple) else v
    return out


def load_config(path: str | Path) -> SyncConfig:
    path = Path(path)
    return config_from_dict(_read_json(path), str(path))


def config_to_dict(config: SyncConfig) -> dict:
    """The JSON form of a configuration (what load_config reads back); the secret itself is never written."""
    def dc(obj) -> dict:
        out = {}
        for f in fields(obj):
            v = getattr(obj, f.name)
            if isinstance(v, Decimal):
                v = str(v)
            elif isinstance(v, tuple):
                v = list(v)
            out[f.name] = v
        return out

    term = dc(config.terminal)
    term.pop("secret", None)
    return {"terminal": term, "centre": dc(config.centre), "sender": dc(config.sender),
            "offline": _offline_dict(config.offline), "infno": dict(config.site_infno),
            "med_type": dict(config.site_med_type)}


__all__ = [
    "CentreConfig", "ConfigError", "IDENTIFICATION_KINDS", "OfflineLimits", "SenderConfig", "SyncConfig",
    "TerminalConfig", "config_from_dict", "config_to_dict", "default_offline_limits", "load_config",
]
