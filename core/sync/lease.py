"""The single-sender lease: one row (holder + expiry) in the terminal database, taken with BEGIN IMMEDIATE.

Only the holder sends outbox items. A holder renews the lease well before it expires; a process that dies
stops renewing and another one takes over after the expiry. If a stalled holder wakes up after losing the
lease it stops sending at its next check — and the rare message it may still send is harmless, because the
msgid travels with the item and the centre answers a repeated msgid with its first answer.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from core.store.base import utcnow
from core.sync.models import SyncLease

log = logging.getLogger("onewindow.sync")


def new_holder_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_alive(holder: str, me: str = "") -> bool:
    """Is the process behind a holder id (host:pid:random) still running? Only decidable on this host; a
    holder on another host counts as alive until its lease expires."""
    if not holder or holder == me:
        return holder == me and bool(me)
    parts = holder.split(":")
    if len(parts) < 3 or parts[0] != socket.gethostname()[:60]:
        return True
    try:
        os.kill(int(parts[1]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


class Lease:
    def __init__(self, write: sessionmaker[Session], *, name: str = "sender", holder: str | None = None,
                 ttl_s: float = 15.0, clock: Callable[[], dt.datetime] = utcnow,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.write = write
        self.monotonic = monotonic  # injected with `clock` by tests, which then never wait for an expiry
        self.name = name
        self.holder = holder or new_holder_id()
        self.ttl_s = ttl_s
        self.clock = clock
        self._valid_until = 0.0  # monotonic
        self._renewed_at = 0.0
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        return self.monotonic() < self._valid_until

    def acquire(self) -> bool:
        """Take the lease if it is free, expired or ours; extend it. False when another holder has it."""
        with self._lock:
            started = self.monotonic()
            now = self.clock()
            with self.write() as s, s.begin():
                row = s.get(SyncLease, self.name)
                if row is None:
                    s.add(SyncLease(name=self.name, holder=self.holder, acquired_at=now,
                                    expires_at=now + dt.timedelta(seconds=self.ttl_s)))
                elif row.holder == self.holder or row.expires_at <= now or not holder_alive(row.holder, self.holder):
                    if row.holder != self.holder:
                        log.info("sender lease taken over from %s (expires %s; %s)", row.holder, row.expires_at,
                                 "expired" if row.expires_at <= now else "its process is gone")
                        row.acquired_at = now
                    row.holder = self.holder
                    row.expires_at = now + dt.timedelta(seconds=self.ttl_s)
                else:
                    self._valid_until = 0.0
                    return False
            # Count validity from before the transaction started, with a safety margin.
            self._valid_until = started + self.ttl_s * 0.8
            self._renewed_at = self.monotonic()
            return True

    def ensure(self) -> bool:
        """Renew when a third of the time-to-live has passed; True while we hold the lease."""
        if self.held and self.monotonic() - self._renewed_at < self.ttl_s / 3:
            return True
        return self.acquire()

    def release(self) -> None:
        with self._lock:
            if self._valid_until == 0.0:
                return
            self._valid_until = 0.0
            with self.write() as s, s.begin():
                row = s.get(SyncLease, self.name)
                if row is not None and row.holder == self.holder:
                    s.delete(row)

    def current(self, read: sessionmaker[Session]) -> tuple[str, dt.datetime] | None:
        with read() as s:
            row = s.get(SyncLease, self.name)
            return None if row is None else (row.holder, row.expires_at)


__all__ = ["Lease", "holder_alive", "new_holder_id"]
