"""DecodePipeline: what happens to each camera frame, in order. No threads, no Qt: the worker calls it.

1. Grey: a BGR frame is converted (cv2.cvtColor, 0.4 ms at 720p); a grey frame is used as is.
2. Fast zxing pass (formats restricted, no rotate/invert: about a third of the default's time, same accuracy).
   Every `full_pass_every`-th frame is decoded with all options instead (upright 1D labels, inverted codes).
3. Nothing found and `rotate_retry`: decode copies rotated by +20° and -20° (a 1D code tilted past
   atan(bar height / width), about 17°, crosses no straight scan line; barcode.md's tilt table: 0 % -> 100 %).
   The angle that worked last is tried first next time; corners are mapped back to the frame.
4. Consensus: a text is accepted only when the previous frame had it too (zxing-cpp misread EAN-13 with a
   valid check digit; two agreeing frames make that vanishingly rare), and is not accepted again while it
   stays in view (a code held under the camera is one scan).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from hardware.camera.decoders import Decoded, Decoder, ZxingDecoder

RETRY_ANGLES = (20.0, -20.0)


@dataclass
class FrameResult:
    codes: list[Decoded]                               # everything read in this frame (for the outline)
    accepted: list[Decoded] = field(default_factory=list)  # reads confirmed by the previous frame: the scans
    ms: float = 0.0
    rotated: float = 0.0                               # the retry angle that found the codes, 0 if none


class Consensus:
    """Accept a text seen in two consecutive frames; once per appearance."""

    def __init__(self, frames: int = 2, forget_after: int = 3) -> None:
        self.frames = frames
        self.forget_after = forget_after
        self._streak: dict[str, int] = {}
        self._absent: dict[str, int] = {}
        self._accepted: set[str] = set()

    def update(self, codes: list[Decoded]) -> list[Decoded]:
        seen = {c.text: c for c in codes}
        accepted = []
        for text in list(self._streak):
            if text not in seen:
                self._streak.pop(text)
        for text in list(self._accepted):
            if text in seen:
                self._absent.pop(text, None)
                continue
            self._absent[text] = self._absent.get(text, 0) + 1
            if self._absent[text] >= self.forget_after:  # gone from view long enough: may be scanned again
                self._accepted.discard(text)
                self._absent.pop(text, None)
        for text, code in seen.items():
            self._streak[text] = self._streak.get(text, 0) + 1
            if self._streak[text] >= self.frames and text not in self._accepted:
                self._accepted.add(text)
                accepted.append(code)
        return accepted

    def reset(self) -> None:
        self._streak.clear()
        self._absent.clear()
        self._accepted.clear()


class DecodePipeline:
    def __init__(self, decoder: Decoder | None = None, *, rotate_retry: bool = True, full_pass_every: int = 5,
                 consensus_frames: int = 2) -> None:
        self.decoder = decoder or ZxingDecoder()
        self.rotate_retry = rotate_retry
        self.full_pass_every = max(1, full_pass_every)
        self.consensus = Consensus(consensus_frames)
        self._count = 0
        self._last_angle: float | None = None

    def decode(self, frame: np.ndarray) -> FrameResult:
        """Steps 1-3 (no consensus): what this one frame shows."""
        start = time.perf_counter()
        gray = to_gray(frame)
        self._count += 1
        full = self._count % self.full_pass_every == 0
        codes = self.decoder.decode(gray, full=full)
        angle = 0.0
        if not codes and self.rotate_retry:
            angles = list(RETRY_ANGLES)
            if self._last_angle in angles:
                angles.remove(self._last_angle)
                angles.insert(0, self._last_angle)
            for a in angles:
                codes = decode_rotated(self.decoder, gray, a)
                if codes:
                    angle = a
                    self._last_angle = a
                    break
        return FrameResult(codes, [], (time.perf_counter() - start) * 1000.0, angle)

    def process(self, frame: np.ndarray) -> FrameResult:
        """All four steps: `accepted` holds the scans this frame confirms."""
        result = self.decode(frame)
        result.accepted = self.consensus.update(result.codes)
        return result

    def reset(self) -> None:
        self.consensus.reset()
        self._last_angle = None


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame if frame.flags.c_contiguous else np.ascontiguousarray(frame)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def decode_rotated(decoder: Decoder, gray: np.ndarray, angle: float) -> list[Decoded]:
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    rotated = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    found = decoder.decode(rotated)
    if not found:
        return []
    inv = cv2.invertAffineTransform(m)
    out = []
    for code in found:
        pts = np.array(code.corners, dtype=np.float64)
        back = pts @ inv[:, :2].T + inv[:, 2]
        out.append(Decoded(code.text, code.symbology, code.format, tuple((float(x), float(y)) for x, y in back)))
    return out
