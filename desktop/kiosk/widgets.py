"""Kiosk widgets: big buttons, the on-screen numeric keypad, touch-scrolled lists of row cards, the camera
guide frame, and the idle countdown overlay. Nothing here knows about insurance."""
from __future__ import annotations

from desktop.qt import QtCore, QtGui, QtWidgets, Qt, Signal


def button(text: str, name: str, role: str = "", parent: QtWidgets.QWidget | None = None) -> QtWidgets.QPushButton:
    b = QtWidgets.QPushButton(text, parent)
    b.setObjectName(name)
    if role:
        b.setProperty("role", role)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch only: no focus frames, no keyboard traversal
    b.setAutoDefault(False)
    b.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
    return b


def label(text: str = "", name: str = "", role: str = "", *, wrap: bool = True,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter) -> QtWidgets.QLabel:
    w = QtWidgets.QLabel(text)
    if name:
        w.setObjectName(name)
    if role:
        w.setProperty("role", role)
    w.setWordWrap(wrap)
    w.setAlignment(align)
    w.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return w


class Keypad(QtWidgets.QWidget):
    """0-9, 删除, 清空 and 确定, each key at least the theme's target size. No hardware keyboard is needed.

    Signals:
        changed(str)     the text so far
        submitted(str)   确定 with the text
    """

    changed = Signal(str)
    submitted = Signal(str)

    def __init__(self, *, max_length: int = 12, secret: bool = False, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        self.max_length, self.secret = max_length, secret
        self.value = ""
        grid = QtWidgets.QGridLayout(self)
        grid.setSpacing(12)
        self.keys: dict[str, QtWidgets.QPushButton] = {}
        layout = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["删除", "0", "确定"]]
        for r, row in enumerate(layout):
            for c, key in enumerate(row):
                role = "go" if key == "确定" else "key"
                b = button(key, f"key_{key}" if key.isdigit() else {"删除": "key_back", "确定": "key_ok"}[key], role)
                b.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
                b.clicked.connect(lambda _=False, k=key: self.press(k))
                grid.addWidget(b, r, c)
                self.keys[key] = b
        clear = button("清空", "key_clear", "key")
        clear.clicked.connect(self.clear)
        grid.addWidget(clear, 4, 0, 1, 3)
        self.keys["清空"] = clear

    def press(self, key: str) -> None:
        if key == "删除":
            self.value = self.value[:-1]
        elif key == "确定":
            self.submitted.emit(self.value)
            return
        elif key.isdigit() and len(self.value) < self.max_length:
            self.value += key
        self.changed.emit(self.value)

    def clear(self) -> None:
        self.value = ""
        self.changed.emit(self.value)

    def shown(self) -> str:
        return "●" * len(self.value) if self.secret else self.value


