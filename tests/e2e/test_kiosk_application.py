"""A 两病 registration application started at the kiosk, by touch: 卫某 (no registration) puts her ID card on
the reader, asks for a hypertension registration, photographs the doctor's diagnosis at the camera and sends
it; the centre's workflow (2510 + 2511, server/transactions/registration.py) holds a draft application with the
photo for the clerk, and the kiosk shows its status. The photo is gone from the screen after the wipe."""
from __future__ import annotations

import pytest

from hardware.cards import CardRead
from tests.ui.kiosk.fixtures import (  # noqa: F401
    KIOSK_INST, LANDSCAPE, P14_CERTNO, PORTRAIT, _data_key, _templates, centre, idle, kiosk, shot, tap, visible_texts,
)

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def test_two_disease_application_with_a_photo_by_touch(qtbot, kiosk, centre):
    k, win = kiosk, kiosk.window
    p = win.pages
    tap(qtbot, p["home"].card_button)
    k.reader.present(CardRead("id_card", P14_CERTNO, "卫某(测试)", "2"))
    qtbot.waitUntil(lambda: win.page == "menu", timeout=10000)

    tap(qtbot, p["menu"].tiles["application"])
    idle(qtbot, k)
    page = p["application"]
    assert win.page == "application" and page.start.isVisible()
    assert page.apply_buttons["HTN"].isVisible() and page.apply_buttons["DM"].isVisible()
    shot(win, "application_offer", PORTRAIT)
    shot(win, "application_offer", LANDSCAPE)
    win.resize(*PORTRAIT)

    k.camera["qr"] = "诊断证明 高血压 I10"  # a paper in view (its QR stands in for the printed page)
    tap(qtbot, page.apply_buttons["HTN"])
    assert win.page == "photo" and win.camera is not None
    photo = p["photo"]
    qtbot.waitUntil(lambda: photo.preview._frame is not None, timeout=10000)
    shot(win, "photo_live", PORTRAIT)
    shot(win, "photo_live", LANDSCAPE)
    win.resize(*PORTRAIT)
    tap(qtbot, photo.take_button)
    assert win.photo is not None and win.camera is None and photo.submit_button.isVisible()
    shot(win, "photo_taken", PORTRAIT)
    shot(win, "photo_taken", LANDSCAPE)
    win.resize(*PORTRAIT)
    tap(qtbot, photo.submit_button)
    idle(qtbot, k)
    assert win.page == "message" and p["message"].title.text() == "申请已登记", p["message"].text.text()
    app_no = p["message"].text.text().split()[1].split("（")[0]
    shot(win, "application_sent", PORTRAIT)
    shot(win, "application_sent", LANDSCAPE)
    win.resize(*PORTRAIT)

    out = centre.client.call("2514", {"data": {"app_no": app_no}}, code=KIOSK_INST)["output"]["applications"][0]
    assert out["psn_no"] == "T0014" and out["source"] == "kiosk" and out["status"] == "draft"
    (ev,) = out["evidence"]
    assert ev["kind"] == "diagnosis" and ev["mime"] == "image/jpeg" and ev["complete"] and ev["size"] > 1000

    tap(qtbot, p["message"].button)  # 返回菜单
    tap(qtbot, p["menu"].tiles["application"])
    idle(qtbot, k)
    texts = page.rows.texts()
    assert "办理状态：待提交" in texts and any(app_no in t for t in texts)
    assert not page.start.isVisible()  # one open application at a time
    shot(win, "application_status", PORTRAIT)
    shot(win, "application_status", LANDSCAPE)
    win.resize(*PORTRAIT)

    tap(qtbot, win.restart_button)  # 完成，退出
    assert win.page == "home" and win.card is None
    assert photo.still.pixmap().isNull() and photo.preview._frame is None
    assert "卫某" not in " ".join(visible_texts(win)) and app_no not in " ".join(visible_texts(win))
