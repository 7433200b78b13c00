"""HTTP transport to one centre: keep-alive connections with connect/read timeouts, TLS verification, the signed
gateway headers, the envelope built in one place, and 9001 sign-in handled once per operator and day.

The messages go over core.sync.wire (kept-alive sockets, answers parsed by httptools), or through urllib3's
pool when the environment names a proxy for the centre — not through a requests Session: a Session call spent
more CPU than the rest of the client's work on a message (it re-read the environment for proxies and the netrc
file on every request, merged settings, cookies and hooks), and urllib3 with http.client about half of it
(measured on the drain, which is CPU-bound). What the Session read from the environment (a proxy for the
centre's URL, a CA bundle) is read once here instead. `session` stays a requests Session for health probes.

    transport = Transport(config, signins=SignInBook(...), allocate_msgid=...)
    reply = transport.call("2102", input_node, msgid=reserved_msgid, operator="OP01")

`call` never raises for network trouble: every failure becomes a Reply with outcome NOT_SENT or UNKNOWN (see
core.sync.envelope). It never retries a message by itself, with one exception: when the centre refuses the
*session* (sign_no missing, unknown or signed out) it signs in again and repeats the same message with the same
msgid — the session refusal said nothing about the message.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

import os
import ssl
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3 import exceptions as u3

from core.sync import killpoints
from core.sync.config import CentreConfig, SyncConfig
from core.sync.envelope import Outcome, Reply, build, encode, parse_reply
from core.sync.transactions import sign_in_input
from core.sync.wire import Wire, WireError
from core.gateway import signing
from core.gateway.profiles import load_profile

log = logging.getLogger("onewindow.sync")

NO_SIGNIN = frozenset({"9001", "9002"})


class SignInBook:
    """Where sign-ins are kept: in memory here; core.sync.terminal stores them in the terminal database."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, dt.date], str] = {}

    def get(self, operator: str, day: dt.date) -> str | None:
        return self._by_key.get((operator, day))

    def put(self, operator: str, day: dt.date, sign_no: str) -> None:
        self._by_key[(operator, day)] = sign_no

    def drop(self, operator: str, day: dt.date, sign_no: str) -> None:
        if self._by_key.get((operator, day)) == sign_no:
            del self._by_key[(operator, day)]


@dataclass
class Health:
    """What the transport saw last; core.sync.status reads it (and the store) for the status line."""

    last_ok_monotonic: float | None = None
    last_failure_monotonic: float | None = None
    consecutive_failures: int = 0
    last_error: str = ""

    def note(self, reply: Reply) -> None:
        if reply.reached:
            self.last_ok_monotonic = time.monotonic()
            self.consecutive_failures = 0
        else:
            self.last_failure_monotonic = time.monotonic()
            self.consecutive_failures += 1
            self.last_error = reply.error

    @property
    def believed_offline(self) -> bool:
        return self.consecutive_failures > 0 and (
            self.last_ok_monotonic is None or (self.last_failure_monotonic or 0) > self.last_ok_monotonic)


def classify_exception(exc: Exception) -> tuple[Outcome, str]:
    """Which failures prove that no request reached the centre (urllib3's exceptions, or requests' for a
    caller that still uses a Session)."""
    if isinstance(exc, WireError):
        return (Outcome.NOT_SENT if exc.not_sent else Outcome.UNKNOWN), str(exc)
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, u3.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
        text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (u3.NewConnectionError, u3.NameResolutionError)):  # before ConnectTimeoutError: subclasses
        return Outcome.NOT_SENT, f"cannot connect: {exc}"
    if isinstance(exc, u3.ConnectTimeoutError):
        return Outcome.NOT_SENT, f"connect timeout: {exc}"
    if isinstance(exc, u3.SSLError):
        return Outcome.NOT_SENT, f"TLS handshake failed: {exc}"
    if isinstance(exc, u3.ReadTimeoutError):
        return Outcome.UNKNOWN, f"read timeout: {exc}"
    if isinstance(exc, (u3.HTTPError, OSError)) and not isinstance(exc, requests.RequestException):
        return Outcome.UNKNOWN, f"connection lost: {text}"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Outcome.NOT_SENT, f"connect timeout: {exc}"
    if isinstance(exc, requests.exceptions.SSLError):
        return Outcome.NOT_SENT, f"TLS handshake failed: {exc}"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return Outcome.UNKNOWN, f"read timeout: {exc}"
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

        if isinstance(inner, (NewConnectionError, NameResolutionError, ConnectTimeoutError)):
            return Outcome.NOT_SENT, f"cannot connect: {inner}"
        return Outcome.UNKNOWN, f"connection lost: {text}"
    return Outcome.UNKNOWN, text


