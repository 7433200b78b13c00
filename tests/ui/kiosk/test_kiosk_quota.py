"""The kiosk's quota screen names every disease the person is registered for under the quota's scheme: 李某 has
both 两病 diseases (hypertension and diabetes) and one 两病 quota, whose label must name both; 王某 (hypertension
only) gets a label naming hypertension alone."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.domain import Person
from core.services.kiosk import quota_title
from core.services.ports import PatientCard, QuotaView, RegistrationView
from desktop.qt import QtWidgets
from hardware.cards import CardRead
from tests.ui.kiosk.fixtures import LANDSCAPE, P01_CERTNO, P01_NAME, PORTRAIT, shot, tap  # noqa: F401

pytestmark = pytest.mark.ui

P02_CERTNO, P02_NAME = "420704196306301148", "李某(测试)"  # T0002: 两病, hypertension and diabetes


def card(*regs: tuple[str, str, str, bool]) -> PatientCard:
    person = Person("T9", "测试", "1", dt.date(1960, 1, 1), "310")
    views = tuple(RegistrationView(s, d, n, dt.date(2025, 1, 1), None, active, None) for s, d, n, active in regs)
    return PatientCard(person=person, masked_id="", insurance_type="310", status="active", registrations=views,
                       quotas=(), refills=(), warnings=(), online=True, cert_type="02", cert_no="")


def test_quota_title_names_the_diseases_of_its_scheme():
    q = QuotaView("LB", "2026", Decimal("400"), Decimal("28"), Decimal("372"))
    both = quota_title(card(("LB", "HTN", "高血压(两病)", True), ("LB", "DM", "糖尿病(两病)", True)), q)
    assert both.zh == "两病：高血压、糖尿病　2026 年度" and both.en.endswith(": hypertension, diabetes — 2026")
    one = quota_title(card(("LB", "HTN", "高血压(两病)", True), ("MT", "M03900", "高血压（高危）", True)), q)
    assert one.zh == "两病：高血压　2026 年度" and one.en == "hypertension/diabetes (两病): hypertension — 2026"
    ended = quota_title(card(("LB", "HTN", "高血压", True), ("LB", "DM", "糖尿病", False)), q)
    assert ended.zh == "两病：高血压　2026 年度"  # an ended registration is not what the quota is for
    mt = quota_title(card(("MT", "M03900", "高血压（高危）", True), ("MT", "M01600", "糖尿病", True)),
                     QuotaView("MT", "2026-03", Decimal("1"), Decimal("0"), Decimal("1")))
    assert mt.zh == "门诊慢特病：高血压（高危）、糖尿病　2026-03"


def show_quota(qtbot, k, certno: str, name: str) -> list[str]:
    win = k.window
    tap(qtbot, win.pages["home"].card_button)
    k.reader.present(CardRead("id_card", certno, name, "1"))
    qtbot.waitUntil(lambda: win.page == "menu", timeout=10000)
    tap(qtbot, win.pages["menu"].tiles["quota"])
    assert win.page == "quota"
    return win.pages["quota"].rows.texts()


def test_a_person_with_both_diseases_sees_both_on_the_quota(qtbot, kiosk):
    texts = show_quota(qtbot, kiosk, P02_CERTNO, P02_NAME)
    assert "两病：高血压、糖尿病　2026 年度" in texts or any(t.startswith("两病：高血压、糖尿病　") for t in texts), texts
    assert any(t.startswith("总额度：") for t in texts) and any(t.startswith("剩余：") for t in texts)
    win = kiosk.window
    for size in (PORTRAIT, LANDSCAPE):
        shot(win, "quota_two_diseases", size)
    win.resize(*PORTRAIT)
    QtWidgets.QApplication.processEvents()
    tap(qtbot, win.restart_button)
    assert win.page == "home" and win.card is None
    texts = show_quota(qtbot, kiosk, P01_CERTNO, P01_NAME)
    titles = [t for t in texts if t.startswith("两病")]
    assert titles and titles[0].startswith("两病：高血压　") and "糖尿病" not in titles[0], texts
