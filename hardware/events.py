"""ScanEvent: the one value every scanning device (keyboard wedge, serial scanner, camera, simulator) delivers.

The text is what the symbol holds, normalised the way core.codes judges it (NFKC for full-width input from a
Chinese IME, the scanner's CR/LF/Tab suffix and printable GS stand-ins dealt with), with the GS1 separator
(ASCII 29) kept: it is data. An AIM symbology identifier the scanner prefixed (`]d2`, `]C1`, `]Q1`) or the
camera decoder reported goes to `symbology`, so `classify(event.wire_text)` sees exactly what a scanner
would have sent.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

from core.codes import ScanResult, classify
from core.codes.normalize import Normalized, normalize


class ScanSource(StrEnum):
    KEYBOARD = "keyboard"      # keyboard-wedge (HID keyboard emulation) scanner, through ScannerEventFilter
    SERIAL = "serial"          # USB-COM / RS-232 scanner
    CAMERA = "camera"          # webcam + zxing-cpp
    SIMULATOR = "simulator"    # a test or demo feeding text directly (the key simulator yields KEYBOARD)


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """One scan.

    text        the symbol's content (see the module docstring); never empty
    source      ScanSource
    symbology   AIM identifier such as "]d2" when known, else None
    device      name of the configured device that produced it ("" when there is only one)
    at          time.time() when the scan completed
    """

    text: str
    source: ScanSource
    symbology: str | None = None
    device: str = ""
    at: float = field(default_factory=time.time, compare=False)

    @property
    def wire_text(self) -> str:
        """The text as a scanner that sends AIM identifiers would have typed it (for core.codes.classify)."""
        if self.symbology and self.symbology.startswith("]"):
            return self.symbology + self.text
        return self.text

    def classify(self) -> ScanResult:
        return classify(self.wire_text)


def make_scan_event(raw: str, source: ScanSource, *, symbology: str | None = None, device: str = "") -> ScanEvent | None:
    """Normalise `raw` with core.codes and build the event; None for input that is empty after normalisation.

    Text core.codes refuses (a stray control character, too long) is passed on as received (NFKC only):
    classify() will say why it is refused, and the operator sees that rather than nothing.
    """
    normal = normalize(raw)
    if isinstance(normal, Normalized):
        text, aim = normal
        return ScanEvent(text, source, aim or symbology, device)
    stripped = raw.strip(" \r\n\t")
    if not stripped:
        return None
    return ScanEvent(stripped, source, symbology, device)
