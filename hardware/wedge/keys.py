"""What a key event means to the scanner route: text (and which), a terminator, a bare modifier, or other.

Traps handled here (../shared/domain/barcode.md, Pitfalls):
- CAPS LOCK: a scanner emulating a US keyboard presses Shift for capitals; with Caps Lock on the OS turns
  Shift+A into "a". With letter_case "shift" a letter's case is taken from the Shift modifier, so the text
  comes out as the scanner meant it whatever the lock state.
- GS1 separator: sent as Ctrl+] (text "\\x1d", or no text on some platforms) — kept as GS.
- Scanners programmed with an STX/ETX prefix/suffix type Ctrl+B / Ctrl+C: control characters named in the
  prefix or suffix setting count as text; other Ctrl/Alt combinations are shortcuts ("other").
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from hardware.settings import WedgeSettings

GS = "\x1d"
_KEY = Qt.Key
_MOD = Qt.KeyboardModifier
_MODIFIER_KEYS = frozenset({
    _KEY.Key_Shift, _KEY.Key_Control, _KEY.Key_Alt, _KEY.Key_Meta, _KEY.Key_AltGr, _KEY.Key_CapsLock,
    _KEY.Key_NumLock, _KEY.Key_ScrollLock, _KEY.Key_Super_L, _KEY.Key_Super_R, _KEY.Key_Hyper_L, _KEY.Key_Hyper_R,
})
_TERMINATOR_KEYS = {_KEY.Key_Return: "\r", _KEY.Key_Enter: "\r", _KEY.Key_Tab: "\t"}
_CTRL = _MOD.ControlModifier | _MOD.MetaModifier  # macOS swaps the two; scanners mean the physical Ctrl


@dataclass(frozen=True)
class KeyInput:
    kind: str          # "text" | "terminator" | "modifier" | "other"
    text: str = ""


MODIFIER = KeyInput("modifier")
OTHER = KeyInput("other")


def key_input(event: QKeyEvent, settings: WedgeSettings) -> KeyInput:
    key = event.key()
    if key in _MODIFIER_KEYS or key == 0 and not event.text():
        return MODIFIER
    if event.isAutoRepeat():
        return OTHER  # a held-down key is a person
    mods = event.modifiers()
    text = event.text()
    if key in _TERMINATOR_KEYS and not mods & (_CTRL | _MOD.AltModifier):
        return KeyInput("terminator", _TERMINATOR_KEYS[key])
    if text == GS or (key == _KEY.Key_BracketRight and mods & _CTRL):
        return KeyInput("text", GS)
    framing = settings.prefix + settings.suffix
    control = _control_char(key, mods, text)
    if control is not None:
        return KeyInput("text", control) if control in framing else OTHER
    if mods & (_CTRL | _MOD.AltModifier) and not (mods & _MOD.AltModifier and mods & _MOD.ControlModifier):
        return OTHER  # a shortcut (AltGr = Ctrl+Alt on Windows still types text, handled below)
    if not text or not text.isprintable():
        return OTHER
    is_letter = len(text) == 1 and text.isascii() and text.isalpha() and _KEY.Key_A <= key <= _KEY.Key_Z
    if settings.letter_case == "shift" and is_letter:
        text = text.upper() if mods & _MOD.ShiftModifier else text.lower()
    return KeyInput("text", text)


def _control_char(key: int, mods, text: str) -> str | None:
    """The C0 control character a key event stands for (Ctrl+B -> STX), or None."""
    if len(text) == 1 and (ord(text) < 0x20 or ord(text) == 0x7F):
        return text
    if mods & _CTRL and _KEY.Key_A <= key <= _KEY.Key_Z:
        return chr(key - _KEY.Key_A + 1)
    return None