class RowList(QtWidgets.QScrollArea):
    """A vertical list of row cards, scrolled by dragging a finger (QScroller) or the wide scroll bar."""

    def __init__(self, name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.inner = QtWidgets.QWidget()
        self.inner.setObjectName(name + "Inner")
        self.inner.setProperty("kioskPage", True)  # white, as the screens (theme.py)
        self.inner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.box = QtWidgets.QVBoxLayout(self.inner)
        self.box.setSpacing(16)
        self.box.addStretch(1)
        self.setWidget(self.inner)
        QtWidgets.QScroller.grabGesture(self.viewport(), QtWidgets.QScroller.ScrollerGestureType.TouchGesture)
        QtWidgets.QScroller.grabGesture(self.viewport(), QtWidgets.QScroller.ScrollerGestureType.LeftMouseButtonGesture)

    def clear(self) -> None:
        while self.box.count() > 1:
            item = self.box.takeAt(0)
            w = item.widget()
            if w is not None:
                w.hide()
                w.setParent(None)
                w.deleteLater()

    def add_row(self, lines: list[tuple[str, str]], *, notice: bool = False, name: str = "") -> QtWidgets.QFrame:
        """A card of (text, role) lines: the first line is the row's heading."""
        frame = QtWidgets.QFrame()
        frame.setProperty("role", "notice" if notice else "row")
        if name:
            frame.setObjectName(name)
        v = QtWidgets.QVBoxLayout(frame)
        v.setContentsMargins(20, 14, 20, 14)
        v.setSpacing(6)
        for text, role in lines:
            v.addWidget(label(text, role=role))
        self.box.insertWidget(self.box.count() - 1, frame)
        return frame

    def texts(self) -> list[str]:
        return [w.text() for w in self.inner.findChildren(QtWidgets.QLabel)]


class GuideFrame(QtWidgets.QWidget):
    """Drawn over the live camera picture: a bright square where the QR should go, the rest dimmed, and the
    instruction under it. Transparent to touches.

    Only over a picture: with no camera, or before the first frame, the stage shows a message ("摄像头未连接…",
    "摄像头未启动") in its middle, where the corners would cross it — so nothing is drawn then (`live()`)."""

    def __init__(self, parent: QtWidgets.QWidget, preview: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setObjectName("guideFrame")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.hint = "请将二维码对准框内"
        self.found = False

    def guide_rect(self) -> QtCore.QRectF:
        side = min(self.width(), self.height()) * 0.62
        return QtCore.QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def live(self) -> bool:
        """A camera picture is on the stage (CameraPreview keeps the last frame in `_frame`)."""
        return self.preview is not None and getattr(self.preview, "_frame", None) is not None

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self.live():
            return
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        box = self.guide_rect()
        shade = QtGui.QPainterPath()
        shade.addRect(QtCore.QRectF(self.rect()))
        hole = QtGui.QPainterPath()
        hole.addRoundedRect(box, 18, 18)
        p.fillPath(shade.subtracted(hole), QtGui.QColor(0, 0, 0, 120))
        pen = QtGui.QPen(QtGui.QColor("#00e676" if self.found else "#ffd400"), max(6, int(box.width() / 40)))
        p.setPen(pen)
        corner = box.width() / 5
        for (x, y, dx, dy) in ((box.left(), box.top(), 1, 1), (box.right(), box.top(), -1, 1),
                               (box.left(), box.bottom(), 1, -1), (box.right(), box.bottom(), -1, -1)):
            p.drawLine(QtCore.QPointF(x, y), QtCore.QPointF(x + dx * corner, y))
            p.drawLine(QtCore.QPointF(x, y), QtCore.QPointF(x, y + dy * corner))
        p.end()


class CountdownOverlay(QtWidgets.QFrame):
    """Covers the whole window: "还在使用吗？N 秒后将自动退出并清除您的信息" with one huge "继续使用" button.

    Signals:
        keep()   the person touched 继续使用
    """

    keep = Signal()

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("countdownOverlay")
        self.setStyleSheet("QFrame#countdownOverlay { background: rgba(0, 0, 0, 200); }")
        panel = QtWidgets.QFrame()
        panel.setObjectName("countdownPanel")
        panel.setStyleSheet("QFrame#countdownPanel { background: #ffffff; border: 4px solid #000000; border-radius: 16px; }")
        v = QtWidgets.QVBoxLayout(panel)
        v.setContentsMargins(40, 40, 40, 40)
        v.setSpacing(24)
        self.title = label("您还在使用吗？", "countdownTitle", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.seconds = label("", "countdownSeconds", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.seconds.setStyleSheet("color: #9b1c1c;")
        self.text = label("为保护您的隐私，到时将自动退出并清除屏幕上的信息", "countdownText", "big",
                          align=Qt.AlignmentFlag.AlignCenter)
        self.keep_button = button("继续使用", "keepButton", "go")
        self.keep_button.clicked.connect(self.keep)
        for w in (self.title, self.seconds, self.text, self.keep_button):
            v.addWidget(w)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(48, 48, 48, 48)
        outer.addStretch(1)
        outer.addWidget(panel)
        outer.addStretch(1)
        self.hide()

    def show_seconds(self, n: int) -> None:
        self.seconds.setText(f"{n} 秒后自动退出")
        if not self.isVisible():
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
            self.show()


__all__ = ["CountdownOverlay", "GuideFrame", "Keypad", "RowList", "button", "label"]
