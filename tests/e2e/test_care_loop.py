"""The chronic-care loop's "done when", end to end over HTTP against one real centre (uvicorn, SQLite):

a township clinic's doctor signs 王某 and writes a drug + lifestyle prescription (双处方); it waits for the
county hospital's pharmacist (远程审方) — the pharmacy cannot see it — and circulates once approved; the pharmacy
desk sells it and the receipt carries the lifestyle prescription's short form; the kiosk shows the lifestyle
prescription and prints it on the statement; the clinic's supply list holds the drug; a refill reminder leaves
through `onewindow remind send` (a real process) and reaches a local fake SMS gateway; the next time 王某
identifies at the kiosk, the desk reminder is shown once. Screenshots go to the test's temp dir."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.domain.clock import today_cst
from desktop.qt import Qt, QtWidgets
from tests.server.fake_sms import FakeSms
from tests.server.helpers import trace_codes
from tests.ui.kiosk.fixtures import KIOSK_INST, LANDSCAPE, close_kiosk, make_kiosk, tap
from tests.ui.kiosk.fixtures import idle as kiosk_idle
# _data_key and _templates come from tests/e2e/conftest.py: importing them here too would define a second
# session data key, and centres seeded under the first would no longer read their people (查无此人).
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, centre, d01, desk, idle, window,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]
CL1, H2 = "H42070000011", "H42070000021"
EDITED_DIET = "每天食盐不超过5克；王大爷爱吃的腌菜每周不超过一次。"


def call(centre, infno: str, payload: dict, code: str) -> dict:
    out = centre.client.call(infno, payload, code=code)
    assert out["infcode"] == 0, out.get("err_msg")
    return out["output"]


def _save(widget, path) -> None:
    QtWidgets.QApplication.processEvents()
    assert widget.grab().save(str(path)), path


def type_in(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.clear()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_the_chronic_care_loop(qtbot, window, centre, desk, tmp_path):
    today = today_cst()
    # the clinic's family doctor signs 王某 (phone for reminders) and records a visit with his drugs
    call(centre, "2560", {"data": {"psn_no": "T0001", "team": "车站路家庭医生团队", "doctor_code": "D001",
                                   "doctor_name": "何燕", "sign_date": today.isoformat(), "tel": "13800000001"}}, CL1)
    call(centre, "2562", {"data": {"psn_no": "T0001", "visit_date": today.isoformat(), "place": "车站路卫生室",
                                   "doctor": "何燕", "sbp": 146, "dbp": 92, "fpg": "6.2", "assessment": "uncontrolled",
                                   "drugs": [{"drug_key": "D01", "dose": "5mg", "freq": "qd"}]}}, CL1)
    # the county hospital reviews the clinic's prescriptions before they circulate
    call(centre, "2574", {"data": {"clinic_code": CL1, "hours": 24}}, H2)
    rx = call(centre, "7101", {"rxinfo": {"hosp_rxno": "CL-0001", "psn_no": "T0001", "dise_codg": "HTN",
                                          "diag_codes": ["I10.x00"], "prsc_dr_name": "何燕", "valid_days": 3},
                               "rxdrugdetail": [d01(1, 28)],
                               "lifestyle": {"template_id": "HTN-1", "sections": {"diet": EDITED_DIET}}}, CL1)["data"]
    assert rx["rx_stas"] == "review"

    # the pharmacy does not see it yet
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
    _save(win, tmp_path / "pharmacy_rx_in_review.png")

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
    _save(win, tmp_path / "pharmacy_receipt_with_lifestyle.png")

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
        _save(kw, tmp_path / "kiosk_menu_reminder.png")
        tap(qtbot, kw.pages["menu"].tiles["care"])
        kiosk_idle(qtbot, k)
        assert kw.page == "care"
        texts = [lbl.text() for lbl in kw.pages["care"].findChildren(QtWidgets.QLabel)]
        assert EDITED_DIET in texts and any("少盐" in t for t in texts)
        _save(kw, tmp_path / "kiosk_lifestyle.png")
        card = kw.card
        st = k.service.statement(card, today.replace(day=1), today)
        assert st.lifestyle[0] == "生活方式处方（高血压）"
        from desktop.kiosk.statement_print import statement_html, statement_receipt

        assert "生活方式处方（高血压）" in statement_receipt(st).footer_lines
        assert "少盐" in statement_html(st)
    finally:
        close_kiosk(k)
    print(f"screenshots: {tmp_path}")
