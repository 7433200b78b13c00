"""The HTTP/1.1 wire to one centre: kept-alive sockets, one request at a time on each, the answer parsed by
httptools (the C parser the centre's uvicorn uses too).

    wire = Wire("http://127.0.0.1:8000", connect_timeout_s=3, read_timeout_s=15, tls=None, pool=8)
    (tls: a function giving the ssl.SSLContext for an https URL, called at the first connection)
    status, headers, body = wire.post("/fsi/api/…/callService", body, {"x-…": "…"}, after_send=callback)

Why not urllib3 or http.client: per message they cost more CPU than the rest of the client's work on it
(http.client parses the answer's headers with the e-mail package; urllib3 adds its pool and retry layers),
and the drain of an offline queue is CPU-bound. This is the part of them a message needs, nothing more:
no redirects, no retries (a repeat is the outbox's decision, with the same msgid), no proxies (the transport
falls back to urllib3 when the environment names one), no compression (none asked for).

Failures are WireError: NotConnected when the connection could not be made (refused, name not found, connect
timeout, TLS handshake, a CA bundle that cannot be read) — that proves the centre was not reached; ReadTimeout
and Lost for everything after the first byte was written, which does not (core.sync.transport classifies them).
A kept-alive socket is checked before it is reused (readable while idle = the centre closed it) as urllib3 does.
"""
from __future__ import annotations

import select
import socket
import ssl
import threading
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import httptools

_READ = 65536


class WireError(Exception):
    """A message that got no answer; str() says what happened, in the words the status line shows."""

    not_sent = False  # True: the centre certainly did not receive it


class NotConnected(WireError):
    """Refused, unknown host, connect timeout or TLS failure: nothing reached the centre, safe to send again."""

    not_sent = True


class ReadTimeout(WireError):
    """Sent, but no answer in time: the centre may have settled it, so the outcome is unknown (ask with the msgid)."""


class Lost(WireError):
    """Sent, then the connection dropped before a whole answer came back: outcome unknown, as for ReadTimeout."""


class _Answer:
    """httptools' callbacks: the status, headers (names in lower case) and body of one answer."""

    __slots__ = ("headers", "chunks", "complete", "messages", "headers_done", "parser", "keep_alive")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.complete = False
        self.messages = 0
        self.headers_done = False
        self.parser: httptools.HttpResponseParser | None = None
        self.keep_alive = False

    def on_message_begin(self) -> None:
        self.messages += 1

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.complete = True
        # asked here: once feed_data has returned, the parser has been reset for a next message
        self.keep_alive = self.parser is not None and self.parser.should_keep_alive()


def _dropped(sock: socket.socket) -> bool:
    """An idle kept-alive socket that is readable was closed by the other side (or holds stray bytes)."""
    try:
        if hasattr(select, "poll"):
            p = select.poll()
            p.register(sock, select.POLLIN)
            return bool(p.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class Wire:
    def __init__(self, base_url: str, *, connect_timeout_s: float, read_timeout_s: float,
                 tls: Callable[[], ssl.SSLContext] | None, pool: int) -> None:
        u = urlsplit(base_url)
        if u.scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.https = u.scheme == "https"
        self.host = u.hostname or ""
        self.port = u.port or (443 if self.https else 80)
        default = 443 if self.https else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._host_header = host if self.port == default else f"{host}:{self.port}"
        self.connect_timeout_s, self.read_timeout_s = connect_timeout_s, read_timeout_s
        self._tls_factory = tls if self.https else None
        self._tls: ssl.SSLContext | None = None
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()
        self._keep = max(pool, 1)

    # ---- connections ----------------------------------------------------------------------------------------
    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            assert self._tls_factory is not None
            try:
                self._tls = self._tls_factory()
            except (OSError, ValueError) as exc:  # a CA bundle that cannot be read: nothing can be sent
                raise NotConnected(f"TLS handshake failed: cannot load the CA bundle: {exc}") from exc
        return self._tls

    def _connect(self) -> socket.socket:
        context = self._context() if self._tls_factory is not None else None
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
        except socket.gaierror as exc:
            raise NotConnected(f"cannot connect: cannot resolve {self.host}: {exc}") from exc
        except TimeoutError as exc:
            raise NotConnected(f"connect timeout: {self.host}:{self.port} after {self.connect_timeout_s} s") from exc
        except OSError as exc:
            raise NotConnected(f"cannot connect: {self.host}:{self.port}: {exc}") from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if context is not None:
                sock = context.wrap_socket(sock, server_hostname=self.host)
        except TimeoutError as exc:
            sock.close()
            raise NotConnected(f"connect timeout: TLS handshake with {self.host}:{self.port}") from exc
        except (ssl.SSLError, ssl.CertificateError) as exc:
            sock.close()
            raise NotConnected(f"TLS handshake failed: {exc}") from exc
        except OSError as exc:
            sock.close()
            raise NotConnected(f"cannot connect: {self.host}:{self.port}: {exc}") from exc
        return sock

    def _take(self) -> socket.socket:
        while True:
            with self._lock:
                sock = self._idle.pop() if self._idle else None
            if sock is None:
                return self._connect()
            if not _dropped(sock):
                return sock
            sock.close()

    def _give_back(self, sock: socket.socket) -> None:
        with self._lock:
            if len(self._idle) < self._keep:
                self._idle.append(sock)
                return
        sock.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for sock in idle:
            sock.close()

    # ---- one exchange ---------------------------------------------------------------------------------------
    def post(self, path: str, body: bytes, headers: Mapping[str, str],
             after_send: Callable[[], None] | None = None) -> tuple[int, dict[str, str], bytes]:
        head = [f"POST {path} HTTP/1.1", f"Host: {self._host_header}", f"Content-Length: {len(body)}"]
        head.extend(f"{k}: {v}" for k, v in headers.items())
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        sock = self._take()  # raises the connect failures (nothing was sent)
        keep = False
        try:
            sock.settimeout(self.read_timeout_s)
            sock.sendall(request)
            if after_send is not None:
                after_send()
            answer = _Answer()
            parser = answer.parser = httptools.HttpResponseParser(answer)
            while not answer.complete:
                data = sock.recv(_READ)
                if not data:
                    if answer.headers_done and "content-length" not in answer.headers and \
                            "chunked" not in answer.headers.get("transfer-encoding", "").lower():
                        break  # an answer whose end is the end of the connection
                    raise Lost("connection lost: the centre closed the connection without a full answer")
                parser.feed_data(data)
            status = parser.get_status_code()
            keep = answer.complete and answer.messages == 1 and answer.keep_alive
            return status, answer.headers, b"".join(answer.chunks)
        except TimeoutError as exc:
            raise ReadTimeout(f"read timeout: no answer within {self.read_timeout_s} s") from exc
        except httptools.HttpParserError as exc:
            raise Lost(f"connection lost: the answer is not HTTP ({exc})") from exc
        except OSError as exc:
            raise Lost(f"connection lost: {type(exc).__name__}: {exc}") from exc
        finally:
            if keep:
                self._give_back(sock)
            else:
                sock.close()


__all__ = ["Lost", "NotConnected", "ReadTimeout", "Wire", "WireError"]
