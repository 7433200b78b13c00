"""Framer: cut a serial scanner's byte stream into scans. Pure Python.

A scan ends at the configured suffix (b"\\r", b"\\n", b"\\r\\n") or, failing that, when no byte has come for
`idle_ms` (barcode.md: about 100 ms; a scanner programmed without a suffix, or a suffix lost). Bytes are
decoded only once a frame is complete (a multi-byte GB18030 character may span two reads); undecodable bytes
become U+FFFD, which core.codes then refuses with a reason. GS (0x1D) is data and stays. Stray CR/LF around a
frame (the other half of CR LF) never make an empty scan.
"""
from __future__ import annotations

_ENDS = b"\r\n"


class Framer:
    def __init__(self, suffix: bytes = b"\r", idle_ms: float = 100.0, encoding: str = "utf-8",
                 max_bytes: int = 4096) -> None:
        self.suffix = suffix
        self.idle_ms = float(idle_ms)
        self.encoding = encoding
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self._last_ms: float | None = None

    def feed(self, data: bytes, now_ms: float) -> list[str]:
        frames = self.poll(now_ms) if data else []
        if not data:
            return frames
        self._buf += data
        self._last_ms = now_ms
        if self.suffix:
            while True:
                at = self._buf.find(self.suffix)
                if at < 0:
                    break
                chunk = bytes(self._buf[:at])
                del self._buf[: at + len(self.suffix)]
                frames += self._emit(chunk)
        if len(self._buf) > self.max_bytes:  # no suffix ever came: a line noise or a wrong baud rate
            frames += self._emit(bytes(self._buf))
            self._buf.clear()
        if not self._buf.strip(_ENDS):
            self._buf.clear()
        return frames

    def poll(self, now_ms: float) -> list[str]:
        """Frames completed by the idle gap."""
        if self._buf and self._last_ms is not None and now_ms - self._last_ms >= self.idle_ms:
            chunk = bytes(self._buf)
            self._buf.clear()
            return self._emit(chunk)
        return []

    def reset(self) -> None:
        """Drop a partial frame (the port went away mid-scan: half a code is worse than none)."""
        self._buf.clear()
        self._last_ms = None

    @property
    def pending(self) -> bool:
        return bool(self._buf)

    def _emit(self, chunk: bytes) -> list[str]:
        chunk = chunk.strip(_ENDS)
        if not chunk:
            return []
        return [chunk.decode(self.encoding, errors="replace")]
