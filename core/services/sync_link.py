"""The pharmacy desk's CentreLink (core.services.ports) over the terminal's sync transport (core.sync).

    link = TerminalCentreLink(terminal, operator=("OP01", "李药师"))
    out = link.call("1101", {"data": {...}})     # the `output` node

What it adds over the interim HttpCentreLink: message ids from the terminal's stored sequence (never reused,
across restarts), sign-in kept per operator and day in the store, the classification of failures of
core.sync.envelope (`maybe_sent` is False only when the centre certainly did not get the message), and the
online/offline picture the sync status line shows. Settlements should still go through CheckoutService (the
outbox); this adapter is for the desk's queries and for code that already handles CentreUnreachable itself.
"""
from __future__ import annotations

from core.services.centre_link import CentreRefused, CentreUnreachable
from core.sync.envelope import Outcome
from core.sync.terminal import Terminal


class TerminalCentreLink:
    def __init__(self, terminal: Terminal, *, operator: tuple[str, str] = ("OP01", "")) -> None:
        self.t = terminal
        self.operator = operator
        self.last_error = ""

    @property
    def online(self) -> bool | None:
        health = self.t.transport.health
        if health.last_ok_monotonic is None and health.last_failure_monotonic is None:
            return None
        return not health.believed_offline

    def new_msgid(self) -> str:
        return self.t.allocate_msgid()

    def set_operator(self, user_id: str, name: str) -> None:
        self.operator = (user_id, name)

    def call(self, infno: str, payload: dict, *, msgid: str | None = None) -> dict:
        msgid = msgid or self.new_msgid()
        reply = self.t.transport.call(infno, payload, msgid=msgid, operator=self.operator[0] or "OP01",
                                      operator_name=self.operator[1])
        if reply.ok:
            self.last_error = ""
            return reply.output
        if reply.refused:
            self.last_error = reply.err_msg
            raise CentreRefused(infno, reply.err_msg, reply.output, msgid)
        self.last_error = reply.error
        raise CentreUnreachable(infno, reply.error, maybe_sent=reply.outcome is Outcome.UNKNOWN, msgid=msgid)

    def ping(self) -> bool:
        c = self.t.config.centre
        try:
            r = self.t.transport.session.get(c.url.rstrip("/") + "/health", timeout=(c.connect_timeout_s, 3))
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable now"
            self.last_error = str(exc)
            return False
        return r.status_code == 200


__all__ = ["TerminalCentreLink"]
