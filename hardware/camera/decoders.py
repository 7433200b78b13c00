"""Decoders behind one interface: `decode(gray, full=False) -> list[Decoded]`.

zxing-cpp is the decoder (../shared/domain/barcode.md: the only library here reading QR, Code 128 and Data
Matrix including GS1; the most accurate and the fastest). Live-loop options from that study: formats
restricted to QR/Code 128/Data Matrix, `try_invert=False, try_rotate=False`, `try_downscale` kept on (without
it Data Matrix loses 16 points). `full=True` turns rotate/invert back on (90°-turned 1D codes, dark-mode QR);
the pipeline does that every few frames. Text comes in zxing's Plain mode so a GS1 element string keeps its
GS separators, with the AIM identifier (]d2, ]C0, ]Q1) as symbology — the same shape a keyboard-wedge scanner
sending AIM identifiers types.

pyzbar is optional (LGPL zbar through ctypes; reads QR and Code 128 but not Data Matrix); `pyzbar_status()`
says whether it can be used and why not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

Point = tuple[float, float]


@dataclass(frozen=True)
class Decoded:
    """One code found in one frame.

    text        content (Plain text mode: GS1 keeps GS, no parentheses)
    symbology   AIM identifier ("]d2", "]C0", "]Q1"…) or None
    format      "QRCode", "Code128", "DataMatrix", …
    corners     four (x, y) points in frame coordinates, clockwise from top-left of the symbol
    """

    text: str
    symbology: str | None
    format: str
    corners: tuple[Point, Point, Point, Point]


class Decoder(Protocol):
    name: str

    def decode(self, gray: np.ndarray, full: bool = False) -> list[Decoded]: ...


@dataclass(frozen=True)
class BackendStatus:
    name: str
    available: bool
    detail: str
    formats: tuple[str, ...]


class ZxingDecoder:
    name = "zxing-cpp"

    def __init__(self, formats: tuple[str, ...] = ("QRCode", "Code128", "DataMatrix")) -> None:
        import zxingcpp  # noqa: F401 - only whether it imports

        self._zx = zxingcpp
        self._formats = zxingcpp.BarcodeFormats([getattr(zxingcpp.BarcodeFormat, name) for name in formats])

    def decode(self, gray: np.ndarray, full: bool = False) -> list[Decoded]:
        zx = self._zx
        if full:
            found = zx.read_barcodes(gray, formats=self._formats, text_mode=zx.TextMode.Plain)
        else:
            found = zx.read_barcodes(gray, formats=self._formats, try_rotate=False, try_invert=False,
                                     try_downscale=True, text_mode=zx.TextMode.Plain)
        out = []
        for b in found:
            if not b.valid or not b.text:
                continue
            p = b.position
            corners = tuple((float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
            out.append(Decoded(b.text, b.symbology_identifier or None, _format_name(b.format), corners))
        return out


class PyzbarDecoder:
    """pyzbar (zbar): QR and Code 128 only. Same interface; `full` is ignored (zbar scans all ways)."""

    name = "pyzbar"

    def __init__(self) -> None:
        from pyzbar import pyzbar

        self._pz = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE, pyzbar.ZBarSymbol.CODE128]

    def decode(self, gray: np.ndarray, full: bool = False) -> list[Decoded]:
        h, w = gray.shape[:2]
        found = self._pz.decode((np.ascontiguousarray(gray).tobytes(), w, h), symbols=self._symbols)
        out = []
        for s in found:
            try:
                text = s.data.decode("utf-8")
            except UnicodeDecodeError:
                text = s.data.decode("latin-1")
            pts = list(s.polygon) or [(s.rect.left, s.rect.top), (s.rect.left + s.rect.width, s.rect.top),
                                      (s.rect.left + s.rect.width, s.rect.top + s.rect.height),
                                      (s.rect.left, s.rect.top + s.rect.height)]
            pts = (pts + pts[-1:] * 4)[:4]
            aim = {"QRCODE": "]Q1", "CODE128": "]C0"}.get(s.type)
            out.append(Decoded(text, aim, {"QRCODE": "QRCode", "CODE128": "Code128"}.get(s.type, s.type),
                               tuple((float(x), float(y)) for x, y in pts)))
        return out


def pyzbar_status() -> BackendStatus:
    """Whether the optional pyzbar backend can be used here (for `onewindow selftest` and the settings screen)."""
    try:
        from pyzbar import pyzbar  # noqa: F401
    except ImportError as exc:
        message = str(exc)
        if "zbar" in message.lower() and "pyzbar" not in message.lower():
            detail = f"pyzbar is installed but the zbar library is missing ({message}); Debian: apt-get install libzbar0"
        else:
            detail = "pyzbar is not installed (optional: pip install pyzbar, plus the zbar library)"
        return BackendStatus("pyzbar", False, detail + "; it cannot read Data Matrix in any case", ("QRCode", "Code128"))
    except OSError as exc:  # the ctypes load of libzbar failed
        return BackendStatus("pyzbar", False, f"zbar library could not be loaded: {exc}", ("QRCode", "Code128"))
    return BackendStatus("pyzbar", True, "pyzbar and zbar present; reads QR and Code 128, not Data Matrix",
                         ("QRCode", "Code128"))


def zxing_status() -> BackendStatus:
    try:
        import zxingcpp  # noqa: F401 - only whether it imports
    except ImportError as exc:
        return BackendStatus("zxing-cpp", False, f"zxing-cpp is not installed: {exc}", ())
    try:
        from importlib.metadata import version

        detail = f"zxing-cpp {version('zxing-cpp')}"
    except Exception:  # noqa: BLE001 - version is only informative
        detail = "zxing-cpp"
    return BackendStatus("zxing-cpp", True, detail,
                         ("QRCode", "Code128", "DataMatrix"))


def make_decoder(name: str = "zxing") -> Decoder:
    if name in ("zxing", "zxing-cpp"):
        return ZxingDecoder()
    if name == "pyzbar":
        return PyzbarDecoder()
    raise ValueError(f"unknown decoder {name!r} (zxing | pyzbar)")


def _format_name(fmt: object) -> str:
    name = getattr(fmt, "name", None)
    return str(name) if name else str(fmt).split(".")[-1].replace(" ", "")
