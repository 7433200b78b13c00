"""DecodePipeline: what happens to each camera frame, in order. No threads, no Qt: the worker calls it.

1. Grey: a BGR frame is converted (cv2.cvtColor, 0.4 ms at 720p), a BGRA one laid on white first (a
   transparent PNG's hidden pixels are often black); a grey frame is used as is.
2. One *view* of the frame is decoded (zxing fast options: formats restricted, no rotate/invert):
     upright       the frame as it is, every format (QR, Data Matrix, Code 128, EAN-13/UPC-A)
     turned        turned 90°, 1D formats: a box held upright (zxing's fast options skip 90° 1D codes); and
                   Data Matrix at any angle (the fast options read it only upright, not even at 180°)
     inverted      light on dark (etched or dark packaging), every format
     tilt+/tilt-   the central part turned ±20°, 1D formats only: a 1D code tilted past atan(bar height /
                   width) ≈ 17° crosses no straight scan line (barcode.md's tilt table: 0 % -> 100 %)
   Every `extra_every`-th frame shows one of the other views in turn (turned, tilt, inverted, turned, the
   other tilt, inverted); the others are upright. So a frame with no code in view costs one fast pass plus
   a cheap image operation, never three decodes (the old ±20° retry on every empty frame doubled it).
3. A view that found a code not yet accepted is shown again on the next frame (up to HOLD_FRAMES times),
   so a code only that view can read confirms itself: an upright Code 128 or an inverted QR becomes a scan
   within 2 + 2·extra_every·3 frames (under a second at 15 fps), the usual upright code on the next frame.
4. Consensus (agreement across frames of the same view) decides what is a scan; see Consensus.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from core.codes import commodity
from hardware.camera.decoders import RETAIL_FORMATS, Decoded, Decoder, ZxingDecoder

UPRIGHT, TURNED, INVERTED, TILT_PLUS, TILT_MINUS = "upright", "turned", "inverted", "tilt+", "tilt-"
TILT_DEGREES = 20.0
EXTRA_VIEWS = (TURNED, TILT_PLUS, INVERTED, TURNED, TILT_MINUS, INVERTED)
HOLD_FRAMES = 4
# The tilted views turn only the middle of a large frame (where the preview's guide asks for the code): a full
# 720p warp costs as much as a decode; a frame up to TILT_FULL_AREA pixels is turned whole.
TILT_CROP = 0.6
TILT_FULL_AREA = 640 * 480


@dataclass
class FrameResult:
    codes: list[Decoded]                               # everything read in this frame (for the outline)
    accepted: list[Decoded] = field(default_factory=list)  # reads confirmed by earlier frames: the scans
    ms: float = 0.0
    rotated: float = 0.0                               # the tilt of the view that found the codes, 0 if none
    view: str = UPRIGHT                                # which view of the frame was decoded
    confirming: list[Decoded] = field(default_factory=list)  # read, not yet confirmed: "已识别，请保持"


class Consensus:
    """Accept a text once enough frames of the same view agree; once per appearance.

    - Most codes: seen in `frames` (2) frames of one view with no frame of that view in between missing it.
      Frames of other views do not break the run (they could not have read it), but a run older than
      `max_gap` frames is dropped.
    - EAN-13/UPC-A (`RETAIL_FORMATS`): zxing-cpp returns a wrong number with a valid check digit beside the
      right one in the same frames. So a frame holding two different retail numbers is discarded (its retail
      reads count for nothing and break every retail run), a retail number seen while another one's run is
      open breaks both, `retail_frames` (3) agreeing frames are needed, and none is accepted while another
      retail number was read in the last `retail_window` frames. A number in a GS1 prefix range allocated to
      no product (140-199: a book's price code beside its ISBN) is not a read at all.
    - Accepted texts are not accepted again while they stay in view; gone for `forget_after` frames of their
      view, they may be scanned again.
    """

    def __init__(self, frames: int = 2, forget_after: int = 3, *, retail_frames: int = 3, max_gap: int = 14,
                 retail_window: int = 15) -> None:
        self.frames = frames
        self.retail_frames = retail_frames
        self.retail_window = retail_window
        self._retail_seen: dict[str, int] = {}  # retail number -> last frame number it was read in
        self.forget_after = forget_after
        self.max_gap = max_gap
        self._n = 0
        self._runs: dict[str, list] = {}        # text -> [count, view, last frame number, retail?]
        self._accepted: dict[str, list] = {}    # text -> [view, frames of that view without it]

    def update(self, codes: list[Decoded], view: str = UPRIGHT) -> list[Decoded]:
        self._n += 1
        seen = {c.text: c for c in codes
                if c.format not in RETAIL_FORMATS or commodity.prefix_use(c.text) != "unassigned"}
        retail = {t for t, c in seen.items() if c.format in RETAIL_FORMATS}
        for t in retail:
            self._retail_seen[t] = self._n
        for t in [t for t, n in self._retail_seen.items() if self._n - n >= self.retail_window]:
            del self._retail_seen[t]
        if len(retail) > 1:  # two different retail numbers in one frame: believe neither
            for t in retail:
                seen.pop(t)
            self._drop_retail_runs()
            retail = set()
        elif retail:
            (number,) = retail
            rivals = [t for t, run in self._runs.items() if run[3] and t != number]
            if rivals:
                self._drop_retail_runs()
                seen.pop(number)
        for text, run in list(self._runs.items()):
            if text not in seen and (run[1] == view or self._n - run[2] > self.max_gap):
                del self._runs[text]
        for text, held in list(self._accepted.items()):
            if text in seen:
                held[1] = 0
            elif held[0] == view:
                held[1] += 1
                if held[1] >= self.forget_after:  # gone from view long enough: may be scanned again
                    del self._accepted[text]
        accepted = []
        for text, code in seen.items():
            run = self._runs.setdefault(text, [0, view, 0, code.format in RETAIL_FORMATS])
            run[0] += 1
            run[1], run[2] = view, self._n
            need = self.retail_frames if run[3] else self.frames
            if run[3] and len(self._retail_seen) > 1:
                continue  # another retail number was in view a moment ago: wait until only one is
            if run[0] >= need and text not in self._accepted:
                self._accepted[text] = [view, 0]
                accepted.append(code)
        return accepted

    def pending(self, codes: list[Decoded]) -> list[Decoded]:
        """Codes of this frame that are neither accepted nor refused yet (the user should hold still)."""
        return [c for c in codes if c.text in self._runs and c.text not in self._accepted]

    def _drop_retail_runs(self) -> None:
        for text in [t for t, run in self._runs.items() if run[3]]:
            del self._runs[text]

    def reset(self) -> None:
        self._runs.clear()
        self._accepted.clear()
        self._retail_seen.clear()


class DecodePipeline:
    def __init__(self, decoder: Decoder | None = None, *, rotate_retry: bool = True, extra_every: int = 2,
                 consensus_frames: int = 2, retail_frames: int = 3) -> None:
        self.decoder = decoder or ZxingDecoder()
        self.rotate_retry = rotate_retry
        self.extra_every = max(1, extra_every)
        self.extra_views = EXTRA_VIEWS if rotate_retry else tuple(v for v in EXTRA_VIEWS if not v.startswith("tilt"))
        self.consensus = Consensus(consensus_frames, retail_frames=retail_frames)
        self._count = 0
        self._extra = 0
        self._hold: str | None = None
        self._held = 0

    def next_view(self) -> str:
        """The view the next frame gets: a held one, else the schedule's."""
        self._count += 1
        if self._hold is not None and self._held < HOLD_FRAMES:
            self._held += 1
            return self._hold
        self._hold, self._held = None, 0
        if self._count % self.extra_every:
            return UPRIGHT
        view = self.extra_views[self._extra % len(self.extra_views)]
        self._extra += 1
        return view

    def decode(self, frame: np.ndarray, view: str | None = None) -> FrameResult:
        """Steps 1-2 (no consensus): what this one frame shows in `view` (default: the schedule's)."""
        start = time.perf_counter()
        gray = to_gray(frame)
        view = view or self.next_view()
        codes = decode_view(self.decoder, gray, view)
        angle = {TILT_PLUS: TILT_DEGREES, TILT_MINUS: -TILT_DEGREES}.get(view, 0.0) if codes else 0.0
        return FrameResult(codes, [], (time.perf_counter() - start) * 1000.0, angle, view)

    def process(self, frame: np.ndarray) -> FrameResult:
        """All steps: `accepted` holds the scans this frame confirms, `confirming` those still being confirmed."""
        result = self.decode(frame)
        result.accepted = self.consensus.update(result.codes, result.view)
        result.confirming = self.consensus.pending(result.codes)
        if result.confirming:
            if self._hold != result.view:
                self._hold, self._held = result.view, 0
        elif self._hold is not None:
            self._hold, self._held = None, 0
        return result

    def reset(self) -> None:
        self.consensus.reset()
        self._hold, self._held = None, 0


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame if frame.flags.c_contiguous else np.ascontiguousarray(frame)
    if frame.shape[2] == 4:  # transparent pixels show the paper behind them, not their (often black) colour
        alpha = frame[:, :, 3:4].astype(np.float32) / 255.0
        bgr = frame[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        return cv2.cvtColor(bgr.astype(np.uint8), cv2.COLOR_BGR2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def decode_view(decoder: Decoder, gray: np.ndarray, view: str) -> list[Decoded]:
    """Decode one view of a grey frame; corners come back in the frame's coordinates."""
    if view == UPRIGHT:
        return decoder.decode(gray)
    if view == INVERTED:
        return decoder.decode(cv2.bitwise_not(gray))
    if view == TURNED:
        h = gray.shape[0]
        found = decoder.decode(cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE), linear_only=True)
        # turned clockwise: (x', y') = (h - 1 - y, x), so back: x = y', y = h - 1 - x'
        found = [_moved(c, [(y, h - 1 - x) for x, y in c.corners]) for c in found]
        any_angle = getattr(decoder, "decode_datamatrix_turned", None)
        return found + (any_angle(gray) if any_angle else [])
    if view in (TILT_PLUS, TILT_MINUS):
        return decode_rotated(decoder, gray, TILT_DEGREES if view == TILT_PLUS else -TILT_DEGREES, linear_only=True)
    raise ValueError(f"unknown view {view!r}")


def decode_rotated(decoder: Decoder, gray: np.ndarray, angle: float, *, linear_only: bool = False) -> list[Decoded]:
    h, w = gray.shape[:2]
    x0 = y0 = 0
    if h * w > TILT_FULL_AREA:
        cw, ch = int(w * TILT_CROP), int(h * TILT_CROP)
        x0, y0 = (w - cw) // 2, (h - ch) // 2
        gray = gray[y0:y0 + ch, x0:x0 + cw]
        h, w = ch, cw
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    rotated = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    found = decoder.decode(rotated, linear_only=linear_only)
    if not found:
        return []
    inv = cv2.invertAffineTransform(m)
    out = []
    for code in found:
        back = np.array(code.corners, dtype=np.float64) @ inv[:, :2].T + inv[:, 2]
        out.append(_moved(code, [(x + x0, y + y0) for x, y in back]))
    return out


def _moved(code: Decoded, corners) -> Decoded:
    return Decoded(code.text, code.symbology, code.format, tuple((float(x), float(y)) for x, y in corners))
