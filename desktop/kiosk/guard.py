"""Privacy and lockdown of the kiosk shell.

IdleWatch     one application-wide event filter that notes every touch, click and key. With a person on
              screen, `idle_ms` without any -> `countdown` ticks (one per second, the overlay shows them) ->
              `expired` (the shell wipes the person). Any input during the countdown cancels it.
Lockdown      swallows the keys that leave or change a full-screen window (Esc, F11, Alt+F4, Alt+Tab,
              Ctrl+W/Q, the Windows/Super key, Alt+Space), context menus and close requests; it lets the
              window close only after `unlock()` (a correct supervisor code).
SupervisorGate  the numeric supervisor code: scrypt hash from kiosk.json, 5 wrong codes lock it for 5 minutes;
              every attempt is logged (never the code).
ParentWatch   polls the watchdog process that started the shell; `orphaned` when it is gone (the shell closes).

What no Qt program can stop by itself (the OS must): Ctrl+Alt+Del, the Windows key combinations handled
before the application sees them, switching virtual terminals. A kiosk install runs the shell as the only
program of a dedicated user session (Windows Assigned Access / Shell Launcher, or a Linux session whose only
client is `onewindow gui --shell kiosk`), which removes the desktop behind it.

Signals (IdleWatch):
    countdown(int)   seconds left, from countdown_s down to 1
    expired()        wipe now
    cancelled()      the person came back during the countdown
"""
from __future__ import annotations

import logging
import time

from core.i18n import Message, message
from core.services.auth import verify_secret
from desktop.qt import QEvent, QObject, Qt, QTimer, QtCore, Signal

log = logging.getLogger("onewindow.gui.kiosk.guard")

INPUT_EVENTS = frozenset({
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove, QEvent.Type.KeyPress, QEvent.Type.Wheel,
})
MAX_WRONG = 5
LOCK_S = 300


class IdleWatch(QObject):
    countdown = Signal(int)
    expired = Signal()
    cancelled = Signal()

    def __init__(self, idle_ms: int, countdown_s: int, *, tick_ms: int = 1000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle_ms, self.countdown_s, self.tick_ms = idle_ms, countdown_s, tick_ms
        self.armed = False  # a person (or any of their screens) is showing
        self.left = 0
        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("kiosk-idle")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._start_countdown)
        self.tick_timer = QTimer(self)
        self.tick_timer.setObjectName("kiosk-idle-countdown")
        self.tick_timer.setInterval(tick_ms)
        self.tick_timer.timeout.connect(self._tick)
        self._installed = False

    def install(self) -> None:
        app = QtCore.QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        app = QtCore.QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
        self.idle_timer.stop()
        self.tick_timer.stop()

    @property
    def counting(self) -> bool:
        return self.tick_timer.isActive()

    def arm(self, on: bool) -> None:
        self.armed = on
        if on:
            if not self.counting:
                self.idle_timer.start(self.idle_ms)
        else:
            self.idle_timer.stop()
            if self.counting:
                self.tick_timer.stop()

    def poke(self) -> None:
        """Input seen: restart the idle time, end a countdown."""
        if self.counting:
            self.tick_timer.stop()
            self.cancelled.emit()
        if self.armed:
            self.idle_timer.start(self.idle_ms)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in INPUT_EVENTS and (self.armed or self.counting):
            if event.type() != QEvent.Type.MouseMove or event.buttons():
                self.poke()
        return False

    def _start_countdown(self) -> None:
        if not self.armed:
            return
        self.left = self.countdown_s
        self.countdown.emit(self.left)
        self.tick_timer.start()

    def _tick(self) -> None:
        self.left -= 1
        if self.left > 0:
            self.countdown.emit(self.left)
            return
        self.tick_timer.stop()
        self.armed = False
        self.expired.emit()


