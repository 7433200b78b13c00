"""The status line of every shell: online/offline, items waiting for the centre, who is logged in, the shift."""
from __future__ import annotations

from core.i18n import message
from core.services.ports import LinkStatus
from desktop.common import theme
from desktop.common.i18n import text
from desktop.qt import Qt, QtGui, QtWidgets


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{int(seconds)}s"
    if seconds < 5400:
        return f"{int(seconds // 60)}min"
    return f"{seconds / 3600:.1f}h"


class ElidedLabel(QtWidgets.QLabel):
    """A one-line label that ends with "…" when it has less room than its text (the keys' hint on the status line
    gives way to the link state and the user, and F1 lists every key): cut short visibly, never mid-letter."""

    def paintEvent(self, event) -> None:  # noqa: ANN001, N802
        fm = self.fontMetrics()
        if fm.horizontalAdvance(self.text()) <= self.contentsRect().width():
            super().paintEvent(event)
            return
        painter = QtGui.QPainter(self)
        painter.setPen(self.palette().color(QtGui.QPalette.ColorRole.WindowText))
        shown = fm.elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())
        painter.drawText(self.contentsRect(), int(self.alignment()), shown)


class StatusLine(QtWidgets.QWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.link_label = QtWidgets.QLabel(objectName="linkLabel")
        self.waiting_label = QtWidgets.QLabel(objectName="waitingLabel")
        self.user_label = QtWidgets.QLabel(objectName="userLabel")
        self.shift_label = QtWidgets.QLabel(objectName="shiftLabel")
        self.keys_label = ElidedLabel(objectName="keysLabel")
        self.notice_label = QtWidgets.QLabel(objectName="noticeLabel")  # a device's word (the cash drawer failed)
        self.notice_label.hide()  # shown only while it has something to say: the line looks as before otherwise
        self.keys_label.setStyleSheet("color: #555;")
        for w in (self.link_label, self.waiting_label, self.user_label, self.shift_label, self.keys_label,
                  self.notice_label):
            w.setFont(theme.font(-1))
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.link_label)
        row.addWidget(self.waiting_label)
        row.addWidget(self.notice_label)
        row.addStretch(1)
        row.addWidget(self.keys_label)
        row.addStretch(1)
        row.addWidget(self.user_label)
        row.addWidget(self.shift_label)
        self.status: LinkStatus | None = None
        self.show_status(LinkStatus(False, None, 0, None))

    def show_status(self, status: LinkStatus) -> None:
        self.status = status
        if not status.configured:
            key, tone = "desk.link.standalone", "warn"
        elif status.online is None:
            key, tone = "desk.link.unknown", "warn"
        else:
            key, tone = ("desk.link.online", "ok") if status.online else ("desk.link.offline", "bad")
        self.link_label.setText(f"● {text(message(key))}")
        self.link_label.setStyleSheet(f"color: {theme.TONES[tone]}; font-weight: bold;")
        if status.waiting:
            self.waiting_label.setText(text(message("desk.link.waiting", n=status.waiting, age=_age(status.oldest_waiting_s))))
            self.waiting_label.setStyleSheet(f"color: {theme.TONES['warn']};")
        else:
            self.waiting_label.setText(text(message("desk.link.none_waiting")))
            self.waiting_label.setStyleSheet("color: #555;")

    def show_user(self, label: str) -> None:
        self.user_label.setText(label)

    def show_shift(self, label: str) -> None:
        self.shift_label.setText(label)

    def show_notice(self, tone: str, label: str) -> None:
        """A short word from a device that must not interrupt the sale ("" clears it)."""
        self.notice_label.setText(label)
        self.notice_label.setVisible(bool(label))
        self.notice_label.setStyleSheet(f"color: {theme.TONES.get(tone, '#333')}; font-weight: bold;" if label else "")

    def show_keys(self, label: str) -> None:
        self.keys_label.setText(label)


__all__ = ["StatusLine"]
