"""The counter end to end against the real centre (HTTP, SQLite): a 门诊慢特病 application from the scan of an ID
card to approval — evidence with its hash, two experts drawn at random and reviewing independently, the
clerk's re-review — effective from the first day of next month; then its forms (附件2 审定表, 附件3 连续处方)
as PDF, read back as text and looked at as PNG."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess

import pytest

from core.domain.clock import today_cst
from tests import screenshots
from tests.server.helpers import STAFF_PASSWORDS
from tests.ui.counter.fixtures import (  # noqa: F401 (fixtures)
    CTR,
    PH1,
    T14_CERTNO,
    _data_key,
    _templates,
    auth,
    centre,
    service,
    shot,
    wait_done,
    window,
)

pytestmark = pytest.mark.ui


def next_month_first(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def evidence_png(path):
    """A small scanned-looking page: a PNG drawn with Qt."""
    from desktop.qt import QtCore, QtGui

    img = QtGui.QImage(600, 400, QtGui.QImage.Format.Format_RGB32)
    img.fill(QtGui.QColor("white"))
    p = QtGui.QPainter(img)
    p.setPen(QtGui.QColor("black"))
    p.drawText(QtCore.QRect(20, 20, 560, 360), 0, "门诊病历\n诊断：原发性高血压 I10.x00\n血压 168/98 mmHg")
    p.end()
    assert img.save(str(path))
    return path


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is needed to read the forms back (apt-get install poppler-utils)", pytrace=False)
    return found


def pdf_text(path) -> str:
    return subprocess.run([tool("pdftotext"), "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_png(path, name: str, dpi: int = 60):
    out = screenshots.out_dir() / name
    subprocess.run([tool("pdftoppm"), "-png", "-r", str(dpi), "-singlefile", str(path), str(out)], check=True)
    return screenshots.check_file(out.with_suffix(".png"), name)


def ruled_lines(png, *, min_fraction: float = 0.6) -> tuple[int, int, float]:
    """(width, height, number of horizontal rules spanning `min_fraction` of the page, ink fraction)."""
    from desktop.qt import QtGui

    img = QtGui.QImage(str(png))
    w, h = img.width(), img.height()
    rules, dark_total, last = 0, 0, -5
    for y in range(h):
        dark = sum(1 for x in range(0, w, 2) if QtGui.qGray(img.pixel(x, y)) < 128) * 2
        dark_total += dark
        if dark >= min_fraction * w and y - last > 2:
            rules += 1
            last = y
        elif dark >= min_fraction * w:
            last = y
    return w, h, rules, dark_total / (w * h)


def test_application_scan_to_approval_and_forms(qtbot, window, centre, tmp_path):
    win = window
    win.route.submit(T14_CERTNO)
    wait_done(qtbot, win, "identified")
    assert "卫某(测试)" in win.apply.person_label.text() and "4207" in win.apply.person_label.text()
    assert T14_CERTNO not in win.apply.person_label.text()  # masked on screen
    a = win.apply
    a.scheme.setCurrentIndex(a.scheme.findData("MT"))
    a.checks["M03900"][0].setChecked(True)
    a.tel.setText("13800000014")
    a.addr.setText("鄂州市鄂城区凤凰街1号")
    qtbot.mouseClick(a.start_button, qtbot_left())
    wait_done(qtbot, win, "applied")
    app_no = win.app["app_no"]
    assert win.app["status"] == "draft" and "M03900" not in a.app_label.text() and "高血压病" in a.app_label.text()
    scan = evidence_png(tmp_path / "门诊病历.png")
    win.attach(str(scan))
    wait_done(qtbot, win, "attached")
    win.runner.wait()
    assert a.evidence.rowCount() == 1 and a.evidence.item(0, 0).text() == "门诊病历.png"
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()
    assert a.evidence.item(0, 2).text() == digest[:16] + "…"
    qtbot.mouseClick(a.submit_button, qtbot_left())
    wait_done(qtbot, win, "submitted")
    win.runner.wait()
    assert win.app["status"] == "expert_review" and "抽取专家" in a.notice.text()
    drawn = [r["reviewer_code"] for r in win.app["reviews"] if r["stage"] == "expert"]
    assert len(set(drawn)) == 2
    shot(win, "counter_apply")

    # 审核: the two drawn experts, independently, then the clerk
    win.go("review")
    wait_done(qtbot, win, "queue")
    r = win.review
    r.select(app_no)
    wait_done(qtbot, win, "review_opened")
    assert r.expert.count() == 2 and not r.clerk_box.isEnabled()
    for n in range(2):
        r.history.setPlainText(f"高血压病史5年，最高 180/100 mmHg，诊断原发性高血压（专家{n + 1}）")
        r.plan.setPlainText("苯磺酸氨氯地平片 5mg 每日1次；低盐饮食，监测血压")
        r.expert_password.setText(STAFF_PASSWORDS[r.expert.currentData()])  # the expert types their own password
        qtbot.mouseClick(r.agree, qtbot_left())
        wait_done(qtbot, win, "expert")
    win.runner.wait()
    assert win.review_app["status"] == "clerk_review" and r.clerk_box.isEnabled() and r.expert.count() == 0
    shot(win, "counter_review")
    r.opinion.setText("材料齐全，两名专家同意")
    r.approver_user.setText("zhao")  # 赵复审 logs in for the final approval: not one of the experts
    r.approver_password.setText(STAFF_PASSWORDS["zhao"])
    qtbot.mouseClick(r.approve, qtbot_left())
    wait_done(qtbot, win, "approved")
    win.runner.wait()
    begin = next_month_first(today_cst())
    assert f"自 {begin.isoformat()} 起生效" in r.notice.text()
    shot(win, "counter_review_approved")
    regs = centre.call("5301", {"data": {"psn_no": "T0014"}}, PH1)["feedetail"]
    assert [(x["opsp_dise_code"], x["begndate"]) for x in regs] == [("M03900", begin.isoformat())]
    # what the kiosk shows the person: the application, its status and every step with who and when
    kiosk = centre.call("2514", {"data": {"psn_no": "T0014"}}, "K42070000001")["applications"][0]
    assert kiosk["status_name"] == "已备案" and kiosk["effective_from"] == begin.isoformat()
    assert [s["step"] for s in kiosk["steps"]] == ["created", "evidence", "submitted", "experts_drawn", "expert_review",
                                                   "expert_review", "experts_done", "approved"]
    assert {s["who"] for s in kiosk["steps"]} == {"wang"} and all(s["at"] for s in kiosk["steps"])

    # 附件2 审定表, filled from the application
    win.go("apply")
    qtbot.mouseClick(a.form2_button, qtbot_left())
    wait_done(qtbot, win, "approval_form")
    text = pdf_text(win.files["approval"])
    for want in ("附件 2", "审定表", "卫某(测试)", "男", T14_CERTNO, "鄂州市鄂城区凤凰街1号", "湖北省鄂州市", "■高血压病",
                 "病史及诊断", "治疗方案", "苯磺酸氨氯地平片", "医院", "签章", "材料齐全，两名专家同意",
                 f"自 {begin.isoformat()} 起享受待遇"):
        assert want in text, want
    experts = {e["code"]: e["name"] for e in __import__("tests.ui.counter.fixtures", fromlist=["EXPERTS"]).EXPERTS}
    for code in drawn:
        assert experts[code] in text
    w, h, rules, ink = ruled_lines(pdf_png(win.files["approval"], "form_approval_annex2"))
    assert abs(w / h - 210 / 297) < 0.01  # A4 portrait
    assert rules >= 6, rules  # the grid: top, three field rows, two opinion rows, bottom
    assert 0.005 < ink < 0.2, ink

    # 附件3 连续处方 with the ≤15-days pickup rule and its schedule
    a.set_rx_row(0, ["苯磺酸氨氯地平片", "5mg×28片", "1盒", "口服 5mg 每日1次", "28"])
    qtbot.mouseClick(a.form3_button, qtbot_left())
    wait_done(qtbot, win, "rx_form")
    text = pdf_text(win.files["rx"])
    today = today_cst()
    for want in ("附件 3", "鄂州市医疗保障事务中心", "慢性病用药连续（外配）处方", "卫某(测试)", "职工医保",
                 "原发性高血压", "苯磺酸氨氯地平片", "不超过15日（含）内凭本处方配取", "处方申请人",
                 "本处方一式二份", f"{today.year} 年 {today.month:02d} 月 {today.day:02d} 日",
                 (today + dt.timedelta(days=28 - 15)).isoformat(), (today + dt.timedelta(days=56 - 15)).isoformat(),
                 # the lifestyle half of the 双处方, on its own page
                 "高血压 生活方式处方（通用）", "饮食", "自我监测", "要点：少盐"):
        assert want in text, want
    assert "王经办" not in text  # the clerk at the counter is not the prescriber (no doctor on this application)
    w, h, rules, ink = ruled_lines(pdf_png(win.files["rx"], "form_continuous_rx_annex3", dpi=80), min_fraction=0.8)
    assert abs(w / h - 148 / 210) < 0.01  # A5 portrait
    assert rules >= 2 and 0.005 < ink < 0.2, (rules, ink)
    shot(win, "counter_apply_forms")


def qtbot_left():
    from desktop.qt import Qt

    return Qt.MouseButton.LeftButton
