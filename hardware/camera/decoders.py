"""Decoders behind one interface: `decode(gray, full=False, linear_only=False) -> list[Decoded]`.

zxing-cpp is the decoder (../shared/domain/barcode.md: the only library here reading QR, Code 128 and Data
Matrix including GS1; the most accurate and the fastest). Live-loop options from that study: formats
restricted (QR, Code 128, Data Matrix, and EAN-13/UPC-A for commodity barcodes: +9 % on an empty frame),
`try_invert=False, try_rotate=False`, `try_downscale` kept on (without it Data Matrix loses 16 points).
`full=True` turns rotate/invert back on; `linear_only` reads the 1D formats alone (the pipeline's turned and
tilted views). The pipeline turns and inverts the picture itself (hardware.camera.pipeline), which is cheaper
than zxing's full options. Text comes in zxing's Plain mode so a GS1 element string keeps its GS separators,
with the AIM identifier (]d2, ]C0, ]Q1, ]E0) as symbology — the same shape a keyboard-wedge scanner sending
AIM identifiers types.

pyzbar is optional (LGPL zbar through ctypes; reads QR, Code 128 and EAN/UPC but not Data Matrix);
`pyzbar_status()` says whether it can be used and why not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

Point = tuple[float, float]

# Commodity barcodes: read, but accepted only under a stricter agreement (pipeline.Consensus).
RETAIL_FORMATS = frozenset({"EAN13", "UPCA"})
FORMATS = ("QRCode", "Code128", "DataMatrix", "EAN13", "UPCA")
LINEAR_FORMATS = ("Code128", "EAN13", "UPCA")


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

    def decode(self, gray: np.ndarray, full: bool = False, linear_only: bool = False) -> list[Decoded]: ...


@dataclass(frozen=True)
class BackendStatus:
    name: str
    available: bool
    detail: str
    formats: tuple[str, ...]


class ZxingDecoder:
    name = "zxing-cpp"

    def __init__(self, formats: tuple[str, ...] = FORMATS) -> None:
        import zxingcpp  # noqa: F401 - only whether it imports

        self._zx = zxingcpp
        self.formats = tuple(formats)
        self._formats = self._set(formats)
        self._linear = self._set([f for f in formats if f in LINEAR_FORMATS]) if set(formats) & set(LINEAR_FORMATS) else None
        self._matrix = self._set(["DataMatrix"]) if "DataMatrix" in formats else None

    def _set(self, names):
        return self._zx.BarcodeFormats([getattr(self._zx.BarcodeFormat, name) for name in names])

    def decode(self, gray: np.ndarray, full: bool = False, linear_only: bool = False) -> list[Decoded]:
        zx = self._zx
        formats = self._formats
        if linear_only:
            if self._linear is None:
                return []
            formats = self._linear
        if full:
            found = zx.read_barcodes(gray, formats=formats, text_mode=zx.TextMode.Plain)
        else:
            found = zx.read_barcodes(gray, formats=formats, try_rotate=False, try_invert=False,
                                     try_downscale=True, text_mode=zx.TextMode.Plain)
        return self._decoded(found)

    def decode_datamatrix_turned(self, gray: np.ndarray) -> list[Decoded]:
        """Data Matrix at any angle: zxing-cpp's fast options read it only upright (not even at 180°); the
        rotating search for Data Matrix alone costs about 60 % of a fast pass over every format."""
        if self._matrix is None:
            return []
        zx = self._zx
        return self._decoded(zx.read_barcodes(gray, formats=self._matrix, try_rotate=True, try_invert=False,
                                              try_downscale=True, text_mode=zx.TextMode.Plain))

    def _decoded(self, found) -> list[Decoded]:
        out = []
        for b in found:
            if not b.valid or not b.text:
                continue
            p = b.position
            corners = tuple((float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
            out.append(Decoded(b.text, b.symbology_identifier or None, _format_name(b.format), corners))
        return out


class PyzbarDecoder:
    """pyzbar (zbar): QR, Code 128, EAN-13 and UPC-A, no Data Matrix. Same interface; `full` is ignored
    (zbar scans all ways); `linear_only` leaves QR out."""

    name = "pyzbar"

    def __init__(self) -> None:
        from pyzbar import pyzbar

        self._pz = pyzbar
        z = pyzbar.ZBarSymbol
        self._symbols = [z.QRCODE, z.CODE128, z.EAN13, z.UPCA]
        self._linear = [z.CODE128, z.EAN13, z.UPCA]

    def decode(self, gray: np.ndarray, full: bool = False, linear_only: bool = False) -> list[Decoded]:
        h, w = gray.shape[:2]
        found = self._pz.decode((np.ascontiguousarray(gray).tobytes(), w, h),
                                symbols=self._linear if linear_only else self._symbols)
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
            aim = {"QRCODE": "]Q1", "CODE128": "]C0", "EAN13": "]E0", "UPCA": "]E0"}.get(s.type)
            out.append(Decoded(text, aim, _PYZBAR_FORMATS.get(s.type, s.type),
                               tuple((float(x), float(y)) for x, y in pts)))
        return out


_PYZBAR_FORMATS = {"QRCODE": "QRCode", "CODE128": "Code128", "EAN13": "EAN13", "UPCA": "UPCA"}
_PYZBAR_READS = tuple(_PYZBAR_FORMATS.values())


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
        return BackendStatus("pyzbar", False, detail + "; it cannot read Data Matrix in any case", _PYZBAR_READS)
    except OSError as exc:  # the ctypes load of libzbar failed
        return BackendStatus("pyzbar", False, f"zbar library could not be loaded: {exc}", _PYZBAR_READS)
    return BackendStatus("pyzbar", True, "pyzbar and zbar present; reads QR, Code 128 and EAN-13/UPC-A, not Data Matrix",
                         ("QRCode", "Code128", "EAN13", "UPCA"))


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
    return BackendStatus("zxing-cpp", True, detail, FORMATS)


def make_decoder(name: str = "zxing") -> Decoder:
    if name in ("zxing", "zxing-cpp"):
        return ZxingDecoder()
    if name == "pyzbar":
        return PyzbarDecoder()
    raise ValueError(f"unknown decoder {name!r} (zxing | pyzbar)")


def _format_name(fmt: object) -> str:
    name = getattr(fmt, "name", None)
    return str(name) if name else str(fmt).split(".")[-1].replace(" ", "")
