"""家庭共济 on the counter window (issue 17): with the holder identified, the clerk binds a relative by their ID
number with the holder's own credential, sees it listed (masked), a wrong credential (the relative's own ID) is
refused in Chinese first and nothing is bound, and the binding is ended after the clerk confirmed it with the
holder; all against the real centre over HTTP."""
from __future__ import annotations

import pytest

from tests.ui.counter.fixtures import (P01_CERTNO, _data_key, _templates, auth, centre, service, shot,  # noqa: F401
                                       wait_done, window)

pytestmark = pytest.mark.ui

P11_CERTNO = "420704196410101939"  # 钱某 T0011, employee: the account holder


def _bind(qtbot, win, relative: str, relation: str, credential: str) -> None:
    f = win.family
    f.relative.setText(relative)
    f.relation.setCurrentIndex(f.relation.findData(relation))
    f.credential.setText(credential)
    f.bind_button.click()


def test_bind_list_refuse_and_end_on_the_counter(qtbot, window, centre):  # noqa: F811
    win = window
    win.route.submit(P11_CERTNO)
    wait_done(qtbot, win, "identified")
    wait_done(qtbot, win, "messages")
    win.go("family")
    wait_done(qtbot, win, "bindings")
    f = win.family
    assert "T0011" in f.person_label.text() and f.bindings.rowCount() == 0

    _bind(qtbot, win, P01_CERTNO, "1", P01_CERTNO)  # the relative's own ID is no confirmation by the holder
    wait_done(qtbot, win, "failed")
    assert f.notice.tone == "bad" and "确认失败" in f.notice.text()
    assert centre.call("2596", {"data": {"psn_no": "T0001"}}).get("feedetail", []) == []  # nothing bound

    _bind(qtbot, win, P01_CERTNO, "1", P11_CERTNO)
    wait_done(qtbot, win, "bound")
    wait_done(qtbot, win, "bindings")
    assert f.bindings.rowCount() == 1
    shown = [f.bindings.item(0, c).text() for c in range(4)]
    assert shown[0] == "王***** 420704********1015" and shown[1] == "配偶" and shown[3]
    assert P01_CERTNO not in shown[0] and f.credential.text() == ""  # the holder's credential is not kept
    shot(win, "counter_family")

    f.bindings.selectRow(0)
    f.end_button.click()  # not yet confirmed with the holder: nothing sent
    assert "确认" in f.notice.text() and f.notice.tone == "warn"
    f.confirm_end.setChecked(True)
    f.credential.setText(P11_CERTNO)
    f.end_button.click()
    wait_done(qtbot, win, "unbound")
    wait_done(qtbot, win, "bindings")
    assert f.bindings.rowCount() == 0 and "已结束" in f.notice.text()
    assert centre.call("2596", {"data": {"psn_no": "T0001"}}).get("feedetail", []) == []
