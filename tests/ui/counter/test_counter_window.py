"""The counter window without a centre: it opens, says clearly what is missing, routes scans, and its keys
move between the pages (the settlement page hands the function keys to the embedded desk)."""
from __future__ import annotations

import pytest

from desktop.qt import Qt, QtWidgets

pytestmark = pytest.mark.ui


@pytest.fixture
def offline(qtbot, tmp_path):
    from core.services.registration import CounterService
    from desktop.counter.window import CounterWindow

    win = CounterWindow(CounterService(None, forms_dir=tmp_path), None, title_name="测试窗口")
    qtbot.addWidget(win)
    win.show()
    yield win
    win.runner.wait()


def test_without_a_centre_the_clerk_is_told_why(qtbot, offline):
    win = offline
    win.route.submit("420704197507072219")
    qtbot.waitUntil(lambda: "未配置中心" in win.apply.notice.text(), timeout=5000)
    assert win.apply.notice.tone == "bad"
    win.route.submit("81000110000000000001")  # a trace code is not an identity
    assert "不是身份凭证" in win.apply.notice.text()


def test_function_keys_move_between_pages(qtbot, offline):
    win = offline
    for key, page in ((Qt.Key.Key_F3, "review"), (Qt.Key.Key_F7, "reports"), (Qt.Key.Key_F2, "apply")):
        qtbot.keyClick(win, key)
        assert win.page() == page
    win.go("settle")
    assert win.page() == "settle" and win.settle.objectName() == "settlePlaceholder"
    assert not win.status_line.isVisible()
    qtbot.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert win.page() == "review" and win.status_line.isVisible()


def test_apply_screen_builds_the_request(offline):
    a = offline.apply
    a.scheme.setCurrentIndex(a.scheme.findData("LB"))
    a.checks["HTN"][0].setChecked(True)
    a.checks["DM"][0].setChecked(True)
    a.doctor_code.setText("D0301")
    a.doctor_name.setText("张医生")
    a.doctor_facility.setText("H42070000011")
    req = a.request()
    assert req["scheme"] == "LB" and req["doctor"] == ("D0301", "张医生")
    assert req["diseases"] == [("HTN", "I10.x00", "原发性高血压"), ("DM", "E11.900", "2型糖尿病")]
    a.scheme.setCurrentIndex(a.scheme.findData("MT"))
    assert set(a.checks) == {"M03900", "M01600", "M04600", "M05300"} and not a.doctor_code.isEnabled()


def _report(form: str) -> dict:
    from core.services.reports_monthly import LEVELS

    money = {lv: {"medfee": "0.00", "reimbursed": "0.00"} for lv in LEVELS}
    rows = [{"disease": d, "insured": 1, "registered": 1, **money} for d in ("高血压", "糖尿病", "合计")]
    return {"form": form, "annex": f"附件{form}", "title": "月报", "month": "2026-12", "rows": rows}


@pytest.mark.parametrize("size", [(1366, 768), (1366, 820)])
def test_counter_screens_show_their_labels_whole_at_1366(qtbot, offline, size):
    """Issue #21: at a 1366-wide counter screen the sidebar shows every label whole (F keys and, on 结算, the Alt
    keys) without a horizontal scrollbar, the 月报 column headers and the 经办复审 opinion field are not cut."""
    win = offline
    win.resize(*size)
    for page in ("apply", "settle"):  # settle relabels the sidebar with the longer Alt+n keys
        win.go(page)
        qtbot.waitUntil(lambda: win.width() == size[0])
        QtWidgets.QApplication.processEvents()
        nav, fm = win.nav, win.nav.fontMetrics()
        assert not nav.horizontalScrollBar().isVisible(), page
        for n in range(nav.count()):
            item = nav.item(n)
            need = fm.horizontalAdvance(item.text()) + 2 * nav.style().pixelMetric(
                QtWidgets.QStyle.PixelMetric.PM_FocusFrameHMargin)
            assert need <= nav.visualItemRect(item).width() <= nav.viewport().width(), (page, item.text())
    win.go("reports")
    win.reports.show_report(_report("5"))
    QtWidgets.QApplication.processEvents()
    table = win.reports.table
    head = table.horizontalHeader()
    for c in range(table.columnCount()):
        hint = head.sectionSizeFromContents(c).width()
        assert head.sectionSize(c) >= hint, table.horizontalHeaderItem(c).text()
    win.go("review")
    QtWidgets.QApplication.processEvents()
    box = win.review.opinion
    assert box.width() >= box.fontMetrics().horizontalAdvance(box.placeholderText()) + 16
