"""The counter window without a centre: it opens, says clearly what is missing, routes scans, and its keys
move between the pages (the settlement page hands the function keys to the embedded desk)."""
from __future__ import annotations

import pytest

from desktop.qt import Qt

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
