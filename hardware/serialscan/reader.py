"""SerialScanner: a reader thread per serial scanner, reconnecting by itself.

    scanner = SerialScanner(settings.scanner.serial, device="drug-code scanner")
    scanner.scanned.connect(shell.on_scan)       # ScanEvent, delivered on the thread that created the scanner
    scanner.state_changed.connect(status.show)   # "connecting" | "connected" | "disconnected" | "stopped"
    scanner.start(); ...; scanner.stop()          # stop() joins the thread (also done on aboutToQuit)

When the device disappears (unplugged: EIO / SerialException), the partial frame is dropped, the state
becomes "disconnected" (logged once as a warning), and the port path is tried again every `reconnect_ms` —
use a stable path such as /dev/serial/by-id/… on Linux, which comes back when the scanner is plugged in again.
The clock is injectable (ms) for the framer's idle gap.

Signals:
    scanned(ScanEvent)
    state_changed(str)
"""
from __future__ import annotations

import codecs
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication

from hardware.events import ScanSource, make_scan_event
from hardware.serialscan.framing import Framer
from hardware.serialscan.ports import PortGone, SerialPort, open_port
from hardware.settings import SerialSettings
from hardware.wedge.clock import monotonic_ms

log = logging.getLogger("onewindow.devices.serial")


class SerialScanner(QObject):
    scanned = Signal(object)
    state_changed = Signal(str)
    _relay_scan = Signal(object)
    _relay_state = Signal(str)

    def __init__(
        self,
        settings: SerialSettings,
        *,
        device: str = "",
        opener: Callable[[str, int, str], SerialPort] = open_port,
        clock: Callable[[], float] = monotonic_ms,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        settings.check()
        self.settings = settings
        self._device = device or settings.port
        self._opener = opener
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = "stopped"
        suffix = codecs.decode(settings.suffix, "unicode_escape") if "\\" in settings.suffix else settings.suffix
        self._framer = Framer(suffix.encode("latin-1"), settings.idle_ms, settings.encoding)
        queued = Qt.ConnectionType.QueuedConnection
        self._relay_scan.connect(self._deliver_scan, queued)
        self._relay_state.connect(self._set_state, queued)

    @property
    def state(self) -> str:
        return self._state

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"serial-scanner {self.settings.port}", daemon=True)
        self._thread.start()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self._set_state("stopped")

    @Slot(object)
    def _deliver_scan(self, event: object) -> None:
        self.scanned.emit(event)

    @Slot(str)
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    # --- the thread ---

    def _run(self) -> None:
        port: SerialPort | None = None
        warned = False
        self._relay_state.emit("connecting")
        while not self._stop.is_set():
            if port is None:
                try:
                    port = self._opener(self.settings.port, self.settings.baudrate, self.settings.backend)
                except PortGone as exc:
                    if not warned:
                        log.warning("serial scanner %s not available (%s); trying again every %d ms",
                                    self.settings.port, exc, self.settings.reconnect_ms)
                        warned = True
                    self._stop.wait(self.settings.reconnect_ms / 1000.0)
                    continue
                log.info("serial scanner %s connected", self.settings.port)
                warned = False
                self._relay_state.emit("connected")
            try:
                data = port.read(min(0.05, self.settings.idle_ms / 2000.0))
            except PortGone as exc:
                log.warning("serial scanner %s disconnected (%s)", self.settings.port, exc)
                warned = True
                port.close()
                port = None
                self._framer.reset()
                self._relay_state.emit("disconnected")
                self._stop.wait(self.settings.reconnect_ms / 1000.0)
                continue
            for frame in self._framer.feed(data, self._clock()) if data else self._framer.poll(self._clock()):
                event = make_scan_event(frame, ScanSource.SERIAL, device=self._device)
                if event is not None:
                    self._relay_scan.emit(event)
        if port is not None:
            port.close()
