"""Printers: where a receipt goes. Every transport has `name`, `settings` and `print(receipt, open_drawer)`.

    EscPosPrinter(settings, sink)  lays the receipt out for the paper width, encodes ESC/POS, writes it to a sink:
        NetworkSink   raw TCP, port 9100 (JetDirect), one connection per job
        SerialSink    a serial port (hardware.serialscan.ports: pyserial or POSIX termios)
        DeviceSink    a device or file path: /dev/usb/lp0, a parallel port, or a file to inspect
    SimulatedPrinter   encodes ESC/POS like a real one, then reads the bytes back and writes, per job,
                       <n>.bin (the bytes), <n>.txt (the text a printer would print) and <n>.png (a picture)
    PdfPrinter         the receipt as a roll-width PDF in a folder (print it later / keep it)
    SystemPrinter      an ordinary printer through its driver (QPrinter)

A transport raises PrintError on failure; `maybe_printed` says whether some bytes may already have reached
the printer (then a retry prints "重打 COPY": a printed receipt is committed, anchors.md).
"""
from __future__ import annotations

import itertools
import os
import socket
import threading
import time
from pathlib import Path
from typing import Protocol

from core.settings.paths import app_home
from hardware.printing.escpos import encode
from hardware.printing.escpos_read import read_escpos
from hardware.printing.layout import Document, Drawer, layout_receipt
from hardware.printing.receipt import Receipt
from hardware.settings import PrinterSettings


class PrintError(OSError):
    def __init__(self, message: str, *, maybe_printed: bool = False) -> None:
        super().__init__(message)
        self.maybe_printed = maybe_printed


class Printer(Protocol):
    name: str
    settings: PrinterSettings

    def print(self, receipt: Receipt | None, *, open_drawer: bool = False) -> None: ...


def document_for(receipt: Receipt | None, settings: PrinterSettings, open_drawer: bool) -> Document:
    """The receipt laid out for this printer; None = only kick the drawer."""
    kick = open_drawer and settings.drawer
    if receipt is None:
        return Document((Drawer(settings.drawer_pin),) if kick else (), settings.columns)
    return layout_receipt(receipt, settings.columns, open_drawer=kick, qr=True, cut=settings.cut,
                          drawer_pin=settings.drawer_pin)


# --- byte sinks ---

class NetworkSink:
    def __init__(self, address: str, timeout_s: float = 5.0) -> None:
        host, _, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
        self.host = host or address
        self.port = int(port) if port else 9100
        self.timeout_s = timeout_s

    def write(self, data: bytes) -> None:
        try:
            conn = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except OSError as exc:
            raise PrintError(f"printer {self.host}:{self.port} not reachable: {exc}") from exc
        try:
            with conn:
                conn.sendall(data)
                conn.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise PrintError(f"printer {self.host}:{self.port}: {exc}", maybe_printed=True) from exc


class SerialSink:
    def __init__(self, port: str, baudrate: int = 19200) -> None:
        self.port, self.baudrate = port, baudrate

    def write(self, data: bytes) -> None:
        from hardware.serialscan.ports import PortGone, open_port

        try:
            port = open_port(self.port, self.baudrate)
        except PortGone as exc:
            raise PrintError(f"printer port {self.port}: {exc}") from exc
        try:
            port.write(data)
        except PortGone as exc:
            raise PrintError(f"printer port {self.port}: {exc}", maybe_printed=True) from exc
        finally:
            port.close()


class DeviceSink:
    def __init__(self, path: str) -> None:
        self.path = path

    def write(self, data: bytes) -> None:
        try:
            with open(self.path, "ab", buffering=0) as fh:
                fh.write(data)
        except OSError as exc:
            raise PrintError(f"printer device {self.path}: {exc}") from exc


