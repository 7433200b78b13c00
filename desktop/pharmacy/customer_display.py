"""The customer-facing display (issue 17, item 5): a second window, meant for a second screen turned towards the
customer, with the amount due, paid and change in large type and the prompt of the moment ("请出示医保码 / Please
show your medical-insurance code").

    display = CustomerDisplay(bus, shop="康济大药房")      # listens to core.events.DISPLAY_CHANGED on `bus`
    place(display, screen=1)                                # full screen on the second screen (or a window)

It draws what core.services.desk.display decided (the desk publishes a view on each change of the sale: no
polling, no business rule here); the event bus calls it on the GUI thread through desktop.common.events.QtEvents.
Which screen, if any, is the site's setting display.customer ("off" | "screen" | "window") and
display.customer_screen (the screen's number, 1 = the second).
"""
from __future__ import annotations

import logging

from core.events import DISPLAY_CHANGED, EventBus
from desktop.common.events import QtEvents
from desktop.fonts import ui_font
from desktop.qt import Qt, QtGui, QtWidgets

log = logging.getLogger("onewindow.gui.display")

ROWS = (("due", "应付金额", "Amount due"), ("paid", "已付", "Paid"), ("change", "找零", "Change"))


def _label(points: int, bold: bool = False, colour: str = "#ffffff") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setFont(ui_font(points, bold=bold))
    label.setStyleSheet(f"color: {colour};")
    return label


class CustomerDisplay(QtWidgets.QWidget):
    def __init__(self, bus: EventBus | None, shop: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("customerDisplay")
        self.setWindowTitle("顾客显示屏 · Customer display")
        self.setStyleSheet("#customerDisplay { background: #0d3b66; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the customer's screen never takes the cashier's keys
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.shop = _label(26, bold=True, colour="#cfe3ff")
        self.shop.setText(shop)
        self.prompt = _label(44, bold=True, colour="#ffd166")
        self.prompt.setObjectName("displayPrompt")
        self.prompt_en = _label(24, colour="#ffe8a8")
        for w in (self.prompt, self.prompt_en):
            w.setWordWrap(True)
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid = QtWidgets.QGridLayout()
        grid.setHorizontalSpacing(40)
        self.amounts: dict[str, QtWidgets.QLabel] = {}
        self.captions: dict[str, QtWidgets.QWidget] = {}
        for r, (key, zh, en) in enumerate(ROWS):
            caption = _label(30, bold=True)
            caption.setText(f"{zh}<br><span style='font-size: 18pt; font-weight: normal'>{en}</span>")
            caption.setTextFormat(Qt.TextFormat.RichText)
            amount = _label(60 if key == "due" else 44, bold=True, colour="#7CFC98" if key == "change" else "#ffffff")
            amount.setObjectName(f"display_{key}")
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(caption, r, 0)
            grid.addWidget(amount, r, 1)
            self.amounts[key], self.captions[key] = amount, caption
        grid.setColumnStretch(1, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.addWidget(self.shop, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        layout.addWidget(self.prompt)
        layout.addWidget(self.prompt_en)
        layout.addStretch(1)
        layout.addLayout(grid)
        self.view: dict = {}
        self.show_view({"prompt_zh": "欢迎光临", "prompt_en": "Welcome"})
        self._events = QtEvents(bus, (DISPLAY_CHANGED,), parent=self)
        self._events.changed.connect(lambda _topic, data: self.show_view(data.get("view") or {}))

    def show_view(self, view: dict) -> None:
        """Draw a view (core.services.desk.display.CustomerView.to_data()): a row with no amount is not shown."""
        self.view = dict(view)
        self.prompt.setText(view.get("prompt_zh", ""))
        self.prompt_en.setText(view.get("prompt_en", ""))
        for key, _zh, _en in ROWS:
            value = view.get(key, "")
            self.amounts[key].setText(f"¥ {value}" if value else "")
            self.amounts[key].setVisible(bool(value))
            self.captions[key].setVisible(bool(value))


def place(display: CustomerDisplay, mode: str, screen: int = 1) -> bool:
    """Show the display: "screen" full screen on screen number `screen` (0 = the first), "window" as an ordinary
    window (a demo, a test). Without that screen it stays hidden and says so in the log (the desk works on)."""
    if mode == "window":
        display.resize(1024, 600)
        display.show()
        return True
    screens = QtGui.QGuiApplication.screens()
    if mode != "screen" or not 0 <= screen < len(screens):
        log.warning("customer display: screen %s not found (%d screens); not shown", screen, len(screens))
        return False
    display.setGeometry(screens[screen].geometry())
    display.showFullScreen()
    return True


__all__ = ["CustomerDisplay", "place"]
