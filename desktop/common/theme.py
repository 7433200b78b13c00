"""Colours, fonts and the stylesheet of the desk: large type, clear focus, traffic-light states.

One base size (the font-size setting); widgets ask for `font(delta)` so the whole shell scales together.
Focus is always visible: a thick blue frame on the focused field, button, list or table.
"""
from __future__ import annotations

from desktop.fonts import ui_font

TONES = {"ok": "#1b7f3b", "warn": "#8a5a00", "bad": "#b3261e", "": "#444444"}
TONE_BG = {"ok": "#e3f4e8", "warn": "#fff4d6", "bad": "#fde4e1", "": "#ffffff"}
VERDICT_TONE = {"PASS": "ok", "WARN": "warn", "BLOCK": "bad", "SELF_PAY": "warn"}
FOCUS = "#1565c0"

_base = {"size": 12}


def base_size() -> int:
    return _base["size"]


def set_base_size(points: int) -> None:
    _base["size"] = max(8, min(32, int(points)))


def font(delta: int = 0, *, bold: bool = False):
    return ui_font(max(6, _base["size"] + delta), bold=bold)


MONO_FAMILIES = ("Noto Sans Mono CJK SC", "Sarasa Mono SC", "NSimSun", "DejaVu Sans Mono", "Consolas")


def mono_font(delta: int = 0):
    """A fixed-width face with Chinese glyphs when there is one (receipt previews line up like the paper)."""
    from desktop.qt import QtGui

    families = set(QtGui.QFontDatabase.families())
    family = next((f for f in MONO_FAMILIES if f in families), None)
    f = font(delta)
    if family:
        f.setFamily(family)
    f.setStyleHint(QtGui.QFont.StyleHint.TypeWriter)
    return f


def stylesheet() -> str:
    return f"""
    QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{ padding: 4px; border: 1px solid #888; border-radius: 3px; }}
    QLineEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus {{ border: 3px solid {FOCUS}; background: #f3f8ff; }}
    QPushButton {{ padding: 6px 14px; border: 1px solid #777; border-radius: 4px; background: #f4f4f4; }}
    QPushButton:focus {{ border: 3px solid {FOCUS}; background: #e3eefc; }}
    QPushButton:disabled {{ color: #999; background: #eee; }}
    QPushButton#primary {{ background: #1b7f3b; color: white; font-weight: bold; }}
    QPushButton#primary:disabled {{ background: #9bbfa6; color: #eee; }}
    QPushButton#primary:focus {{ border: 3px solid {FOCUS}; }}
    QTableWidget:focus, QListWidget:focus, QTreeWidget:focus {{ border: 3px solid {FOCUS}; }}
    QTableWidget::item:selected, QListWidget::item:selected {{ background: #cfe0fb; color: black; }}
    QCheckBox:focus {{ border: 2px solid {FOCUS}; }}
    QGroupBox {{ font-weight: bold; border: 1px solid #bbb; border-radius: 4px; margin-top: 12px; padding-top: 6px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; }}
    """


__all__ = ["FOCUS", "TONES", "TONE_BG", "VERDICT_TONE", "base_size", "font", "mono_font", "set_base_size", "stylesheet"]
