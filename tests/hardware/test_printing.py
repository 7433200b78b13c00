"""Printers and the print queue: PNG/PDF fallback, simulator, socket 9100, serial, device file; jobs that
fail, are reported, persisted, retried — and never block the caller."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
import zxingcpp

from desktop.qt import QtGui
from hardware.printing.escpos import encode
from hardware.printing.layout import layout_receipt
from hardware.printing.queue import DONE, FAILED, PRINTING, PrintJob, PrintQueue
from hardware.printing.receipt import Receipt, printer_test_page
from hardware.printing.render import document_height, render_image, write_pdf
from hardware.printing.transports import (
    DeviceSink,
    EscPosPrinter,
    NetworkSink,
    PrintError,
    SerialSink,
    SimulatedPrinter,
    printer_from_settings,
)
from hardware.settings import PrinterSettings

RECEIPT = printer_test_page("test", when=None)


def _ink_rows(image: QtGui.QImage) -> int:
    gray = image.convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    rows = 0
    for y in range(gray.height()):
        line = bytes(gray.constScanLine(y))[: gray.width()]
        rows += min(line) < 128
    return rows


def test_png_rendering_has_the_receipt_and_a_readable_qr(qapp, tmp_path):
    doc = layout_receipt(RECEIPT, 48)
    image = render_image(doc, 576)
    assert image.width() == 576 and image.height() == document_height(doc, 576)
    assert _ink_rows(image) > 200
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [RECEIPT.settlement_id]
    path = tmp_path / "receipt.png"
    assert image.save(str(path)) and path.stat().st_size > 5000


def test_pdf_fallback_is_a_pdf_and_rasterises_to_the_same_receipt(qapp, tmp_path):
    doc = layout_receipt(RECEIPT, 48)
    pdf = write_pdf(doc, tmp_path / "r.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:] and len(data) > 3000
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed: the PDF is checked structurally, the same layout as PNG above")
    subprocess.run(["pdftoppm", "-png", "-r", "203", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    page = QtGui.QImage(str(tmp_path / "page.png"))
    assert [b.text for b in zxingcpp.read_barcodes(page)] == [RECEIPT.settlement_id]


def test_simulated_printer_writes_bytes_text_and_picture(qapp, tmp_path):
    printer = SimulatedPrinter(PrinterSettings(kind="simulator", paper_mm=58, drawer=True), folder=tmp_path)
    printer.print(RECEIPT, open_drawer=True)
    (stem,) = printer.printed
    data = stem.with_suffix(".bin").read_bytes()
    assert data == encode(layout_receipt(RECEIPT, 32, open_drawer=True, drawer_pin=0))
    text = stem.with_suffix(".txt").read_text(encoding="utf-8")
    assert "[钱箱 drawer]" in text.splitlines()[0]  # the drawer goes first
    assert "一窗通 打印测试" in text and "追溯码 81000110000000000001" in text and "[QR: TEST-0000000001]" in text
    png = QtGui.QImage(str(stem.with_suffix(".png")))
    assert png.width() == 384
    assert [b.text for b in zxingcpp.read_barcodes(png)] == ["TEST-0000000001"]


def test_network_printer_port_9100(qapp):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    got = bytearray()

    def serve():
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                got.extend(chunk)

    t = threading.Thread(target=serve)
    t.start()
    settings = PrinterSettings(kind="escpos_network", address=f"127.0.0.1:{server.getsockname()[1]}", drawer=True)
    printer = printer_from_settings(settings)
    printer.print(RECEIPT, open_drawer=True)
    t.join(5)
    server.close()
    assert bytes(got) == printer.encode(RECEIPT, True)
    assert bytes(got).startswith(b"\x1b\x40\x1c\x26\x1b\x70\x00")


def test_network_printer_not_there_is_a_clean_error(dead_port):
    with pytest.raises(PrintError) as info:
        NetworkSink(f"127.0.0.1:{dead_port.port}", timeout_s=1).write(b"x")
    assert not info.value.maybe_printed


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty")
def test_serial_and_device_file_printers(tmp_path):
    master, slave = os.openpty()
    try:
        SerialSink(os.ttyname(slave)).write(b"\x1b@hello\n")
        assert os.read(master, 100) == b"\x1b@hello\n"
    finally:
        os.close(master)
        os.close(slave)
    target = tmp_path / "lp0"
    EscPosPrinter(PrinterSettings(kind="escpos_device", address=str(target)), DeviceSink(str(target))).print(None)
    assert target.read_bytes() == b"\x1b\x40\x1c\x26"  # no drawer on this printer: only initialisation


# --- the queue ---

@pytest.fixture
def sim(tmp_path):
    return SimulatedPrinter(PrinterSettings(kind="simulator", drawer=True), folder=tmp_path / "paper")


@pytest.mark.allow_warnings  # a failed print is logged as a warning
def test_queue_reports_a_failure_keeps_the_job_and_prints_it_on_retry(qtbot, tmp_path, sim):
    path = tmp_path / "q.json"
    queue = PrintQueue({"receipt": sim}, path)
    sim.fail_next = 1
    try:
        with qtbot.waitSignal(queue.job_failed, timeout=5000) as failed:
            job = queue.submit(RECEIPT, open_drawer=True)
        assert failed.args[0].id == job.id and "缺纸" in failed.args[0].error
        saved = json.loads(path.read_text(encoding="utf-8"))["jobs"]
        assert saved[0]["state"] == FAILED and saved[0]["receipt"]["settlement_id"] == "TEST-0000000001"
        assert sim.printed == []
        with qtbot.waitSignal(queue.job_done, timeout=5000) as done:
            queue.retry(job.id)
        assert done.args[0].attempts == 2
        assert len(sim.printed) == 1
        assert "重打" not in sim.printed[0].with_suffix(".txt").read_text(encoding="utf-8")  # nothing reached paper before
        assert queue.job(job.id).state == DONE
    finally:
        queue.stop()


def test_submit_never_waits_for_the_printer_and_devices_do_not_wait_for_each_other(qtbot, tmp_path, sim):
    slow = SimulatedPrinter(PrinterSettings(kind="simulator"), folder=tmp_path / "slow")
    started, paper = threading.Event(), threading.Event()
    real_print = slow.print

    def stuck_print(*args, **kw):  # busy until the test lets it go: no wall-clock budget to miss
        started.set()
        assert paper.wait(30)
        return real_print(*args, **kw)

    slow.print = stuck_print
    queue = PrintQueue({"receipt": sim, "labels": slow}, tmp_path / "q.json")
    try:
        queue.submit(RECEIPT, device="labels")
        assert started.wait(10)  # the label printer holds its job ...
        fast = queue.submit(RECEIPT, device="receipt")  # ... and submitting another job returned all the same
        qtbot.waitUntil(lambda: queue.job(fast.id).state == DONE, timeout=5000)
        assert slow.printed == []  # the slow printer is still busy; the receipt printer was not held up
        paper.set()
        assert queue.wait_idle(5)
        assert len(slow.printed) == 1
    finally:
        paper.set()
        queue.stop()


def test_queue_survives_a_restart(qtbot, tmp_path, sim):
    path = tmp_path / "q.json"
    receipt = RECEIPT.to_dict()
    jobs = [PrintJob("a", "receipt", receipt, state=PRINTING, attempts=1, created_at=1.0),  # crashed mid-print
            PrintJob("b", "receipt", receipt, created_at=2.0),                                 # never started
            PrintJob("c", "receipt", receipt, state=DONE, attempts=1, created_at=0.5)]
    path.write_text(json.dumps({"version": 1, "jobs": [j.to_dict() for j in jobs]}), encoding="utf-8")
    queue = PrintQueue({"receipt": sim}, path)
    try:
        queue.start()
        assert queue.wait_idle(5)
        assert queue.job("b").state == DONE and len(sim.printed) == 1
        a = queue.job("a")
        assert a.state == FAILED and a.maybe_printed and "interrupted" in a.error
        with qtbot.waitSignal(queue.job_done, timeout=5000, check_params_cb=lambda j: j.id == "a"):
            queue.retry("a")
        assert "** 重打 COPY **" in sim.printed[-1].with_suffix(".txt").read_text(encoding="utf-8")
        assert Receipt.from_dict(queue.job("a").receipt).copy
    finally:
        queue.stop()


@pytest.mark.allow_warnings
def test_missing_printer_fails_the_job_instead_of_losing_it(qtbot, tmp_path):
    queue = PrintQueue({}, tmp_path / "q.json")
    try:
        with qtbot.waitSignal(queue.job_failed, timeout=5000) as failed:
            queue.submit(None, device="drawer", open_drawer=True)
        assert "未配置打印机" in failed.args[0].error
        assert queue.jobs((FAILED,))
        queue.discard(failed.args[0].id)
        assert queue.jobs() == []
    finally:
        queue.stop()


@pytest.mark.allow_warnings
def test_unreadable_queue_file_is_kept_aside(tmp_path, sim):
    path = tmp_path / "q.json"
    path.write_text("{not json", encoding="utf-8")
    queue = PrintQueue({"receipt": sim}, path)
    queue.start()
    queue.stop()
    assert any(p.name.startswith("q.json.unreadable-") for p in tmp_path.iterdir())
