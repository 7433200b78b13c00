"""BurstDetector: decides, key by key, whether text is a scanner's burst or a person typing. Pure Python.

The first keys of a burst cannot be told from typing until the next key arrives, so every text key is *held*
(the caller swallows its event and keeps it). The held keys are then either
- *emitted* as one scan: at least `min_length` characters (or a configured prefix), each within `max_gap_ms`
  of the one before, ended by a gap, an Enter/Tab, or the literal suffix — the Enter/Tab is swallowed too,
  so it cannot press a default button or fire a shortcut (odoo PR #31185); or
- *replayed* to the widget they were aimed at, in order, when they turn out to be typing: after the gap
  elapses (one gap of latency for a person: 50 ms by default), or before any other key is let through.

After a scan, during `blanking_ms`: a further Enter/Tab/LF (a CR LF suffix) is swallowed, and the same code read
again (a double trigger: its burst starts inside the period) is dropped.

Every call returns an Outcome: the effects to carry out first, in order (Replay, Emit), then what to do with
the event at hand (PASS it on, HOLD it, or SWALLOW it).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hardware.settings import WedgeSettings

log = logging.getLogger("onewindow.devices.scan")

GS = "\x1d"
CR, LF, TAB = "\r", "\n", "\t"
TERMINATORS = frozenset({CR, LF, TAB})


class Disposition(Enum):
    PASS = "pass"        # deliver the event to its widget
    HOLD = "hold"        # swallow it now; the detector keeps its item (to replay, or to drop if it is a scan)
    SWALLOW = "swallow"  # swallow it for good (a scan's suffix)


@dataclass(frozen=True)
class Replay:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Emit:
    text: str


@dataclass
class Outcome:
    disposition: Disposition
    effects: list[Replay | Emit] = field(default_factory=list)


class BurstDetector:
    def __init__(self, settings: WedgeSettings | None = None) -> None:
        self.settings = settings or WedgeSettings()
        self._chars: list[str] = []     # text of the held items, one entry per item (an IME commit may be several chars)
        self._items: list[Any] = []
        self._last_ms: float | None = None
        self._start_ms: float | None = None
        self._last_scan: str | None = None
        self._last_scan_ms: float = float("-inf")

    # --- state ---

    @property
    def holding(self) -> bool:
        return bool(self._items)

    @property
    def held_text(self) -> str:
        return "".join(self._chars)

    def deadline(self) -> float | None:
        """When the open burst ends if no key comes (ms, same clock as the calls), or None."""
        if not self._items or self._last_ms is None:
            return None
        return self._last_ms + self._gap_limit()

    def in_blanking(self, now: float) -> bool:
        return now - self._last_scan_ms < self.settings.blanking_ms

    def reset(self) -> list[Any]:
        """Forget the open burst; returns its items (the caller decides what to do with them)."""
        items = self._items
        self._chars, self._items, self._last_ms = [], [], None
        return items

    # --- events ---

    def text(self, chars: str, now: float, item: Any) -> Outcome:
        """A key (or IME commit) that produced text. It is always held."""
        effects = self._expire(now)
        if not self._items:
            self._start_ms = now
        self._chars.append(chars)
        self._items.append(item)
        self._last_ms = now
        suffix = self._literal_suffix()
        if suffix:
            joined = self.held_text
            if joined.endswith(suffix) and len(joined) > len(suffix):
                effects += self._decide(now, strip_suffix=suffix)
        return Outcome(Disposition.HOLD, effects)

    def terminator(self, char: str, now: float) -> Outcome:
        """Enter (CR), LF or Tab."""
        effects = self._expire(now)
        if self._items:
            decided = self._decide(now)
            effects += decided
            if not any(isinstance(e, Replay) for e in decided):
                return Outcome(Disposition.SWALLOW, effects)  # the scan's suffix
            return Outcome(Disposition.PASS, effects)
        if self._last_scan is not None and self.in_blanking(now):
            return Outcome(Disposition.SWALLOW, effects)  # second half of CR LF, or a doubled suffix
        return Outcome(Disposition.PASS, effects)

    def other(self, now: float) -> Outcome:
        """Any key that is neither text nor a terminator (arrows, Backspace, F-keys, shortcuts), or input
        that must not be held (a password field's): end the open burst first, then let it through."""
        effects = self._expire(now)
        if self._items:
            effects += self._decide(now)
        return Outcome(Disposition.PASS, effects)

    def expire(self, now: float) -> list[Replay | Emit]:
        """Called by the timer: end the burst if its gap has elapsed."""
        return self._expire(now)

    def finish(self, now: float) -> list[Replay | Emit]:
        """End the open burst now, whatever the time (focus moved, the filter is uninstalled)."""
        return self._decide(now) if self._items else []

    # --- internals ---

    def _gap_limit(self) -> float:
        prefix = self.settings.prefix
        if prefix and (self.held_text.startswith(prefix) or prefix.startswith(self.held_text)):
            return float(self.settings.prefixed_gap_ms)
        return float(self.settings.max_gap_ms)

    def _expire(self, now: float) -> list[Replay | Emit]:
        deadline = self.deadline()
        if deadline is not None and now >= deadline:
            return self._decide(deadline)
        return []

    def _literal_suffix(self) -> str:
        suffix = self.settings.suffix
        if suffix in ("auto", "enter", "tab", "none") or suffix in TERMINATORS or suffix == CR + LF:
            return ""
        return suffix

    def _decide(self, now: float, strip_suffix: str = "") -> list[Replay | Emit]:
        text = self.held_text
        started = self._start_ms if self._start_ms is not None else now
        items = self.reset()
        if strip_suffix:
            text = text[: -len(strip_suffix)]
        prefix = self.settings.prefix
        if prefix and text.startswith(prefix):
            text = text[len(prefix):]
            is_scan = bool(text)
        else:
            is_scan = len(text) >= self.settings.min_length
        if not is_scan:
            return [Replay(tuple(items))]
        if self.settings.gs_substitute:
            text = text.replace(self.settings.gs_substitute, GS)
        duplicate = text == self._last_scan and self.in_blanking(started)
        self._last_scan, self._last_scan_ms = text, now
        if duplicate:
            log.info("scanner: the same code again within %d ms, dropped (double trigger)", self.settings.blanking_ms)
            return []
        return [Emit(text)]
