"""The site settings file: one JSON file per installation (`<config dir>/onewindow.json`), versioned.

    {"version": 1,
     "settings": {"centre.url": "http://centre:8700", "devices.scanner.wedge.max_gap_ms": 120, ...},
     "shells": {"counter": {"terminal.id": "C02"}}}

`settings` holds what the site changed from the declared defaults (core.settings.options); `shells` what one
shell changes on top (a counter and a pharmacy desk on one machine). An older file is brought up to date by the
numbered upgrades of core.settings.upgrade before anything reads it (the old file is kept beside it). A key
that is not declared, a value of the wrong kind and a file that is not JSON are refused with the file and the
key named; the file is then left as it was.

    settings = SiteSettings.load()
    settings.get("devices.scanner.wedge.max_gap_ms", "pharmacy")   # 120
    settings.source("centre.url", "counter")                         # "site file /…/onewindow.json"
    settings.set("ui.font_size", 14).save()
"""
from __future__ import annotations

import copy
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings.options import BY_KEY, OPTIONS, SHELLS, Option, SettingError, option
from core.settings.paths import app_home, site_file

VERSION = 1


@dataclass(frozen=True)
class Effective:
    option: Option
    value: Any
    source: str  # "default", "default (counter)", "site file PATH", "site file PATH [counter]"


