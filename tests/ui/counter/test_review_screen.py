"""The counter's review screen (审核) with long expert opinions: the text wraps, every row is as tall as its text,
nothing is cut off, and the keyboard still reaches every row and field (the right-hand side scrolls to them)."""
from __future__ import annotations

import pytest

from desktop.qt import Qt, QtCore, QtGui, QtWidgets
from tests.ui.counter.fixtures import shot

pytestmark = pytest.mark.ui

HISTORY = ("高血压病史12年，最高 190/110 mmHg，近三年规律服用苯磺酸氨氯地平片 5mg 每日一次，血压控制欠佳；"
           "2025年10月出现活动后胸闷，心电图示左心室肥厚，超声心动图左室后壁厚度 12mm；合并2型糖尿病5年，"
           "糖化血红蛋白 7.8%，尿微量白蛋白/肌酐比 45 mg/g。诊断：原发性高血压3级（很高危），高血压性心脏病。")
PLAN = ("苯磺酸氨氯地平片 5mg 每日一次，加用厄贝沙坦片 150mg 每日一次；低盐低脂饮食，每日监测血压并记录，"
        "四周后复诊调整剂量；每半年复查心脏超声、肾功能及尿微量白蛋白。")


def application(status: str = "expert_review") -> dict:
    reviews = [
        {"stage": "expert", "reviewer_code": "E001", "reviewer_name": "陈心内", "decision": "approve",
         "history_dx": HISTORY, "plan": PLAN, "decided_at": "2026-11-25 09:12:00"},
        {"stage": "expert", "reviewer_code": "E004", "reviewer_name": "吴心内", "decision": "approve",
         "history_dx": HISTORY[:60] + "（同意专家1意见）", "plan": PLAN[:40], "decided_at": "2026-11-25 09:40:00"},
        {"stage": "expert", "reviewer_code": "E002", "reviewer_name": "刘内分泌", "decision": None, "history_dx": "",
         "plan": "", "decided_at": None},
    ]
    return {"app_no": "BA20261125015F6F8D", "psn_name": "卫某(测试)", "scheme": "MT", "status": status,
            "status_name": "专家评审中", "diseases": [{"name": "高血压（高危）", "diag_code": "I10.x00"}],
            "evidence": [{"complete": True}, {"complete": True}], "diag_dr_name": "张医生",
            "ide_fixmedins_no": "H42070000011", "reviews": reviews}


@pytest.fixture
def counter(qtbot, tmp_path):
    from core.services.registration import CounterService
    from desktop.counter.window import CounterWindow

    win = CounterWindow(CounterService(None, forms_dir=tmp_path), None, title_name="鄂州市门诊慢特病管理服务中心")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.runner.wait()


def needed_height(table: QtWidgets.QTableWidget, row: int, col: int) -> int:
    """What the cell's text needs, wrapped at the column's width (less the cell padding)."""
    item = table.item(row, col)
    metrics = QtGui.QFontMetrics(item.font() if item.font() != QtGui.QFont() else table.font())
    margin = table.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    width = table.columnWidth(col) - 2 * margin  # as the item delegate lays the text out
    rect = metrics.boundingRect(QtCore.QRect(0, 0, width, 100000), int(Qt.TextFlag.TextWordWrap), item.text())
    return rect.height()


def test_long_expert_opinions_wrap_and_rows_grow(qtbot, counter):
    win = counter
    qtbot.keyClick(win, Qt.Key.Key_F3)
    assert win.page() == "review"
    r = win.review
    app = application()
    r.show_queue([app])
    r.show_application(app)
    QtWidgets.QApplication.processEvents()
    t = r.reviews
    assert t.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    for row in range(t.rowCount()):
        for col in (0, 2, 3):
            assert t.rowHeight(row) >= needed_height(t, row, col), (row, col)
    assert t.rowHeight(0) > 4 * t.fontMetrics().height()  # the long opinion takes several lines, not one
    assert t.rowHeight(0) > 2 * t.rowHeight(2)  # and the rows differ: each is as tall as its own text
    # nothing is clipped: the table is as tall as its rows, the pane scrolls instead
    assert t.viewport().height() >= sum(t.rowHeight(i) for i in range(t.rowCount()))
    assert t.verticalScrollBar().maximum() == 0
    assert sum(t.columnWidth(c) for c in range(t.columnCount())) <= t.viewport().width() + 1
    # a narrower window: the text re-wraps, the rows grow further
    before = t.rowHeight(0)
    win.resize(1100, 820)
    QtWidgets.QApplication.processEvents()
    assert t.rowHeight(0) > before and t.rowHeight(0) >= needed_height(t, 0, 2)
    win.resize(1366, 820)
    QtWidgets.QApplication.processEvents()
    shot(win, "counter_review_long_opinions")

    # keyboard: into the table, down the rows (the pane follows), on to the expert's fields
    t.setFocus()
    t.setCurrentCell(0, 0)
    for row in (1, 2):
        qtbot.keyClick(t, Qt.Key.Key_Down)
        assert t.currentRow() == row
        QtWidgets.QApplication.processEvents()
        top = t.mapTo(r.pane.viewport(), QtCore.QPoint(0, t.rowViewportPosition(row) + t.horizontalHeader().height()))
        assert 0 <= top.y() and top.y() + t.rowHeight(row) // 2 <= r.pane.viewport().height(), top
    assert r.expert_box.isEnabled() and r.expert.count() == 1  # 刘内分泌 has not given his opinion yet
    qtbot.keyClick(t, Qt.Key.Key_Tab)
    assert r.expert.hasFocus()
    qtbot.keyClick(r.expert, Qt.Key.Key_Tab)
    assert r.history.hasFocus()
    QtWidgets.QApplication.processEvents()
    box = r.history.mapTo(r.pane.viewport(), QtCore.QPoint(0, 0))
    assert 0 <= box.y() < r.pane.viewport().height()  # scrolled to the field being typed in
    qtbot.keyClicks(r.history, "BP 160/100, 8y")  # QTest types Latin-1 only
    assert r.history.toPlainText() == "BP 160/100, 8y"