class EscPosPrinter:
    def __init__(self, settings: PrinterSettings, sink, name: str = "") -> None:
        self.settings, self.sink = settings, sink
        self.name = name or settings.address or settings.kind

    def encode(self, receipt: Receipt | None, open_drawer: bool = False) -> bytes:
        document = document_for(receipt, self.settings, open_drawer)
        return encode(document, self.settings.encoding, qr_native=self.settings.qr)

    def print(self, receipt: Receipt | None, *, open_drawer: bool = False) -> None:
        self.sink.write(self.encode(receipt, open_drawer))


class SimulatedPrinter(EscPosPrinter):
    """Writes what it would print into `folder`; `fail_next` makes the next jobs fail (tests, demos)."""

    _counter = itertools.count(1)
    _lock = threading.Lock()

    def __init__(self, settings: PrinterSettings | None = None, folder: Path | str | None = None, name: str = "") -> None:
        settings = settings or PrinterSettings(kind="simulator")
        super().__init__(settings, sink=None, name=name or "simulator")
        self.folder = Path(folder or settings.address or app_home() / "printer-sim")
        self.fail_next = 0
        self.delay_s = 0.0
        self.printed: list[Path] = []

    def print(self, receipt: Receipt | None, *, open_drawer: bool = False) -> None:
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail_next:
            self.fail_next -= 1
            raise PrintError("simulated printer: out of paper (模拟缺纸)")
        data = self.encode(receipt, open_drawer)
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            stem = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{next(self._counter):04d}"
        stem.with_suffix(".bin").write_bytes(data)
        back = read_escpos(data, columns=self.settings.columns, encoding=self.settings.encoding
                           if self.settings.encoding != "ascii" else "gb18030")
        stem.with_suffix(".txt").write_text("\n".join(back.document.text_lines()) + "\n", encoding="utf-8")
        from hardware.printing.render import render_image

        render_image(back.document, self.settings.dots).save(str(stem.with_suffix(".png")))
        self.printed.append(stem)


class PdfPrinter:
    def __init__(self, settings: PrinterSettings, folder: Path | str | None = None, name: str = "") -> None:
        self.settings = settings
        self.folder = Path(folder or settings.address or app_home() / "receipts")
        self.name = name or "pdf"
        self.printed: list[Path] = []

    def print(self, receipt: Receipt | None, *, open_drawer: bool = False) -> None:
        if receipt is None:
            return  # no drawer on a PDF
        from hardware.printing.render import write_pdf

        document = document_for(receipt, self.settings, False)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in receipt.settlement_id) or "receipt"
        path = self.folder / f"{safe}{'-copy' if receipt.copy else ''}-{time.strftime('%Y%m%d-%H%M%S')}.pdf"
        try:
            self.printed.append(write_pdf(document, path, paper_mm=self.settings.paper_mm, dots=self.settings.dots))
        except OSError as exc:
            raise PrintError(f"PDF {path}: {exc}") from exc


class SystemPrinter:
    def __init__(self, settings: PrinterSettings, name: str = "") -> None:
        self.settings = settings
        self.name = name or settings.address or "default printer"

    def print(self, receipt: Receipt | None, *, open_drawer: bool = False) -> None:
        if receipt is None:
            return
        from hardware.printing.render import print_to_printer

        try:
            print_to_printer(document_for(receipt, self.settings, False), self.settings.address, dots=self.settings.dots)
        except OSError as exc:
            raise PrintError(str(exc)) from exc


def printer_from_settings(settings: PrinterSettings, name: str = "") -> Printer | None:
    settings.check()
    kind = settings.kind
    if kind == "escpos_network":
        return EscPosPrinter(settings, NetworkSink(settings.address, settings.timeout_s), name)
    if kind == "escpos_serial":
        return EscPosPrinter(settings, SerialSink(settings.address, settings.baudrate), name)
    if kind == "escpos_device":
        return EscPosPrinter(settings, DeviceSink(settings.address), name)
    if kind == "simulator":
        return SimulatedPrinter(settings, name=name)
    if kind == "pdf":
        return PdfPrinter(settings, name=name)
    if kind == "system":
        return SystemPrinter(settings, name)
    return None
