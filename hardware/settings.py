"""DeviceSettings: which scanner, camera, printer and card reader a terminal uses, and how each is tuned.

A typed view of the site settings' `devices.*` keys (core.settings: declared there once with their defaults
and ranges; stored in the one site file). `load_device_settings()` / `save_device_settings(s)` read and write
them there; with a `path` they read and write a standalone JSON file of the same shape (exports, tests).
A bad value raises DeviceSettingsError whose message names the file and the field in Chinese and English; the
file is left as it was.
"""
from __future__ import annotations

import json
import os
import tempfile
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from core.settings import SettingError, SiteSettings, default_of as _d
from core.settings.paths import app_home

SETTINGS_FILE = "devices.json"
SETTINGS_VERSION = 1


class DeviceSettingsError(ValueError):
    """Bad device settings. `zh` and `en` are the message in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


@dataclass(frozen=True)
class WedgeSettings:
    """Keyboard-wedge scanner (the scanner types like a keyboard). Timing figures: ../shared/domain/barcode.md.

    max_gap_ms         keys closer than this belong to one burst; a USB scanner types every 7-16 ms, people
                       rarely type two keys within 50 ms more than twice in a row; a Bluetooth scanner needs
                       80-150 (it types slowly, odoo PR #15552)
    min_length         a burst shorter than this is typing (our codes are 8+ characters; trace codes 20)
    prefix             text the scanner is programmed to send first (e.g. "\\x02" STX); "" = none. A prefixed
                       burst is a scan whatever its length, and may be slower (prefixed_gap_ms)
    prefixed_gap_ms    the gap allowed inside a prefixed burst
    suffix             "auto" (Enter or Tab), "enter", "tab", "none", or the literal text (e.g. "\\x03" ETX)
    gs_substitute      printable text the scanner sends for the GS1 separator (e.g. "~"); turned back into GS.
                       "<GS>" / "{GS}" need no setting (core.codes knows them)
    blanking_ms        after a scan: a second suffix key (CR after LF) is swallowed and the same code read
                       again is dropped (a double trigger)
    letter_case        "shift": a letter's case follows the Shift key the scanner pressed, so CAPS LOCK
                       cannot invert it (default); "as_typed": trust the text (for scanners that compensate
                       for Caps Lock themselves)
    """

    max_gap_ms: int = _d("devices.scanner.wedge.max_gap_ms")
    min_length: int = _d("devices.scanner.wedge.min_length")
    prefix: str = _d("devices.scanner.wedge.prefix")
    prefixed_gap_ms: int = _d("devices.scanner.wedge.prefixed_gap_ms")
    suffix: str = _d("devices.scanner.wedge.suffix")
    gs_substitute: str = _d("devices.scanner.wedge.gs_substitute")
    blanking_ms: int = _d("devices.scanner.wedge.blanking_ms")
    letter_case: str = _d("devices.scanner.wedge.letter_case")

    def check(self) -> None:
        _require(1 <= self.max_gap_ms <= 1000, "wedge.max_gap_ms", "1-1000")
        _require(1 <= self.min_length <= 512, "wedge.min_length", "1-512")
        _require(1 <= self.prefixed_gap_ms <= 5000, "wedge.prefixed_gap_ms", "1-5000")
        _require(0 <= self.blanking_ms <= 5000, "wedge.blanking_ms", "0-5000")
        _require(self.letter_case in ("shift", "as_typed"), "wedge.letter_case", "shift | as_typed")
        _require(self.suffix != "", "wedge.suffix", 'auto | enter | tab | none | literal text')


@dataclass(frozen=True)
class SerialSettings:
    """USB-COM / RS-232 scanner.

    port        device path: "/dev/ttyACM0", "/dev/serial/by-id/…" (survives replugging), "COM3"
    baudrate    9600 is what most scanners ship with; USB CDC ignores it
    suffix      bytes ending one scan, as text with escapes decoded: "\\r", "\\n", "\\r\\n" ("" = idle gap only)
    idle_ms     a pause this long also ends a scan (a scanner programmed without a suffix)
    encoding    how to read the bytes (scanners send ASCII; "gb18030" for Chinese payloads)
    reconnect_ms  how often to try opening the port again after it disappeared (unplugged)
    backend     "auto" (pyserial when installed, else POSIX termios), "pyserial", "posix"
    """

    port: str = _d("devices.scanner.serial.port")
    baudrate: int = _d("devices.scanner.serial.baudrate")
    suffix: str = _d("devices.scanner.serial.suffix")
    idle_ms: int = _d("devices.scanner.serial.idle_ms")
    encoding: str = _d("devices.scanner.serial.encoding")
    reconnect_ms: int = _d("devices.scanner.serial.reconnect_ms")
    backend: str = _d("devices.scanner.serial.backend")

    def check(self) -> None:
        _require(self.baudrate > 0, "serial.baudrate", "> 0")
        _require(1 <= self.idle_ms <= 5000, "serial.idle_ms", "1-5000")
        _require(50 <= self.reconnect_ms <= 60000, "serial.reconnect_ms", "50-60000")
        _require(self.backend in ("auto", "pyserial", "posix"), "serial.backend", "auto | pyserial | posix")
        try:
            "".encode(self.encoding)
        except LookupError:
            _require(False, "serial.encoding", "a Python codec name")


@dataclass(frozen=True)
class ScannerSettings:
    """kind: "keyboard" (wedge), "serial", "simulator" (the key simulator in the settings screen), "none"."""

    kind: str = _d("devices.scanner.kind")
    wedge: WedgeSettings = field(default_factory=WedgeSettings)
    serial: SerialSettings = field(default_factory=SerialSettings)

    def check(self) -> None:
        _require(self.kind in ("keyboard", "serial", "simulator", "none"), "scanner.kind",
                 "keyboard | serial | simulator | none")
        self.wedge.check()
        self.serial.check()


@dataclass(frozen=True)
class CameraSettings:
    """kind: "none", "opencv" (cv2.VideoCapture index), "simulator" (images, a video file or generated frames).

    index         camera index for opencv
    width/height  requested capture size; 1920x1080 reads Code 128 better, 1280x720 is cheaper
    source        simulator: a folder of images, an image, a video file, or "" for generated frames
    rotate_retry  the ±20°-tilted views are among the extra views (tilted 1D codes)
    full_pass_every  every Nth frame shows an extra view of the picture in turn: turned 90° (upright 1D codes,
                  Data Matrix at any angle), inverted, tilted ±20° (hardware.camera.pipeline); 2 makes an
                  upright or inverted code a scan within half a second at 15 fps
    """

    kind: str = _d("devices.camera.kind")
    index: int = _d("devices.camera.index")
    width: int = _d("devices.camera.width")
    height: int = _d("devices.camera.height")
    source: str = _d("devices.camera.source")
    rotate_retry: bool = _d("devices.camera.rotate_retry")
    full_pass_every: int = _d("devices.camera.full_pass_every")

    def check(self) -> None:
        _require(self.kind in ("none", "opencv", "simulator"), "camera.kind", "none | opencv | simulator")
        _require(self.index >= 0, "camera.index", ">= 0")
        _require(160 <= self.width <= 7680 and 120 <= self.height <= 4320, "camera.width/height", "160x120 - 7680x4320")
        _require(1 <= self.full_pass_every <= 100, "camera.full_pass_every", "1-100")


@dataclass(frozen=True)
class PrinterSettings:
    """kind: "escpos_network" (address host[:port], port 9100 by default), "escpos_serial" (address = port,
    baudrate), "escpos_device" (address = /dev/usb/lp0 or a file), "system" (address = printer name, "" =
    default; QPrinter), "pdf" (address = folder), "simulator" (address = folder, "" = <app data>/printer-sim),
    "none".

    paper_mm      58 (32 columns, 384 dots) or 80 (48 columns, 576 dots)
    encoding      "gb18030" / "gbk" (Chinese printers: FS & Chinese mode), "ascii" (others: Chinese as "?")
    qr            the printer understands GS ( k (native QR); otherwise the settlement id is printed as text
    cut           "partial", "full", "none"
    drawer        a cash drawer hangs on the printer's drawer port
    drawer_pin    0 = pin 2, 1 = pin 5
    """

    kind: str = _d("devices.printer.kind")
    address: str = _d("devices.printer.address")
    baudrate: int = _d("devices.printer.baudrate")
    paper_mm: int = _d("devices.printer.paper_mm")
    encoding: str = _d("devices.printer.encoding")
    qr: bool = _d("devices.printer.qr")
    cut: str = _d("devices.printer.cut")
    drawer: bool = _d("devices.printer.drawer")
    drawer_pin: int = _d("devices.printer.drawer_pin")
    timeout_s: float = _d("devices.printer.timeout_s")

    def check(self) -> None:
        _require(self.kind in PRINTER_KINDS, "printer.kind", " | ".join(PRINTER_KINDS))
        _require(self.paper_mm in (58, 80), "printer.paper_mm", "58 | 80")
        _require(self.encoding in ("gb18030", "gbk", "ascii"), "printer.encoding", "gb18030 | gbk | ascii")
        _require(self.cut in ("partial", "full", "none"), "printer.cut", "partial | full | none")
        _require(self.drawer_pin in (0, 1), "printer.drawer_pin", "0 | 1")
        _require(0 < self.timeout_s <= 120, "printer.timeout_s", "0-120")
        _require(self.kind != "escpos_network" or bool(self.address), "printer.address", "host[:port]")

    @property
    def columns(self) -> int:
        return 32 if self.paper_mm == 58 else 48

    @property
    def dots(self) -> int:
        return 384 if self.paper_mm == 58 else 576


PRINTER_KINDS = ("escpos_network", "escpos_serial", "escpos_device", "system", "pdf", "simulator", "none")


@dataclass(frozen=True)
class CardReaderSettings:
    """kind: "none", "simulator", or an SDK adapter name (see hardware.cards: "cvr100", "idr210", "sscard")."""

    kind: str = _d("devices.card_reader.kind")
    port: str = _d("devices.card_reader.port")

    def check(self) -> None:
        _require(self.kind in ("none", "simulator", "cvr100", "idr210", "ss628", "sscard"), "card_reader.kind",
                 "none | simulator | cvr100 | idr210 | ss628 | sscard")


@dataclass(frozen=True)
class DeviceSettings:
    version: int = SETTINGS_VERSION
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    card_reader: CardReaderSettings = field(default_factory=CardReaderSettings)

    def check(self) -> DeviceSettings:
        self.scanner.check()
        self.camera.check()
        self.printer.check()
        self.card_reader.check()
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "") -> DeviceSettings:
        return _build(cls, data, where or "devices").check()

    def with_changes(self, **parts: Any) -> DeviceSettings:
        return replace(self, **parts)


def settings_path(home: Path | None = None) -> Path:
    """A standalone device settings file (an export); the site's own settings are in core.settings' file."""
    return (home or app_home()) / SETTINGS_FILE


def device_settings_from(site: SiteSettings, shell: str | None = None) -> DeviceSettings:
    try:
        return DeviceSettings.from_dict(site.section("devices", shell))
    except DeviceSettingsError as exc:
        raise DeviceSettingsError(f"{site.path}：{exc.zh}", f"{site.path}: {exc.en}") from exc


def device_settings_keys(settings: DeviceSettings) -> dict[str, Any]:
    """The site settings' keys and values of `settings` (devices.scanner.wedge.max_gap_ms: 120, ...)."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        else:
            out[prefix] = value

    data = settings.to_dict()
    data.pop("version", None)
    walk("devices", data)
    return out


def load_device_settings(path: Path | None = None, *, shell: str | None = None) -> DeviceSettings:
    """The site's device settings; with `path`, a standalone file (the defaults when there is none)."""
    if path is None:
        try:
            return device_settings_from(SiteSettings.load(), shell)
        except SettingError as exc:
            raise DeviceSettingsError(exc.zh, exc.en) from exc
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DeviceSettings()
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", "?")
        raise DeviceSettingsError(f"设备设置文件 {path} 不是有效的 JSON（第 {line} 行）",
                                  f"device settings file {path} is not valid JSON (line {line})") from exc
    try:
        return DeviceSettings.from_dict(data)
    except DeviceSettingsError as exc:
        raise DeviceSettingsError(f"{path}：{exc.zh}", f"{path}: {exc.en}") from exc


def save_device_settings(settings: DeviceSettings, path: Path | None = None) -> Path:
    """Checks, then writes atomically (a crash leaves the old file or the new one, never half of one): into the
    site settings file, or the standalone file `path`."""
    settings.check()
    if path is None:
        try:
            site = SiteSettings.load()
            return site.set_many(device_settings_keys(settings)).save()
        except SettingError as exc:
            raise DeviceSettingsError(exc.zh, exc.en) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(settings.to_dict(), ensure_ascii=False, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".devices.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _require(ok: bool, name: str, allowed: str) -> None:
    if not ok:
        raise DeviceSettingsError(f"设备设置 {name} 的值无效（允许：{allowed}）",
                                  f"device setting {name} is invalid (allowed: {allowed})")


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise DeviceSettingsError(f"设备设置 {where} 应为对象", f"device setting {where} must be an object")
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:  # never silently dropped: a misspelt key would otherwise leave the device on its default
        raise DeviceSettingsError(f"未知的设备设置 {where}.{unknown[0]}", f"unknown device setting {where}.{unknown[0]}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value, kind, name = data[f.name], hints[f.name], f"{where}.{f.name}"
        if is_dataclass(kind):
            kwargs[f.name] = _build(kind, value, name)
        elif kind is bool:
            if not isinstance(value, bool):
                raise DeviceSettingsError(f"设备设置 {name} 应为 true/false", f"device setting {name} must be true or false")
            kwargs[f.name] = value
        elif kind is int or kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
                raise DeviceSettingsError(f"设备设置 {name} 应为数字", f"device setting {name} must be a number")
            kwargs[f.name] = kind(value)
        elif kind is str:
            if not isinstance(value, str):
                raise DeviceSettingsError(f"设备设置 {name} 应为文本", f"device setting {name} must be text")
            kwargs[f.name] = value
        else:  # pragma: no cover - every field above is one of these
            kwargs[f.name] = value
    missing = [f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING and f.name not in kwargs]
    if missing:  # pragma: no cover - all fields have defaults
        raise DeviceSettingsError(f"设备设置 {where} 缺少 {missing}", f"device setting {where} lacks {missing}")
    return cls(**kwargs)