BLOCKED_KEYS = frozenset({Qt.Key.Key_Escape, Qt.Key.Key_F11, Qt.Key.Key_Meta, Qt.Key.Key_Super_L,
                          Qt.Key.Key_Super_R, Qt.Key.Key_Menu})


class Lockdown(QObject):
    """Swallows leaving keys and close requests for `window` until unlocked. Counts what it refused."""

    def __init__(self, window, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.unlocked = False
        self.refused: list[str] = []
        self._installed = False

    def install(self) -> None:
        app = QtCore.QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        app = QtCore.QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def unlock(self) -> None:
        self.unlocked = True

    def lock(self) -> None:
        self.unlocked = False

    def refuse(self, what: str) -> None:
        self.refused.append(what)
        log.info("kiosk lockdown: refused %s", what)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if self.unlocked:
            return False
        t = event.type()
        if t in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.KeyRelease):
            key, mods = event.key(), event.modifiers()
            alt = bool(mods & Qt.KeyboardModifier.AltModifier)
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            meta = bool(mods & Qt.KeyboardModifier.MetaModifier)
            if (key in BLOCKED_KEYS or meta or (alt and key in (Qt.Key.Key_F4, Qt.Key.Key_Tab, Qt.Key.Key_Space))
                    or (ctrl and key in (Qt.Key.Key_W, Qt.Key.Key_Q, Qt.Key.Key_Escape))):
                if t == QEvent.Type.KeyPress:
                    self.refuse(f"key {key:#x} with modifiers {mods.value:#x}")
                return True
        elif t == QEvent.Type.ContextMenu:
            return True
        elif t == QEvent.Type.Close and obj is self.window:
            self.refuse("close")
            event.ignore()
            return True
        elif t == QEvent.Type.WindowStateChange and obj is self.window and self.window.property("kioskFullScreen"):
            if not self.window.isFullScreen():
                QTimer.singleShot(0, self.window.showFullScreen)
        return False


class SupervisorGate:
    """Checks the supervisor code against its scrypt hash; locks after MAX_WRONG wrong codes."""

    def __init__(self, code_hash: str, *, clock=time.monotonic) -> None:
        self.code_hash = code_hash
        self.clock = clock
        self.wrong = 0
        self.locked_until = 0.0

    def check(self, code: str) -> Message | None:
        """None when the code is right; else the message to show. Slow on purpose (~50 ms): run off the UI thread."""
        if not self.code_hash:
            log.info("kiosk: supervisor code attempt, but none is set")
            return message("kiosk.supervisor.not_set")
        now = self.clock()
        if now < self.locked_until:
            return message("kiosk.supervisor.locked", minutes=max(1, int((self.locked_until - now) // 60) + 1))
        if verify_secret(code, self.code_hash):
            self.wrong = 0
            log.info("kiosk: supervisor code accepted")
            return None
        self.wrong += 1
        log.info("kiosk: wrong supervisor code (%d in a row)", self.wrong)
        if self.wrong >= MAX_WRONG:
            self.wrong = 0
            self.locked_until = now + LOCK_S
            return message("kiosk.supervisor.locked", minutes=LOCK_S // 60)
        return message("kiosk.supervisor.wrong", left=MAX_WRONG - self.wrong)




class ParentWatch(QObject):
    """Emits `orphaned()` once when `alive()` (desktop.kiosk.app.parent_alive of the watchdog's pid) turns False.
    Checked every `interval_ms` and at start()."""

    orphaned = Signal()

    def __init__(self, alive, *, interval_ms: int = 1000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.alive = alive
        self.timer = QTimer(self)
        self.timer.setObjectName("kiosk-parent-watch")
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(0, self.check)

    def check(self) -> None:
        if self.timer.isActive() and not self.alive():
            self.timer.stop()
            log.info("kiosk: the watchdog that started this shell is gone: closing")
            self.orphaned.emit()


__all__ = ["IdleWatch", "Lockdown", "ParentWatch", "SupervisorGate"]
