"""Generated camera frames with real barcodes, for tests, `onewindow bench decode` and the camera simulator.

Symbols come from encoders other than the decoder where the project has one (qrcode for QR); Code 128 and
Data Matrix (plain and GS1, FNC1 + GS separators) come from zxing-cpp's writer. Each symbol sits on a paper
label (paper 200-245, ink 15-55) in a cluttered grey scene, then the frame gets the distortions of
../shared/domain/barcode.md's corpus: in-plane rotation, Gaussian blur, noise, low contrast, always on top of a
baseline blur σ 0.6 and noise σ 2. Sizes follow its optics: a 20-digit Code 128 (145 modules) needs about
2.5 px per module, so it is drawn at 30-36 % of a 720p frame's width and 22-30 % of a 1080p one.

Everything is deterministic for a given numpy Generator.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import cv2
import numpy as np

KINDS = ("qr", "c128", "dm", "dm_gs1")
SCENARIOS = ("clean", "rotate", "blur", "noise", "lowcontrast", "combined")
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}
GS = "\x1d"

# symbol width as a fraction of the frame width, per kind and resolution
_WIDTH = {
    ("qr", "720p"): (0.16, 0.24), ("qr", "1080p"): (0.12, 0.20),
    ("c128", "720p"): (0.30, 0.36), ("c128", "1080p"): (0.22, 0.30),
    ("dm", "720p"): (0.10, 0.15), ("dm", "1080p"): (0.08, 0.12),
    ("dm_gs1", "720p"): (0.12, 0.18), ("dm_gs1", "1080p"): (0.09, 0.14),
}


@dataclass(frozen=True)
class Scene:
    """What a frame shows; `expected` is the decoder's text (GS1 in plain form with GS separators)."""

    kind: str
    encode: str        # what the encoder is given (GS1 as HRI with parentheses)
    expected: str
    resolution: str
    scenario: str


def gtin14(rng: np.random.Generator) -> str:
    body = "0690" + "".join(str(d) for d in rng.integers(0, 10, 9))
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def payload(kind: str, rng: np.random.Generator) -> tuple[str, str]:
    """(text to encode, text a decoder returns)."""
    if kind == "qr":
        n = int(rng.integers(75, 120))
        token = base64.urlsafe_b64encode(rng.bytes(n)).decode().rstrip("=")
        text = "NHSAEV1." + token
        return text, text
    if kind in ("c128", "dm"):
        code = "8" + "".join(str(d) for d in rng.integers(0, 10, 19))
        return code, code
    if kind == "dm_gs1":
        gtin = gtin14(rng)
        expiry = f"{int(rng.integers(26, 31)):02d}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}"
        alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        batch = "".join(alnum[i] for i in rng.integers(0, len(alnum), int(rng.integers(4, 9))))
        serial = "".join(alnum[i] for i in rng.integers(0, len(alnum), int(rng.integers(6, 12))))
        return (f"(01){gtin}(17){expiry}(10){batch}(21){serial}",
                f"01{gtin}17{expiry}10{batch}{GS}21{serial}")
    raise ValueError(f"unknown kind {kind!r}")


