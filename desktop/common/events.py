"""The store's change notifications (core.events) on the GUI thread.

    events = QtEvents(desk.events, parent=window)
    events.changed.connect(window.on_change)     # (topic, data), always on the GUI thread

The bus calls its subscribers in the thread that published (the store's writer, the sender's workers); a Qt
signal emitted there reaches a slot of an object living on the GUI thread through its event queue, so the
screen reacts on its own thread and the writer never waits for a screen.
"""
from __future__ import annotations

from desktop.qt import QObject, Signal

from core.events import TOPICS, EventBus


class QtEvents(QObject):
    changed = Signal(str, dict)  # topic, data

    def __init__(self, bus: EventBus | None, topics: tuple[str, ...] = TOPICS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._off = [bus.subscribe(topic, self._relay) for topic in topics] if bus is not None else []
        self.destroyed.connect(self.close)

    def _relay(self, topic: str, data: dict) -> None:
        self.changed.emit(topic, dict(data))

    def close(self, *_args: object) -> None:
        """Stop listening (the window stops or goes away)."""
        while self._off:
            self._off.pop()()


__all__ = ["QtEvents"]
