"""The counter's worklists and reports end to end against the real centre (HTTP, SQLite): a refill reminder list
(printable, exported for SMS), the eligible-but-unregistered list with its one-click application, an exit
warning for a deceased person that ends the registration so that a later settlement is refused, and the
monthly reports on screen and exported."""
from __future__ import annotations

import csv
import datetime as dt
import subprocess

import pytest

from core.domain.clock import today_cst
from core.services.reports_monthly import rows_for_screen
from tests.server.helpers import H2, trace_codes
from tests.server.test_reports import A01, D02, settle_body
from tests.ui.counter.fixtures import (  # noqa: F401 (fixtures)
    CL1,
    CTR,
    PH1,
    _data_key,
    _templates,
    auth,
    centre,
    service,
    shot,
    wait_done,
    window,
)
from tests.e2e.test_counter_registration import pdf_text, qtbot_left

pytestmark = pytest.mark.ui


def test_refill_reminders_print_and_sms(qtbot, window, centre):
    centre.call("2102", settle_body("T0001", [(A01, 1)]), CL1)  # 28 days from today
    centre.call("2102", settle_body("T0012", [(D02, 1)]), PH1)  # 30 days from today
    win = window
    s = win.reminders_screen
    s.kind_checks["review"].setChecked(False)
    s.kind_checks["followup"].setChecked(False)
    s.days.setValue(28)
    win.go("reminders")
    wait_done(qtbot, win, "reminders")
    today = today_cst()
    rows = [(s.table.item(r, 0).text(), s.table.item(r, 2).text(), s.table.item(r, 5).text()) for r in range(s.table.rowCount())]
    assert rows == [("续配取药", "T0001", (today + dt.timedelta(days=28)).isoformat())]
    assert "苯磺酸氨氯地平片" in s.table.item(0, 4).text()
    s.days.setValue(30)
    qtbot.mouseClick(s.refresh, qtbot_left())
    wait_done(qtbot, win, "reminders")
    assert [s.table.item(r, 2).text() for r in range(s.table.rowCount())] == ["T0001", "T0012"]
    shot(win, "counter_reminders")
    qtbot.mouseClick(s.print_button, qtbot_left())
    text = pdf_text(win.files["worklist"])
    assert "提醒工作清单" in text and "T0001" in text and "T0012" in text and "盐酸二甲双胍片" in text
    qtbot.mouseClick(s.sms_button, qtbot_left())
    with open(win.files["sms"], encoding="utf-8-sig", newline="") as fh:
        sms = list(csv.reader(fh))
    assert sms[0] == ["手机号", "姓名", "人员编号", "类别", "短信内容"]
    assert [r[2] for r in sms[1:]] == ["T0001", "T0012"]
    assert sms[1][4].startswith("【一窗通】王某(测试)您好，您的苯磺酸氨氯地平片预计于")