class Transport:
    def __init__(
        self,
        config: SyncConfig,
        *,
        signins: SignInBook | None = None,
        allocate_msgid: Callable[[], str],
        clock: Callable[[], dt.datetime],
        secret: str | None = None,
        pool: int = 8,
    ) -> None:
        self.config = config
        self.signins = signins or SignInBook()
        self.allocate_msgid = allocate_msgid
        self.clock = clock
        self.health = Health()
        self._secret = secret if secret is not None else config.terminal.signing_secret()
        self.profile = load_profile(config.centre.interface_profile)
        self.signing_style = config.centre.signing_style or self.profile.signing
        self._signin_lock = threading.Lock()
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool, 1), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.verify = config.centre.verify_tls
        self.session.headers["user-agent"] = f"onewindow-terminal/{config.terminal.terminal_id}"
        self.listeners: list[Callable[[Reply], None]] = []
        self._pool = max(pool, 1)
        self._headers = {"user-agent": self.session.headers["user-agent"], "content-type": "application/json",
                         "accept": "*/*"}
        self._link_lock = threading.Lock()
        self._link = _Link(config.centre, self.profile, self._pool)

    def link(self) -> "_Link":
        """The connections for the centre as configured now (the configuration may be replaced while running:
        another centre URL, other timeouts — the next message then goes over new connections)."""
        link = self._link
        if link.centre is not self.config.centre:
            with self._link_lock:
                link = self._link
                if link.centre is not self.config.centre:
                    old, link = link, _Link(self.config.centre, self.profile, self._pool)
                    self._link = link
                    old.close()
        return link

    def close(self) -> None:
        self.session.close()
        self._link.close()

    def url_for(self, infno: str) -> str:
        return self.link().url_for(infno)

    # ---- the wire -------------------------------------------------------------------------------------------
    def post(self, body: bytes, infno: str) -> Reply:
        c = self.config.centre
        headers = signing.sign(self.signing_style, self.config.terminal.institution_code, self._secret, body,
                               api_name=c.csb_api_name, api_version=c.csb_api_version)
        killpoints.kill_point("before_send", infno)
        killpoints.set_current(infno)
        started = time.monotonic()
        try:
            # never retried or redirected here: a repeat is the outbox's decision, with the same msgid
            link = self.link()
            if link.wire is not None:
                status, answer_headers, content = link.wire.post(
                    link.path_for(infno), body, {**self._headers, **headers},
                    after_send=lambda: killpoints.kill_point("after_send", infno))
            else:
                r = link.http.urlopen("POST", link.url_for(infno), body=body, headers={**self._headers, **headers},
                                      timeout=link.timeout, retries=False, redirect=False)
                status, answer_headers, content = r.status, dict(r.headers), r.data
        except Exception as exc:  # noqa: BLE001 - every network failure becomes an outcome
            outcome, error = classify_exception(exc)
            reply = Reply(outcome, error=error, elapsed_s=time.monotonic() - started)
        else:
            reply = parse_reply(status, content, answer_headers, elapsed_s=time.monotonic() - started)
        finally:
            killpoints.set_current(None)
        killpoints.kill_point("after_reply", infno)
        self.health.note(reply)
        for listener in self.listeners:
            listener(reply)
        return reply

    def envelope(self, infno: str, msgid: str, input_node: dict, *, operator: str, operator_name: str = "",
                 insuplc_admdvs: str = "", sign_no: str = "") -> dict:
        t, c = self.config.terminal, self.config.centre
        return build(infno, msgid, input_node, institution_code=t.institution_code,
                     institution_name=t.institution_name, admvs=c.admvs, insuplc_admdvs=insuplc_admdvs,
                     operator=operator, operator_name=operator_name, opter_type=t.opter_type, sign_no=sign_no,
                     infver=c.infver, recer_sys_code=c.recer_sys_code, now=self.clock())

    # ---- sign-in --------------------------------------------------------------------------------------------
    def sign_no(self, operator: str, operator_name: str = "") -> tuple[str | None, Reply | None]:
        """Today's sign_no of `operator`, signing in (9001) when there is none yet."""
        day = self.clock().date()
        found = self.signins.get(operator, day)
        if found:
            return found, None
        with self._signin_lock:
            found = self.signins.get(operator, day)
            if found:
                return found, None
            node = sign_in_input(operator)
            env = self.envelope(self.config.infno["sign_in"], self.allocate_msgid(), node, operator=operator,
                                operator_name=operator_name)
            reply = self.post(encode(env), env["infno"])
            if not reply.ok:
                return None, reply
            sign_no = str((reply.output.get("signinoutb") or {}).get("sign_no") or "")
            if not sign_no:
                return None, Reply(Outcome.UNKNOWN, error="9001 answer without sign_no")
            self.signins.put(operator, day, sign_no)
            log.info("signed in operator %s (sign_no %s)", operator, sign_no)
            return sign_no, None

    # ---- a business call ------------------------------------------------------------------------------------
    def call(self, infno: str, input_node: dict, *, msgid: str | None = None, operator: str, operator_name: str = "",
             insuplc_admdvs: str = "") -> Reply:
        msgid = msgid or self.allocate_msgid()
        for attempt in (1, 2):
            sign_no = ""
            if infno not in NO_SIGNIN:
                got, failed = self.sign_no(operator, operator_name)
                if got is None:
                    # No session: this message was not sent at all, whatever happened to the 9001.
                    assert failed is not None
                    return Reply(Outcome.NOT_SENT, err_msg=failed.err_msg if failed.refused else "",
                                 http_status=failed.http_status,  # a 401 there is a signing problem: say so
                                 error=f"sign-in (9001) failed: {failed.describe()}")
                sign_no = got
            env = self.envelope(infno, msgid, input_node, operator=operator, operator_name=operator_name,
                                insuplc_admdvs=insuplc_admdvs, sign_no=sign_no)
            reply = self.post(encode(env), infno)
            if attempt == 1 and reply.signin_refused and sign_no:
                log.info("the centre refused sign_no %s of %s (%s); signing in again", sign_no, operator,
                         reply.err_msg)
                self.signins.drop(operator, self.clock().date(), sign_no)
                continue
            return reply
        return reply  # pragma: no cover - the loop always returns


