"""The kiosk end to end, by touch only: the real shell against a real centre over HTTP (uvicorn on a free port,
the public world seeded, 王某 with a settlement history), driven with QTest touch sequences on a TouchScreen
device.

identify (e-voucher QR held to the simulated camera) -> quota -> history -> statement on the receipt printer
(the printed text checked) and on A4 (the PDF's text checked) -> idle: countdown, wipe, the name gone from
every widget -> trying to leave without the supervisor code (refused), then with it.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from core.domain import fmt
from desktop.qt import Qt, QtGui, QtWidgets
from tests.ui.kiosk.fixtures import (  # noqa: F401
    LANDSCAPE, P01_NAME, a4_text, PORTRAIT, SUPERVISOR_CODE, _data_key, _templates, centre, history, idle, kiosk,
    left_alone, shot, tap, today, visible_texts,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def both(win, name: str) -> None:
    shot(win, name, PORTRAIT)
    shot(win, name, LANDSCAPE)
    win.resize(*PORTRAIT)
    QtWidgets.QApplication.processEvents()


def test_kiosk_by_touch_end_to_end(qtbot, kiosk, centre, history):
    k, win = kiosk, kiosk.window
    p = win.pages
    assert win.page == "home" and "home" in k.voice.spoken
    both(win, "home")

    # identify: the e-voucher QR held to the camera (live preview, guide frame)
    k.camera["qr"] = centre.evoucher()
    tap(qtbot, p["home"].scan_button)
    assert win.page == "scan" and win.camera is not None
    qtbot.waitUntil(lambda: win.page == "menu", timeout=15000)
    assert win.camera is None  # stopped when the scan screen went away
    assert p["menu"].greeting.text() == f"{P01_NAME}，您好"
    assert "420704********1015" in p["menu"].id_label.text()
    assert "420704195703121015" not in " ".join(visible_texts(win))
    assert "menu" in k.voice.spoken and not any(P01_NAME in s for s in k.voice.spoken)
    both(win, "menu")

    # registrations with their end dates
    tap(qtbot, p["menu"].tiles["registrations"])
    assert win.page == "registrations"
    texts = p["registrations"].rows.texts()
    assert "高血压(两病)" in texts and "到期：长期有效" in texts
    both(win, "registrations")
    tap(qtbot, win.back_button)
    assert win.page == "menu"

    # quota used and left
    tap(qtbot, p["menu"].tiles["quota"])
    assert win.page == "quota"
    card = win.card
    (q,) = card.quotas
    texts = p["quota"].rows.texts()
    assert f"已使用：{fmt(q.used)} 元" in texts and f"剩余：{fmt(q.left)} 元" in texts
    assert q.used == Decimal(history[1]["fund_pay_sumamt"])  # the cancelled settlement gave its quota back
    both(win, "quota")
    tap(qtbot, win.back_button)

    # next refill date per drug
    tap(qtbot, p["menu"].tiles["refills"])
    (r,) = card.refills
    assert r.drug_name == "苯磺酸氨氯地平片" and f"{r.next_allowed:%Y年%m月%d日} 起可以再取药" in p["refills"].rows.texts()
    both(win, "refills")
    tap(qtbot, win.back_button)

    # history of settlements
    tap(qtbot, p["menu"].tiles["history"])
    idle(qtbot, k)
    assert win.page == "history"
    texts = p["history"].rows.texts()
    kept = history[1]
    assert f"总额 {kept['medfee_sumamt']} 元　医保支付 {kept['fund_pay_sumamt']} 元　个人支付 {kept['psn_part_amt']} 元" in texts
    assert any("（已撤销）" in t for t in texts)  # the cancelled one is shown as such
    both(win, "history")
    tap(qtbot, win.back_button)
    assert win.page == "menu"

    # statement for a period on the receipt printer
    tap(qtbot, p["menu"].tiles["statement"])
    assert win.page == "statement" and not p["statement"].receipt_button.isEnabled()
    tap(qtbot, p["statement"].preset_buttons[0])  # 近1个月
    assert p["statement"].receipt_button.isEnabled()
    both(win, "statement")
    tap(qtbot, p["statement"].receipt_button)
    k.queue.wait_idle(10)
    qtbot.waitUntil(lambda: win.page == "message" and p["message"].title.text() == "打印完成", timeout=10000)
    assert "printed" in k.voice.spoken
    both(win, "printed")
    (printed,) = k.printer.printed
    lines = printed.with_suffix(".txt").read_text(encoding="utf-8")
    assert "门诊慢特病结算清单" in lines and P01_NAME in lines and "420704********1015" in lines
    assert "420704195703121015" not in lines
    assert f"期间:" in lines and f"{(today() - dt.timedelta(days=31)).year}" in lines
    assert "结算笔数:" in lines and lines.count("康济大药房") == 2 and "已撤销,不计入合计" in lines
    assert "个人支付" in lines and kept["psn_part_amt"] in lines and kept["medfee_sumamt"] in lines
    assert not k.queue.jobs()  # nothing of the person kept in the print queue file once printed

    # the same period on A4 (PDF)
    tap(qtbot, p["message"].button)  # 返回菜单
    assert win.page == "menu"
    tap(qtbot, p["menu"].tiles["statement"])
    tap(qtbot, p["statement"].custom_button)  # 自定义: months on the keypad
    assert win.page == "period"
    month = today().strftime("%Y%m")
    for digit in month + month:
        tap(qtbot, p["period"].keypad.keys[digit])
    both(win, "period_keypad")
    tap(qtbot, p["period"].keypad.keys["确定"])
    assert win.page == "statement" and win.span == (today().replace(day=1), today())
    tap(qtbot, p["statement"].a4_button)
    idle(qtbot, k)
    assert p["message"].title.text() == "打印完成" and win.last_pdf is not None
    assert win.last_pdf.read_bytes().startswith(b"%PDF")
    pdf = a4_text(win.last_pdf)
    if pdf is None:  # no poppler-utils: check the page's source text instead
        from desktop.kiosk.statement_print import statement_html

        pdf = QtGui.QTextDocument()
        pdf.setHtml(statement_html(k.service.statement(card, *win.span)))
        pdf = pdf.toPlainText()
    for part in ("门诊慢特病结算清单", P01_NAME, "420704********1015", f"结算笔数：1", kept["medfee_sumamt"], "已撤销",
                 f"个人支付 {kept['psn_part_amt']} 元"):
        assert unicodedata.normalize("NFKC", part) in unicodedata.normalize("NFKC", pdf), part
    assert "420704195703121015" not in pdf
    tap(qtbot, p["message"].button)

    # pending prescriptions: paying here is not offered by this centre (said, with where to pay instead)
    tap(qtbot, p["menu"].tiles["pay"])
    idle(qtbot, k)
    assert win.page == "pay" and "本机暂不支持缴费" in p["pay"].notice.text()
    both(win, "pay")
    tap(qtbot, win.back_button)
    tap(qtbot, p["menu"].tiles["application"])
    idle(qtbot, k)
    assert win.page == "application" and "没有查到您的登记申请" in p["application"].notice.text()
    # already registered for hypertension: only the diabetes application is offered
    assert p["application"].apply_buttons["DM"].isVisible() and not p["application"].apply_buttons["HTN"].isVisible()
    both(win, "application")
    tap(qtbot, win.back_button)
    assert win.page == "menu"

    # idle: the countdown, then the wipe
    left_alone(k)
    qtbot.waitUntil(lambda: win.overlay.isVisible(), timeout=10000)
    assert "countdown" in k.voice.spoken
    shot(win, "idle_countdown", PORTRAIT)
    shot(win, "idle_countdown", LANDSCAPE)
    qtbot.waitUntil(lambda: win.page == "home", timeout=5000)
    assert win.card is None and not win.overlay.isVisible() and "wiped" in k.voice.spoken
    everything = " ".join(visible_texts(win))
    for secret in (P01_NAME, "王某", "420704********1015", "1015", kept["medfee_sumamt"], "苯磺酸氨氯地平片"):
        assert secret not in everything, f"{secret!r} still on a widget after the wipe"

    # leaving: not without the supervisor code
    win.close()
    QtWidgets.QApplication.closeAllWindows()
    for key, mod in ((Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier), (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                     (Qt.Key.Key_F11, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)):
        qtbot.keyClick(win, key, mod)
    QtWidgets.QApplication.processEvents()
    assert win.isVisible() and win.page == "home" and len(win.lockdown.refused) >= 5
    for _ in range(5):
        tap(qtbot, win.corner)
    assert win.page == "supervisor"
    both(win, "supervisor")
    for digit in "111111":
        tap(qtbot, p["supervisor"].keypad.keys[digit])
    tap(qtbot, p["supervisor"].keypad.keys["确定"])
    idle(qtbot, k)
    assert win.page == "supervisor" and "管理码错误" in p["supervisor"].error.text()
    win.close()
    assert win.isVisible()
    for digit in SUPERVISOR_CODE:
        tap(qtbot, p["supervisor"].keypad.keys[digit])
    tap(qtbot, p["supervisor"].keypad.keys["确定"])
    idle(qtbot, k)
    assert win.page == "admin"
    both(win, "admin")
    with qtbot.waitSignal(win.left, timeout=5000) as left:
        tap(qtbot, p["admin"].leave_button)
    assert left.args == [0] and not win.isVisible()
