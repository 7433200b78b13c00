"""拍照: the paper prescription photographed with the desk's camera (issue 19, 纸质处方 "拍照或扫描").

The camera is the one the desk already runs for scanning boxes (hardware's DeviceHub.camera, a CameraWorker on
any FrameSource: a USB camera, or the simulator's image files and videos); the dialog shows its live picture
(hardware.camera.preview.CameraPreview) and keeps the latest frame. Space or Enter takes the picture (the frame as
the camera saw it, without the preview's outlines), then Enter uses it, Backspace takes another and Esc gives up.
The used picture is a JPEG (desktop.common.photo.jpeg_bytes, longer side at most 1600 px) for the paper entry,
which checks and keeps it like a chosen file (core.rx.paper, stored encrypted with the sale).

    dlg = PhotoCaptureDialog(hub.camera, parent=window)
    dlg.finished.connect(...)        # dlg.jpeg: the picture taken, b"" when none was used
    dlg.open()
"""
from __future__ import annotations

import contextlib

from desktop.common.photo import jpeg_bytes
from desktop.pharmacy.screens.common import message_label, set_tone
from desktop.qt import Qt, QtWidgets


class PhotoCaptureDialog(QtWidgets.QDialog):
    def __init__(self, frames, parent=None) -> None:
        from hardware.camera.preview import CameraPreview

        super().__init__(parent, objectName="photoCaptureDialog")
        self.setWindowTitle(self.tr("拍摄纸质处方"))
        self.frames = frames
        self.latest = None  # the newest hardware.camera.worker.PreviewFrame
        self.photo = None   # the QImage taken
        self.jpeg = b""
        self.preview = CameraPreview(beep=False)
        self.preview.setObjectName("paperPhotoPreview")
        self.still = QtWidgets.QLabel(objectName="paperPhotoStill")
        self.still.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.still.setStyleSheet("background: #202020;")
        self.still.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored)
        self.stage = QtWidgets.QStackedWidget(objectName="paperPhotoStage")
        self.stage.addWidget(self.preview)
        self.stage.addWidget(self.still)
        self.hint = message_label("paperPhotoHint")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.stage, 1)
        layout.addWidget(self.hint)
        frames.frame_ready.connect(self._frame)
        self.resize(900, 620)
        self.live()

    def _frame(self, frame) -> None:
        if self.photo is None:
            self.latest = frame
            self.preview.show_frame(frame)

    def live(self) -> None:
        self.photo = None
        self.stage.setCurrentIndex(0)
        set_tone(self.hint, "", self.tr("把处方平放在摄像头下，空格或回车拍照，Esc 取消"))

    def take(self) -> bool:
        frame = self.latest
        if frame is None or frame.image.isNull():
            set_tone(self.hint, "warn", self.tr("摄像头还没有画面，请稍候再拍"))
            return False
        self.photo = frame.image.copy()
        pix = self.still.size()
        from desktop.qt import QtGui

        self.still.setPixmap(QtGui.QPixmap.fromImage(self.photo).scaled(
            max(200, pix.width()), max(200, pix.height()), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
        self.stage.setCurrentIndex(1)
        set_tone(self.hint, "ok", self.tr("回车使用这张照片，Backspace 重拍，Esc 取消"))
        return True

    def use(self) -> None:
        if self.photo is None:
            return
        self.jpeg = jpeg_bytes(self.photo)
        self.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.photo is None:
                self.take()
            elif key != Qt.Key.Key_Space:
                self.use()
            return
        if key == Qt.Key.Key_Backspace and self.photo is not None:
            self.live()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        """Closed either way: stop listening to the camera and drop its last picture from the screen (a
        patient's papers)."""
        # done() runs once per close, but a second close or a camera already gone must not raise
        with contextlib.suppress(RuntimeError, TypeError):
            self.frames.frame_ready.disconnect(self._frame)
        self.latest = None
        self.preview._frame = None
        self.still.clear()
        super().done(result)
