"""DeviceHub: the configured devices of one terminal, built from DeviceSettings, with one scan signal.

    hub = DeviceHub(load_device_settings())
    hub.scanned.connect(shell.on_scan)        # ScanEvent from the wedge filter, the serial scanner or the camera
    hub.start()                               # installs the filter on the QApplication, opens ports, starts threads
    hub.print_receipt(receipt, open_drawer=True)
    hub.stop()                                # uninstalls and joins everything

A shell (counter, pharmacy, kiosk) creates one hub after the QApplication and before its first window;
`apply(settings)` swaps devices when the settings screen saves. The print queue is kept across apply():
its jobs belong to the terminal, not to a printer model.

Signals:
    scanned(ScanEvent)
    device_state(str, str)   (device, state) from the serial scanner / camera: connected, disconnected, error…
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from hardware.camera.pipeline import DecodePipeline
from hardware.camera.sources import source_from_settings
from hardware.camera.worker import CameraWorker
from hardware.cards import CardReader, CardReaderError, card_reader_from_settings
from hardware.printing.queue import PrintJob, PrintQueue
from hardware.printing.receipt import Receipt
from hardware.printing.transports import printer_from_settings
from hardware.serialscan.reader import SerialScanner
from hardware.settings import DeviceSettings
from hardware.wedge.filter import ScannerEventFilter

log = logging.getLogger("onewindow.devices")

RECEIPT_PRINTER = "receipt"


class DeviceHub(QObject):
    scanned = Signal(object)
    device_state = Signal(str, str)

    def __init__(self, settings: DeviceSettings, *, print_queue: PrintQueue | None = None,
                 wedge: ScannerEventFilter | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings.check()
        self.wedge = wedge or ScannerEventFilter(settings.scanner.wedge, device="keyboard", parent=self)
        self.wedge.scanned.connect(self.scanned)
        self.print_queue = print_queue or PrintQueue({}, parent=self)
        self.serial: SerialScanner | None = None
        self.camera: CameraWorker | None = None
        self.card_reader: CardReader | None = None
        self._started = False

    def start(self) -> None:
        self._build(self.settings)
        self.print_queue.start()
        self._started = True

    def stop(self) -> None:
        self._teardown()
        self.print_queue.stop()
        self._started = False

    def apply(self, settings: DeviceSettings) -> None:
        settings.check()
        self.settings = settings
        if self._started:
            self._teardown()
            self._build(settings)

    def print_receipt(self, receipt: Receipt | None, *, open_drawer: bool = False) -> PrintJob:
        return self.print_queue.submit(receipt, device=RECEIPT_PRINTER, open_drawer=open_drawer)

    # --- internals ---

    def _build(self, s: DeviceSettings) -> None:
        kind = s.scanner.kind
        self.wedge.set_settings(s.scanner.wedge)
        if kind in ("keyboard", "simulator"):
            self.wedge.install(QApplication.instance())
        if kind == "serial":
            # Owned by Python, not by the hub: dropped (and deleted) as soon as _teardown lets go of it.
            self.serial = SerialScanner(s.scanner.serial, device="serial")
            self.serial.scanned.connect(self.scanned)
            self.serial.state_changed.connect(self._scanner_state)
            self.serial.start()
        source = source_from_settings(s.camera)
        if source is not None:
            pipeline = DecodePipeline(rotate_retry=s.camera.rotate_retry, extra_every=s.camera.full_pass_every)
            self.camera = CameraWorker(source, pipeline, device="camera")
            self.camera.scanned.connect(self.scanned)
            self.camera.state_changed.connect(self._camera_state)
            self.camera.start()
        self.print_queue.set_printer(RECEIPT_PRINTER, printer_from_settings(s.printer, RECEIPT_PRINTER))
        try:
            self.card_reader = card_reader_from_settings(s.card_reader)
        except CardReaderError as exc:
            log.warning("card reader: %s", exc.en)
            self.card_reader = None

    def _scanner_state(self, state: str) -> None:
        self.device_state.emit("scanner", state)

    def _camera_state(self, state: str) -> None:
        self.device_state.emit("camera", state)

    def _teardown(self) -> None:
        self.wedge.uninstall()
        if self.serial is not None:
            self.serial.stop()  # joins its thread: nothing can post to it any more
            self.serial = None
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        if self.card_reader is not None:
            self.card_reader.close()
            self.card_reader = None
