"""A small HTTP-aware TCP proxy on loopback that breaks things between a terminal and the centre.

Per request it picks a mode (fixed, or at random with given weights and a seed):

- pass: forward the request, return the reply;
- drop_reply: forward the request (the centre acts on it), then close the client connection without a reply;
- delay: forward, then hold the reply until the client hangs up (its read timeout; at most `delay_s`) and close;
- reset: forward, then reset the client connection (RST);
- garbage: forward, then answer 200 with random bytes instead of the envelope;
- truncate: forward, then send half of the reply and close;
- lost_request: do not forward at all; reset the client connection (the centre never sees it);
- refuse: the proxy is "down": new connections are refused (set with `down = True`).

Every request is logged (mode, infno, msgid) so a test can count what reached the centre.
"""
from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

MODES = ("pass", "drop_reply", "delay", "reset", "garbage", "truncate", "lost_request")


@dataclass
class Logged:
    mode: str
    infno: str
    msgid: str
    forwarded: bool
    status: int | None = None
    late: bool = False  # pass: the client had hung up (its read timeout) before the centre's answer came


def _read_http(sock: socket.socket, first: bytes = b"") -> bytes | None:
    """One HTTP message (head + Content-Length body); None when the peer closed before a whole one."""
    buf = first
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length]


def _hung_up(sock: socket.socket) -> bool:
    """The peer closed its side (nothing more to read, end of stream), without waiting."""
    import select

    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _rst(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


@dataclass
class FaultProxy:
    upstream_port: int
    weights: dict[str, float] = field(default_factory=lambda: {"pass": 1.0})
    seed: int = 1
    delay_s: float = 60.0  # the longest a delayed reply waits for the client to give up
    only_infnos: tuple[str, ...] = ()  # faults only for these transactions (others pass)
    down: bool = False

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self._uncovered: list[str] = []  # fault modes of the current weights not drawn yet
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._local = threading.local()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._accept_loop, name="faultproxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FaultProxy":
        self._accept.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self._listener.close()
        for t in list(self._threads):
            t.join(timeout=5)

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def set(self, weights: dict[str, float] | None = None, **kw) -> None:
        with self._lock:
            if weights is not None:
                self.weights = weights
                # every fault mode with a weight is drawn at least once, early, whatever the thread timing: a
                # rare mode (2 %) could otherwise miss a short run and the run would not test it
                self._uncovered = [m for m, w in weights.items() if w > 0 and m != "pass"]
            for k, v in kw.items():
                setattr(self, k, v)

    def _pick(self, infno: str) -> str:
        with self._lock:
            if self.only_infnos and infno not in self.only_infnos:
                return "pass"
            if self._uncovered and self.rng.random() < 0.2:
                return self._uncovered.pop(self.rng.randrange(len(self._uncovered)))
            modes = list(self.weights)
            mode = self.rng.choices(modes, [self.weights[m] for m in modes])[0]
            if mode in self._uncovered:
                self._uncovered.remove(mode)
            return mode

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._stop.is_set():
                client.close()
                return
            if self.down:
                _rst(client)
                continue
            t = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads = [x for x in self._threads if x.is_alive()] + [t]
            t.start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(30)
        self._local.upstream = None
        try:
            while not self._stop.is_set():
                request = _read_http(client)
                if request is None:
                    return
                infno, msgid = "", ""
                body = request.partition(b"\r\n\r\n")[2]
                try:
                    env = json.loads(body)
                    infno, msgid = str(env.get("infno", "")), str(env.get("msgid", ""))
                except ValueError:
                    pass
                mode = self._pick(infno)
                if mode == "lost_request":
                    with self._lock:
                        self.log.append(Logged(mode, infno, msgid, False))
                    _rst(client)
                    return
                reply = self._forward(request)
                status = int(reply.split(b" ", 2)[1]) if reply else None
                with self._lock:
                    self.log.append(Logged(mode, infno, msgid, True, status, late=mode == "pass" and _hung_up(client)))
                if reply is None:
                    _rst(client)
                    return
                if mode == "pass":
                    client.sendall(reply)
                    continue
                if mode == "drop_reply":
                    client.close()
                    return
                if mode == "delay":
                    # the answer "arrives" after the client gave up: hold it until the client hangs up (its read
                    # timeout), an event rather than a time that a busy machine might make too short
                    client.settimeout(self.delay_s)
                    try:
                        client.recv(1)
                    except OSError:
                        pass
                    client.close()
                    return
                if mode == "reset":
                    _rst(client)
                    return
                if mode == "garbage":
                    junk = bytes(self.rng.getrandbits(8) for _ in range(64))
                    client.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                                   + str(len(junk)).encode() + b"\r\n\r\n" + junk)
                    continue
                if mode == "truncate":
                    client.sendall(reply[: max(1, len(reply) // 2)])
                    client.close()
                    return
                client.sendall(reply)
        except OSError:
            pass
        finally:
            up = getattr(self._local, "upstream", None)
            if up is not None:
                up.close()
            try:
                client.close()
            except OSError:
                pass

    def _forward(self, request: bytes) -> bytes | None:
        """Forward on this client connection's own keep-alive connection to the centre (one reconnect)."""
        for attempt in (1, 2):
            up = getattr(self._local, "upstream", None)
            fresh = up is None
            try:
                if up is None:
                    up = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
                    self._local.upstream = up
                up.sendall(request)
                reply = _read_http(up)
                if reply is not None:
                    return reply
            except OSError:
                pass
            if up is not None:
                up.close()
            self._local.upstream = None
            if fresh:
                return None  # a new connection failed: the centre is down
        return None

    # ---- what the centre saw ------------------------------------------------------------------------------
    def forwarded(self, infno: str | None = None) -> list[Logged]:
        with self._lock:
            return [l for l in self.log if l.forwarded and (infno is None or l.infno == infno)]

    def modes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        with self._lock:
            for l in self.log:
                out[l.mode] = out.get(l.mode, 0) + 1
        return out


__all__ = ["FaultProxy", "Logged", "MODES"]