@dataclass
class SiteSettings:
    path: Path
    values: dict[str, Any] = field(default_factory=dict)
    shells: dict[str, dict[str, Any]] = field(default_factory=dict)
    upgraded_from: int | None = None  # the version of the file as found, when an upgrade ran on load

    # ------------------------------------------------------------------------------------------------ reading
    @classmethod
    def load(cls, path: Path | None = None, *, legacy_dir: Path | None = None) -> "SiteSettings":
        """The site file at `path` (default: the config folder's), upgraded and written back when older; no
        file yet: the legacy per-shell files of the data folder (desk.json, counter.json, devices.json,
        kiosk.json) when there are any, else the defaults."""
        from core.settings import upgrade

        path = path or site_file()
        legacy_dir = legacy_dir or app_home()
        if not path.exists():
            data = upgrade.from_legacy_files(legacy_dir)
            if data is None:
                return cls(path)
            settings = cls.from_data(data, str(path))
            settings.upgraded_from = 0
            settings.save()
            upgrade.retire_legacy_files(legacy_dir)
            return settings
        data = _read(path)
        found = data.get("version")
        if not isinstance(found, int) or isinstance(found, bool) or found < 1:
            raise SettingError(f"{path}：缺少或无效的 version", f"{path}: version is missing or invalid")
        if found > VERSION:
            raise SettingError(f"{path} 由更新版本的一窗通写入（版本 {found}），请升级本程序",
                               f"{path} was written by a newer OneWindow (version {found}); upgrade this one")
        if found < VERSION:
            data = upgrade.upgrade(data, found, VERSION)
        settings = cls.from_data(data, str(path))
        if found < VERSION:
            path.with_name(f"{path.name}.v{found}").write_bytes(path.read_bytes())
            settings.upgraded_from = found
            settings.save()
        return settings

    @classmethod
    def from_data(cls, data: dict[str, Any], where: str, path: Path | None = None) -> "SiteSettings":
        unknown = sorted(set(data) - {"version", "settings", "shells", "_comment"})
        if unknown:
            raise SettingError(f"{where}：未知的顶层键 {unknown[0]}", f"{where}: unknown top-level key {unknown[0]}")
        values = _checked(data.get("settings", {}), where)
        shells_in = data.get("shells", {})
        if not isinstance(shells_in, dict):
            raise SettingError(f"{where}：shells 应为对象", f"{where}: shells must be an object")
        shells: dict[str, dict[str, Any]] = {}
        for shell, overrides in shells_in.items():
            if shell not in SHELLS:
                raise SettingError(f"{where}：未知的界面 {shell}", f"{where}: unknown shell {shell} "
                                   f"(allowed: {' | '.join(SHELLS)})")
            shells[shell] = _checked(overrides, f"{where} [{shell}]")
        return cls(path or Path(where), values, shells)

    def get(self, key: str, shell: str | None = None) -> Any:
        return self.effective(key, shell).value

    def source(self, key: str, shell: str | None = None) -> str:
        return self.effective(key, shell).source

    def effective(self, key: str, shell: str | None = None) -> Effective:
        opt = option(key)
        if shell and key in self.shells.get(shell, {}):
            return Effective(opt, copy.deepcopy(self.shells[shell][key]), f"site file {self.path} [{shell}]")
        if key in self.values:
            return Effective(opt, copy.deepcopy(self.values[key]), f"site file {self.path}")
        if shell and shell in opt.per_shell:
            return Effective(opt, copy.deepcopy(opt.per_shell[shell]), f"default ({shell})")
        return Effective(opt, copy.deepcopy(opt.default), "default")

    def all_effective(self, shell: str | None = None) -> list[Effective]:
        return [self.effective(o.key, shell) for o in OPTIONS if shell is None or shell in o.shells]

    def section(self, prefix: str, shell: str | None = None) -> dict[str, Any]:
        """The effective values under `prefix.` as a nested dict (`devices` -> {"scanner": {"wedge": {...}}})."""
        out: dict[str, Any] = {}
        for opt in OPTIONS:
            if not opt.key.startswith(prefix + "."):
                continue
            node = out
            *parents, leaf = opt.key[len(prefix) + 1:].split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = self.get(opt.key, shell)
        return out

    def signing_secret(self, shell: str | None = None) -> str:
        """The secret itself: from signing.secret_ref when set (env:, file:, keyring:), else signing.secret."""
        from core.settings.secrets import resolve_secret

        return resolve_secret(self.get("signing.secret_ref", shell)) or self.get("signing.secret", shell)

    # ------------------------------------------------------------------------------------------------ writing
    def set(self, key: str, value: Any, shell: str | None = None, *, text: bool = False) -> "SiteSettings":
        """Validated (`text`: parsed from what was typed); returns self for chaining. Nothing is written until
        save()."""
        opt = option(key)
        checked = opt.parse(value) if text else opt.validate(value)
        if shell is not None and shell not in SHELLS:
            raise SettingError(f"未知的界面 {shell}", f"unknown shell {shell}")
        target = self.shells.setdefault(shell, {}) if shell else self.values
        target[key] = checked
        return self

    def set_many(self, changes: dict[str, Any], shell: str | None = None) -> "SiteSettings":
        """All or nothing: one bad value leaves every setting as it was."""
        checked = {key: option(key).validate(value) for key, value in changes.items()}
        target = self.shells.setdefault(shell, {}) if shell else self.values
        target.update(checked)
        return self

    def unset(self, key: str, shell: str | None = None) -> "SiteSettings":
        option(key)
        (self.shells.get(shell, {}) if shell else self.values).pop(key, None)
        return self

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": VERSION, "settings": dict(sorted(self.values.items()))}
        shells = {s: dict(sorted(v.items())) for s, v in sorted(self.shells.items()) if v}
        if shells:
            data["shells"] = shells
        return data

    def save(self) -> Path:
        """Atomically, mode 0600 (it may hold the signing secret): a crash leaves the old file or the new one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".onewindow.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.to_data(), fh, ensure_ascii=False, indent=1)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self.path


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingError(f"无法读取设置文件 {path}：{exc.strerror or exc}",
                           f"cannot read the settings file {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", "?")
        raise SettingError(f"设置文件 {path} 不是有效的 JSON（第 {line} 行）",
                           f"settings file {path} is not valid JSON (line {line})") from None
    if not isinstance(data, dict):
        raise SettingError(f"设置文件 {path} 应为 JSON 对象", f"settings file {path} must be a JSON object")
    return data


def _checked(values: Any, where: str) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise SettingError(f"{where}：settings 应为对象", f"{where}: settings must be an object")
    out = {}
    for key, value in values.items():
        if key not in BY_KEY:
            err = _unknown(key)
            raise SettingError(f"{where}：{err.zh}", f"{where}: {err.en}")
        try:
            out[key] = BY_KEY[key].validate(value)
        except SettingError as exc:
            raise SettingError(f"{where}：{exc.zh}", f"{where}: {exc.en}") from None
    return out


def _unknown(key: str) -> SettingError:
    try:
        option(key)
    except SettingError as exc:
        return exc
    raise AssertionError(key)  # pragma: no cover - only called for undeclared keys


__all__ = ["Effective", "SiteSettings", "VERSION"]
