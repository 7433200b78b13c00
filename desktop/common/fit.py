"""Windows that fit the counter's screen: start maximised on a small screen (1366×768 is common at Chinese
counters), at the preferred size otherwise; `problems(window)` lists every visible widget that is off the
screen, outside its window or narrower/lower than its text needs (the tests render each shell at 1366×768 and
1920×1080 and require none); `save_screenshot` writes what is on screen (the window and any dialog over it).
"""
from __future__ import annotations

from pathlib import Path

from desktop.qt import QtCore, QtGui, QtWidgets

PREFERRED = (1366, 820)
SMALL_SCREEN = (1440, 900)  # at or below this (either side) a shell starts maximised


def show_fitted(window: QtWidgets.QWidget, preferred: tuple[int, int] = PREFERRED) -> None:
    if window.isFullScreen() or window.windowState() & QtCore.Qt.WindowState.WindowFullScreen:
        return
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    avail = screen.availableGeometry()
    if avail.width() <= SMALL_SCREEN[0] or avail.height() <= SMALL_SCREEN[1]:
        window.setGeometry(avail)  # offscreen and some window managers ignore maximise before the first show
        window.showMaximized()
    else:
        window.resize(min(preferred[0], avail.width()), min(preferred[1], avail.height()))
        window.show()
    settle()


def settle() -> None:
    app = QtWidgets.QApplication.instance()
    for _ in range(3):
        app.processEvents()


def problems(window: QtWidgets.QWidget) -> list[str]:
    """What does not fit: the window beyond the screen's available area, a visible widget outside the window,
    a label or button smaller than its text."""
    settle()
    out = []
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    avail = screen.availableGeometry()
    frame = window.geometry()
    if frame.width() > avail.width() or frame.height() > avail.height():
        out.append(f"window {frame.width()}x{frame.height()} larger than the screen {avail.width()}x{avail.height()}")
    area = window.rect()
    for w in window.findChildren(QtWidgets.QWidget):
        if not w.isVisibleTo(window) or w.isWindow() or w.width() == 0 or w.height() == 0:
            continue
        if isinstance(w.parentWidget(), (QtWidgets.QAbstractScrollArea,)) or _inside_scroll(w, window):
            continue  # scrolled content may extend beyond the window on purpose
        top_left = w.mapTo(window, QtCore.QPoint(0, 0))
        rect = QtCore.QRect(top_left, QtWidgets.QWidget.size(w))  # a screen may name a child `size` (a spin box)
        name = w.objectName() or type(w).__name__
        if not area.contains(rect):
            out.append(f"{name} at {rect.x()},{rect.y()} {rect.width()}x{rect.height()} is outside the window")
        elif isinstance(w, (QtWidgets.QLabel, QtWidgets.QAbstractButton)) and not _wraps(w):
            need = w.minimumSizeHint()
            if w.width() + 1 < need.width() or w.height() + 1 < need.height():
                out.append(f"{name} ({_text(w)!r}) is {w.width()}x{w.height()}, its text needs "
                           f"{need.width()}x{need.height()}")
    return out


def _inside_scroll(w: QtWidgets.QWidget, window: QtWidgets.QWidget) -> bool:
    parent = w.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QtWidgets.QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _wraps(w: QtWidgets.QWidget) -> bool:
    return isinstance(w, QtWidgets.QLabel) and (w.wordWrap() or not w.text() or w.pixmap() is not None and
                                                not w.pixmap().isNull())


def _text(w: QtWidgets.QWidget) -> str:
    return getattr(w, "text", lambda: "")()[:30]


def save_screenshot(window: QtWidgets.QWidget, path: Path) -> Path:
    """The window as shown, with any dialog of it painted at its place."""
    settle()
    image = window.grab().toImage()
    painter = QtGui.QPainter(image)
    for dialog in window.findChildren(QtWidgets.QDialog):
        if dialog.isVisible():
            painter.drawPixmap(dialog.mapTo(window, QtCore.QPoint(0, 0)) if not dialog.isWindow() else
                               window.mapFromGlobal(dialog.mapToGlobal(QtCore.QPoint(0, 0))), dialog.grab())
    painter.end()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"cannot write the screenshot {path}")
    return path


__all__ = ["PREFERRED", "problems", "save_screenshot", "settle", "show_fitted"]
