"""core.sync.wire, the transport's HTTP/1.1 wire: kept-alive connections reused (and replaced when the centre
closed them while idle), answers of every framing (length, chunked, end of connection), TLS verified against
the configured CA bundle, and failures raised so that the transport classifies them."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import select
import socket
import ssl
import threading
from pathlib import Path

import pytest

from core.sync.envelope import Outcome
from core.sync.transport import classify_exception
from core.sync.wire import Lost, NotConnected, ReadTimeout, Wire
from tests.sync.fakecentre import FakeCentre, envelope_answer
from tests.sync.test_transport import transport


class RawCentre:
    """A one-thread HTTP server that answers each request with `answers[i]` (raw bytes) and then keeps the
    connection open or closes it (`close_after[i]`); counts the connections it accepted."""

    def __init__(self, answers: list[bytes], close_after: list[bool]) -> None:
        self.answers, self.close_after = answers, close_after
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.accepted = 0
        self.requests: list[bytes] = []
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _read_request(self, conn: socket.socket) -> bytes | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
        while len(body) < length:
            body += conn.recv(65536)
        return head + b"\r\n\r\n" + body

    def _serve(self) -> None:
        i = 0
        while i < len(self.answers):
            conn, _ = self.sock.accept()
            self.accepted += 1
            with conn:
                while i < len(self.answers):
                    request = self._read_request(conn)
                    if request is None:
                        break
                    self.requests.append(request)
                    conn.sendall(self.answers[i])
                    i += 1
                    if self.close_after[i - 1]:
                        break
            self.closed.set()

    def close(self) -> None:
        self.sock.close()


def http11(body: bytes, *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", "content-type: application/json", *extra]
    if not any(h.lower().startswith(("transfer-encoding", "connection: close")) for h in extra):
        head.append(f"content-length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def wire(url: str) -> Wire:
    return Wire(url, connect_timeout_s=1.0, read_timeout_s=5.0, tls=None, pool=2)


def test_a_kept_alive_connection_is_reused():
    c = RawCentre([http11(b'{"a":1}'), http11(b'{"a":2}')], [False, False])
    w = wire(c.url)
    assert w.post("/x", b"{}", {})[2] == b'{"a":1}'
    assert w.post("/x", b"{}", {})[2] == b'{"a":2}'
    assert c.accepted == 1
    assert c.requests[0].startswith(b"POST /x HTTP/1.1\r\n") and b"\r\nContent-Length: 2\r\n" in c.requests[0]
    w.close()
    c.close()


def test_a_connection_the_centre_closed_while_idle_is_replaced_not_failed():
    c = RawCentre([http11(b'{"a":1}'), http11(b'{"a":2}')], [True, False])
    w = wire(c.url)
    assert w.post("/x", b"{}", {})[2] == b'{"a":1}'
    assert c.closed.wait(10)
    assert select.select([w._idle[0]], [], [], 10)[0]  # the FIN has arrived: the idle socket reads as closed
    status, _, body = w.post("/x", b"{}", {})  # sent on a new connection: not lost on the dead one
    assert (status, body) == (200, b'{"a":2}') and c.accepted == 2
    w.close()
    c.close()


def test_chunked_and_end_of_connection_answers():
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n"
    c = RawCentre([chunked], [False])
    status, headers, body = wire(c.url).post("/x", b"{}", {})
    assert (status, body, headers["transfer-encoding"]) == (200, b'{"a":1}', "chunked")
    c.close()
    c = RawCentre([b'HTTP/1.1 503 Busy\r\nconnection: close\r\n\r\n{"a":2}'], [True])
    assert wire(c.url).post("/x", b"{}", {})[::2] == (503, b'{"a":2}')
    c.close()


def test_an_answer_cut_short_or_not_http_is_a_lost_connection():
    c = RawCentre([b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{\"a\""], [True])
    with pytest.raises(Lost) as cut:
        wire(c.url).post("/x", b"{}", {})
    assert classify_exception(cut.value)[0] is Outcome.UNKNOWN
    c.close()
    c = RawCentre([b"SSH-2.0-OpenSSH\r\n\r\n"], [True])
    with pytest.raises(Lost):
        wire(c.url).post("/x", b"{}", {})
    c.close()


def test_failures_before_and_after_the_request_left():
    """Refused and unresolvable: not sent (the cashier may withdraw it). A read timeout: unknown."""
    held = socket.socket()
    held.bind(("127.0.0.1", 0))  # bound, never listening: the connection is refused
    with pytest.raises(NotConnected) as refused:
        wire(f"http://127.0.0.1:{held.getsockname()[1]}").post("/x", b"{}", {})
    held.close()
    assert classify_exception(refused.value) == (Outcome.NOT_SENT, str(refused.value))
    assert str(refused.value).startswith("cannot connect")
    with pytest.raises(NotConnected):
        wire("http://name.invalid:80").post("/x", b"{}", {})
    c = RawCentre([], [])  # listens, reads, never answers
    silent = Wire(c.url, connect_timeout_s=1.0, read_timeout_s=0.3, tls=None, pool=1)
    with pytest.raises(ReadTimeout) as slow:
        silent.post("/x", b"{}", {})
    assert classify_exception(slow.value)[0] is Outcome.UNKNOWN and "read timeout" in str(slow.value)
    c.close()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "onewindow test centre")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "centre.pem", tmp_path / "centre.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_is_verified_against_the_configured_bundle(tmp_path):
    cert, key = _self_signed(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    with FakeCentre(lambda env: (200, envelope_answer(0, {"echo": env.get("msgid")}))) as c:
        c.server.socket = ctx.wrap_socket(c.server.socket, server_side=True)
        url = c.url.replace("http://", "https://")
        reply = transport(url, verify_tls=str(cert)).post(json.dumps({"infno": "2102"}).encode(), "2102")
        assert reply.ok, reply.describe()
        refused = transport(url).post(b'{"infno":"2102"}', "2102")  # the default bundle does not know it
        assert refused.outcome is Outcome.NOT_SENT and "TLS" in refused.error
        assert transport(url, verify_tls=False).post(b'{"infno":"2102"}', "2102").ok
        missing = transport(url, verify_tls=str(tmp_path / "nope.pem")).post(b'{"infno":"2102"}', "2102")
        assert missing.outcome is Outcome.NOT_SENT and "CA bundle" in missing.error
