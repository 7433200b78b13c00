"""Versioned upgrades of the site settings (as Picard's config_upgrade.py): `UPGRADES[n]` turns a version n-1
file into version n. Version 0 is what came before the site file: one JSON file per shell in the data folder
(desk.json, counter.json, devices.json, kiosk.json), whose loaders ignored unknown keys (an `offline` section in
desk.json was silently dropped). `from_legacy_files` carries every value over, the `offline` section included;
a key that has no setting now is refused with the file and the key named, so nothing a site wrote is lost
without a word. The legacy files are then renamed `*.upgraded` (an edit to one would otherwise be ignored).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from core.settings.options import SettingError

# desk.json / counter.json (core.services.pharmacy_config.DeskConfig before the registry)
DESK_KEYS = {
    "server_url": "centre.url", "institution": "institution.code", "institution_name": "institution.name",
    "secret": "signing.secret", "terminal": "terminal.id", "city": "institution.city",
    "profile_id": "benefit.profile", "store_url": "store.url", "receipt_dir": "receipt.folder",
    "receipt_printer": "receipt.printer", "language": "ui.language", "font_size": "ui.font_size",
    "cache_max_age_days": "offline.identify_cache_days",
}
# kiosk.json (core.services.kiosk.KioskConfig before the registry): shared keys go to the kiosk's own layer
KIOSK_SHARED_KEYS = {
    "institution": "institution.code", "institution_name": "institution.name", "terminal_id": "terminal.id",
    "server_url": "centre.url", "secret": "signing.secret", "language": "ui.language",
    "profile_id": "benefit.profile", "connect_timeout_s": "centre.connect_timeout_s",
    "read_timeout_s": "centre.read_timeout_s",
}
KIOSK_OWN_KEYS = {k: f"kiosk.{k}" for k in (
    "terminal_no", "operator", "window_no", "idle_seconds", "countdown_seconds", "text_px", "target_px", "voice",
    "voice_dir", "a4_printer", "statement_dir", "statement_keep_hours", "statement_max_days",
    "supervisor_code_hash", "recheck_seconds")} | {"printer": "kiosk.statement_formats"}
LEGACY_FILES = ("desk.json", "counter.json", "devices.json", "kiosk.json")


def _read_legacy(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingError(f"无法升级旧设置文件 {path}：{exc}",
                           f"cannot upgrade the old settings file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SettingError(f"旧设置文件 {path} 应为 JSON 对象", f"old settings file {path} must be a JSON object")
    return data


def _unknown(path: Path, key: str) -> SettingError:
    return SettingError(f"旧设置文件 {path} 中的 {key} 没有对应的设置，请删除或改正后再启动",
                        f"old settings file {path}: {key} is not a setting; remove or correct it, then start again")


def _desk(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in _read_legacy(path).items():
        if key.startswith("_"):
            continue
        if key == "offline":
            if not isinstance(value, dict):
                raise SettingError(f"{path}：offline 应为对象", f"{path}: offline must be an object")
            for limit, limit_value in value.items():
                if not limit.startswith("_"):
                    out[f"offline.{limit}"] = limit_value
        elif key in DESK_KEYS:
            out[DESK_KEYS[key]] = value
        else:
            raise _unknown(path, key)
    return out


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, out)
    else:
        out[prefix] = value


def _devices(path: Path) -> dict[str, Any]:
    data = _read_legacy(path)
    data.pop("version", None)
    out: dict[str, Any] = {}
    _flatten("devices", data, out)
    return out


def _kiosk(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    from core.sync.config import DEFAULT_INFNO

    own: dict[str, Any] = {}
    shared: dict[str, Any] = {}
    for key, value in _read_legacy(path).items():
        if key in KIOSK_OWN_KEYS:
            own[KIOSK_OWN_KEYS[key]] = value
        elif key in KIOSK_SHARED_KEYS:
            shared[KIOSK_SHARED_KEYS[key]] = value
        elif key == "secret_file":
            if value:
                shared["signing.secret_ref"] = f"file:{value}"
        elif key == "infno" and isinstance(value, dict) and all(DEFAULT_INFNO.get(k) == v for k, v in value.items()):
            continue  # KioskConfig.save() wrote the defaults out; transaction numbers belong to the interface profile
        elif not key.startswith("_"):
            raise _unknown(path, key)
    return own, shared


def from_legacy_files(folder: Path) -> dict[str, Any] | None:
    """A version-1 site file's data from the per-shell files in `folder`, or None when there are none."""
    found = [name for name in LEGACY_FILES if (folder / name).is_file()]
    if not found:
        return None
    values: dict[str, Any] = {}
    shells: dict[str, dict[str, Any]] = {}
    if "desk.json" in found:
        values.update(_desk(folder / "desk.json"))
    if "counter.json" in found:
        counter = _desk(folder / "counter.json")
        # the counter's own file: what differs from the desk's goes to the counter's layer
        shells["counter"] = {k: v for k, v in counter.items() if values.get(k, object()) != v}
    if "devices.json" in found:
        values.update(_devices(folder / "devices.json"))
    if "kiosk.json" in found:
        own, shared = _kiosk(folder / "kiosk.json")
        values.update(own)
        if shared:
            shells["kiosk"] = shared
    return {"version": 1, "settings": values, "shells": {k: v for k, v in shells.items() if v}}


def retire_legacy_files(folder: Path) -> list[Path]:
    moved = []
    for name in LEGACY_FILES:
        path = folder / name
        if path.is_file():
            target = path.with_name(name + ".upgraded")
            path.replace(target)
            moved.append(target)
    return moved


# Numbered upgrades of the site file itself: UPGRADES[n] takes version n-1's data and returns version n's.
# Version 1 is the first site file (from the legacy files above); later changes to keys add UPGRADES[2], ...
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upgrade(data: dict[str, Any], found: int, target: int) -> dict[str, Any]:
    for version in range(found + 1, target + 1):
        step = UPGRADES.get(version)
        if step is None:
            raise SettingError(f"缺少设置升级 v{version}", f"no settings upgrade to version {version}")
        data = step(dict(data))
        data["version"] = version
    return data


__all__ = ["LEGACY_FILES", "UPGRADES", "from_legacy_files", "retire_legacy_files", "upgrade"]
