"""The counter's 随访 page against the real centre over HTTP: a clerk signs a family doctor for 王某, records four
visits (an out-of-range one refused with nothing written), and sees the timeline with its BP/glucose chart and
the ≥4-a-year schedule. The centre runs on a fixed clock (2026-11-20, the counter's today too), so the dates on
the compared screenshots (counter_care_visit_refused, counter_care_timeline) are the same on every run."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop.qt import QtCore, Qt
from server.models_chronic import followup
from tests.server.helpers import Client, LiveServer, RequestsHttp
# _data_key and _templates come from tests/e2e/conftest.py: importing them here too would define a second
# session data key, and centres sealed under the first could no longer open their secrets.
from tests.ui.counter.fixtures import (  # noqa: F401 (fixtures)
    EXPERTS,
    P01_CERTNO,
    Centre,
    auth,
    service,
    shot,
    sqlite_centre_copy,
    wait_done,
)

pytestmark = pytest.mark.ui
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=CST)  # a Friday in the year's fourth quarter


@pytest.fixture
def centre(_templates, tmp_path):
    """The counter fixtures' centre on a fixed clock (signatures accepted whatever the skew to the real one)."""
    from server.app import create_app

    tpl = _templates("sqlite")
    engine = sqlite_centre_copy(tpl, tmp_path)
    with LiveServer(create_app(engine=engine, clock=lambda: NOW, window=10**9)) as server:
        c = Centre(server.url, dict(tpl.secrets), Client(RequestsHttp(server.url), dict(tpl.secrets)), engine)
        c.call("2517", {"data": {"experts": EXPERTS}})
        yield c
    engine.dispose()


@pytest.fixture
def care_window(qtbot, service, auth):
    from desktop.counter.window import CounterWindow

    win = CounterWindow(service, auth, title_name="车站路社区卫生服务中心", today=NOW.date)
    qtbot.addWidget(win)
    win.resize(1366, 820)
    win.show()
    win.set_operator(auth.login("wang", pin="1111"))
    yield win
    win.runner.wait()


def _visits(centre) -> int:
    with centre.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(followup)).scalar()


def _days(today: dt.date) -> list[dt.date]:
    start = dt.date(today.year, 1, 1)
    span = (today - start).days
    return [start + dt.timedelta(days=span * i // 3) for i in range(4)]


def test_sign_record_four_visits_and_timeline(qtbot, care_window, centre):
    win = care_window
    win.route.submit(P01_CERTNO)
    wait_done(qtbot, win, "identified")
    wait_done(qtbot, win, "messages")
    qtbot.keyClick(win, Qt.Key.Key_F9)
    assert win.page() == "care"
    wait_done(qtbot, win, "timeline")
    assert "未签约" in win.care.contract_label.text()
    c = win.care
    c.team.setText("车站路家庭医生团队")
    c.doctor_code.setText("D001")
    c.doctor_name.setText("何燕")
    c.tel.setText("13800000001")
    c.sign_button.click()
    wait_done(qtbot, win, "signed")
    wait_done(qtbot, win, "timeline")
    assert "何燕" in c.contract_label.text()
    days = _days(NOW.date())
    before = _visits(centre)
    values = [("156", "96", "8.1"), ("148", "92", "7.4"), ("1400", "90", "7.0"), ("142", "88", "6.9"), ("134", "84", "6.3")]
    recorded = 0
    for sbp, dbp, fpg in values:
        day = days[min(recorded, 3)]
        c.visit_date.setDate(QtCore.QDate(day.year, day.month, day.day))
        c.next_visit.setDate(QtCore.QDate(day.year, day.month, day.day).addDays(60))
        c.place.setText("车站路社区卫生服务站")
        c.visit_doctor.setText("何燕")
        c.numbers["sbp"].setText(sbp)
        c.numbers["dbp"].setText(dbp)
        c.numbers["fpg"].setText(fpg)
        c.numbers["weight_kg"].setText("68")
        c.numbers["height_cm"].setText("165")
        c.assessment.setCurrentIndex(c.assessment.findData("controlled" if recorded >= 2 else "uncontrolled"))
        c.save_button.click()
        if sbp == "1400":
            wait_done(qtbot, win, "failed")
            assert "收缩压" in c.notice.text() and c.notice.tone == "bad"
            assert _visits(centre) == before + recorded  # refused: nothing written
            qtbot.waitUntil(lambda: not c.notice.visibleRegion().isEmpty())  # the page scrolled to the reason
            shot(win, "counter_care_visit_refused")
            continue
        wait_done(qtbot, win, "visit_recorded")
        wait_done(qtbot, win, "timeline")
        assert "随访已保存" in c.notice.text(), c.notice.text()
        recorded += 1
    assert _visits(centre) == before + 4
    assert [p["sbp"] for p in c.chart.points] == [156, 148, 142, 134]
    assert c.chart.points[-1]["glu"] == 6.3
    assert "今年已随访 4 次" in c.schedule_label.text() and "正常" in c.schedule_label.text()
    kinds = [c.timeline.item(r, 1).text() for r in range(c.timeline.rowCount())]
    assert kinds.count("随访") == 4 and "家庭医生签约" in kinds
    win._scrolls["care"].verticalScrollBar().setValue(0)  # the schedule, chart and timeline at the page's head
    shot(win, "counter_care_timeline")
