"""The English UI says the desk's status in English (#21: every user-facing message in the UI language): the
status line's link state (online, offline, connecting, no centre), what waits for the centre, the shift, the
login state and each screen's keys there and in F1's list — no Chinese left in them. (Names of people and of
the institution are data and stay as they are: the user label is checked without its name.)"""
from __future__ import annotations

import re

import pytest

from core.services.ports import LinkStatus
from tests.ui.pharmacy.fixtures import close_desks, make_desk
from tests.ui.pharmacy.test_desk_day_fixes import card

pytestmark = pytest.mark.ui
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@pytest.fixture
def english(qapp):
    from desktop.common import i18n

    i18n.ensure_compiled()
    assert i18n.set_language("en")
    yield
    i18n.set_language("zh")
    close_desks()


def test_the_status_line_and_the_keys_are_english(qtbot, tmp_path, english):
    from desktop.pharmacy.window import PAGES, PharmacyWindow

    d = make_desk(tmp_path, None, None)
    win = PharmacyWindow(d.desk, d.auth, d.shifts, d.config, status_interval_ms=60000)
    qtbot.addWidget(win)
    try:
        said: dict[str, str] = {}
        for status in (LinkStatus(True, True, 0, None), LinkStatus(True, False, 3, 4000.0, detail="timed out"),
                       LinkStatus(True, None, 1, 30.0), LinkStatus(False, None, 0, None),
                       LinkStatus(True, False, 12, 9000.0, provisional=2, alerts=1)):
            win.status_line.show_status(status)
            said[f"link {status}"] = win.status_line.link_label.text()
            said[f"waiting {status}"] = win.status_line.waiting_label.text()
        win._render_all()  # nobody logged in, no shift
        said["user"], said["shift"] = win.status_line.user_label.text(), win.status_line.shift_label.text()
        win.state.card = card("赵某", "T0002")  # the patient's keys (F7) too
        win.state.held = [object()]  # and F9 recall on step 1
        for page in PAGES:
            win.go(page)
            said[f"keys {page}"] = win.status_line.keys_label.text()
            said[f"F1 {page}"] = win.keys_text("\n")
        chinese = {where: text for where, text in said.items() if CJK.search(text)}
        assert chinese == {}
        assert said["keys identify"] == "F1 Keys · F7 Patient card · F9 Recall held sale · F11 Open drawer (supervisor)"
        assert "online" in said[f"link {LinkStatus(True, True, 0, None)}"]
    finally:
        win.status_timer.stop()
        win.runner.wait()
