"""`onewindow bench decode --images DIR`: the camera pipeline on real photographs (../shared/photos).

Each still becomes `frames` camera frames (default 15: one second at 15 fps): the photo in grey (a transparent
PNG laid on white), turned or inverted for the variant, with fresh Gaussian noise (σ 3) and a brightness
wobble per frame, drawn from a generator seeded by the file's name (same frames every run). A fresh
DecodePipeline (what CameraWorker runs) sees them in order; what it *accepts* is scored. On the very same
frames plain zxing-cpp (read_barcodes with its defaults: every format, rotate, invert) and pyzbar (when
installed) decode each frame on their own; an image counts for them when any frame gives the expected text.

Rows per symbology (folder name before the dash) and variant:
  accepted_correct      the pipeline accepted the expected text
  accepted_wrong        accepted texts that are not the expected one (each counts)
  decoded_not_accepted  the pipeline read the expected text in some frame but never accepted it
  ms_p50 / ms_p95       the pipeline's time per frame
empty_frame_ms is the pipeline's mean time per empty 1280×720 frame over a whole view schedule; beside it,
empty_frame_fast_pass_ms times today's fast pass alone (QR/Code 128/Data Matrix, no rotate/invert) on the
same frames, and empty_frame_ratio divides the two (the budget is 1.2).
"""
from __future__ import annotations

import os
import statistics
import time
import zlib
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp")
VARIANTS = {"rot0": None, "rot90": 0, "rot180": 1, "rot270": 2}  # cv2.ROTATE_90_CLOCKWISE, _180, _90_COUNTER
NOISE_SIGMA = 3.0
EMPTY_FRAMES = 24


def stills(folder: Path) -> list[tuple[str, Path, str]]:
    """[(symbology, image path, expected text)] for every image with a NAME.txt/.bin beside it."""
    out = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        symbology = sub.name.split("-")[0]
        for image in sorted(sub.iterdir()):
            if image.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            txt, binary = image.with_suffix(".txt"), image.with_suffix(".bin")
            if txt.exists():
                expected = txt.read_text(encoding="utf-8").rstrip("\r\n")
            elif binary.exists():
                expected = binary.read_bytes().decode("latin-1")
            else:
                continue
            out.append((symbology, image, expected))
    return out


def load_gray(path: Path) -> np.ndarray:
    import cv2

    from hardware.camera.pipeline import to_gray

    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:  # OpenCV reads no GIF
        cap = cv2.VideoCapture(str(path))
        ok, image = cap.read()
        cap.release()
        if not ok:
            raise ValueError(f"cannot read {path}")
    return to_gray(image)


def camera_frames(gray: np.ndarray, variant: str, count: int, seed_text: str) -> list[np.ndarray]:
    import cv2

    if variant == "invert":
        base = cv2.bitwise_not(gray)
    elif VARIANTS[variant] is None:
        base = gray
    else:
        base = cv2.rotate(gray, VARIANTS[variant])
    rng = np.random.default_rng(zlib.crc32(f"{seed_text}|{variant}".encode()))
    base = base.astype(np.float32)
    frames = []
    for _ in range(count):
        frame = base * rng.uniform(0.92, 1.05) + rng.normal(0.0, NOISE_SIGMA, base.shape)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    return frames


def matches(expected: str, text: str) -> bool:
    # The expected files have LF line ends and no trailing blanks, the codes often CRLF and a trailing blank;
    # UPC-A is EAN-13 with a leading 0: a reader may give either form.
    text, expected = _plain(text), _plain(expected)
    return text == expected or (len(text) == 12 and len(expected) == 13 and "0" + text == expected)


