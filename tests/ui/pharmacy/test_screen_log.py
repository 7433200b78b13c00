"""The screen trail in the log (desktop.common.screen_log): what support reads and what the day under X waits
on — one line per change: a message line's tone and text (or that it was emptied), a verdict with its rules."""
from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.ui


def test_messages_and_verdicts_are_one_line_each(qapp, caplog):
    from core.i18n import message
    from core.services.ports import AuditView, HitView
    from desktop.common.verdict_panel import VerdictPanel
    from desktop.pharmacy.screens.common import message_label, set_tone

    caplog.set_level(logging.INFO, logger="onewindow.gui.screen")
    label = message_label("scanMessage")
    set_tone(label, "bad", "本单第 1 行已扫过此码\n（同一盒不能扫两次）")
    set_tone(label, "", "")
    panel = VerdictPanel()
    hit = HitView("DUP-001", "BLOCK", 1, message("desk.audit.blocked"), False)
    panel.show_view(AuditView("BLOCK", (hit,), "local", None))
    lines = [r.getMessage() for r in caplog.records if r.name == "onewindow.gui.screen"]
    assert lines[0].startswith("message scanMessage bad: 本单第 1 行已扫过此码")
    assert "\n" not in lines[0]  # one line, whatever the label wraps
    assert lines[1] == "message scanMessage cleared"
    assert lines[-1].startswith("verdict BLOCK local DUP-001")