class _Link:
    """The connections to the centre of one CentreConfig: the wire (or urllib3's pool behind a proxy), and the
    URL of each transaction number, worked out once."""

    def __init__(self, centre: CentreConfig, profile, pool: int) -> None:
        self.centre, self.profile = centre, profile
        self.http, proxied = _manager(centre, pool)
        self.wire = None if proxied or not centre.url else Wire(
            centre.url, connect_timeout_s=centre.connect_timeout_s, read_timeout_s=centre.read_timeout_s,
            tls=lambda: _tls_context(centre.verify_tls), pool=pool)
        self.timeout = urllib3.Timeout(connect=centre.connect_timeout_s, read=centre.read_timeout_s)
        self._urls: dict[str, str] = {}
        self._paths: dict[str, str] = {}

    def url_for(self, infno: str) -> str:
        url = self._urls.get(infno)
        if url is None:
            url = self._urls[infno] = self.centre.endpoint_for(infno, self.profile)
        return url

    def path_for(self, infno: str) -> str:
        path = self._paths.get(infno)
        if path is None:
            u = urlsplit(self.url_for(infno))
            path = self._paths[infno] = (u.path or "/") + (f"?{u.query}" if u.query else "")
        return path

    def close(self) -> None:
        self.http.clear()
        if self.wire is not None:
            self.wire.close()


def _ca_bundle(verify: bool | str) -> str:
    """The CA bundle to verify the centre with: the configured one, else the environment's
    (REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE, as requests reads them), else certifi's."""
    if isinstance(verify, str):
        return verify
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or requests.certs.where()


def _tls_context(verify: bool | str) -> ssl.SSLContext:
    if verify is False:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    bundle = _ca_bundle(verify)
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)


def _manager(c: CentreConfig, pool: int) -> tuple[urllib3.PoolManager, bool]:
    """urllib3's keep-alive connections to the centre (at most `pool`), used when the environment names a proxy
    for the centre's URL (HTTPS_PROXY/HTTP_PROXY, NO_PROXY honoured; read once). Returns (manager, proxied)."""
    tls: dict = {"cert_reqs": "CERT_NONE"} if c.verify_tls is False else {"cert_reqs": "CERT_REQUIRED"}
    if c.verify_tls is not False:
        bundle = _ca_bundle(c.verify_tls)
        tls["ca_cert_dir" if os.path.isdir(bundle) else "ca_certs"] = bundle
    proxy = requests.utils.get_environ_proxies(c.url).get(c.url.split(":", 1)[0].lower()) if c.url else None
    if proxy:
        return urllib3.ProxyManager(proxy, num_pools=4, maxsize=pool, block=False, **tls), True
    return urllib3.PoolManager(num_pools=4, maxsize=pool, block=False, **tls), False


__all__ = ["Health", "SignInBook", "Transport", "classify_exception"]
