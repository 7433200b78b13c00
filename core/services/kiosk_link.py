"""The kiosk's link to the centre, and the errors a kiosk shows (core.services.kiosk is the service).

Role `kiosk` may call only READ_ONLY + the configured OPTIONAL transactions; the link refuses every other
transaction before it leaves the machine, so a kiosk can never settle, cancel, reverse, upload or register,
whatever its screens do. Messages go out with opter_type 2 (自助终端)."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.domain.clock import CST
from core.i18n import Message, message
from core.sync.config import ConfigError
from core.sync.transport import Transport

if TYPE_CHECKING:
    from core.services.kiosk import KioskConfig

log = logging.getLogger("onewindow.kiosk")

OPTIONAL = ("pay_own_share", "application_status", "application_submit", "application_evidence")
READ_ONLY = ("sign_in", "evoucher", "person", "registrations", "cumulative", "drug_history", "settlement_info",
             "prescriptions", "care", "desk_messages")


# ------------------------------------------------------------------------------------------------ errors
class KioskError(Exception):
    """Something the person reads: `message` in both languages, always with the next step."""

    def __init__(self, msg: Message) -> None:
        super().__init__(msg.en)
        self.message = msg


class KioskOffline(KioskError):
    """The centre cannot be reached (or was not, a moment ago): show the "go to window N" screen."""


class KioskForbidden(KioskError):
    """Not something role `kiosk` may do."""


class KioskRefused(KioskError):
    """The centre answered with a refusal."""

    def __init__(self, msg: Message, err_msg: str = "") -> None:
        super().__init__(msg)
        self.err_msg = err_msg


# ------------------------------------------------------------------------------------------------ link
class KioskLink:
    """The kiosk's signed link to the centre over core.sync's transport, limited to role `kiosk`'s
    transactions (READ_ONLY + the configured OPTIONAL ones). Thread-safe as the transport is."""

    def __init__(self, config: KioskConfig, *, clock: Callable[[], dt.datetime] | None = None,
                 transport: Transport | None = None) -> None:
        self.config = config
        self.clock = clock or (lambda: dt.datetime.now(CST))
        self._seq_lock = threading.Lock()
        self._stamp, self._count = "", 0
        self.problem = ""  # a configuration problem that keeps the kiosk off the centre (shown to staff)
        if transport is None:
            sync = config.sync_config()
            secret = ""
            if config.server_url:
                try:
                    secret = sync.terminal.signing_secret()
                except ConfigError as exc:
                    # The kiosk still comes up (on its "go to window N" screen) rather than crash-looping.
                    self.problem = exc.message_zh
                    log.error("kiosk: %s: the centre will not be called", exc)
            transport = Transport(sync, allocate_msgid=self._msgid, clock=self.clock, secret=secret, pool=2)
        self.transport = transport
        numbers = config.numbers
        self.allowed = frozenset(numbers[k] for k in READ_ONLY + OPTIONAL if numbers.get(k))
        self._down_since: float | None = None

    def _msgid(self) -> str:
        """institution (12) + yyyyMMddHHmmss + terminal digit + 3-digit counter (never repeats in a process)."""
        with self._seq_lock:
            stamp = self.clock().strftime("%Y%m%d%H%M%S")
            if stamp <= self._stamp:
                stamp = self._stamp
                if self._count >= 999:
                    stamp = (dt.datetime.strptime(stamp, "%Y%m%d%H%M%S") + dt.timedelta(seconds=1)).strftime(
                        "%Y%m%d%H%M%S")
                    self._count = 0
            else:
                self._count = 0
            self._stamp = stamp
            self._count += 1
            return f"{self.config.institution[:12]}{stamp}{self.config.terminal_no % 10}{self._count:03d}"

    @property
    def online(self) -> bool | None:
        h = self.transport.health
        if h.last_ok_monotonic is None and h.last_failure_monotonic is None:
            return None
        return not h.believed_offline

    def recently_down(self) -> bool:
        """The centre failed and no probe has succeeded since (within recheck_seconds of the failure)."""
        h = self.transport.health
        if not h.believed_offline or h.last_failure_monotonic is None:
            return False
        return time.monotonic() - h.last_failure_monotonic < self.config.recheck_seconds

    def offline_error(self) -> KioskOffline:
        return KioskOffline(message("kiosk.offline", window=self.config.window_no))

    def call(self, infno: str, node: dict) -> dict:
        if infno not in self.allowed:
            log.warning("kiosk: transaction %s refused locally: not a kiosk transaction", infno)
            raise KioskForbidden(message("kiosk.forbidden", window=self.config.window_no))
        if not self.config.server_url or self.problem:
            raise self.offline_error()
        if self.recently_down():
            raise self.offline_error()
        reply = self.transport.call(infno, node, operator=self.config.operator, operator_name="自助终端")
        if reply.ok:
            return reply.output
        if reply.refused:
            raise KioskRefused(message("kiosk.refused", detail=reply.err_msg), reply.err_msg)
        log.info("kiosk: centre not reached for %s: %s", infno, reply.error)
        raise self.offline_error()

    def probe(self) -> bool:
        """GET /health of the centre (cheap; no message, no sign-in). Updates the link's health."""
        if not self.config.server_url or self.problem:
            return False
        import requests

        from core.sync.envelope import Outcome, Reply

        url = self.config.server_url.rstrip("/") + "/health"
        try:
            r = self.transport.session.get(url, timeout=(self.config.connect_timeout_s, 3.0))
            ok = r.status_code == 200
            reply = Reply(Outcome.ANSWERED, infcode=0) if ok else Reply(Outcome.UNKNOWN, error=f"HTTP {r.status_code}")
        except requests.RequestException as exc:
            ok, reply = False, Reply(Outcome.NOT_SENT, error=str(exc))
        self.transport.health.note(reply)
        return ok

    def offers(self, infno: str) -> bool:
        """Whether the centre has transaction `infno`: a probe with an empty input is refused either as
        'unknown infno' (not offered) or for its input (offered). Nothing is written either way."""
        if not infno or infno not in self.allowed:
            return False
        try:
            self.call(infno, {})
        except KioskRefused as exc:
            return "unknown infno" not in exc.err_msg
        return True

    def close(self) -> None:
        self.transport.close()


__all__ = ["KioskError", "KioskForbidden", "KioskLink", "KioskOffline", "KioskRefused", "OPTIONAL", "READ_ONLY"]
