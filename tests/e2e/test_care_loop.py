"""The chronic-care loop's "done when", end to end over HTTP against one real centre (uvicorn, SQLite):

a township clinic's doctor signs 王某, records four follow-up visits with their values (a fifth, out of range,
is refused and nothing is written) and writes a drug + lifestyle prescription (双处方); it waits for the county
hospital's pharmacist (远程审方) — the pharmacy can neither list nor download it — and circulates once
approved; the pharmacy desk sells it and the receipt (its PDF read back) carries the lifestyle prescription's
short form; the kiosk shows the lifestyle prescription and prints it on the statement (its A4 PDF read back);
the clinic's supply list holds the drug; a refill reminder leaves through `onewindow remind send` (a real
process) and reaches a local fake SMS gateway (an HTTP listener on a loopback port); the next time 王某
identifies at the kiosk, the desk reminder is shown once. The screens are compared against committed
references (pharmacy_care_*, kiosk_care_*: tests/screenshots.py)."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import unicodedata

import pytest
from sqlalchemy import func, select

from core.domain.clock import today_cst
from server.models_chronic import followup
from desktop.qt import Qt, QtWidgets
from tests.server.fake_sms import FakeSms
from tests.server.helpers import trace_codes
from tests.ui.kiosk.fixtures import KIOSK_INST, LANDSCAPE, a4_text, close_kiosk, make_kiosk, tap
from tests.ui.kiosk.fixtures import idle as kiosk_idle
from tests.ui.kiosk.fixtures import shot as kiosk_shot
# _data_key and _templates come from tests/e2e/conftest.py: importing them here too would define a second
# session data key, and centres seeded under the first would no longer read their people (查无此人).
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, PH1, centre, d01, desk, idle, shot, window,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]
CL1, H2 = "H42070000011", "H42070000021"
EDITED_DIET = "每天食盐不超过5克；王大爷爱吃的腌菜每周不超过一次。"


def call(centre, infno: str, payload: dict, code: str) -> dict:
    out = centre.client.call(infno, payload, code=code)
    assert out["infcode"] == 0, out.get("err_msg")
    return out["output"]


def pdf_words(path) -> str:
    """A PDF's text as poppler's pdftotext reads it (NFKC: full-width brackets as ASCII ones), without its line
    breaks and spaces."""
    text = a4_text(path)
    if text is None:
        pytest.fail("pdftotext is needed to read the PDFs back (apt-get install poppler-utils)", pytrace=False)
    return words(text)


def words(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _visits(centre) -> int:
    with centre.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(followup)).scalar()


def visit(day: dt.date, sbp: int, dbp: int, fpg: str, **more) -> dict:
    return {"data": {"psn_no": "T0001", "visit_date": day.isoformat(), "place": "车站路卫生室", "doctor": "何燕",
                     "sbp": sbp, "dbp": dbp, "fpg": fpg, "weight_kg": "68", "height_cm": "165",
                     "assessment": "controlled" if sbp < 140 else "uncontrolled", **more}}


def type_in(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.clear()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_the_chronic_care_loop(qtbot, window, centre, desk, tmp_path):
    today = today_cst()
    # the clinic's family doctor signs 王某 (phone for reminders) and records four visits, the last with his drugs
    call(centre, "2560", {"data": {"psn_no": "T0001", "team": "车站路家庭医生团队", "doctor_code": "D001",
                                   "doctor_name": "何燕", "sign_date": today.isoformat(), "tel": "13800000001"}}, CL1)
    days = [today - dt.timedelta(days=90 * n) for n in (3, 2, 1, 0)]
    values = [(156, 96, "8.1"), (148, 92, "7.4"), (142, 88, "6.9"), (134, 84, "6.3")]
    before = _visits(centre)
    refused = centre.client.call("2562", visit(days[2], 1400, 88, "6.9"), code=CL1)  # a typo: 1400 for 140
    assert refused["infcode"] != 0 and "收缩压" in refused["err_msg"] and "systolic" in refused["err_msg"]
    assert _visits(centre) == before  # nothing written
    for n, (day, (sbp, dbp, fpg)) in enumerate(zip(days, values, strict=True)):
        drugs = {"drugs": [{"drug_key": "D01", "dose": "5mg", "freq": "qd"}]} if n == 3 else {}
        call(centre, "2562", visit(day, sbp, dbp, fpg, **drugs), CL1)
    assert _visits(centre) == before + 4
    trend = call(centre, "2563", {"data": {"psn_no": "T0001"}}, CL1)["trend"]
    assert [(t["sbp"], t["dbp"]) for t in trend] == [(sbp, dbp) for sbp, dbp, _ in values]
    # the county hospital reviews the clinic's prescriptions before they circulate
    call(centre, "2574", {"data": {"clinic_code": CL1, "hours": 24}}, H2)
    rx = call(centre, "7101", {"rxinfo": {"hosp_rxno": "CL-0001", "psn_no": "T0001", "dise_codg": "HTN",
                                          "diag_codes": ["I10.x00"], "prsc_dr_name": "何燕", "valid_days": 3},
                               "rxdrugdetail": [d01(1, 28)],
                               "lifestyle": {"template_id": "HTN-1", "sections": {"diet": EDITED_DIET}}}, CL1)["data"]
    assert rx["rx_stas"] == "review"

    # the pharmacy does not see it yet: not in its list for 王某, not downloadable, not on its screen
    listed = call(centre, "7202", {"data": {"psn_no": "T0001"}}, PH1)["data"]
    assert rx["hi_rxno"] not in {x["hi_rxno"] for x in listed}
    held = centre.client.call("7203", {"data": {"hi_rxno": rx["hi_rxno"]}}, code=PH1)
    assert held["infcode"] != 0 and "尚未流转" in held["err_msg"]
    win = window
    win.start()
    qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
    qtbot.keyClicks(win.dialog.user, "li")
    qtbot.keyClick(win.dialog.user, Qt.Key.Key_Return)
    qtbot.keyClicks(win.dialog.secret, "yaoshi123")
    qtbot.keyClick(win.dialog.secret, Qt.Key.Key_Return)
    idle(qtbot, win)
    type_in(qtbot, win.shift.float_edit, "100.00")
    idle(qtbot, win)
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    assert win.page() == "rx" and win.rx.list.count() == 0
    shot(win, "care_rx_in_review")

    # the reviewing pharmacist approves it; now it circulates
    (item,) = call(centre, "2570", {"data": {}}, H2)["items"]
    assert item["hi_rxno"] == rx["hi_rxno"] and item["lifestyle"] == "高血压 生活方式处方（通用）"
    call(centre, "2571", {"data": {"hi_rxno": rx["hi_rxno"], "decision": "approve", "reviewer_code": "YS01",
                                   "reviewer_name": "县医院审方药师"}}, H2)
    assert call(centre, "2572", {"data": {}}, H2)["clinics"][0]["pass_rate"] == "100.0"
    win.go("identify")
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    assert win.rx.list.count() == 1 and rx["hi_rxno"] in win.rx.list.item(0).text()
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    short = ("生活方式处方（高血压）", "少盐（每天不超过5克）、每周运动5天各30分钟、戒烟限酒、每周量血压2次")
    assert win.state.sale.lifestyle == short
    type_in(qtbot, win.sale_screen.scan, trace_codes("8100011", 1)[0])
    idle(qtbot, win)
    qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.source == "centre")
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, Qt.Key.Key_F12)
    type_in(qtbot, win.pay.cash, "50")
    idle(qtbot, win)
    assert win.page() == "done", win.pay.message.text()
    receipt = win._receipt(win.state.record, 0)
    lines = receipt.text_lines(36)
    assert "生活方式处方（高血压）" in lines and any(l.startswith("少盐") for l in lines)
    from desktop.common.receipt_printing import hardware_receipt

    assert win.state.record.lifestyle == short and hardware_receipt(receipt).footer_lines[:2] == short
    reread = desk.desk.find_sale(win.state.record.receipt_no)  # read back from the desk's store (reprints)
    assert reread.lifestyle == short
    printed = pdf_words(win.state.receipt_path)  # the PDF handed over (its lines wrapped at 80 mm)
    assert words(short[0]) in printed and words(short[1]) in printed, printed
    bar = win.done.receipt.verticalScrollBar()
    bar.setValue(bar.maximum())  # the receipt's foot: the lifestyle lines
    shot(win, "care_receipt_lifestyle")

    # the person's timeline at the clinic: the visits, the contract, the prescription, and the pharmacy's sale
    kinds = [e["kind"] for e in call(centre, "2563", {"data": {"psn_no": "T0001"}}, CL1)["events"]]
    assert kinds.count("visit") == 4 and {"contract", "prescription", "settlement", "supply"} <= set(kinds), kinds

    # the clinic's supply list holds what its patients take
    plan = call(centre, "2580", {"data": {}}, CL1)
    assert [(i["drug_key"], i["patients"]) for i in plan["items"]] == [("D01", 1)]

    # a refill reminder (28 days supply; remind 30 days ahead) reaches the fake SMS gateway through the CLI
    queued = call(centre, "2590", {"data": {"kinds": "refill", "channels": "sms,desk", "refill_days": 30}},
                  "A42070000001")  # the agency queues reminders (a kiosk may not: server.permissions)
    assert queued["queued"] == 2
    with FakeSms() as sms:
        db_url = str(centre.engine.url)
        run = subprocess.run([sys.executable, "-m", "onewindow", "remind", "send", "--db", db_url, "--sms-url", sms.url],
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, "ONEWINDOW_SMS_KEY": sms.key})
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["sent"] == 1
    (sent,) = sms.delivered
    assert sent["to"] == "13800000001" and "苯磺酸氨氯地平片" in sent["text"]

    # the kiosk: the desk reminder once on identification, the lifestyle prescription, the statement
    k = make_kiosk(qtbot, tmp_path / "kiosk", centre.url, centre.secrets[KIOSK_INST], size=LANDSCAPE)
    try:
        kw = k.window
        with qtbot.waitSignal(kw.reminded, timeout=15000) as reminded:
            kw.on_scan(P01_CERTNO)
        assert reminded.args == [1] and "续配" in kw.pages["menu"].reminder.text()
        kiosk_shot(kw, "care_menu_reminder", LANDSCAPE)
        tap(qtbot, kw.pages["menu"].tiles["care"])
        kiosk_idle(qtbot, k)
        assert kw.page == "care"
        texts = [lbl.text() for lbl in kw.pages["care"].findChildren(QtWidgets.QLabel)]
        assert EDITED_DIET in texts and any("少盐" in t for t in texts)
        kiosk_shot(kw, "care_lifestyle", LANDSCAPE)
        card = kw.card
        st = k.service.statement(card, today.replace(day=1), today)
        assert st.lifestyle[0] == "生活方式处方（高血压）"
        from desktop.kiosk.statement_print import statement_receipt, write_a4_pdf

        assert "生活方式处方（高血压）" in statement_receipt(st).footer_lines
        a4 = pdf_words(write_a4_pdf(st, tmp_path / "statements"))
        assert words(short[0]) in a4 and words(short[1]) in a4, a4
    finally:
        close_kiosk(k)
