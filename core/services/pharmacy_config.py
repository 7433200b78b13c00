"""The desk's settings (pharmacy and counter): a typed view of the site settings (core.settings), whose
declarations give every default.

    cfg = DeskConfig.load("pharmacy")      # <config dir>/onewindow.json over the declared defaults
    cfg = DeskConfig.from_settings(SiteSettings.load(), "counter")

A bad settings file raises DeskConfigError naming the file and the key, in Chinese and English.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings import SettingError, SiteSettings, default_of
from core.settings.paths import app_home


class DeskConfigError(ValueError):
    pass


def _d(key: str) -> Any:
    return default_of(key)


@dataclass(frozen=True)
class DeskConfig:
    server_url: str = _d("centre.url")  # the centre; "" = standalone (no fund settlement)
    interface_profile: str = _d("centre.interface_profile")  # resources/interface/<name>.json
    signing_style: str = _d("signing.style")  # "" = the interface profile's
    institution: str = _d("institution.code")  # fixmedins_code of this pharmacy
    institution_name: str = _d("institution.name")
    secret: str = _d("signing.secret")  # signing secret issued by the centre (`onewindow seed` prints it)
    terminal: str = _d("terminal.id")  # prefixes receipt numbers: unique per terminal
    city: str = _d("institution.city")
    profile_id: str = _d("benefit.profile")  # benefit profile for the local audit
    store_url: str = _d("store.url")  # "" = the default file in the app data folder
    receipt_dir: str = _d("receipt.folder")  # "" = <app home>/receipts
    receipt_printer: str = _d("receipt.printer")  # "" = the device settings' printer
    language: str = _d("ui.language")
    font_size: int = _d("ui.font_size")
    cache_max_age_days: int = _d("offline.identify_cache_days")  # offline identify: cached registrations this young
    # the offline floor limits of this site (offline.* settings, names of core.sync.config.OfflineLimits);
    # empty = the declared defaults
    offline: dict[str, Any] = field(default_factory=dict, compare=False)
    # stock.* settings (core.services.stock.StockSettings: not_in_stock, near_expiry_days, block_expired)
    stock: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_settings(cls, settings: SiteSettings, shell: str = "pharmacy") -> "DeskConfig":
        try:
            offline = {k: v for k, v in settings.section("offline", shell).items() if k != "identify_cache_days"}
            cfg = cls(
                server_url=settings.get("centre.url", shell), institution=settings.get("institution.code", shell),
                interface_profile=settings.get("centre.interface_profile", shell),
                signing_style=settings.get("signing.style", shell),
                institution_name=settings.get("institution.name", shell), secret=settings.signing_secret(shell),
                terminal=settings.get("terminal.id", shell), city=settings.get("institution.city", shell),
                profile_id=settings.get("benefit.profile", shell), store_url=settings.get("store.url", shell),
                receipt_dir=settings.get("receipt.folder", shell),
                receipt_printer=settings.get("receipt.printer", shell), language=settings.get("ui.language", shell),
                font_size=settings.get("ui.font_size", shell),
                cache_max_age_days=settings.get("offline.identify_cache_days", shell), offline=offline,
                stock=settings.section("stock", shell))
        except SettingError as exc:
            raise DeskConfigError(str(exc)) from None
        cfg.check(str(settings.path))
        return cfg

    @classmethod
    def load(cls, shell: str = "pharmacy", path: Path | None = None) -> "DeskConfig":
        try:
            settings = SiteSettings.load(path)
        except SettingError as exc:
            raise DeskConfigError(str(exc)) from None
        return cls.from_settings(settings, shell)

    def check(self, where: str = "desk settings") -> None:
        if self.language not in ("zh", "en"):
            raise DeskConfigError(f"{where}: language must be zh or en")
        if not 8 <= self.font_size <= 32:
            raise DeskConfigError(f"{where}: font_size must be 8-32")
        if not self.terminal or len(self.terminal) > 8:
            raise DeskConfigError(f"{where}: terminal must be 1-8 characters")

    def receipts_folder(self) -> Path:
        return Path(self.receipt_dir) if self.receipt_dir else app_home() / "receipts"


__all__ = ["DeskConfig", "DeskConfigError"]
