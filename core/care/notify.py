"""The notification port: how a reminder reaches a person, and its adapters.

    port        Channel.send(Outgoing) -> Delivery    one message to one address; never raises for a refusal
    adapters    HttpSms      an SMS gateway over HTTP (any provider that takes the request below)
                LogSms       the default when no gateway is configured: writes the message to the log and
                             reports it undelivered (the outbox keeps it, nothing pretends it was sent)
                Letters      a printable letter per message (UTF-8 text, A4-ready) in a folder
                (desk)       kiosk/desk messages need no adapter: the centre hands them out when the person
                             identifies (transaction 2592), server/care/notify.py marks them shown

HttpSms request shape (documented for providers and for the test's fake server):

    POST <url>
    Authorization: Bearer <key>            (omitted when no key)
    Content-Type: application/json
    {"to": "13800000014", "text": "【一窗通】…", "sign": "一窗通", "ref": "N42"}

    2xx + {"ok": true, "id": "<provider message id>"}        delivered to the provider
    2xx + {"ok": false, "error": "..."}, 4xx except 429     refused: not retried (bad number, blocked text)
    429, 5xx, timeout, connection refused                   temporary: retried on the next run

`ref` is the centre's notification id: a provider that deduplicates on it never sends one message twice when
an answer was lost and the centre retries.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger("onewindow.notify")
CHANNELS = ("sms", "letter", "desk")
_SAFE = re.compile(r"[^0-9A-Za-z_-]")


@dataclass(frozen=True)
class Outgoing:
    ref: str  # the centre's notification id, e.g. "N42"
    person_no: str
    person_name: str
    address: str  # phone number or postal address
    text: str
    kind: str


@dataclass(frozen=True)
class Delivery:
    ok: bool
    provider_ref: str = ""
    error: str = ""
    retry: bool = False  # a temporary failure: try again later


class Channel(Protocol):
    name: str

    def send(self, msg: Outgoing) -> Delivery: ...


class HttpSms:
    name = "sms"

    def __init__(self, url: str, *, key: str = "", sign: str = "一窗通", timeout: float = 10.0, session=None) -> None:
        import requests

        self.url, self.key, self.sign, self.timeout = url, key, sign, timeout
        self.session = session or requests.Session()
        self._errors = (requests.ConnectionError, requests.Timeout)

    def send(self, msg: Outgoing) -> Delivery:
        if not re.fullmatch(r"1\d{10}", msg.address or ""):
            return Delivery(False, error=f"手机号无效 (not a mobile number): {msg.address!r}")
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        body = {"to": msg.address, "text": msg.text, "sign": self.sign, "ref": msg.ref}
        try:
            r = self.session.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except self._errors as exc:
            return Delivery(False, error=f"短信网关不可达 (gateway unreachable): {type(exc).__name__}", retry=True)
        if r.status_code == 429 or r.status_code >= 500:
            return Delivery(False, error=f"短信网关暂时不可用 (gateway HTTP {r.status_code})", retry=True)
        try:
            data = r.json()
        except ValueError:
            data = {}
        if 200 <= r.status_code < 300 and data.get("ok") is True:
            return Delivery(True, provider_ref=str(data.get("id", ""))[:80])
        return Delivery(False, error=f"短信网关拒收 (gateway refused, HTTP {r.status_code}): {data.get('error', '')}"[:500])


class LogSms:
    """No gateway configured: the message stays in the outbox (undelivered) and the log says so."""

    name = "sms"

    def send(self, msg: Outgoing) -> Delivery:
        log.info("SMS not sent (no gateway configured) %s to %s: %s", msg.ref, msg.address, msg.text)
        return Delivery(False, error="未配置短信网关 (no SMS gateway configured)", retry=True)


class Letters:
    name = "letter"

    def __init__(self, folder: Path, *, sender: str = "门诊慢特病管理服务中心") -> None:
        self.folder, self.sender = Path(folder), sender

    def send(self, msg: Outgoing) -> Delivery:
        if not msg.address.strip():
            return Delivery(False, error="没有通信地址 (no postal address)")
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{_SAFE.sub('_', msg.ref)}-{_SAFE.sub('_', msg.person_no)}.txt"
        body = (f"{msg.address}\n{msg.person_name} 收\n\n{msg.person_name}：您好！\n\n"
                f"{msg.text.removeprefix('【一窗通】')}\n\n如有疑问请联系您的家庭医生或到服务中心咨询。\n"
                f"如不希望再收到此类提醒，可在服务窗口办理退订。\n\n{self.sender}\n编号 {msg.ref}\n")
        path.write_text(body, encoding="utf-8")
        return Delivery(True, provider_ref=path.name)


__all__ = ["CHANNELS", "Channel", "Delivery", "HttpSms", "Letters", "LogSms", "Outgoing"]
