"""The cash drawer kick through the receipt printer's queue: exact bytes per pin, a retried receipt never kicks
again, a kick left queued by a restart is not sent (the drawer opens while the customer pays, never later)."""
from __future__ import annotations

import json

import pytest

from hardware.printing.queue import DONE, FAILED, PrintJob, PrintQueue
from hardware.printing.transports import SimulatedPrinter
from hardware.settings import PrinterSettings
from tests.hardware.test_printing import RECEIPT

INIT = b"\x1b\x40\x1c\x26"  # ESC @, FS & (Chinese mode)


def sim(tmp_path, **kw) -> SimulatedPrinter:
    return SimulatedPrinter(PrinterSettings(kind="simulator", drawer=True, **kw), folder=tmp_path / "paper")


@pytest.mark.parametrize("pin, byte", [(0, b"\x00"), (1, b"\x01")])
def test_a_kick_alone_is_exactly_the_pulse_on_the_sites_pin(tmp_path, pin, byte):
    printer = sim(tmp_path, drawer_pin=pin)
    printer.print(None, open_drawer=True)
    (stem,) = printer.printed
    assert stem.with_suffix(".bin").read_bytes() == INIT + b"\x1b\x70" + byte + b"\x19\xfa"  # ESC p m 50ms 500ms


def test_no_drawer_on_the_printer_no_pulse(tmp_path):
    printer = SimulatedPrinter(PrinterSettings(kind="simulator", drawer=False), folder=tmp_path / "paper")
    printer.print(None, open_drawer=True)
    assert printer.printed[0].with_suffix(".bin").read_bytes() == INIT


@pytest.mark.allow_warnings  # the failed job is logged
def test_a_retried_receipt_never_opens_the_drawer_again(qtbot, tmp_path):
    printer = sim(tmp_path)
    queue = PrintQueue({"receipt": printer}, tmp_path / "q.json")
    printer.fail_next = 1
    try:
        with qtbot.waitSignal(queue.job_failed, timeout=5000) as failed:
            job = queue.submit(RECEIPT, open_drawer=True)
        assert failed.args[0].open_drawer
        with qtbot.waitSignal(queue.job_done, timeout=5000):
            queue.retry(job.id)
        assert not queue.job(job.id).open_drawer
        assert b"\x1bp" not in printer.printed[-1].with_suffix(".bin").read_bytes()
    finally:
        queue.stop()


def test_a_kick_left_queued_by_a_restart_is_not_sent(qtbot, tmp_path):
    printer = sim(tmp_path)
    path = tmp_path / "q.json"
    jobs = [PrintJob("k1", "receipt", None, open_drawer=True, created_at=1.0),  # queued, never sent
            PrintJob("k2", "receipt", None, open_drawer=True, state="printing", created_at=1.5),
            PrintJob("r1", "receipt", RECEIPT.to_dict(), created_at=2.0)]
    path.write_text(json.dumps({"version": 1, "jobs": [j.to_dict() for j in jobs]}), encoding="utf-8")
    queue = PrintQueue({"receipt": printer}, path)
    try:
        queue.start()
        assert queue.wait_idle(5)
        assert [j.id for j in queue.jobs()] == ["r1"] and queue.job("r1").state == DONE
        assert not queue.jobs((FAILED,))
        (stem,) = printer.printed
        assert b"\x1bp" not in stem.with_suffix(".bin").read_bytes()
    finally:
        queue.stop()
