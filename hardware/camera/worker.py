"""CameraWorker: capture and decode off the GUI thread, hand scans and preview frames to it.

Two threads (barcode.md: "decode in a worker thread and drop frames while it is busy"): the capture thread
reads frames as fast as the source gives them (a simulator at its `fps`) and keeps only the latest; the decode
thread takes the latest frame whenever it is free, runs the DecodePipeline, and posts results to the GUI
thread through queued signals. A stalled GUI therefore never slows decoding, and decoding never stalls the GUI
(a stalled event loop also replays a person's keys with 0 ms gaps: the wedge filter would see a scanner).

    worker = CameraWorker(source, device="camera")
    worker.scanned.connect(shell.on_scan)            # ScanEvent, source CAMERA, symbology e.g. "]d2"
    worker.frame_ready.connect(preview.show_frame)   # PreviewFrame, at most preview_fps per second
    worker.start(); ...; worker.stop()               # stop() joins both threads (also on aboutToQuit)
    worker.set_wanted({Kind.TRACE_CODE, Kind.GS1}, wanted)  # this screen takes only these kinds of code;
                                                     # others are not emitted, the preview says why

The preview's status line (PreviewFrame.status): "已识别，请保持" while a code read in this frame waits
for the agreeing frames; the refusal (which kind was read, what this screen wants) for REFUSAL_S after a
confirmed code of the wrong kind; empty otherwise.

Signals:
    scanned(ScanEvent)
    frame_ready(PreviewFrame)
    state_changed(str)    "running" | "stopped" | "error"
    error(str)            why the camera stopped (cannot open, unplugged)
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from core.codes import Kind
from core.i18n import Message, message
from hardware.camera.decoders import Decoded
from hardware.camera.pipeline import DecodePipeline
from hardware.camera.sources import CameraError, FrameSource
from hardware.events import ScanSource, make_scan_event

log = logging.getLogger("onewindow.devices.camera")
REFUSAL_S = 2.0


@dataclass(frozen=True)
class PreviewFrame:
    image: QImage                 # a copy, safe to keep
    codes: tuple[Decoded, ...]    # found in this frame (outline them)
    accepted: tuple[Decoded, ...]  # confirmed in this frame (flash)
    decode_ms: float
    status: Message | None = None  # what the user should know: hold still, or why a code was not taken
    refused: bool = False          # the status is a refusal (shown in the warning colour)


def to_qimage(frame: np.ndarray) -> QImage:
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    if frame.ndim == 2:
        return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_Grayscale8).copy()
    if frame.shape[2] == 4:
        return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_ARGB32).copy()
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


class CameraWorker(QObject):
    scanned = Signal(object)
    refused = Signal(object, object)  # ScanEvent, Message: a confirmed code this screen does not take
    frame_ready = Signal(object)
    state_changed = Signal(str)
    error = Signal(str)
    _relay_scan = Signal(object)
    _relay_refused = Signal(object, object)
    _relay_frame = Signal(object)
    _relay_state = Signal(str)
    _relay_error = Signal(str)

    def __init__(self, source: FrameSource, pipeline: DecodePipeline | None = None, *, device: str = "camera",
                 preview_fps: float = 15.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.pipeline = pipeline or DecodePipeline()
        self.device = device
        self.preview_interval = 1.0 / preview_fps if preview_fps > 0 else 0.0
        self.frames_decoded = 0
        self._stop = threading.Event()
        self._new = threading.Condition()
        self._latest: np.ndarray | None = None
        self._threads: list[threading.Thread] = []
        self._last_preview = 0.0
        self._wanted: tuple[frozenset[Kind] | None, Message | None] = (None, None)
        self._refusal: tuple[Message, float] | None = None
        q = Qt.ConnectionType.QueuedConnection
        self._relay_scan.connect(self._on_scan, q)
        self._relay_refused.connect(self.refused, q)
        self._relay_frame.connect(self._on_frame, q)
        self._relay_state.connect(self._on_state, q)
        self._relay_error.connect(self._on_error, q)

    def set_wanted(self, kinds=None, wanted: Message | None = None) -> None:
        """Only codes of these core.codes Kinds become scans (None: every kind); `wanted` says in the preview
        what this screen asks for. Safe from any thread: one tuple is swapped."""
        self._wanted = (frozenset(kinds) if kinds is not None else None, wanted)

    def judge(self, event) -> Message | None:
        """None when this screen takes the scan, else why not (the preview shows it)."""
        kinds, wanted = self._wanted
        if kinds is None:
            return None
        result = event.classify()
        if result.kind in kinds:
            return None
        wanted = wanted or message("codes.camera.wanted_default")
        label = result.kind_label
        return message("codes.camera.refused", kind=label.zh, kind_en=label.en, wanted=wanted.zh, wanted_en=wanted.en)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._threads = [threading.Thread(target=self._capture, name="camera-capture", daemon=True),
                         threading.Thread(target=self._decode, name="camera-decode", daemon=True)]
        for t in self._threads:
            t.start()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def stop(self, timeout_s: float = 3.0) -> None:
        self._stop.set()
        with self._new:
            self._new.notify_all()
        for t in self._threads:
            t.join(timeout_s)
        self._threads = []

    # --- GUI-thread side ---

    @Slot(object)
    def _on_scan(self, event: object) -> None:
        self.scanned.emit(event)

    @Slot(object)
    def _on_frame(self, frame: object) -> None:
        self.frame_ready.emit(frame)

    @Slot(str)
    def _on_state(self, state: str) -> None:
        self.state_changed.emit(state)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.error.emit(message)

    # --- threads ---

    def _capture(self) -> None:
        try:
            self.source.open()
        except CameraError as exc:
            log.warning("camera: %s", exc)
            self._relay_error.emit(str(exc))
            self._relay_state.emit("error")
            self._stop.set()
            with self._new:
                self._new.notify_all()
            return
        self._relay_state.emit("running")
        pace = 1.0 / self.source.fps if self.source.fps else 0.0
        next_at = time.perf_counter()
        try:
            while not self._stop.is_set():
                frame = self.source.read()
                if frame is None:
                    if pace == 0.0 and not getattr(self.source, "loop", True):
                        break  # a finite simulator ran out
                    self._stop.wait(0.01)
                    continue
                with self._new:
                    self._latest = frame  # latest frame wins: an unread older one is dropped
                    self._new.notify()
                if pace:
                    next_at += pace
                    self._stop.wait(max(0.0, next_at - time.perf_counter()))
        except CameraError as exc:
            log.warning("camera: %s", exc)
            self._relay_error.emit(str(exc))
            self._relay_state.emit("error")
        finally:
            self.source.close()
            self._stop.set()
            with self._new:
                self._new.notify_all()
            self._relay_state.emit("stopped")

    def _decode(self) -> None:
        while True:
            with self._new:
                while self._latest is None and not self._stop.is_set():
                    self._new.wait(0.2)
                frame, self._latest = self._latest, None
            if frame is None:
                return
            try:
                result = self.pipeline.process(frame)
            except Exception:  # a decoder bug costs a frame, never the thread
                log.exception("camera: decoding a frame failed")
                continue
            self.frames_decoded += 1
            now = time.perf_counter()
            taken = []
            for code in result.accepted:
                event = make_scan_event(code.text, ScanSource.CAMERA, symbology=code.symbology, device=self.device)
                if event is None:
                    continue
                reason = self.judge(event)
                if reason is None:
                    taken.append(code)
                    self._refusal = None
                    self._relay_scan.emit(event)
                else:
                    self._refusal = (reason, now + REFUSAL_S)
                    self._relay_refused.emit(event, reason)
            status, refused = None, False
            if self._refusal is not None and now < self._refusal[1]:
                status, refused = self._refusal[0], True
            elif result.confirming:
                status = message("codes.camera.confirming")
            if taken or status is not None or now - self._last_preview >= self.preview_interval:
                self._last_preview = now
                self._relay_frame.emit(PreviewFrame(to_qimage(frame), tuple(result.codes), tuple(taken),
                                                    result.ms, status, refused))
