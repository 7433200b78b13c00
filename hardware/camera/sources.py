"""Where camera frames come from: a real camera (cv2.VideoCapture) or a simulator, behind one protocol.

    source.open()      raises CameraError when the device or file cannot be opened
    source.read()      the next frame (BGR or grey uint8 array), or None (no frame now / end of a file)
    source.close()
    source.fps         simulators: the pace the worker plays them at (0 = as fast as they come)

OpenCvCamera needs opencv-python-headless — never the full opencv-python wheel, whose bundled Qt plugins
break PySide6 (`onewindow selftest` checks). On Windows, MSMF can take 10-20 s to open some webcams; set
OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS=0 before cv2 is imported, or use `api="dshow"` (barcode.md).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from hardware.settings import CameraSettings

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".pgm", ".ppm", ".webp"}
_VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".mjpg", ".mjpeg"}


class CameraError(RuntimeError):
    pass


class FrameSource(Protocol):
    name: str
    fps: float

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


class OpenCvCamera:
    fps = 0.0  # a camera paces itself

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720, api: str = "") -> None:
        self.index, self.width, self.height, self.api = index, width, height, api
        self.name = f"camera {index}"
        self._cap = None

    def open(self) -> None:
        import cv2

        api = {"dshow": cv2.CAP_DSHOW, "msmf": cv2.CAP_MSMF, "v4l2": cv2.CAP_V4L2}.get(self.api, cv2.CAP_ANY)
        cap = cv2.VideoCapture(self.index, api)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"camera {self.index} cannot be opened")
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        if not ok:
            raise CameraError(f"camera {self.index} stopped delivering frames (unplugged?)")
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class ImageSource:
    """Still images (arrays or files), each shown for `repeat` frames, looping or not."""

    def __init__(self, images: Sequence[np.ndarray | str | Path], *, fps: float = 15.0, repeat: int = 3,
                 loop: bool = True, name: str = "images") -> None:
        self._images = list(images)
        self.fps, self.repeat, self.loop, self.name = fps, max(1, repeat), loop, name
        self._iter = None

    def open(self) -> None:
        frames = [_load(i) for i in self._images]
        if not frames:
            raise CameraError(f"{self.name}: no images")
        seq = [f for f in frames for _ in range(self.repeat)]
        self._iter = itertools.cycle(seq) if self.loop else iter(seq)

    def read(self) -> np.ndarray | None:
        if self._iter is None:
            return None
        return next(self._iter, None)

    def close(self) -> None:
        self._iter = None


class VideoFileSource:
    """A recorded video, played at its own frame rate (looping)."""

    def __init__(self, path: str | Path, *, loop: bool = True) -> None:
        self.path, self.loop = str(path), loop
        self.name = Path(path).name
        self.fps = 15.0
        self._cap = None

    def open(self) -> None:
        import cv2

        cap = cv2.VideoCapture(self.path)
        if not cap.isOpened():
            raise CameraError(f"video {self.path} cannot be opened")
        self.fps = cap.get(cv2.CAP_PROP_FPS) or 15.0
        self._cap = cap

    def read(self) -> np.ndarray | None:
        import cv2

        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        if not ok and self.loop:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class GeneratedSource:
    """Generated scenes (hardware.camera.synth): each code held in view for `frames_per_code` frames (new
    noise and a pixel of shake each frame), then `gap_frames` empty frames, round and round."""

    def __init__(self, kinds: Iterable[str] = ("qr", "c128", "dm_gs1", "dm"), *, resolution: str = "720p",
                 scenario: str = "clean", frames_per_code: int = 6, gap_frames: int = 3, seed: int = 7,
                 fps: float = 15.0) -> None:
        self.kinds = tuple(kinds)
        self.resolution, self.scenario = resolution, scenario
        self.frames_per_code, self.gap_frames = frames_per_code, gap_frames
        self.fps, self.name = fps, "generated"
        self.seed = seed
        self.shown: list[str] = []  # expected texts, in the order they were put in view
        self._gen = None

    def open(self) -> None:
        self._gen = self._frames()

    def read(self) -> np.ndarray | None:
        return next(self._gen) if self._gen is not None else None

    def close(self) -> None:
        self._gen = None

    def _frames(self):
        from hardware.camera.synth import SceneRenderer, empty_frame

        rng = np.random.default_rng(self.seed)
        for kind in itertools.cycle(self.kinds):
            renderer = SceneRenderer(kind, self.resolution, self.scenario, rng)
            self.shown.append(renderer.scene.expected)
            for i in range(self.frames_per_code):
                yield renderer.render(shake_px=1.0 if i else 0.0)
            empty = empty_frame(self.resolution, rng)
            for _ in range(self.gap_frames):
                yield empty


def source_from_settings(settings: CameraSettings) -> FrameSource | None:
    if settings.kind == "opencv":
        return OpenCvCamera(settings.index, settings.width, settings.height)
    if settings.kind != "simulator":
        return None
    resolution = "1080p" if settings.height >= 1080 else "720p"
    if not settings.source:
        return GeneratedSource(resolution=resolution)
    path = Path(settings.source)
    if path.is_dir():
        return ImageSource(sorted(p for p in path.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES), name=path.name)
    if path.suffix.lower() in _VIDEO_SUFFIXES:
        return VideoFileSource(path)
    return ImageSource([path], name=path.name)


def _load(item: np.ndarray | str | Path) -> np.ndarray:
    if isinstance(item, np.ndarray):
        return item
    import cv2

    frame = cv2.imread(str(item), cv2.IMREAD_UNCHANGED)
    if frame is None:
        raise CameraError(f"image {item} cannot be read")
    return frame
