"""ScannerSimulator: a keyboard-wedge scanner made of QKeyEvents.

Every character becomes the events a USB scanner emulating a US keyboard produces — Shift press/release
around capitals and shifted symbols, Ctrl+] for the GS1 separator, Enter or Tab as suffix — sent with
QApplication.sendEvent to the focused widget, so they pass through the application's event filter exactly
like real keys. Options reproduce the field's traps: `caps_lock` (letters arrive case-inverted while Shift is
still reported), `fullwidth` (a Chinese IME in full-width mode: ０-９ instead of 0-9), `via_input_method`
(the text arrives as QInputMethodEvent commits, as with an IME on).

Timing: `type_now(text, clock=ManualClock)` is synchronous and moves the manual clock by `gap_ms` between keys
(tests); `play(steps)` runs on QTimers with the real clock (the demo and the settings screen), one key every
gap, and emits `finished`.

Script files (`parse_script`, `load_script`): one scan per line; `#` starts a comment line; a line may start
with `@<ms>` (pause before the scan) and `gap=<ms>` (the key gap, e.g. 120 for a Bluetooth scanner);
`<GS>` in a line is the GS1 separator (typed as Ctrl+]).

    @300 81000110000000000001
    @800 gap=120 ]d2010690123456789217261200<GS>10A1<GS>21S9
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from hardware.wedge.clock import ManualClock

GS = "\x1d"
_K = Qt.Key
_M = Qt.KeyboardModifier
_SHIFTED = set('~!@#$%^&*()_+{}|:"<>?')
_SPECIAL = {"\r": (_K.Key_Return, "\r"), "\n": (_K.Key_Return, "\r"), "\t": (_K.Key_Tab, "\t")}
_LINE = re.compile(r"^(?:@(?P<pause>\d+)\s+)?(?:gap=(?P<gap>\d+)\s+)?(?P<text>.*)$")


@dataclass(frozen=True)
class ScriptStep:
    text: str
    pause_ms: int = 0
    gap_ms: int | None = None


def parse_script(source: str) -> list[ScriptStep]:
    steps = []
    for raw in source.splitlines():
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line.strip())
        text = m.group("text").replace("<GS>", GS)
        steps.append(ScriptStep(text, int(m.group("pause") or 0), int(m.group("gap")) if m.group("gap") else None))
    return steps


def load_script(path: Path | str) -> list[ScriptStep]:
    return parse_script(Path(path).read_text(encoding="utf-8"))


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


class ScannerSimulator(QObject):
    """Signals: finished() when play() has typed its last step."""

    finished = Signal()

    def __init__(
        self,
        *,
        target: Callable[[], QWidget | None] | None = None,
        suffix: str = "\r",
        prefix: str = "",
        gap_ms: int = 8,
        caps_lock: bool = False,
        fullwidth: bool = False,
        via_input_method: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._target = target or QApplication.focusWidget
        self.suffix = suffix
        self.prefix = prefix
        self.gap_ms = gap_ms
        self.caps_lock = caps_lock
        self.fullwidth = fullwidth
        self.via_input_method = via_input_method
        self._queue: list[tuple[int, Callable[[], None]]] = []
        self._play_clock: ManualClock | None = None
        self._timer = QTimer(self)
        self._timer.setObjectName("scanner-simulator")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._next)

    # --- what is sent ---

    def strokes(self, text: str) -> list[list[QEvent]]:
        """One list of events per character of prefix + text + suffix (a 'stroke' is one timed key)."""
        out = []
        for ch in self.prefix + text:
            out.append(self._stroke(ch, framing=False))
        for ch in self.suffix:
            out.append(self._stroke(ch, framing=True))
        return out

    def _stroke(self, ch: str, *, framing: bool) -> list[QEvent]:
        if ch in _SPECIAL:
            key, text = _SPECIAL[ch]
            return _click(key, _M.NoModifier, text)
        if ch == GS:
            return _click(_K.Key_BracketRight, _M.ControlModifier, GS)
        if ord(ch) < 0x20:  # STX/ETX framing: Ctrl+letter
            return _click(_K.Key_A + ord(ch) - 1, _M.ControlModifier, ch)
        if self.via_input_method and not framing:
            ime = QInputMethodEvent("", [])
            ime.setCommitString(to_fullwidth(ch) if self.fullwidth else ch)
            return [ime]
        shift = ch.isascii() and (ch.isupper() or ch in _SHIFTED)
        if ch.isascii() and ch.isalpha():
            key = _K.Key_A + ord(ch.upper()) - ord("A")
        elif ch.isascii():
            key = ord(ch)
        else:
            key = 0
        text = ch
        if self.caps_lock and ch.isascii() and ch.isalpha():
            text = ch.swapcase()
        if self.fullwidth:
            text = to_fullwidth(text)
        mods = _M.ShiftModifier if shift else _M.NoModifier
        events = _click(key, mods, text)
        if shift:
            events = ([QKeyEvent(QEvent.Type.KeyPress, _K.Key_Shift, _M.ShiftModifier)] + events
                      + [QKeyEvent(QEvent.Type.KeyRelease, _K.Key_Shift, _M.NoModifier)])
        return events

    # --- synchronous (tests) ---

    def type_now(self, text: str, *, clock: ManualClock | None = None, gap_ms: float | None = None,
                 target: QWidget | None = None) -> None:
        """Type at once; a manual clock is moved by the gap before every key after the first."""
        gap = self.gap_ms if gap_ms is None else gap_ms
        for i, stroke in enumerate(self.strokes(text)):
            if clock is not None and i:
                clock.advance(gap)
            self._send(stroke, target)

    def _send(self, events: Iterable[QEvent], target: QWidget | None = None) -> None:
        widget = target or self._target()
        if widget is None:
            return
        for event in events:
            QApplication.sendEvent(widget, event)

    # --- asynchronous (demo) ---

    def play(self, steps: Iterable[ScriptStep | str], *, clock: ManualClock | None = None) -> None:
        """Type the steps with real timing on the event loop; `finished` when done. With `clock`, the manual
        clock is moved by each key's scheduled delay as the key is sent: the keys travel through the real event
        loop, while the filter reading that clock sees the script's timing, however late a loaded machine runs
        the timers."""
        self._play_clock = clock
        for step in steps:
            step = step if isinstance(step, ScriptStep) else ScriptStep(step)
            gap = self.gap_ms if step.gap_ms is None else step.gap_ms
            for i, stroke in enumerate(self.strokes(step.text)):
                delay = step.pause_ms if i == 0 else gap
                self._queue.append((delay, lambda s=stroke: self._send(s)))
        if not self._timer.isActive() and self._queue:
            self._timer.start(self._queue[0][0])

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    def stop(self) -> None:
        self._queue.clear()
        self._timer.stop()

    def _next(self) -> None:
        if not self._queue:
            return
        delay, action = self._queue.pop(0)
        if self._play_clock is not None:
            self._play_clock.advance(delay)
        action()
        if self._queue:
            self._timer.start(self._queue[0][0])
        else:
            self.finished.emit()


def _click(key: int, mods: Qt.KeyboardModifier, text: str) -> list[QEvent]:
    return [QKeyEvent(QEvent.Type.KeyPress, key, mods, text), QKeyEvent(QEvent.Type.KeyRelease, key, mods, text)]