def symbol(kind: str, text: str) -> np.ndarray:
    """The bare symbol, one pixel per module, quiet zone included: uint8, 0 = ink, 255 = paper."""
    if kind == "qr":
        import qrcode

        qr = qrcode.QRCode(border=4, box_size=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(text)
        qr.make(fit=True)
        return np.where(np.array(qr.get_matrix(), dtype=bool), 0, 255).astype(np.uint8)
    import zxingcpp

    if kind == "c128":
        img = np.array(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(scale=1))
        row = img[img.shape[0] // 2]
        return np.tile(row, (max(8, int(row.size * 0.3)), 1)).astype(np.uint8)
    if kind in ("dm", "dm_gs1"):
        options = {"gs1": True, "forceSquare": True} if kind == "dm_gs1" else {}
        img = np.array(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, **options).to_image(scale=1))
        return np.pad(img.astype(np.uint8), 1, constant_values=255)
    raise ValueError(f"unknown kind {kind!r}")


def background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A cluttered desk: a gradient, boxes, lines and printed text."""
    gx = np.linspace(rng.uniform(60, 140), rng.uniform(60, 140), width, dtype=np.float32)
    gy = np.linspace(0, rng.uniform(-40, 40), height, dtype=np.float32)
    bg = (gy[:, None] + gx[None, :]).clip(0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(4, 9))):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(width // 12, width // 3)), int(rng.integers(height // 12, height // 3))
        cv2.rectangle(bg, (x, y), (x + w, y + h), int(rng.integers(30, 220)), -1)
    for _ in range(int(rng.integers(3, 8))):
        p1 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        p2 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        cv2.line(bg, p1, p2, int(rng.integers(0, 255)), int(rng.integers(1, 4)))
    for _ in range(int(rng.integers(2, 5))):
        org = (int(rng.integers(0, width - 200)), int(rng.integers(30, height)))
        cv2.putText(bg, "Rx 0.25g x 24", org, cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.6, 1.4), int(rng.integers(0, 90)), 2)
    return bg


def distortion(scenario: str, rng: np.random.Generator) -> dict[str, float]:
    d = {"angle": 0.0, "blur": 0.6, "noise": 2.0, "contrast": 1.0}
    if scenario == "rotate":
        d["angle"] = float(rng.uniform(-20, 20))
    elif scenario == "blur":
        d["blur"] = float(rng.uniform(1.0, 1.6))
    elif scenario == "noise":
        d["noise"] = float(rng.uniform(8, 15))
    elif scenario == "lowcontrast":
        d["contrast"] = float(rng.uniform(0.3, 0.45))
    elif scenario == "combined":
        d.update(angle=float(rng.uniform(-12, 12)), blur=1.0, noise=6.0, contrast=0.6)
    elif scenario != "clean":
        raise ValueError(f"unknown scenario {scenario!r}")
    return d


class SceneRenderer:
    """Renders one scene, possibly several times (consecutive 'camera' frames: new noise, a pixel of shake)."""

    def __init__(self, kind: str, resolution: str, scenario: str, rng: np.random.Generator) -> None:
        self.width, self.height = RESOLUTIONS[resolution]
        encode, expected = payload(kind, rng)
        self.scene = Scene(kind, encode, expected, resolution, scenario)
        self.dist = distortion(scenario, rng)
        lo, hi = _WIDTH[(kind, resolution)]
        sym = symbol(kind, encode)
        target_w = int(self.width * rng.uniform(lo, hi))
        scale = target_w / sym.shape[1]
        sym = cv2.resize(sym, (target_w, max(1, int(round(sym.shape[0] * scale)))), interpolation=cv2.INTER_AREA)
        paper, ink = float(rng.uniform(200, 245)), float(rng.uniform(15, 55))
        label = ink + (sym.astype(np.float32) / 255.0) * (paper - ink)
        margin = max(6, int(target_w * 0.08))
        label = np.pad(label, margin, constant_values=paper)
        frame = background(self.width, self.height, rng).astype(np.float32)
        lh, lw = label.shape
        cx = self.width / 2 + rng.uniform(-0.08, 0.08) * self.width
        cy = self.height / 2 + rng.uniform(-0.08, 0.08) * self.height
        x0 = int(np.clip(cx - lw / 2, 0, self.width - lw))
        y0 = int(np.clip(cy - lh / 2, 0, self.height - lh))
        frame[y0:y0 + lh, x0:x0 + lw] = label
        self.center = (x0 + lw / 2, y0 + lh / 2)
        self._base = frame
        self._rng = rng

    def render(self, shake_px: float = 0.0) -> np.ndarray:
        d, rng = self.dist, self._rng
        frame = self._base
        if d["angle"] or shake_px:
            m = cv2.getRotationMatrix2D(self.center, d["angle"], 1.0)
            m[:, 2] += rng.uniform(-shake_px, shake_px, 2)
            frame = cv2.warpAffine(frame, m, (self.width, self.height), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REFLECT)
        if d["contrast"] != 1.0:
            mean = float(frame.mean())
            frame = mean + (frame - mean) * d["contrast"]
        frame = cv2.GaussianBlur(frame, (0, 0), d["blur"])
        frame = frame + rng.normal(0.0, d["noise"], frame.shape).astype(np.float32)
        return np.clip(frame, 0, 255).astype(np.uint8)


def empty_frame(resolution: str, rng: np.random.Generator) -> np.ndarray:
    w, h = RESOLUTIONS[resolution]
    frame = cv2.GaussianBlur(background(w, h, rng).astype(np.float32), (0, 0), 0.6)
    return np.clip(frame + rng.normal(0, 2.0, frame.shape), 0, 255).astype(np.uint8)


def corpus(seed: int = 1, per_cell: int = 2, kinds=KINDS, scenarios=SCENARIOS, resolutions=("720p", "1080p"),
           frames_per_scene: int = 1) -> list[tuple[Scene, list[np.ndarray]]]:
    """Scenes with `frames_per_scene` consecutive frames each, in a fixed order for a seed."""
    rng = np.random.default_rng(seed)
    out = []
    for res in resolutions:
        for kind in kinds:
            for scenario in scenarios:
                for _ in range(per_cell):
                    renderer = SceneRenderer(kind, res, scenario, rng)
                    frames = [renderer.render(shake_px=1.0 if i else 0.0) for i in range(frames_per_scene)]
                    out.append((renderer.scene, frames))
    return out
