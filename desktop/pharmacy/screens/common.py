"""Pieces the pharmacy screens share: titles, message lines with a tone, money input, the scan box."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from desktop.common import screen_log, theme
from desktop.qt import Qt, QtGui, QtWidgets, Signal


def title_label(text_: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text_)
    label.setFont(theme.font(6, bold=True))
    return label


def message_label(name: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(objectName=name)
    label.setWordWrap(True)
    label.setFont(theme.font(2, bold=True))
    return label


def set_tone(label: QtWidgets.QLabel, tone: str, text_: str) -> None:
    label.setText(text_)
    screen_log.message(label.objectName(), tone, text_)
    label.setStyleSheet(f"color: {theme.TONES.get(tone, '#333')}; background: {theme.TONE_BG.get(tone, '#fff')};"
                        " padding: 6px; border-radius: 4px;" if text_ else "")


MAX_AMOUNT = Decimal("99999.99")  # more is no amount at a desk: a code scanned into the field, or a slip


def parse_money(value: str) -> Decimal | None:
    try:
        d = Decimal(value.strip() or "0")
    except InvalidOperation:
        return None
    if not d.is_finite() or d < 0 or d > MAX_AMOUNT:
        return None
    return d.quantize(Decimal("0.01"))


def unclipped(spin: QtWidgets.QAbstractSpinBox) -> QtWidgets.QAbstractSpinBox:
    """A spin box never squeezed below what its prefix, widest value and suffix need (a layout short of room
    clipped "拆零数量 14" to "拆零数"); call after its font, range, prefix and suffix are set."""
    hint = spin.sizeHint()
    spin.setMinimumSize(hint.width(), hint.height())
    return spin


def money_edit(name: str) -> QtWidgets.QLineEdit:
    """An amount field (cash, float, blind count): exempt from the scanner's burst detector, so "236.40" typed
    fast stays typing (hardware.wedge.filter.is_numeric_field); a code scanned into it fails parse_money."""
    from hardware.wedge.filter import NUMERIC_PROPERTY

    edit = QtWidgets.QLineEdit(objectName=name)
    edit.setProperty(NUMERIC_PROPERTY, True)
    edit.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
    return edit


class ScanBox(QtWidgets.QLineEdit):
    """A box a scanner (or the keyboard) types into; Enter hands the text to the scan route."""

    submitted = Signal(str)
    delete_requested = Signal()  # Delete on an empty box: take the last code off the current line

    def __init__(self, placeholder: str, name: str) -> None:
        super().__init__(objectName=name)
        self.setPlaceholderText(placeholder)
        self.setFont(theme.font(6))
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.returnPressed.connect(self._enter)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Delete and not self.text():
            self.delete_requested.emit()
            return
        super().keyPressEvent(event)

    def _enter(self) -> None:
        value = self.text()
        self.clear()
        if value.strip():
            self.submitted.emit(value)
