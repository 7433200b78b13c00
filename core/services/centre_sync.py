"""The desk's CentreLink over core.sync's Transport: one transport in the process (signed headers, envelope,
9001 sign-in per operator and day, outcomes ANSWERED / NOT_SENT / UNKNOWN), seen through the small protocol the
desk is written against (core.services.ports.CentreLink).

    link = SyncCentreLink.for_desk(config)          # from the desk's settings (URL, institution, secret)
    link.call("1101", {...})                        # output node, or CentreRefused / CentreUnreachable

NOT_SENT becomes CentreUnreachable(maybe_sent=False): safe to retry or drop; UNKNOWN becomes
CentreUnreachable(maybe_sent=True): the desk reverses it by its msgid (2601), never resends under a new one.
"""
from __future__ import annotations

import datetime as dt
import itertools
import secrets

from core.services.centre_link import CentreRefused, CentreUnreachable
from core.services.pharmacy_config import DeskConfig
from core.sync.config import SyncConfig, TerminalConfig, config_from_dict
from core.sync.envelope import Outcome
from core.sync.transport import Transport

CST = dt.timezone(dt.timedelta(hours=8))


class SyncCentreLink:
    def __init__(self, transport: Transport, *, institution: str) -> None:
        self.transport = transport
        self.institution = institution
        self.operator = ("OP01", "")
        self._seq = itertools.count(secrets.randbelow(9000))
        self.online: bool | None = None
        self.last_error = ""

    @classmethod
    def for_desk(cls, config: DeskConfig) -> "SyncCentreLink":
        sync: SyncConfig = config_from_dict({"terminal": {
            "institution_code": config.institution, "institution_name": config.institution_name,
            "terminal_id": config.terminal, "city": config.city, "profile_id": config.profile_id,
            "secret": config.secret or "-"}})
        sync = sync.with_centre(config.server_url)
        link = cls.__new__(cls)
        transport = Transport(sync, allocate_msgid=lambda: link.new_msgid(), clock=lambda: dt.datetime.now(CST),
                              secret=config.secret or "-")
        cls.__init__(link, transport, institution=config.institution)
        return link

    def new_msgid(self) -> str:
        now = dt.datetime.now(CST)
        return f"{self.institution[:12]:<12}{now:%Y%m%d%H%M%S}{next(self._seq) % 10000:04d}"

    def set_operator(self, user_id: str, name: str) -> None:
        self.operator = (user_id, name)

    def call(self, infno: str, payload: dict, *, msgid: str | None = None) -> dict:
        msgid = msgid or self.new_msgid()
        reply = self.transport.call(infno, payload, msgid=msgid, operator=self.operator[0] or "OP01",
                                    operator_name=self.operator[1])
        if reply.ok:
            self.online, self.last_error = True, ""
            return reply.output or {}
        if reply.refused:
            self.online, self.last_error = True, ""
            raise CentreRefused(infno, reply.err_msg or "refused", reply.output, msgid)
        self.online, self.last_error = False, reply.error
        raise CentreUnreachable(infno, reply.error or reply.outcome.value,
                                maybe_sent=reply.outcome is Outcome.UNKNOWN, msgid=msgid)

    def ping(self) -> bool:
        base = self.transport.config.centre.url.rstrip("/")
        try:
            r = self.transport.session.get(base + "/health", timeout=(self.transport.config.centre.connect_timeout_s, 3))
            ok = r.status_code == 200
        except Exception as exc:  # noqa: BLE001 - a probe: any failure means offline
            self.online, self.last_error = False, str(exc)
            return False
        self.online = ok
        return ok

    def close(self) -> None:
        self.transport.close()


__all__ = ["SyncCentreLink", "TerminalConfig"]