def _plain(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip()


def run_images(args) -> dict:
    import cv2
    import zxingcpp

    from hardware.camera.decoders import PyzbarDecoder, pyzbar_status
    from hardware.camera.pipeline import DecodePipeline

    folder = Path(args.images)
    if not folder.is_dir():
        raise SystemExit(f"--images: no such folder: {folder} / 没有这个文件夹")
    frames_per_still = args.frames if args.frames else 15
    variants = [f"rot{int(a) % 360}" for a in (args.rotate or "0").split(",") if a.strip()]
    if any(v not in VARIANTS for v in variants):
        raise SystemExit(f"--rotate takes 0,90,180,270 (got {args.rotate}) / 只能是 0,90,180,270")
    if args.invert:
        variants.append("invert")
    pyzbar = PyzbarDecoder() if pyzbar_status().available else None
    cv2.setNumThreads(1)
    rows = {}
    for symbology, path, expected in stills(folder):
        gray = load_gray(path)
        for variant in variants:
            row = rows.setdefault((symbology, variant), _row(symbology, variant, pyzbar is not None))
            frames = camera_frames(gray, variant, frames_per_still, f"{path.parent.name}/{path.name}")
            _score(row, frames, expected, DecodePipeline(), pyzbar, zxingcpp)
    out_rows = []
    for row in rows.values():
        times = sorted(row.pop("_ms"))
        row["ms_p50"] = round(statistics.median(times), 2) if times else None
        row["ms_p95"] = round(times[int(0.95 * (len(times) - 1))], 2) if times else None
        if symbology_without_pyzbar(row["symbology"]):
            row["pyzbar_correct"] = None
        out_rows.append(row)
    empty, fast = empty_frame_cost()
    return {
        "name": "decode_images",
        "empty_frame_ms": round(empty, 2),
        "rows": out_rows,
        "empty_frame_fast_pass_ms": round(fast, 2),
        "empty_frame_ratio": round(empty / fast, 3) if fast else None,
        "frames_per_still": frames_per_still,
        "pyzbar": pyzbar_status().detail,
        "loadavg": _loadavg(),
    }


def symbology_without_pyzbar(symbology: str) -> bool:
    return symbology == "datamatrix"


def _row(symbology: str, variant: str, with_pyzbar: bool) -> dict:
    return {"symbology": symbology, "variant": variant, "images": 0, "accepted_correct": 0, "accepted_wrong": 0,
            "decoded_not_accepted": 0, "zxing_plain_correct": 0, "pyzbar_correct": 0 if with_pyzbar else None,
            "ms_p50": None, "ms_p95": None, "_ms": []}


def _score(row: dict, frames, expected: str, pipeline, pyzbar, zxingcpp) -> None:
    accepted, decoded = [], False
    plain = zbar = False
    for frame in frames:
        result = pipeline.process(frame)
        row["_ms"].append(result.ms)
        decoded = decoded or any(matches(expected, c.text) for c in result.codes)
        accepted += [c.text for c in result.accepted]
        if not plain:
            plain = any(matches(expected, b.text) for b in zxingcpp.read_barcodes(frame) if b.valid)
        if pyzbar is not None and not zbar:
            zbar = any(matches(expected, c.text) for c in pyzbar.decode(frame))
    good = any(matches(expected, t) for t in accepted)
    row["images"] += 1
    row["accepted_correct"] += good
    row["accepted_wrong"] += sum(not matches(expected, t) for t in accepted)
    row["decoded_not_accepted"] += decoded and not good
    row["zxing_plain_correct"] += plain
    if pyzbar is not None:
        row["pyzbar_correct"] += zbar


def empty_frame_cost(repeat: int = 3) -> tuple[float, float]:
    """(pipeline ms per empty 720p frame over whole schedules, today's fast pass alone), same frames."""
    from hardware.camera.decoders import ZxingDecoder
    from hardware.camera.pipeline import DecodePipeline
    from hardware.camera.synth import empty_frame

    rng = np.random.default_rng(7)
    frames = [empty_frame("720p", rng) for _ in range(EMPTY_FRAMES)]
    today = ZxingDecoder(formats=("QRCode", "Code128", "DataMatrix"))
    pipeline_runs, fast_runs = [], []
    for _ in range(repeat):  # interleaved, so a burst of load on the machine hits both alike
        pipeline = DecodePipeline()
        start = time.thread_time()
        for frame in frames:
            pipeline.process(frame)
        pipeline_runs.append((time.thread_time() - start) * 1000.0 / len(frames))
        start = time.thread_time()
        for frame in frames:
            today.decode(frame)
        fast_runs.append((time.thread_time() - start) * 1000.0 / len(frames))
    return min(pipeline_runs), min(fast_runs)


def _loadavg() -> str | None:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return None if os.name != "nt" else "n/a"
