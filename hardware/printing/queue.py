"""PrintQueue: print jobs per device on worker threads, persisted, never lost, retried on request.

    queue = PrintQueue({"receipt": printer_from_settings(settings.printer)})   # device name -> Printer
    queue.start()                                   # loads <app data>/print-queue.json, resumes queued jobs
    job = queue.submit(receipt, device="receipt", open_drawer=True)   # returns at once; the UI never waits
    queue.job_failed.connect(show_retry_banner)     # PrintJob with .error
    queue.retry(job.id)                             # a failed job goes back in line
    queue.stop()                                    # joins the workers (also on aboutToQuit)

Every state change is written to the JSON file (atomically) before it is announced, so a crash loses nothing:
on the next start, jobs still "queued" print, and a job caught "printing" becomes "failed" with
maybe_printed set — the operator decides, and its retry prints "重打 COPY" (a receipt that may already be
on paper must not come out a second time as an original). The drawer kick is part of the job and goes out
first (layout puts ESC p before the text). One thread per device: a jammed kitchen printer does not hold up
the receipt printer. A retried job never kicks the drawer again, and a kick-only job (receipt None) left queued
by a restart is dropped, not sent: the drawer opens while the customer pays, never later. Done jobs are kept (the newest `keep_done`) as a record; nothing else is ever dropped
except by an explicit discard(), which is logged.

Signals (on the thread that created the queue):
    job_changed(PrintJob)   any state change
    job_done(PrintJob)
    job_failed(PrintJob)
"""
from __future__ import annotations

import json
import logging
import os
import queue as _queue
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication

from core.settings.paths import app_home
from hardware.printing.receipt import Receipt
from hardware.printing.transports import Printer, PrintError

log = logging.getLogger("onewindow.devices.print")

QUEUE_FILE = "print-queue.json"
QUEUED, PRINTING, DONE, FAILED = "queued", "printing", "done", "failed"


