"""The paper prescription photographed at the desk with the camera (issue 19: "photograph or scan it (camera/scanner
image attached to the sale)"): F9 on the paper entry opens the desk's camera — the hardware CameraWorker that scans
boxes, here fed a real image file (tests/ui/pharmacy/data/paper_rx_slip.jpg, a slip with the hospital's QR) as
its frames through the simulator source — Space takes the picture, Backspace takes another, Enter uses it; the
QR the camera reads on the slip meanwhile is no scan for the desk; the sale opens with that picture kept. Without
a camera F9 says so next to the image field and names Ctrl+O. The shell gives the window its hub's camera.
Screenshot: tests/ui/screenshots/pharmacy_paper_photo_taken.png (the still: no live timing in it)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from tests import screenshots
from tests.ui.pharmacy.fixtures import P01_CERTNO, _data_key, _templates, centre, desk, idle, login, press, type_in  # noqa: F401,E501

pytestmark = [pytest.mark.ui]
SLIP = Path(__file__).resolve().parent / "data" / "paper_rx_slip.jpg"
SLIP_QR = "MZRX-H42070000021-20261208-0017"


def _decoded(jpeg: bytes) -> np.ndarray:
    import cv2

    picture = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert picture is not None, "not a picture"
    return picture


@pytest.mark.slow
def test_slip_photographed_with_the_desk_camera_and_kept_with_the_sale(qtbot, centre, desk):  # noqa: F811
    import cv2

    from desktop.pharmacy.window import PharmacyWindow
    from desktop.qt import Qt
    from hardware.camera.sources import ImageSource
    from hardware.camera.worker import CameraWorker

    win = PharmacyWindow(desk.desk, desk.auth, desk.shifts, desk.config, status_interval_ms=60000)
    qtbot.addWidget(win)
    desk.shifts.open(desk.auth.login("li", pin="2468"), Decimal("100"))
    win.start()
    login(qtbot, win)
    type_in(qtbot, win.identify.box, P01_CERTNO)
    idle(qtbot, win)
    press(qtbot, win, Qt.Key.Key_F6)
    assert win.page() == "paper"
    paper = win.paper
    press(qtbot, win, Qt.Key.Key_F1)
    assert "F9 拍照" in win.keys_shown and "Ctrl+O 处方图片" in win.keys_shown

    press(qtbot, win, Qt.Key.Key_F9)  # no camera on this desk
    assert win.photo_dialog is None and "没有可用的摄像头" in paper.errors["image"].text()
    assert "Ctrl+O" in paper.errors["image"].text() and paper.image == b""

    worker = CameraWorker(ImageSource([SLIP], fps=15, repeat=1, name="slip"), device="camera")
    worker.set_wanted(None)
    read_by_camera: list = []
    worker.scanned.connect(read_by_camera.append)
    win.route.connect_source(worker.scanned)  # as the shell connects its hub (onewindow.root._attach)
    to_desk: list = []
    win.route.scanned.connect(lambda text, _at: to_desk.append(text))
    win.camera_frames = lambda: worker
    worker.start()
    try:
        qtbot.waitUntil(lambda: worker.running, timeout=5000)
        press(qtbot, win, Qt.Key.Key_F9)
        dlg = win.photo_dialog
        assert dlg is not None and dlg.isVisible() and win.route.paused
        qtbot.waitUntil(lambda: dlg.latest is not None, timeout=10000)
        qtbot.waitUntil(lambda: bool(read_by_camera), timeout=10000)  # the camera read the slip's QR ...
        assert read_by_camera[0].text == SLIP_QR
        assert to_desk == [] and win.page() == "paper"  # ... and the desk took no scan from it
        dlg.setFocus()
        qtbot.keyClick(dlg, Qt.Key.Key_Space)
        assert dlg.photo is not None and dlg.stage.currentIndex() == 1
        qtbot.keyClick(dlg, Qt.Key.Key_Backspace)  # 重拍
        assert dlg.photo is None and dlg.stage.currentIndex() == 0
        qtbot.keyClick(dlg, Qt.Key.Key_Space)
        assert dlg.photo is not None
        dlg.resize(900, 620)
        screenshots.check(dlg, "pharmacy_paper_photo_taken")
        qtbot.keyClick(dlg, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: win.photo_dialog is None)
    finally:
        worker.stop()
    assert not win.route.paused and paper.errors["image"].text() == ""
    jpeg = paper.image
    assert jpeg[:3] == b"\xff\xd8\xff" and "摄像头拍照" in paper.photo.text()
    taken, slip = _decoded(jpeg), cv2.imread(str(SLIP))
    assert taken.shape == slip.shape  # the camera's whole frame, not the preview's scaled copy
    assert float(np.abs(taken.astype(np.int16) - slip.astype(np.int16)).mean()) < 6  # the slip itself

    # the rest of the entry, then F12: the sale opens with the camera's picture kept
    paper.prescriber.insert("刘医生")
    paper.institution.insert("区人民医院")
    paper.diag_code.insert("I10.x00")
    paper.diag_name.insert("高血压")
    win.lookup.load()
    drug = next(c.drug for c in win.lookup.search("bhsaldp") if c.drug.key == "D01")
    paper.add_drug(drug, 28)
    paper.table.item(0, 1).setText("5mg")
    paper.table.item(0, 2).setText("qd")
    press(qtbot, win, Qt.Key.Key_F12)
    idle(qtbot, win)
    assert win.page() == "sale", (paper.message.text(), [e.text() for e in paper.errors.values() if e.text()])
    sale = win.state.sale
    assert sale.rx_kind == "paper" and desk.desk.paper_image(sale.rx_id) == ("image/jpeg", jpeg)
    win.stop()


def test_the_pharmacy_shell_gives_the_window_its_hub_camera(qtbot, tmp_path, monkeypatch):
    from core.settings import SiteSettings
    from onewindow.root import build_pharmacy, start_process

    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    SiteSettings.load().set_many({"devices.camera.kind": "simulator", "devices.camera.source": str(SLIP),
                                  "devices.card_reader.kind": "none",
                                  "store.url": f"sqlite:///{tmp_path / 'store.db'}"}).save()
    process = start_process("pharmacy", logs=False)
    window, parts = build_pharmacy(process.desk_config(), process=process)
    qtbot.addWidget(window)
    try:
        assert parts.hub.camera is not None and window.camera_frames() is parts.hub.camera
        frames: list = []
        parts.hub.camera.frame_ready.connect(frames.append)
        qtbot.waitUntil(lambda: bool(frames), timeout=10000)  # the slip file, played as the camera's frames
        assert (frames[0].image.width(), frames[0].image.height()) == (880, 1024)
    finally:
        window.stop()
        parts.close()
