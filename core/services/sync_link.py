"""The desk's CentreLink (core.services.ports) over the terminal's sync transport (core.sync).

    terminal = open_desk_terminal(desk_config, engine)      # ONE Terminal per store, on the desk's own engine
    link = TerminalCentreLink(terminal, operator=("OP01", "李药师"))
    out = link.call(terminal.config.infno["person"], person_input("02", id_no))   # the `output` node

    link = TerminalCentreLink.for_desk(desk_config)   # a link that opens (and owns) its store and terminal

What it adds over a plain HTTP link: message ids from the terminal's stored sequence (core.sync.sequence:
never reused, across restarts — there is no in-memory msgid counter anywhere), sign-in kept per operator and
day in the store, the classification of failures of core.sync.envelope (`maybe_sent` is False only when the
centre certainly did not get the message), and the online/offline picture the sync status line shows.
Settlements go through CheckoutService (the outbox); this adapter is for the desk's queries and for code that
already handles CentreUnreachable itself.
"""
from __future__ import annotations

import atexit
import re
from typing import Any

from sqlalchemy import Engine

from core.services.centre_link import CentreAuthRejected, CentreRefused, CentreUnreachable
from core.services.pharmacy_config import DeskConfig
from core.sync.config import SyncConfig, config_from_dict
from core.sync.envelope import Outcome, Reply
from core.sync.terminal import Terminal


def terminal_no_of(terminal_id: str) -> int:
    """The one digit of the msgid sequence that tells terminals of an institution apart: the last digit of the
    desk's terminal id (T01 -> 1, DEMO1 -> 1, C02 -> 2; no digit -> 0). Terminals of one institution must
    differ in it (up to ten per institution code)."""
    digits = re.findall(r"\d", terminal_id or "")
    return int(digits[-1]) if digits else 0


def desk_sync_config(config: DeskConfig, **sections: Any) -> SyncConfig:
    """The sync configuration of a desk from its settings: the site's offline floor limits (config.offline) over
    the declared defaults, sender and transaction numbers from resources/config/sync.json. `sections` override
    them (`offline={...}`, `sender={...}`)."""
    data: dict[str, Any] = {"terminal": {
        "institution_code": config.institution, "institution_name": config.institution_name,
        "terminal_id": config.terminal, "terminal_no": terminal_no_of(config.terminal), "city": config.city,
        "profile_id": config.profile_id, "secret": config.secret or "-"}}
    data["centre"] = {"interface_profile": config.interface_profile, "signing_style": config.signing_style}
    if config.offline:
        data["offline"] = dict(config.offline)
    data.update({k: v for k, v in sections.items() if v})
    return config_from_dict(data, "desk settings").with_centre(config.server_url)


def open_desk_terminal(config: DeskConfig, engine: Engine, *, sync: SyncConfig | None = None, **kw: Any) -> Terminal:
    """The desk's Terminal on its own store engine (the same database as the desk tables). Not started:
    `Terminal.start()` (start-up recovery, then the background sender) belongs off the UI thread
    (PharmacyDesk.start does it)."""
    return Terminal(sync or desk_sync_config(config), engine, secret=config.secret or "-", **kw)


class TerminalCentreLink:
    def __init__(self, terminal: Terminal, *, operator: tuple[str, str] = ("OP01", "")) -> None:
        self.t = terminal
        self.operator = operator
        self.last_error = ""
        self._owned = None  # (engine) when for_desk opened the store: closed with the link

    @classmethod
    def for_desk(cls, config: DeskConfig, engine: Engine | None = None, **kw: Any) -> "TerminalCentreLink":
        """A link on its own Terminal for `config`: on `engine`, or on the store of `config.store_url` (the
        default store when empty), which the link then opens and closes itself."""
        owned = None
        if engine is None:
            from core.store.db import open_store
            from core.store.paths import store_url

            engine = owned = open_store(config.store_url or store_url())
        link = cls(open_desk_terminal(config, engine, **kw))
        link._owned = owned
        atexit.register(link.close)  # no sender thread outlives the process, whoever forgets close()
        return link

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
            return reply.output or {}
        if reply.refused:
            self.last_error = reply.err_msg
            raise CentreRefused(infno, reply.err_msg or "refused", reply.output, msgid)
        self.last_error = reply.error
        if reply.http_status == 401:
            raise CentreAuthRejected(infno, reply.error, maybe_sent=False, msgid=msgid)
        raise CentreUnreachable(infno, reply.error or reply.outcome.value, maybe_sent=reply.outcome is Outcome.UNKNOWN,
                                msgid=msgid)

    def ping(self) -> bool:
        """GET /health. What it finds is noted as the transport's picture of the centre (so the status line and
        the sender's offline pause follow a centre that came back while nothing was waiting to be sent)."""
        c = self.t.config.centre
        try:
            r = self.t.transport.session.get(c.url.rstrip("/") + "/health", timeout=(c.connect_timeout_s, 3))
            ok = r.status_code == 200
            error = "" if ok else f"/health answered HTTP {r.status_code}"
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable now"
            ok, error = False, f"health probe: {exc}"
        reply = Reply(Outcome.ANSWERED, infcode=0, http_status=200) if ok else Reply(Outcome.NOT_SENT, error=error)
        self.t.transport.health.note(reply)
        for listener in list(self.t.transport.listeners):
            listener(reply)
        self.last_error = error
        return ok

    def close(self) -> None:
        """Stop the terminal (its sender thread, lease, connections); dispose the store when the link opened it."""
        atexit.unregister(self.close)
        self.t.close()
        if self._owned is not None:
            self._owned.dispose()
            self._owned = None


__all__ = ["TerminalCentreLink", "desk_sync_config", "open_desk_terminal", "terminal_no_of"]
