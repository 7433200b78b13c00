"""What every kiosk screen shares: the Page base class, the labels of schemes and insurance types, and
dropping the last camera picture."""
from __future__ import annotations

from desktop.qt import QtWidgets, Qt

SCHEME = {"LB": "两病（高血压、糖尿病）", "MT": "门诊慢特病"}
INSURANCE = {"310": "职工医保", "390": "居民医保"}
CENTER = Qt.AlignmentFlag.AlignCenter


def forget_frame(preview) -> None:
    """The last camera picture can show a person's phone or papers: drop it from the preview widget.
    (hardware.camera.preview.CameraPreview keeps it in `_frame` and has no clear() yet.)"""
    if preview is not None and hasattr(preview, "_frame"):
        preview._frame = None
        preview.update()


class Page(QtWidgets.QWidget):
    """A screen. `name` is its id in the window's stack; `personal` screens show a person's data."""

    name = ""
    personal = False
    voice_key = ""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"page_{self.name}")
        self.setProperty("kioskPage", True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.v = QtWidgets.QVBoxLayout(self)
        self.v.setContentsMargins(40, 28, 40, 28)
        self.v.setSpacing(24)

    def clear(self) -> None:
        pass

    def orient(self, portrait: bool) -> None:
        pass


__all__ = ["CENTER", "INSURANCE", "SCHEME", "Page", "forget_frame"]
