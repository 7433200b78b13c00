"""The scan screen's viewfinder corners are drawn over a camera picture only: with no camera, or before the first
frame, the message in the stage's middle stands alone (the corners used to cross it)."""
from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.ui


def _yellow_pixels(widget) -> int:
    from desktop.qt import QtWidgets

    QtWidgets.QApplication.processEvents()
    img = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())
    rgb = arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3).astype(int)
    return int(((rgb[..., 0] > 200) & (rgb[..., 1] > 180) & (rgb[..., 2] < 80)).sum())  # the guide's #ffd400


def _page(qtbot, preview):
    from desktop.kiosk.screens import ScanPage

    page = ScanPage(preview)
    qtbot.addWidget(page)
    page.resize(1080, 900)
    page.show()
    return page


def test_no_camera_the_message_alone(qtbot):
    page = _page(qtbot, None)
    assert not page.guide.live()
    assert _yellow_pixels(page.stage) == 0


def test_corners_appear_with_the_first_picture_and_go_with_the_wipe(qtbot):
    from desktop.qt import QtGui
    from hardware.camera.preview import CameraPreview
    from hardware.camera.worker import PreviewFrame

    page = _page(qtbot, CameraPreview(beep=False))
    assert not page.guide.live() and _yellow_pixels(page.stage) == 0  # "摄像头未启动" alone
    image = QtGui.QImage(640, 480, QtGui.QImage.Format.Format_RGB888)
    image.fill(QtGui.QColor("#404040"))
    page.preview.show_frame(PreviewFrame(image, (), (), 1.0))
    page.guide.update()
    assert page.guide.live() and _yellow_pixels(page.stage) > 500
    page.clear()  # the idle wipe drops the picture: the corners go with it
    assert not page.guide.live() and _yellow_pixels(page.stage) == 0