@dataclass(frozen=True)
class PrintJob:
    id: str
    device: str
    receipt: dict[str, Any] | None      # Receipt.to_dict(); None = drawer kick only
    open_drawer: bool = False
    state: str = QUEUED
    attempts: int = 0
    error: str = ""
    maybe_printed: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def settlement_id(self) -> str:
        return (self.receipt or {}).get("settlement_id", "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PrintJob:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


class PrintQueue(QObject):
    job_changed = Signal(object)
    job_done = Signal(object)
    job_failed = Signal(object)
    _relay = Signal(object)

    def __init__(self, printers: Mapping[str, Printer], path: Path | None = None, *, keep_done: int = 100,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path) if path else app_home() / QUEUE_FILE
        self.keep_done = keep_done
        self._printers: dict[str, Printer] = dict(printers)
        self._jobs: dict[str, PrintJob] = {}
        self._lock = threading.RLock()
        self._lanes: dict[str, tuple[threading.Thread, _queue.Queue]] = {}
        self._busy = 0
        self._idle = threading.Condition(self._lock)
        self._started = False
        self._relay.connect(self._announce, Qt.ConnectionType.QueuedConnection)

    # --- public API ---

    def start(self) -> None:
        """Load the saved queue and resume it. Idempotent."""
        if self._started:
            return
        self._started = True
        with self._lock:
            for job in self._load():
                if job.receipt is None and job.state in (QUEUED, PRINTING):
                    # a drawer kick left over from before a restart: popping the drawer open now, with nobody
                    # paying, is what must not happen; it belonged to a sale that is over
                    log.info("drawer kick %s not sent after the restart (dropped)", job.id)
                    continue
                if job.state == PRINTING:  # the process ended mid-job: it may or may not be on paper
                    job = replace(job, state=FAILED, error="interrupted (程序中断)", maybe_printed=True)
                self._jobs[job.id] = job
            self._save()
            resume = [j for j in self._jobs.values() if j.state == QUEUED]
        for job in sorted(resume, key=lambda j: j.created_at):
            self._dispatch(job)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def stop(self, timeout_s: float = 5.0) -> None:
        lanes = list(self._lanes.values())
        for _, q in lanes:
            q.put(None)
        for thread, _ in lanes:
            thread.join(timeout_s)
        self._lanes.clear()
        self._started = False

    def set_printer(self, device: str, printer: Printer | None) -> None:
        with self._lock:
            if printer is None:
                self._printers.pop(device, None)
            else:
                self._printers[device] = printer

    def printer(self, device: str) -> Printer | None:
        return self._printers.get(device)

    def submit(self, receipt: Receipt | None, *, device: str = "receipt", open_drawer: bool = False) -> PrintJob:
        """Queue a receipt (None: only open the drawer). Persisted before this returns."""
        self.start()
        now = time.time()
        job = PrintJob(id=f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}", device=device,
                       receipt=receipt.to_dict() if receipt is not None else None, open_drawer=open_drawer,
                       created_at=now, updated_at=now)
        with self._lock:
            self._jobs[job.id] = job
            self._save()
        self._relay.emit(job)
        self._dispatch(job)
        return job

    def retry(self, job_id: str) -> PrintJob:
        with self._lock:
            job = self._jobs[job_id]
            if job.state != FAILED:
                raise ValueError(f"job {job_id} is {job.state}, only failed jobs are retried")
            receipt = job.receipt
            if job.maybe_printed and receipt is not None:
                receipt = {**receipt, "copy": True}
            # a retried receipt never opens the drawer again: the cash changed hands when the sale was paid
            job = replace(job, state=QUEUED, error="", receipt=receipt, open_drawer=False, updated_at=time.time())
            self._jobs[job_id] = job
            self._save()
        log.info("print job %s retried (%s)", job_id, "as a copy" if job.receipt and job.receipt.get("copy") else "")
        self._relay.emit(job)
        self._dispatch(job)
        return job

    def discard(self, job_id: str) -> None:
        """Drop a failed job on purpose (the operator reprinted it another way). Logged."""
        with self._lock:
            job = self._jobs[job_id]
            if job.state != FAILED:
                raise ValueError(f"job {job_id} is {job.state}, only failed jobs can be discarded")
            del self._jobs[job_id]
            self._save()
        log.info("print job %s (settlement %s) discarded by the operator", job_id, job.settlement_id)

    def jobs(self, states: tuple[str, ...] | None = None) -> list[PrintJob]:
        with self._lock:
            items = sorted(self._jobs.values(), key=lambda j: j.created_at)
        return [j for j in items if states is None or j.state in states]

    def job(self, job_id: str) -> PrintJob:
        with self._lock:
            return self._jobs[job_id]

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until no job is queued or printing (tests, shutdown)."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._busy or any(j.state in (QUEUED, PRINTING) for j in self._jobs.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    # --- workers ---

    def _dispatch(self, job: PrintJob) -> None:
        lane = self._lanes.get(job.device)
        if lane is None or not lane[0].is_alive():
            q: _queue.Queue = _queue.Queue()
            thread = threading.Thread(target=self._work, args=(job.device, q), name=f"print {job.device}", daemon=True)
            self._lanes[job.device] = (thread, q)
            thread.start()
            lane = self._lanes[job.device]
        lane[1].put(job.id)

    def _work(self, device: str, q: _queue.Queue) -> None:
        while True:
            job_id = q.get()
            if job_id is None:
                return
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None or job.state != QUEUED:
                    continue
                self._busy += 1
                job = self._update(job, state=PRINTING, attempts=job.attempts + 1)
                printer = self._printers.get(device)
            self._relay.emit(job)
            try:
                if printer is None:
                    raise PrintError(f"no printer configured for {device!r} (未配置打印机)")
                receipt = Receipt.from_dict(job.receipt) if job.receipt is not None else None
                printer.print(receipt, open_drawer=job.open_drawer)
            except Exception as exc:  # noqa: BLE001 - any failure is the job's, reported and kept
                maybe = bool(getattr(exc, "maybe_printed", False)) or not isinstance(exc, PrintError)
                if not isinstance(exc, PrintError):
                    log.exception("print job %s on %s failed unexpectedly", job.id, device)
                else:
                    log.warning("print job %s on %s failed: %s", job.id, device, exc)
                with self._lock:
                    job = self._update(job, state=FAILED, error=str(exc), maybe_printed=job.maybe_printed or maybe)
            else:
                with self._lock:
                    job = self._update(job, state=DONE, error="")
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()
            self._relay.emit(job)

    def _update(self, job: PrintJob, **changes: Any) -> PrintJob:
        job = replace(job, updated_at=time.time(), **changes)
        self._jobs[job.id] = job
        self._save()
        return job

    @Slot(object)
    def _announce(self, job: PrintJob) -> None:
        self.job_changed.emit(job)
        if job.state == DONE:
            self.job_done.emit(job)
        elif job.state == FAILED:
            self.job_failed.emit(job)

    # --- persistence ---

    def _load(self) -> list[PrintJob]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        try:
            data = json.loads(text)
            return [PrintJob.from_dict(d) for d in data["jobs"]]
        except (ValueError, KeyError, TypeError) as exc:
            aside = self.path.with_name(f"{self.path.name}.unreadable-{time.strftime('%Y%m%d%H%M%S')}")
            os.replace(self.path, aside)
            log.error("print queue file %s is unreadable (%s); kept as %s, starting an empty queue", self.path, exc, aside)
            return []

    def _save(self) -> None:
        done = [j for j in self._jobs.values() if j.state == DONE]
        if len(done) > self.keep_done:
            for old in sorted(done, key=lambda j: j.updated_at)[: len(done) - self.keep_done]:
                del self._jobs[old.id]
        payload = json.dumps({"version": 1, "jobs": [j.to_dict() for j in self._jobs.values()]}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".print-queue.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
