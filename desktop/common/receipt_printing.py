"""Receipts on paper and as PDF: the one path from a desk's receipt (core.services.receipts.ReceiptContent) to
the receipt printer.

    printing = ReceiptPrinting.from_settings(config.receipts_folder(), app_home() / "desk-print-queue.json",
                                             desk_printer=config.receipt_printer)
    out = printing.print(content, open_drawer=True)   # the PDF now (the record), the printer through the queue
    out.path, out.job                                 # job None: no receipt printer configured
    printing.job_changed.connect(show)                # a job of ours: queued, printing, done, failed
    printing.retry(out.job.id)                        # a failed job goes back in line (a maybe-printed one as COPY)

`hardware_receipt(content)` is the only mapping of ReceiptContent to hardware.printing.Receipt: what goes on
paper (columns, GB18030 double-byte mode, the settlement id as QR and text, the cut, the drawer kick first) is
hardware.printing.layout's, never laid out a second time here. The queue is hardware.printing.queue.PrintQueue
(persisted before submit returns, one worker thread per device, a failed job kept for retry, never dropped);
DeviceHub.print_receipt is the same submit on the same device name, so a shell with a hub passes
`hub.print_queue`. Submitting never waits for the printer: a jammed or unplugged printer cannot hold up a sale.

Which printer: the terminal's device settings (`devices.printer.*` of the site settings, written by the device
settings screen or `onewindow config set`) when the site set the printer kind; kind "none" there means PDF
only. Otherwise the desk's own `receipt.printer` setting: "" = PDF only, a printer kind ("simulator", "pdf", "system") or the name of a
system printer.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from core.services.receipts import ReceiptContent, ReceiptLine
from desktop.common.receipt_pdf import write_receipt_pdf
from desktop.qt import QObject, Signal

log = logging.getLogger("onewindow.gui.print")

RECEIPT_DEVICE = "receipt"  # hardware.factory.RECEIPT_PRINTER: the device DeviceHub.print_receipt uses
EMPHASIS = ("医疗费总额", "个人负担")


def _amount(value: str) -> Decimal:
    try:
        return Decimal(value.replace(",", "").strip() or "0")
    except InvalidOperation:
        return Decimal("0")


def hardware_item(line: ReceiptLine):
    """One receipt line as hardware.printing.ReceiptItem (the split mark and the days go to the note, beside the
    无码库 batch)."""
    from hardware.printing.receipt import ReceiptItem

    note = " ".join(p for p in ("拆零" if line.split else "", f"{line.days}天" if line.days else "", line.note) if p)
    return ReceiptItem(name=line.name, quantity=Decimal(line.qty), unit_price=_amount(line.price),
                       amount=_amount(line.amount), unit=line.unit, spec=line.spec, trace_codes=tuple(line.codes),
                       note=note)


def hardware_receipt(r: ReceiptContent):
    """The desk's receipt as hardware.printing.Receipt (what the ESC/POS encoder, the simulator and the PDF
    and system-printer fallbacks print). A reprint is a copy: the layout marks it "重打 COPY" under the shop's
    name, the title says 副本 and the last line which copy it is. A provisional (offline) sale says so at the
    foot, in Chinese and English, and its QR carries the offline number instead of a settlement id."""
    from hardware.printing.receipt import Receipt, ReceiptTotal

    footer: tuple[str, ...] = tuple(r.lifestyle)  # the lifestyle prescription's short form (双处方)
    qr = ""
    if r.provisional:
        from core.services.receipts import PROVISIONAL_EN, PROVISIONAL_ZH

        footer += (f"** {PROVISIONAL_ZH} **", PROVISIONAL_EN)
        qr = r.offline_no or r.receipt_no
    if r.is_copy:
        footer += (f"** 重打副本 第 {r.copy_no} 次 COPY **",)
    return Receipt(
        header_lines=(r.pharmacy, r.title, f"{r.institution} {r.terminal}".strip()),
        items=tuple(hardware_item(l) for l in r.lines),
        totals=tuple(ReceiptTotal(label, _amount(value), emphasis=label in EMPHASIS) for label, value in r.rows()),
        settlement_id=r.setl_id or r.receipt_no,
        meta=(("小票号", r.receipt_no), ("时间", r.time), ("收银", r.operator), ("参保人", r.person)),
        footer_lines=footer,
        copy=r.is_copy,
        qr_payload=qr,
    )


def printer_settings(desk_printer: str = "", devices_file: Path | None = None):
    """The receipt printer's hardware.printing settings, or None for PDF only (see the module docstring).
    Raises hardware.settings.DeviceSettingsError for a devices file that cannot be used."""
    from core.settings import SettingError, SiteSettings
    from hardware.settings import PRINTER_KINDS, DeviceSettingsError, PrinterSettings, device_settings_from, \
        load_device_settings

    if devices_file is not None and devices_file.exists():
        settings = load_device_settings(devices_file).printer
        return None if settings.kind == "none" else settings
    if devices_file is None:
        try:
            site = SiteSettings.load()
        except SettingError as exc:
            raise DeviceSettingsError(exc.zh, exc.en) from exc
        if site.source("devices.printer.kind") != "default":
            settings = device_settings_from(site).printer
            return None if settings.kind == "none" else settings
    name = desk_printer.strip()
    if not name or name == "none":
        return None
    settings = PrinterSettings(kind=name) if name in PRINTER_KINDS and name != "escpos_network" else \
        PrinterSettings(kind="system", address=name)
    settings.check()
    return settings


@dataclass(frozen=True)
class Printed:
    path: Path        # the PDF, always written
    job: object       # hardware.printing.queue.PrintJob, or None when no receipt printer is configured


class ReceiptPrinting(QObject):
    """PDF always, the receipt printer through the print queue when one is configured. Signals (GUI thread):
    job_changed(PrintJob) for every state change of a job this object submitted or retried."""

    job_changed = Signal(object)

    def __init__(self, folder: Path, queue=None, *, device: str = RECEIPT_DEVICE, problem: str = "",
                 owns_queue: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.queue = queue
        self.device = device
        self.problem = problem  # why a configured printer could not be set up ("" = none)
        self._owns_queue = owns_queue
        self._ours: set[str] = set()
        if queue is not None:
            queue.job_changed.connect(self._relay)

    @classmethod
    def from_settings(cls, folder: Path, queue_file: Path, *, desk_printer: str = "",
                      devices_file: Path | None = None, parent: QObject | None = None) -> "ReceiptPrinting":
        """The terminal's receipt printer (devices.json, else the desk setting) behind a persisted queue of its
        own; PDF only when none is configured or the settings cannot be used (said in `problem`)."""
        from hardware.printing.queue import PrintQueue
        from hardware.printing.transports import printer_from_settings
        from hardware.settings import DeviceSettingsError

        try:
            settings = printer_settings(desk_printer, devices_file)
        except DeviceSettingsError as exc:
            log.warning("receipt printer not set up, receipts go to PDF only: %s", exc.en)
            return cls(folder, problem=f"{exc.zh} / {exc.en}", parent=parent)
        if settings is None:
            return cls(folder, parent=parent)
        printer = printer_from_settings(settings, RECEIPT_DEVICE)
        queue = PrintQueue({RECEIPT_DEVICE: printer} if printer else {}, queue_file, keep_done=20)
        queue.start()
        return cls(folder, queue, owns_queue=True, parent=parent)

    @classmethod
    def for_hub(cls, folder: Path, hub, parent: QObject | None = None) -> "ReceiptPrinting":
        """Through a shell's hardware.factory.DeviceHub (its print queue and receipt printer, kept by the hub)."""
        return cls(folder, hub.print_queue, parent=parent)

    # ---- state ----
    @property
    def configured(self) -> bool:
        return self.queue is not None and self.queue.printer(self.device) is not None

    def job(self, job_id: str):
        """The job as the queue has it now (None once the queue has let go of it)."""
        try:
            return self.queue.job(job_id) if self.queue is not None else None
        except KeyError:
            return None

    # ---- printing ----
    def print(self, content: ReceiptContent, *, open_drawer: bool = False) -> Printed:
        """Write the PDF, then queue the receipt for the printer (returns at once; never raises for the
        printer: a failure comes later as a failed job)."""
        path = write_receipt_pdf(content, self.folder)
        job = None
        if self.configured:
            job = self.queue.submit(hardware_receipt(content), device=self.device, open_drawer=open_drawer)
            self._ours.add(job.id)
        return Printed(path, job)

    @property
    def has_drawer(self) -> bool:
        """The receipt printer has a cash drawer on its port (devices.printer.drawer)."""
        printer = self.queue.printer(self.device) if self.queue is not None else None
        return bool(printer is not None and getattr(getattr(printer, "settings", None), "drawer", False))

    def open_drawer(self):
        """Kick the cash drawer (ESC p on the receipt printer's lane, so it never cuts into a receipt being
        printed); returns the job, or None when the terminal has no drawer. Never raises for the printer: a
        failure comes later as a failed job."""
        if not self.has_drawer:
            return None
        job = self.queue.submit(None, device=self.device, open_drawer=True)
        self._ours.add(job.id)
        return job

    def discard(self, job_id: str) -> None:
        """Drop a failed job of ours (a failed drawer kick: the cashier opens the drawer with its key)."""
        self._ours.discard(job_id)
        self.queue.discard(job_id)

    def retry(self, job_id: str):
        """A failed job back in line (hardware.printing.queue.PrintQueue.retry)."""
        self._ours.add(job_id)
        return self.queue.retry(job_id)

    def stop(self) -> None:
        """Join the queue's worker when this object made the queue (jobs left are kept in its file)."""
        if self._owns_queue and self.queue is not None:
            self.queue.stop()

    def _relay(self, job) -> None:
        if job.id in self._ours:
            self.job_changed.emit(job)


__all__ = ["Printed", "RECEIPT_DEVICE", "ReceiptPrinting", "hardware_item", "hardware_receipt", "printer_settings"]
