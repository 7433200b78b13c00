"""Clocks for the wedge filter, in milliseconds.

The filter times key *arrivals* with a monotonic clock rather than QKeyEvent.timestamp() (on Windows that is
the message time, with a 10-16 ms tick; barcode.md). Tests inject a ManualClock and advance it between keys.
"""
from __future__ import annotations

import time


def monotonic_ms() -> float:
    return time.perf_counter() * 1000.0


class ManualClock:
    """A clock that moves only when told: `clock()` reads it, `clock.advance(ms)` moves it."""

    def __init__(self, start_ms: float = 1_000_000.0) -> None:
        self.now = float(start_ms)

    def __call__(self) -> float:
        return self.now

    def advance(self, ms: float) -> float:
        self.now += ms
        return self.now
