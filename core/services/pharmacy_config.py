"""The desk's settings, declared once with defaults (Picard style), stored as JSON in the app data folder.

    cfg = DeskConfig.load()            # <app home>/desk.json; a missing file gives the defaults
    cfg = replace(cfg, font_size=16); cfg.save()

A file that is not JSON or has a field of the wrong type raises DeskConfigError naming the file and the
field; unknown keys are ignored (a newer version's file still loads).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from core.store.paths import app_home

CONFIG_FILE = "desk.json"


class DeskConfigError(ValueError):
    pass


@dataclass(frozen=True)
class DeskConfig:
    server_url: str = ""  # the centre; "" = standalone (no fund settlement)
    institution: str = "P42070000001"  # fixmedins_code of this pharmacy
    institution_name: str = "康济大药房"
    secret: str = ""  # signing secret issued by the centre (`onewindow seed` prints it)
    terminal: str = "T01"  # prefixes receipt numbers: unique per terminal
    city: str = "420700"
    profile_id: str = "TEST_CITY_A"  # benefit profile for the local audit
    store_url: str = ""  # SQLAlchemy URL of the local store; "" = the default file in the app data folder
    receipt_dir: str = ""  # where receipt PDFs go; "" = <app home>/receipts
    receipt_printer: str = ""  # "" = PDF; else a printer name known to hardware.printing
    language: str = "zh"  # zh / en
    font_size: int = 12  # points
    cache_max_age_days: int = 30  # offline identify: cached registrations younger than this

    @classmethod
    def load(cls, path: Path | None = None) -> "DeskConfig":
        path = path or app_home() / CONFIG_FILE
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DeskConfigError(f"{path}: cannot read the desk settings: {exc}") from None
        if not isinstance(data, dict):
            raise DeskConfigError(f"{path}: must be a JSON object")
        values = {}
        for f in fields(cls):
            if f.name in data:
                want = type(getattr(cls(), f.name))
                if not isinstance(data[f.name], want) or isinstance(data[f.name], bool) and want is not bool:
                    raise DeskConfigError(f"{path}: {f.name} must be {want.__name__}, got {data[f.name]!r}")
                values[f.name] = data[f.name]
        cfg = replace(cls(), **values)
        cfg.check(str(path))
        return cfg

    def check(self, where: str = "desk settings") -> None:
        if self.language not in ("zh", "en"):
            raise DeskConfigError(f"{where}: language must be zh or en")
        if not 8 <= self.font_size <= 32:
            raise DeskConfigError(f"{where}: font_size must be 8-32")
        if not self.terminal or len(self.terminal) > 8:
            raise DeskConfigError(f"{where}: terminal must be 1-8 characters")

    def save(self, path: Path | None = None) -> Path:
        self.check()
        path = path or app_home() / CONFIG_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the signing secret
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(self), fh, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
        return path

    def receipts_folder(self) -> Path:
        return Path(self.receipt_dir) if self.receipt_dir else app_home() / "receipts"


__all__ = ["CONFIG_FILE", "DeskConfig", "DeskConfigError"]
