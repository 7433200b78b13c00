"""ScannerEventFilter: the one application-wide route for keyboard-wedge scanner input.

Installed on the QApplication (qutebrowser's keyinput/eventfilter.py is the model), it sees every key event
before the focused widget does, and:

- holds each text key (swallowing it) until the BurstDetector knows whether it belongs to a scanner burst;
  typing is replayed, in order, to the widget it was aimed at — the search box or quantity field never sees
  a scan's characters, and a person's keys arrive one gap (50 ms by default) late, in order;
- emits `scanned(ScanEvent)` for each burst that is a scan (after core.codes normalisation: full-width
  digits from a Chinese IME in full-width mode become ASCII), and swallows its Enter/Tab suffix; while a
  burst is open it also accepts ShortcutOverride, so the suffix or Ctrl+] cannot fire a shortcut;
- treats committed input-method text (QInputMethodEvent) like key text, so a burst typed through an IME is
  still one scan; `mark_scan_route(widget)` switches the IME off on the boxes scans usually land in;
- never touches a password field (QLineEdit in Password/PasswordEchoOnEdit mode, or any widget whose input
  method hints say hidden/sensitive text): its keys go straight to it, nothing is held, no ScanEvent is made,
  and keys held for another widget are settled first and replayed to *that* widget, never into the password;
- leaves numeric entry fields alone too (`mark_numeric(widget)`: a cash count or an amount typed fast, "236.40",
  is not a scan — a scan's code is refused there by the field's own amount check instead);
- turns itself off (and logs an error) if its own code raises, so a bug cannot eat the keyboard.

Printable keys are replayed with QApplication.sendEvent, which runs no shortcut matching: a shortcut bound to a
bare printable key (no modifier) will not fire while the filter is installed. Bind shortcuts to function keys
or modifier combinations (the counter convention); those pass straight through, after any held keys.

Timing uses an injectable clock (milliseconds; default time.perf_counter): tests pass a ManualClock and call
`flush_due()` after advancing it; in the application a named single-shot QTimer does the same.

Signals:
    scanned(ScanEvent)   one per scan, on the GUI thread, emitted synchronously from the key event
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from hardware.events import ScanSource, make_scan_event
from hardware.settings import WedgeSettings
from hardware.wedge.burst import BurstDetector, Disposition, Emit, Outcome, Replay
from hardware.wedge.clock import monotonic_ms
from hardware.wedge.keys import key_input

log = logging.getLogger("onewindow.devices.scan")

_T = QEvent.Type
_HIDDEN = Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
_PASSWORD_MODES = (QLineEdit.EchoMode.Password, QLineEdit.EchoMode.PasswordEchoOnEdit, QLineEdit.EchoMode.NoEcho)


@dataclass
class _Held:
    """A swallowed input, kept to be replayed to its widget if it turns out to be typing."""

    target: QWidget
    key_event: QKeyEvent | None = None
    commit: str = ""


NUMERIC_PROPERTY = "onewindowNumericEntry"  # set by ScannerEventFilter.mark_numeric


def is_numeric_field(widget: QObject) -> bool:
    """A field for amounts and counts (marked with mark_numeric): fast typing there is typing, never a scan."""
    return isinstance(widget, QWidget) and bool(widget.property(NUMERIC_PROPERTY))


def is_password_field(widget: QObject) -> bool:
    if isinstance(widget, QLineEdit) and widget.echoMode() in _PASSWORD_MODES:
        return True
    return isinstance(widget, QWidget) and bool(widget.inputMethodHints() & _HIDDEN)


class ScannerEventFilter(QObject):
    scanned = Signal(object)  # ScanEvent

    def __init__(
        self,
        settings: WedgeSettings | None = None,
        *,
        clock: Callable[[], float] = monotonic_ms,
        device: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scannerEventFilter")
        self._settings = settings or WedgeSettings()
        self._detector = BurstDetector(self._settings)
        self._clock = clock
        self._device = device
        self._enabled = True
        self._replaying = False
        self._installed_on: QApplication | None = None
        self._eat_release: Counter[int] = Counter()
        self._passed: tuple[tuple, QWidget] | None = None
        self._timer = QTimer(self)
        self._timer.setObjectName("scanner-burst-timer")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)

    # --- public API ---

    def install(self, app: QApplication | None = None) -> ScannerEventFilter:
        app = app or QApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before installing the scanner filter")
        if self._installed_on is not app:
            app.installEventFilter(self)
            self._installed_on = app
        self._enabled = True
        return self

    def uninstall(self) -> None:
        """Settle any held keys, then stop filtering."""
        self._apply(self._detector.finish(self._clock()))
        if self._installed_on is not None and shiboken6.isValid(self._installed_on):
            self._installed_on.removeEventFilter(self)
        self._installed_on = None
        self._timer.stop()

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def settings(self) -> WedgeSettings:
        return self._settings

    def set_settings(self, settings: WedgeSettings) -> None:
        settings.check()
        self._apply(self._detector.finish(self._clock()))
        self._settings = settings
        self._detector = BurstDetector(settings)

    @staticmethod
    def mark_scan_route(widget: QWidget) -> None:
        """Switch the input method off on a widget scans land in (a Chinese IME would turn a token's letters
        into candidates; Qt's Windows backend then detaches the IME while that widget has focus)."""
        widget.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)

    @staticmethod
    def mark_numeric(widget: QWidget) -> None:
        """A numeric entry field (cash, float, blind count): its keys go straight to it, however fast."""
        widget.setProperty(NUMERIC_PROPERTY, True)

    def flush_due(self) -> None:
        """Settle a burst whose gap has elapsed by the clock (what the timer does; tests call it)."""
        self._apply(self._detector.expire(self._clock()))
        self._arm_timer()

    def flush(self) -> None:
        """Settle the open burst now, whatever the clock says."""
        self._apply(self._detector.finish(self._clock()))
        self._timer.stop()

    @property
    def holding(self) -> bool:
        return self._detector.holding

    # --- the filter ---

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if not self._enabled or self._replaying:
            return False
        etype = event.type()
        if etype not in (_T.KeyPress, _T.KeyRelease, _T.ShortcutOverride, _T.InputMethod):
            return False
        if not isinstance(watched, QWidget):
            return False  # the QWindow sees key events first; the focused widget's delivery follows
        try:
            if etype == _T.KeyPress:
                return self._key_press(watched, event)
            if etype == _T.KeyRelease:
                return self._key_release(event)
            if etype == _T.ShortcutOverride:
                return self._shortcut_override(watched, event)
            return self._input_method(watched, event)
        except Exception:
            self._enabled = False
            log.exception("scanner filter failed and switched itself off; keys now go straight to the widgets")
            self._replay_safely(self._detector.reset())
            return False

    def _key_press(self, widget: QWidget, event: QKeyEvent) -> bool:
        signature = (event.key(), event.modifiers().value, event.text(), event.timestamp(), event.isAutoRepeat())
        if self._passed is not None:
            (prev_sig, prev_widget), self._passed = self._passed, None
            if (prev_sig == signature and shiboken6.isValid(prev_widget) and widget is not prev_widget
                    and widget.isAncestorOf(prev_widget)):
                self._passed = (prev_sig, prev_widget)
                return False  # the same key propagating to a parent after the child ignored it
        now = self._clock()
        if is_password_field(widget) or is_numeric_field(widget):
            return self._finish(self._detector.other(now), event, widget, signature)
        meaning = key_input(event, self._settings)
        if meaning.kind == "modifier":
            return False
        if meaning.kind == "other":
            return self._finish(self._detector.other(now), event, widget, signature)
        if meaning.kind == "terminator":
            return self._finish(self._detector.terminator(meaning.text, now), event, widget, signature)
        held = _Held(widget, key_event=QKeyEvent(event))
        return self._finish(self._detector.text(meaning.text, now, held), event, widget, signature)

    def _key_release(self, event: QKeyEvent) -> bool:
        key = event.key()
        if self._eat_release[key] > 0:
            self._eat_release[key] -= 1
            return True
        return False

    def _shortcut_override(self, widget: QWidget, event: QKeyEvent) -> bool:
        if is_password_field(widget) or is_numeric_field(widget):
            return False
        now = self._clock()
        open_burst = self._detector.holding and now < (self._detector.deadline() or now)
        meaning = key_input(event, self._settings)
        if meaning.kind in ("text", "terminator") and (open_burst or (
                meaning.kind == "terminator" and self._detector.in_blanking(now))):
            event.accept()  # a key of the burst: deliver it as a KeyPress (to us), not as a shortcut
            return True
        return False

    def _input_method(self, widget: QWidget, event: QInputMethodEvent) -> bool:
        now = self._clock()
        if is_password_field(widget) or is_numeric_field(widget):
            self._apply(self._detector.other(now).effects)
            return False
        commit = event.commitString()
        if event.preeditString() or not commit or event.replacementLength():
            # composition in progress (a person using the IME): settle held keys, then let it through
            self._apply(self._detector.other(now).effects)
            return False
        outcome = self._detector.text(commit, now, _Held(widget, commit=commit))
        self._apply(outcome.effects)
        self._arm_timer()
        return True

    # --- effects ---

    def _finish(self, outcome: Outcome, event: QKeyEvent, widget: QWidget, signature: tuple) -> bool:
        self._apply(outcome.effects)
        self._arm_timer()
        if outcome.disposition is Disposition.PASS:
            self._passed = (signature, widget)
            return False
        self._eat_release[event.key()] += 1
        return True

    def _apply(self, effects: list[Replay | Emit]) -> None:
        for effect in effects:
            if isinstance(effect, Emit):
                scan = make_scan_event(effect.text, ScanSource.KEYBOARD, device=self._device)
                if scan is not None:
                    log.debug("scanner: scan of %d characters", len(scan.text))
                    self.scanned.emit(scan)
            else:
                self._replay(effect.items)

    def _replay(self, items: tuple[_Held, ...]) -> None:
        self._replaying = True
        try:
            for held in items:
                if not shiboken6.isValid(held.target):
                    continue  # the widget went away while its keys were held
                if held.key_event is not None:
                    press = QKeyEvent(held.key_event)
                    QApplication.sendEvent(held.target, press)
                    release = QKeyEvent(_T.KeyRelease, held.key_event.key(), held.key_event.modifiers(),
                                        held.key_event.text())
                    QApplication.sendEvent(held.target, release)
                else:
                    ime = QInputMethodEvent("", [])
                    ime.setCommitString(held.commit)
                    QApplication.sendEvent(held.target, ime)
        finally:
            self._replaying = False

    def _replay_safely(self, items: list) -> None:
        try:
            self._replay(tuple(items))
        except Exception:  # pragma: no cover - last resort after a failure
            log.exception("scanner filter could not replay held keys")

    def _arm_timer(self) -> None:
        deadline = self._detector.deadline()
        if deadline is None:
            self._timer.stop()
            return
        remaining = deadline - self._clock()
        self._timer.start(max(1, int(remaining) + 1))

    def _on_timer(self) -> None:
        try:
            self._apply(self._detector.expire(self._clock()))
        except Exception:
            self._enabled = False
            log.exception("scanner filter failed and switched itself off")
            self._replay_safely(self._detector.reset())
            return
        deadline = self._detector.deadline()
        if deadline is not None:  # a manual clock in a test has not moved: look again a gap later
            self._timer.start(max(int(deadline - self._clock()) + 1, self._settings.max_gap_ms))