def test_eligible_list_and_one_click_application(qtbot, window, centre):
    codes = trace_codes("8100011", 1)
    centre.call("3505", {"selinfo": {
        "med_list_codg": "XC08CAA321A001010199901", "fixmedins_hilist_id": "D01", "fixmedins_hilist_name": "苯磺酸氨氯地平片",
        "fixmedins_bchno": "B1", "trdn_flag": "0", "rtal_docno": "S1", "sel_retn_cnt": 1,
        "sel_retn_time": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "sel_retn_opter_name": "药师",
        "mdtrt_setl_type": "2", "psn_no": "T0014", "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}}, PH1)
    centre.call("2542", {"data": {"people": [{"psn_no": "T0014", "disease": "HTN", "since": "2025-06-01"}]}}, CL1)
    centre.call("2542", {"data": {"people": [{"psn_no": "T0005", "disease": "DM", "since": "2025-09-01"}]}}, CTR)
    win = window
    win.go("discovery")
    wait_done(qtbot, win, "eligible")
    d = win.discovery
    assert [d.table.item(r, 2).text() for r in range(d.table.rowCount())] == ["T0014", "T0005"]
    assert d.table.item(0, 4).text() == "高血压" and "自费购药 1 盒" in d.table.item(0, 7).text()
    shot(win, "counter_discovery")
    d.table.selectRow(0)
    qtbot.mouseClick(d.apply_button, qtbot_left())
    wait_done(qtbot, win, "applied")
    wait_done(qtbot, win, "eligible")
    win.runner.wait()
    assert [d.table.item(r, 2).text() for r in range(d.table.rowCount())] == ["T0005"]
    app = centre.call("2514", {"data": {"psn_no": "T0014"}})["applications"][0]
    assert app["source"] == "discovery" and app["scheme"] == "LB" and app["status"] == "draft"
    assert [x["code"] for x in app["diseases"]] == ["HTN"] and app["steps"][0]["who"] == "wang"
    assert win.app["app_no"] == app["app_no"]


def test_exit_warning_for_a_death_ends_registration_and_refuses_settlement(qtbot, window, centre):
    died = today_cst() - dt.timedelta(days=3)
    centre.call("2102", settle_body("T0011", [(A01, 1)]), CL1)
    centre.call("2522", {"data": {"psn_no": "T0011", "death_date": died.isoformat(), "source": "民政死亡数据"}})
    win = window
    win.go("exits")
    wait_done(qtbot, win, "exits")
    e = win.exits
    listed = {(e.table.item(r, 1).text(), e.table.item(r, 2).text()) for r in range(e.table.rowCount())}
    assert ("T0011", "参保人死亡") in listed and ("T0007", "参保人死亡") in listed and ("T0008", "参保状态变化（停保/转出）") in listed
    e.select("T0011")
    assert e.table.item(e.table.currentRow(), 4).text() == died.isoformat()
    qtbot.mouseClick(e.confirm, qtbot_left())
    assert "已核实" in e.notice.text()  # nothing happens before the clerk ticks it
    e.verified.setChecked(True)
    shot(win, "counter_exits")
    qtbot.mouseClick(e.confirm, qtbot_left())
    wait_done(qtbot, win, "exit_confirmed")
    wait_done(qtbot, win, "exits")
    assert "T0011" not in {e.table.item(r, 1).text() for r in range(e.table.rowCount())}
    assert f"终止日期 {died.isoformat()}" in e.notice.text()
    regs = centre.call("5301", {"data": {"psn_no": "T0011"}}, PH1)["feedetail"]
    assert [r["enddate"] for r in regs] == [died.isoformat()]
    refused = centre.client.call("2102", settle_body("T0011", [(A01, 1)]), H2)
    assert refused["infcode"] != 0 and "审核不通过" in refused["err_msg"] and "ELG-001" in refused["err_msg"]
    assert "ELG-004" in refused["err_msg"]  # the registration ended on the day of death
    shot(win, "counter_exits_confirmed")


def test_monthly_reports_on_screen_and_exported(qtbot, window, centre, tmp_path):
    centre.call("2102", settle_body("T0001", [(A01, 1)]), CL1)
    centre.call("2102", settle_body("T0002", [(A01, 1), (D02, 1)]), H2)
    centre.call("2542", {"data": {"people": [{"psn_no": "T0012", "disease": "DM", "since": "2024-01-01"}]}}, CTR)
    month = today_cst().strftime("%Y-%m")
    win = window
    win.go("reports")
    r = win.reports
    r.month.setText(month)
    from openpyxl import load_workbook

    for form in ("4", "5", "6"):
        r.form.setCurrentIndex(r.form.findData(form))
        qtbot.mouseClick(r.run, qtbot_left())
        wait_done(qtbot, win, "report")
        want = centre.call("2550", {"data": {"month": month, "form": form}})["report"]
        heads, rows = rows_for_screen(want)
        assert r.table.columnCount() == len(heads)
        got = [[r.table.item(i, c).text() for c in range(len(heads))] for i in range(r.table.rowCount())]
        assert got == rows
        if form == "5":
            assert got[2][3:5] == ["0.00", "0.00"] and got[2][5] != "0.00"  # T0002 settled at a level-2 hospital
            shot(win, "counter_reports")
        qtbot.mouseClick(r.xlsx, qtbot_left())
        qtbot.mouseClick(r.pdf, qtbot_left())
        ws = load_workbook(win.files["report_xlsx"]).active
        assert ws["A2"].value == want["title"]
        assert want["title"][:6] in pdf_text(win.files["report_pdf"]).replace("“", "").replace("”", "") or form == "6"
