"""Change notifications inside one process: a small publish/subscribe bus, no Qt (desktop.common.events
carries them onto the GUI thread).

    bus = store_events(engine)                     # one bus per store (core.store.lane keeps it)
    off = bus.subscribe(OUTBOX_CHANGED, on_change)  # on_change(topic, data) in the publishing thread
    bus.publish(ONLINE_CHANGED, online=False)
    off()                                          # unsubscribe

Why: the screens polled the store every few seconds to learn whether anything changed. The store's writer
knows when a sale or the outbox changed (it publishes after the commit, see core.store.lane) and the terminal
knows when the centre's reachability changed, so they say so and the screens refresh then.

A subscriber that raises is logged and the others still run: a notification never breaks the writer.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("onewindow.events")

SALE_CHANGED = "sale.changed"  # a desk sale (or its sync sale) was written
OUTBOX_CHANGED = "outbox.changed"  # an outbox item was added or changed state
ONLINE_CHANGED = "online.changed"  # the centre became reachable or unreachable; data: online=bool
TOPICS = (SALE_CHANGED, OUTBOX_CHANGED, ONLINE_CHANGED)
# what the customer-facing display shows (core.services.desk.display); data: view=dict. Not in TOPICS: the status
# line has nothing to refresh when the customer's screen changes
DISPLAY_CHANGED = "display.changed"

Handler = Callable[[str, dict], None]


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: dict[str, list[Handler]] = {}

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        """Call handler(topic, data) on each publication of `topic`; returns the function that unsubscribes."""
        with self._lock:
            self._handlers.setdefault(topic, []).append(handler)

        def unsubscribe() -> None:
            with self._lock:
                handlers = self._handlers.get(topic, [])
                if handler in handlers:
                    handlers.remove(handler)
        return unsubscribe

    def publish(self, topic: str, **data: Any) -> int:
        """Call every handler of `topic` now, in this thread; returns how many were called."""
        with self._lock:
            handlers = list(self._handlers.get(topic, ()))
        for handler in handlers:
            try:
                handler(topic, data)
            except Exception:  # noqa: BLE001 - one subscriber's bug must not stop the writer or the others
                log.exception("a subscriber of %s failed", topic)
        return len(handlers)

    def subscribers(self, topic: str) -> int:
        with self._lock:
            return len(self._handlers.get(topic, ()))


__all__ = ["DISPLAY_CHANGED", "EventBus", "Handler", "ONLINE_CHANGED", "OUTBOX_CHANGED", "SALE_CHANGED", "TOPICS"]
