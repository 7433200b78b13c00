"""One terminal: its store, configuration, clock, transport, lease and sender, wired once.

    terminal = Terminal.open(config, store_url)      # migrates the store, registers the facility
    report = terminal.start()                        # start-up recovery, then the background sender
    …
    terminal.close()

Session factories: `read` for reads, `write` for every write (BEGIN IMMEDIATE on SQLite: the write lock is
taken at the start, so a read-then-write transaction never fails half way on a busy database).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any, Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.store.base import utcnow
from core.store.catalogue import upsert_facilities
from core.store.crypto import DataCipher
from core.store.db import open_store
from core.events import ONLINE_CHANGED
from core.store.lane import store_events, write_engine
from core.store.persons import default_cipher
from core.sync import journal
from core.sync.config import SyncConfig
from core.sync.envelope import Reply
from core.sync.lease import Lease
from core.sync.models import SyncSignin, SyncState
from core.sync.sequence import next_msgid
from core.sync.transport import SignInBook, Transport

log = logging.getLogger("onewindow.sync")

K_OFFLINE_SINCE = "offline_since"
K_LAST_SUCCESS = "last_success_at"
K_LAST_ERROR = "last_error"
K_CATALOGUE_VER = "catalogue_ver"
K_CATALOGUE_AT = "catalogue_synced_at"


def fixed_offset_clock(hours: int) -> Callable[[], dt.datetime]:
    tz = dt.timezone(dt.timedelta(hours=hours))
    return lambda: dt.datetime.now(tz)


class StateStore:
    """sync_state key/values."""

    def __init__(self, read: sessionmaker[Session], write: sessionmaker[Session]) -> None:
        self.read, self.write = read, write

    def get(self, key: str, default: str = "") -> str:
        with self.read() as s:
            row = s.get(SyncState, key)
            return row.value if row is not None else default

    def set(self, key: str, value: str, session: Session | None = None) -> None:
        def put(s: Session) -> None:
            row = s.get(SyncState, key)
            if row is None:
                s.add(SyncState(key=key, value=value))
            else:
                row.value = value

        if session is not None:
            put(session)
            return
        with self.write() as s, s.begin():
            put(s)

    def all(self) -> dict[str, str]:
        with self.read() as s:
            return {r.key: r.value for r in s.query(SyncState)}


class DbSignInBook(SignInBook):
    """Sign-ins kept in sync_signin, so a restart the same day does not sign in again."""

    def __init__(self, read: sessionmaker[Session], write: sessionmaker[Session]) -> None:
        super().__init__()
        self.read, self.write = read, write

    def get(self, operator: str, day: dt.date) -> str | None:
        found = super().get(operator, day)
        if found:
            return found
        with self.read() as s:
            row = s.get(SyncSignin, (operator, day))
            if row is not None:
                super().put(operator, day, row.sign_no)
                return row.sign_no
        return None

    def put(self, operator: str, day: dt.date, sign_no: str) -> None:
        super().put(operator, day, sign_no)
        with self.write() as s, s.begin():
            row = s.get(SyncSignin, (operator, day))
            if row is None:
                s.add(SyncSignin(operator=operator, day=day, sign_no=sign_no, signed_at=utcnow()))
            else:
                row.sign_no, row.signed_at = sign_no, utcnow()
            journal.append(s, "signin", data={"operator": operator, "day": day, "sign_no": sign_no})

    def drop(self, operator: str, day: dt.date, sign_no: str) -> None:
        super().drop(operator, day, sign_no)
        with self.write() as s, s.begin():
            row = s.get(SyncSignin, (operator, day))
            if row is not None and row.sign_no == sign_no:
                s.delete(row)
                journal.append(s, "signin.refused", data={"operator": operator, "day": day, "sign_no": sign_no})


class Terminal:
    def __init__(
        self,
        config: SyncConfig,
        engine: Engine,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        cipher: DataCipher | None = None,
        holder: str | None = None,
        secret: str | None = None,
    ) -> None:
        from core.sync.sender import Sender

        self.config = config
        self.engine = engine
        self.read: sessionmaker[Session] = sessionmaker(bind=engine, expire_on_commit=False)
        self.write: sessionmaker[Session] = sessionmaker(
            bind=write_engine(engine), expire_on_commit=False)  # the store's one writer (core.store.lane)
        self.clock = clock or fixed_offset_clock(config.terminal.utc_offset_hours)
        self.cipher = cipher or default_cipher()
        self.events = store_events(engine)  # change notifications of this store (core.events)
        self.state = StateStore(self.read, self.write)
        self.signins = DbSignInBook(self.read, self.write)
        self.transport = Transport(config, signins=self.signins, allocate_msgid=self.allocate_msgid, clock=self.clock,
                                   secret=secret, pool=config.sender.workers + 2)
        self.transport.listeners.append(self._note_reply)
        self.lease = Lease(self.write, holder=holder, ttl_s=config.sender.lease_ttl_s, clock=self.utcnow)
        self.sender = Sender(self)
        self.recovered = False
        self.recovery_report: Any = None  # core.sync.recovery.RecoveryReport after start()
        self._online: bool | None = None
        self._state_lock = threading.Lock()
        with self.write() as s, s.begin():
            upsert_facilities(s, [config.terminal.facility()])

    @classmethod
    def open(cls, config: SyncConfig, store_url: str, **kw) -> "Terminal":
        return cls(config, open_store(store_url), **kw)

    # ---- time ---------------------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        """Local wall time (aware), as on receipts and in envelopes."""
        return self.clock()

    def today(self) -> dt.date:
        return self.clock().date()

    def utcnow(self) -> dt.datetime:
        """Naive UTC, as stored in timestamp columns."""
        return self.clock().astimezone(dt.timezone.utc).replace(tzinfo=None)

    def local_naive(self) -> dt.datetime:
        return self.clock().replace(tzinfo=None)

    # ---- ids ----------------------------------------------------------------------------------------------
    def allocate_msgid(self, session: Session | None = None) -> str:
        t = self.config.terminal
        if session is not None:
            return next_msgid(session, t.institution_code, t.terminal_no, self.local_naive())
        with self.write() as s, s.begin():
            return next_msgid(s, t.institution_code, t.terminal_no, self.local_naive())

    # ---- reachability -------------------------------------------------------------------------------------
    def _note_reply(self, reply: Reply) -> None:
        """Keep offline_since / last_success in the store, written only when the picture changes (and the
        success time at most every few seconds)."""
        online = reply.reached
        now = self.utcnow()
        with self._state_lock:
            changed = online != self._online
            self._online = online
            last = getattr(self, "_last_success_written", None)
            if not changed and not (online and (last is None or (now - last).total_seconds() >= 5)):
                return
            try:
                with self.write() as s, s.begin():
                    if online:
                        self.state.set(K_LAST_SUCCESS, now.isoformat(), s)
                        self._last_success_written = now
                        if changed:
                            self.state.set(K_OFFLINE_SINCE, "", s)
                            journal.append(s, "centre.online", data={}, at=now)
                    else:
                        if not self.state_value(K_OFFLINE_SINCE, s):
                            self.state.set(K_OFFLINE_SINCE, now.isoformat(), s)
                        self.state.set(K_LAST_ERROR, reply.error[:500], s)
                        journal.append(s, "centre.offline", data={"error": reply.error[:200]}, at=now)
            except Exception:  # noqa: BLE001 - the status line must never break a sale
                log.exception("could not record the centre's reachability")
        if changed:
            self.events.publish(ONLINE_CHANGED, online=online)

    def state_value(self, key: str, session: Session) -> str:
        row = session.get(SyncState, key)
        return row.value if row is not None else ""

    def offline_since(self) -> dt.datetime | None:
        value = self.state.get(K_OFFLINE_SINCE)
        return dt.datetime.fromisoformat(value) if value else None

    @property
    def believed_offline(self) -> bool:
        return self.transport.health.believed_offline

    # ---- life ---------------------------------------------------------------------------------------------
    def start(self, *, background: bool = True, resolve_timeout_s: float = 30.0):
        """Start-up recovery (every in-flight message is decided, then resolved when the centre answers),
        then the background sender."""
        from core.sync.recovery import recover

        self.recovery_report = recover(self, resolve_timeout_s=resolve_timeout_s)
        self.recovered = True
        if background:
            self.sender.start()
        return self.recovery_report

    def close(self) -> None:
        self.sender.stop()
        self.lease.release()
        self.transport.close()


__all__ = ["DbSignInBook", "K_CATALOGUE_VER", "K_LAST_SUCCESS", "K_OFFLINE_SINCE", "StateStore", "Terminal",
           "fixed_offset_clock"]
