"""A still of a paper (a diagnosis at the kiosk, a paper prescription at the desk) as the JPEG that is kept."""
from __future__ import annotations

from desktop.qt import Qt


def jpeg_bytes(image, longest: int = 1600, quality: int = 80) -> bytes:
    """A QImage as JPEG, its longer side at most `longest` px (a photo of a paper, not a poster)."""
    from desktop.qt import QtCore

    if max(image.width(), image.height()) > longest:
        image = image.scaled(longest, longest, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    buf = QtCore.QBuffer()
    buf.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "JPG", quality)
    return bytes(buf.data())
