"""CameraPreview: the live camera picture with every code found outlined, and a flash and a beep when a code
is accepted (QtMultimedia is not in PySide6-Essentials: QApplication.beep plus a short white flash). A status
band at the bottom says what the worker sees: "已识别，请保持" while a code confirms, the refusal (red) when a
confirmed code is of a kind this screen does not take (CameraWorker.set_wanted).

    preview = CameraPreview()
    worker.frame_ready.connect(preview.show_frame)
"""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QPointF, QRectF, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from hardware.camera.worker import PreviewFrame

FLASH_MS = 250
_FOUND = QColor("#1b7f3b")
_ACCEPTED = QColor("#ffd400")
_REFUSED = QColor("#b3261e")


class CameraPreview(QWidget):
    def __init__(self, parent: QWidget | None = None, *, beep: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.setMinimumSize(240, 135)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._frame: PreviewFrame | None = None
        self._beep = beep
        self._flash = QElapsedTimer()
        self._flash_timer = QTimer(self)
        self._flash_timer.setObjectName("camera-flash")
        self._flash_timer.setInterval(30)
        self._flash_timer.timeout.connect(self._flash_tick)
        self.flashes = 0

    @Slot(object)
    def show_frame(self, frame: PreviewFrame) -> None:
        self._frame = frame
        if frame.accepted:
            self.flashes += 1
            self._flash.start()
            self._flash_timer.start()
            if self._beep:
                QApplication.beep()
        self.update()

    def status_text(self) -> str:
        """The status line as shown ("" when none): 已识别，请保持, or why a code was not taken."""
        status = self._frame.status if self._frame is not None else None
        return f"{status.zh} · {status.en}" if status is not None else ""

    def flashing(self) -> bool:
        return self._flash.isValid() and self._flash.elapsed() < FLASH_MS

    def _flash_tick(self) -> None:
        if not self.flashing():
            self._flash_timer.stop()
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202020"))
        frame = self._frame
        if frame is None or frame.image.isNull():
            painter.setPen(QColor("#cccccc"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "摄像头未启动 · camera off")
            return
        img = frame.image
        scale = min(self.width() / img.width(), self.height() / img.height())
        w, h = img.width() * scale, img.height() * scale
        x0, y0 = (self.width() - w) / 2, (self.height() - h) / 2
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(x0, y0, w, h), img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        accepted = {c.text for c in frame.accepted}
        for code in frame.codes:
            pen = QPen(_ACCEPTED if code.text in accepted else _FOUND, 3)
            painter.setPen(pen)
            painter.drawPolygon(QPolygonF([QPointF(x0 + x * scale, y0 + y * scale) for x, y in code.corners]))
        text = self.status_text()
        if text:
            band = QRectF(0, self.height() - 34, self.width(), 34)
            painter.fillRect(band, _REFUSED if frame.refused else QColor(0, 0, 0, 170))
            painter.setPen(QColor("#ffffff"))
            painter.drawText(band, Qt.AlignmentFlag.AlignCenter, text)
        if self.flashing():
            alpha = int(160 * (1 - self._flash.elapsed() / FLASH_MS))
            painter.fillRect(self.rect(), QColor(255, 255, 255, max(0, alpha)))
        painter.end()
