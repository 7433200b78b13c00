"""The kiosk's look: very large type, large touch targets, high contrast (dark text on white, white on deep
blue/green buttons), nothing thin or grey. Sizes are in pixels (a kiosk screen's size is known, its DPI
often lies) and scale together with the person's "大字" choice.

    theme = KioskTheme(text_px=30, target_px=96)
    theme.scale = 1.25                   # the A+ button
    widget.setFont(theme.font(1.6, bold=True))
    app.setStyleSheet(theme.stylesheet())
"""
from __future__ import annotations

from dataclasses import dataclass

from desktop.fonts import pick_cjk_family
from desktop.qt import QtGui

INK = "#000000"
PAPER = "#ffffff"
PRIMARY = "#0b3d91"      # deep blue: 21:1 would be black; white on this is 10.6:1
PRIMARY_DOWN = "#072a66"
GO = "#0b6623"           # deep green, white text 7.4:1
WARN_BG = "#fff3c4"
BAD = "#9b1c1c"          # deep red, white text 8.2:1
MUTED = "#1f1f1f"        # "secondary" text stays near-black: no low-contrast grey
LINE = "#000000"
SCALES = (1.0, 1.25, 1.5)


@dataclass
class KioskTheme:
    text_px: int = 30
    target_px: int = 96
    scale: float = 1.0

    def px(self, factor: float = 1.0) -> int:
        return max(12, int(round(self.text_px * factor * self.scale)))

    def target(self, factor: float = 1.0) -> int:
        return max(48, int(round(self.target_px * factor * min(self.scale, 1.25))))

    def font(self, factor: float = 1.0, *, bold: bool = False) -> QtGui.QFont:
        family = pick_cjk_family(QtGui.QFontDatabase.families())
        f = QtGui.QFont(family) if family else QtGui.QFont()
        f.setPixelSize(self.px(factor))
        f.setBold(bold)
        return f

    def next_scale(self) -> float:
        i = SCALES.index(self.scale) if self.scale in SCALES else 0
        self.scale = SCALES[(i + 1) % len(SCALES)]
        return self.scale

    def stylesheet(self) -> str:
        t = self.target()
        r = max(8, t // 8)
        family = pick_cjk_family(QtGui.QFontDatabase.families()) or "sans-serif"
        return f"""
        QWidget#kioskRoot {{ background: {PAPER}; color: {INK}; }}
        QWidget {{ font-family: "{family}"; }}
        QLabel {{ color: {INK}; font-size: {self.px(1.0)}px; }}
        QPushButton {{ min-height: {t}px; min-width: {t}px; padding: 6px 18px; border-radius: {r}px;
                       border: 3px solid {LINE}; background: {PAPER}; color: {INK}; font-size: {self.px(1.0)}px;
                       font-weight: bold; }}
        QPushButton:pressed {{ background: #d8e3f7; }}
        QPushButton:disabled {{ color: #555555; border-color: #555555; background: #eeeeee; }}
        QPushButton[role="primary"] {{ background: {PRIMARY}; color: #ffffff; border-color: {PRIMARY_DOWN}; }}
        QPushButton[role="primary"]:pressed {{ background: {PRIMARY_DOWN}; }}
        QPushButton[role="go"] {{ background: {GO}; color: #ffffff; border-color: #063d14; }}
        QPushButton[role="stop"] {{ background: {BAD}; color: #ffffff; border-color: #5c0f0f; }}
        QPushButton[role="tile"] {{ background: {PRIMARY}; color: #ffffff; border-color: {PRIMARY_DOWN};
                                    font-size: {self.px(1.15)}px; padding: 12px; text-align: center; }}
        QPushButton[role="tile"]:pressed {{ background: {PRIMARY_DOWN}; }}
        QPushButton#scanButton, QPushButton#cardButton {{ font-size: {self.px(1.6)}px; }}
        QPushButton#key_ok, QPushButton#keepButton {{ font-size: {self.px(1.5)}px; }}
        QPushButton[role="key"] {{ font-size: {self.px(1.5)}px; background: #f2f2f2; }}
        QPushButton[role="bar"] {{ background: #ffffff; color: {INK}; font-size: {self.px(1.0)}px; }}
        QFrame#header {{ background: {PRIMARY}; }}
        QFrame#header QLabel {{ color: #ffffff; font-size: {self.text_px}px; }}
        QFrame#header QPushButton {{ font-size: {max(16, int(self.text_px * 0.8))}px; min-height: {self.target_px * 3 // 4}px;
                                    min-width: {self.target_px}px; padding: 4px 12px; }}
        QFrame#footer {{ background: #f0f0f0; border-top: 3px solid {LINE}; }}
        QFrame[role="row"] {{ background: {PAPER}; border: 3px solid {LINE}; border-radius: {r}px; }}
        QFrame[role="notice"] {{ background: {WARN_BG}; border: 3px solid {LINE}; border-radius: {r}px; }}
        QLabel[role="title"] {{ font-size: {self.px(1.6)}px; font-weight: bold; }}
        QLabel[role="big"] {{ font-size: {self.px(1.3)}px; }}
        QLabel[role="value"] {{ font-size: {self.px(1.3)}px; font-weight: bold; }}
        QLabel[role="bad"] {{ color: {BAD}; font-weight: bold; font-size: {self.px(1.3)}px; }}
        QLabel[role="good"] {{ color: {GO}; font-weight: bold; font-size: {self.px(1.3)}px; }}
        QWidget#qt_scrollarea_viewport, QWidget[kioskPage="true"] {{ background: {PAPER}; }}
        QLineEdit {{ font-size: {self.px(1.5)}px; min-height: {t}px; border: 3px solid {LINE}; border-radius: {r}px;
                     padding: 0 12px; background: #ffffff; color: {INK}; }}
        QScrollArea {{ border: none; background: {PAPER}; }}
        QScrollBar:vertical {{ width: {max(24, t // 3)}px; background: #dddddd; }}
        QScrollBar::handle:vertical {{ background: #333333; min-height: {t}px; border-radius: 6px; }}
        """


__all__ = ["KioskTheme", "SCALES"]
