"""A 附件3 continuous prescription from the counter dispensed at a pharmacy by scanning its QR (issue 19), over
HTTP: the counter registers it (7110: pre-audited and signed at the centre) and prints the form with the signed
QR and the real prescriber; the pharmacy scans the QR off the printed page, the first pickup is settled, the
centre counts it; a second pickup the same day is blocked by the ≤15-days rule (DUP-001); an altered QR is
refused."""
from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from core.services.forms.continuous_rx import RxLine
from core.services.pharmacy_sale import apply_check
from core.services.ports import DeskError, Payment
from tests import screenshots
from tests.server.helpers import trace_codes
from tests.ui.counter.fixtures import make_service
from tests.ui.pharmacy.fixtures import P01_CERTNO, _data_key, _templates, centre, desk  # noqa: F401

pytestmark = [pytest.mark.slow]


def _scan_pdf(pdf: Path, tmp_path: Path) -> str:
    import cv2
    import zxingcpp

    out = tmp_path / "annex3"
    subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", "200", "-singlefile", "-f", "1", "-l", "1",
                    str(pdf), str(out)], check=True)
    found = [r.text for r in zxingcpp.read_barcodes(cv2.imread(str(out.with_suffix(".png"))))
             if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(found) == 1, found
    subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", "80", "-singlefile", "-f", "1", "-l", "1",
                    str(pdf), str(screenshots.out_dir() / "form_continuous_rx_annex3_qr")], check=True)
    screenshots.check_file(screenshots.out_dir() / "form_continuous_rx_annex3_qr.png", "form_continuous_rx_annex3_qr")
    return found[0]


def test_annex3_form_dispensed_by_its_qr(centre, desk, tmp_path):  # noqa: F811 - fixtures
    svc, _config = make_service(centre, tmp_path)
    person = svc.identify(P01_CERTNO)
    app = {"app_no": "APP-A3-1", "diseases": [{"diag_code": "I10.x00", "diag_name": "原发性高血压"}],
           "diag_dr_name": "刘医生"}
    lines = [RxLine("苯磺酸氨氯地平片", "5mg×28片", "1盒", "口服 5mg 每日1次", 28)]
    reg = svc.register_continuous_rx(person, app, lines, doctor=app["diag_dr_name"], fills=3)
    pdf = svc.continuous_rx_pdf(person, app, lines, doctor="刘医生", qr=reg["qr"], rx_no=reg["hi_rxno"])
    scanned = _scan_pdf(pdf, tmp_path)
    assert scanned == reg["qr"]

    d = desk.desk
    d.set_operator(desk.auth.login("li", pin="2468"))
    shift = desk.shifts.open(d.operator, Decimal("100"))
    card = d.identify(P01_CERTNO)
    with pytest.raises(DeskError) as altered:
        d.open_qr_sale(card, scanned[:-6] + ("AAAAAA" if scanned[-6:] != "AAAAAA" else "BBBBBB"))
    assert "签名" in altered.value.message.zh or "损坏" in altered.value.message.zh
    sale = d.open_qr_sale(card, scanned)
    assert sale.rx_id == reg["hi_rxno"] and sale.doctor == "刘医生" and sale.rx_kind == "continuous"
    for line in sale.lines:
        for _ in range(line.codes_wanted):
            sale = apply_check(sale, d.check_scan(sale, trace_codes("8100011", 1)[0]))
    assert d.pre_settle(sale, card).verdict == "PASS"
    record = d.settle(sale, card, Payment(cash_tendered=Decimal("20")), shift)
    assert record.status == "settled"
    d.drain()
    from sqlalchemy import text

    with centre.engine.connect() as conn:
        status, payload = conn.execute(text("SELECT status, payload FROM centre_eprescription WHERE rx_id = :r"),
                                       {"r": reg["hi_rxno"]}).one()
    assert status == "uploaded" and json.loads(payload)["fills_done"] == 1  # two pickups left

    # the second pickup the same day: 28 days of supply left (> 15): the ≤15-days rule blocks it
    again = d.open_qr_sale(card, scanned)
    for line in again.lines:
        for _ in range(line.codes_wanted):
            again = apply_check(again, d.check_scan(again, trace_codes("8100011", 1)[0]))
    view = d.pre_settle(again, card)
    assert view.verdict == "BLOCK" and any(h.rule == "DUP-001" for h in view.hits), view
