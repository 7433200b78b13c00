"""Desk receipts on paper (desktop.common.receipt_printing): the one mapping of the desk's ReceiptContent to
hardware's Receipt, encoded to ESC/POS (GB18030, Chinese double-byte mode) and decoded back the way a printer
reads it; the PDF always written; the print queue's failure kept for retry; which printer the terminal has."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from core.services.ports import SaleRecord
from core.services.receipts import build_receipt
from desktop.common.receipt_printing import ReceiptPrinting, hardware_receipt, printer_settings
from hardware.printing.escpos_read import read_escpos
from hardware.printing.queue import PrintQueue
from hardware.printing.transports import SimulatedPrinter
from hardware.settings import DeviceSettings, DeviceSettingsError, PrinterSettings, save_device_settings

CODES = ["81000110000000000001", "81000110000000000002"]


def record(kind: str = "sale", split: bool = False) -> SaleRecord:
    lines = ({"line": 1, "drug_key": "D01", "drug_name": "苯磺酸氨氯地平片", "spec": "5mg", "qty": 2, "unit": "盒",
              "split": False, "days": 56, "price": "28.00", "amount": "56.00", "codes": CODES, "uncoded_batch": None},
             {"line": 2, "drug_key": "D03", "drug_name": "厄贝沙坦片", "spec": "150mg", "qty": 14 if split else 1,
              "unit": "片" if split else "盒", "split": split, "days": 14, "price": "41.30",
              "amount": "20.65" if split else "41.30", "codes": [], "uncoded_batch": "WM2406"})
    return SaleRecord("M1", "T01-20261125-0007", kind, "settled", "T0001", "王某(测试)", dt.datetime(2026, 11, 25, 2, 0),
                      Decimal("76.65"), Decimal("53.66"), Decimal("22.99"), Decimal("0.00"), Decimal("22.99"),
                      Decimal("7.01"), "SETL-420700-0000001234", lines)


def content(copy_no: int = 0, **kw):
    return build_receipt(record(**kw), pharmacy="康济大药房", institution="P42070000001", terminal="T01",
                         operator="李药师", copy_no=copy_no)


def paper(receipt, columns: int = 48) -> str:
    """What a printer prints: the ESC/POS bytes the encoder makes, read back as a printer reads them."""
    sim = SimulatedPrinter(PrinterSettings(kind="simulator", paper_mm=80 if columns == 48 else 58))
    data = sim.encode(receipt)
    assert b"\x1c\x26" in data  # FS &: Chinese double-byte mode on
    back = read_escpos(data, columns=columns, encoding="gb18030")
    assert back.unknown == []
    return "\n".join(back.document.text_lines())


def test_the_receipt_on_paper_has_the_codes_amounts_and_settlement_id():
    r = hardware_receipt(content(split=True))
    assert [i.quantity for i in r.items] == [Decimal(2), Decimal(14)] and r.items[1].unit == "片"
    assert r.items[0].unit_price == Decimal("28.00") and r.items[1].amount == Decimal("20.65")
    assert r.items[1].note == "拆零 14天 无码库存 批号 WM2406"
    for columns in (48, 32):
        text = paper(r, columns)
        for needle in (*CODES, "SETL-420700-0000001234", "T01-20261125-0007", "康济大药房", "门诊慢特病购药小票",
                       "苯磺酸氨氯地平片", "56.00", "20.65", "76.65", "53.66", "22.99", "7.01", "找零", "李药师",
                       "[QR: SETL-420700-0000001234]"):
            assert needle in text, (columns, needle, text)
        assert "COPY" not in text and "副本" not in text
    assert "  2盒 x 28.00" in paper(r)


def test_a_reprint_is_a_copy_on_paper():
    text = paper(hardware_receipt(content(copy_no=2)))
    assert "** 重打 COPY **" in text and "（副本 COPY）" in text and "重打副本 第 2 次" in text
    assert all(c in text for c in CODES)


def test_a_return_prints_negative_amounts():
    r = hardware_receipt(content(kind="return"))
    assert r.items[0].amount == Decimal("-56.00") and "退货小票" in paper(r)


@pytest.mark.allow_warnings  # the queue logs the failed job as a warning
def test_pdf_always_the_printer_through_the_queue_and_a_failure_kept_for_retry(qtbot, tmp_path):
    sim = SimulatedPrinter(PrinterSettings(kind="simulator"), folder=tmp_path / "sim")
    queue = PrintQueue({"receipt": sim}, tmp_path / "q.json")
    printing = ReceiptPrinting(tmp_path / "receipts", queue)
    try:
        assert printing.configured
        with qtbot.waitSignal(printing.job_changed, timeout=5000, check_params_cb=lambda j: j.state == "done"):
            out = printing.print(content(), open_drawer=False)
        assert out.path.exists() and out.path.read_bytes().startswith(b"%PDF")
        (stem,) = sim.printed
        assert all(c in stem.with_suffix(".txt").read_text(encoding="utf-8") for c in CODES)
        sim.fail_next = 1  # out of paper
        with qtbot.waitSignal(printing.job_changed, timeout=5000, check_params_cb=lambda j: j.state == "failed"):
            out = printing.print(content(copy_no=1))
        assert out.path.name == "T01-20261125-0007-copy1.pdf" and out.path.exists()  # the PDF is there regardless
        saved = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
        assert [j["state"] for j in saved["jobs"] if j["id"] == out.job.id] == ["failed"]  # persisted, not dropped
        with qtbot.waitSignal(printing.job_changed, timeout=5000, check_params_cb=lambda j: j.state == "done"):
            printing.retry(out.job.id)
        assert "重打 COPY" in sim.printed[-1].with_suffix(".txt").read_text(encoding="utf-8")
    finally:
        queue.stop()


def test_without_a_printer_only_the_pdf(tmp_path):
    printing = ReceiptPrinting(tmp_path / "receipts")
    out = printing.print(content())
    assert out.job is None and not printing.configured and out.path.exists()


def test_which_printer_the_terminal_has(tmp_path):
    devices = tmp_path / "devices.json"
    assert printer_settings("", devices) is None  # no device settings, no desk printer: PDF only
    assert printer_settings("simulator", devices).kind == "simulator"
    assert printer_settings("XP-80C", devices) == PrinterSettings(kind="system", address="XP-80C")
    save_device_settings(DeviceSettings(printer=PrinterSettings(kind="escpos_network", address="10.0.0.9")), devices)
    got = printer_settings("", devices)  # the device settings win over the desk's
    assert got.kind == "escpos_network" and got.address == "10.0.0.9"
    save_device_settings(DeviceSettings(printer=PrinterSettings(kind="none")), devices)
    assert printer_settings("simulator", devices) is None
    devices.write_text("{not json", encoding="utf-8")
    with pytest.raises(DeviceSettingsError):
        printer_settings("", devices)


@pytest.mark.allow_warnings  # the unusable device settings are logged
def test_unusable_device_settings_leave_pdf_only_and_say_why(qtbot, tmp_path):
    devices = tmp_path / "devices.json"
    devices.write_text("{not json", encoding="utf-8")
    printing = ReceiptPrinting.from_settings(tmp_path / "receipts", tmp_path / "q.json", devices_file=devices)
    assert not printing.configured and "JSON" in printing.problem
    assert printing.print(content()).job is None
