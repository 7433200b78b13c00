"""Envelope and transport: outcomes of every kind of failure, signed headers the centre accepts, sign-in once
per operator and day, a new sign-in when the centre refuses the session."""
from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import time

import pytest
from urllib3 import exceptions as u3

from core.sync.config import config_from_dict
from core.sync.envelope import Outcome, build, encode, parse_reply
from core.sync.signing import sign_headers
from core.sync.transport import SignInBook, Transport, classify_exception
from tests.sync.fakecentre import FakeCentre, envelope_answer

CST = dt.timezone(dt.timedelta(hours=8))


def ok_centre(env):
    if env["infno"] == "9001":
        return 200, envelope_answer(0, {"signinoutb": {"sign_no": f"SN{len(env['msgid'])}{time.time_ns()}"[:30],
                                                       "sign_time": ""}})
    return 200, envelope_answer(0, {"echo": env["msgid"]})


def transport(url: str, clock=None, **centre) -> Transport:
    cfg = config_from_dict({"terminal": {"institution_code": "P42070000001", "secret": "s3cret"},
                            "centre": {"url": url, "connect_timeout_s": 1.0, "read_timeout_s": 0.5, **centre}})
    counter = iter(range(1, 10_000))
    return Transport(cfg, signins=SignInBook(), allocate_msgid=lambda: f"P42070000001{next(counter):018d}",
                     clock=clock or (lambda: dt.datetime.now(CST)))


def test_signed_headers_are_accepted_by_the_centres_verifier():
    from server import signing

    body = encode(build("1101", "M1", {"data": {}}, institution_code="P42070000001", institution_name="x",
                        admvs="420700", operator="OP01", now=dt.datetime.now(CST)))
    headers = sign_headers("P42070000001", "s3cret", body)
    code, nonce, ts = signing.verify(headers, body, lambda c: "s3cret", now=time.time())
    assert code == "P42070000001" and len(nonce) == 32
    with pytest.raises(Exception, match="bad signature"):
        signing.verify(headers, body + b" ", lambda c: "s3cret", now=time.time())


def test_envelope_fields():
    now = dt.datetime(2025, 11, 25, 9, 30, tzinfo=CST)
    env = build("2102", "M1", {"druginfo": {}}, institution_code="P42070000001", institution_name="康济",
                admvs="420700", operator="OP01", operator_name="张三", sign_no="SN1", now=now)
    assert env["inf_time"] == "2025-11-25 09:30:00" and env["insuplc_admdvs"] == "420700"
    assert env["fixmedins_code"] == "P42070000001" and env["sign_no"] == "SN1" and env["opter_type"] == "1"
    assert json.loads(encode(env))["input"] == {"druginfo": {}}


@pytest.mark.parametrize("status,body,outcome", [
    (200, envelope_answer(0), Outcome.ANSWERED),
    (200, envelope_answer("0"), Outcome.ANSWERED),
    (200, envelope_answer(-1, err_msg="审核不通过"), Outcome.ANSWERED),
    (401, envelope_answer(-1, err_msg="bad signature"), Outcome.NOT_SENT),
    (503, envelope_answer(-1, err_msg="database unavailable"), Outcome.UNKNOWN),
    (200, b"\x00\xffgarbage", Outcome.UNKNOWN),
    (200, b'{"no": "infcode"}', Outcome.UNKNOWN),
    (502, b"<html>bad gateway</html>", Outcome.UNKNOWN),
])
def test_reply_classification(status, body, outcome):
    assert parse_reply(status, body).outcome is outcome


def test_refused_session_is_recognised():
    reply = parse_reply(200, envelope_answer(-1, err_msg="sign_no 1 was signed out at … (已签退): sign in again"))
    assert reply.refused and reply.signin_refused
    assert not parse_reply(200, envelope_answer(-1, err_msg="追溯码重复销售")).signin_refused


def test_connection_refused_is_not_sent(held_port):
    t = transport(held_port.url)
    reply = t.post(b"{}", "2102")
    assert reply.outcome is Outcome.NOT_SENT and "cannot connect" in reply.error
    assert t.health.believed_offline


def test_timeout_and_hang_up_are_unknown():
    released = threading.Event()

    def slow(env):  # answers only once the client has given up: no race with the read timeout
        released.wait(30)
        return 200, envelope_answer(0)

    with FakeCentre(slow) as c:
        reply = transport(c.url).post(b'{"infno":"2102"}', "2102")
        released.set()
        assert reply.outcome is Outcome.UNKNOWN and "read timeout" in reply.error
    with FakeCentre(lambda env: (None, b"")) as c:
        reply = transport(c.url).post(b'{"infno":"2102"}', "2102")
        assert reply.outcome is Outcome.UNKNOWN and "connection lost" in reply.error


@pytest.mark.parametrize("exc, outcome", [
    (u3.NewConnectionError(None, "refused"), Outcome.NOT_SENT),
    (u3.NameResolutionError("centre.invalid", None, OSError("no such host")), Outcome.NOT_SENT),
    (u3.ConnectTimeoutError(None, "connect timed out"), Outcome.NOT_SENT),
    (u3.SSLError("certificate verify failed"), Outcome.NOT_SENT),
    (u3.MaxRetryError(None, "/", u3.NewConnectionError(None, "refused")), Outcome.NOT_SENT),
    # the request may have reached the centre: never "not sent" (that would let the cashier withdraw it)
    (u3.ReadTimeoutError(None, "/", "read timed out"), Outcome.UNKNOWN),
    (u3.ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")), Outcome.UNKNOWN),
    (u3.ProtocolError("Connection aborted.", http.client.RemoteDisconnected("closed")), Outcome.UNKNOWN),
    (ConnectionResetError(104, "reset"), Outcome.UNKNOWN),
    (u3.MaxRetryError(None, "/", u3.ReadTimeoutError(None, "/", "read timed out")), Outcome.UNKNOWN),
    (ValueError("anything else"), Outcome.UNKNOWN),
])
def test_wire_failures_are_classified(exc, outcome):
    assert classify_exception(exc)[0] is outcome


def test_the_environment_proxy_is_used(monkeypatch):
    """What a requests Session read from the environment per request is read once (the messages go through
    urllib3 directly): a proxy for the centre's URL is used, NO_PROXY is honoured."""
    import urllib3

    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    link = transport("http://centre.example:8000").link()
    assert isinstance(link.http, urllib3.ProxyManager) and link.wire is None
    monkeypatch.setenv("NO_PROXY", "centre.example")
    link = transport("http://centre.example:8000").link()
    assert not isinstance(link.http, urllib3.ProxyManager) and link.wire is not None


def test_a_new_centre_url_is_used_from_the_next_message():
    with FakeCentre(lambda env: (200, envelope_answer(0))) as one, FakeCentre(lambda env: (200, envelope_answer(0))) as two:
        t = transport(one.url)
        assert t.post(b'{"infno":"2102"}', "2102").ok
        t.config = t.config.with_centre(two.url)
        assert t.post(b'{"infno":"2102"}', "2102").ok
        assert (len(one.received), len(two.received)) == (1, 1)


def test_sign_in_once_per_operator_and_day():
    today = [dt.datetime(2025, 11, 25, 9, 0, tzinfo=CST)]
    with FakeCentre(ok_centre) as c:
        t = transport(c.url, clock=lambda: today[0])
        for _ in range(3):
            assert t.call("1101", {"data": {}}, operator="OP01").ok
        assert t.call("1101", {"data": {}}, operator="OP02").ok
        today[0] += dt.timedelta(days=1)
        assert t.call("1101", {"data": {}}, operator="OP01").ok
        infnos = [e["infno"] for e in c.received]
        assert infnos.count("9001") == 3 and infnos.count("1101") == 5
        business = [e for e in c.received if e["infno"] == "1101"]
        assert all(e["sign_no"] for e in business)
        assert {h["x-tif-paasid"] for h in c.headers} == {"P42070000001"}


def test_refused_session_signs_in_again_and_repeats_the_same_msgid():
    refused_once = {"done": False}

    def centre(env):
        if env["infno"] == "9001":
            return ok_centre(env)
        if not refused_once["done"]:
            refused_once["done"] = True
            return 200, envelope_answer(-1, err_msg=f"sign_no {env['sign_no']} was signed out (已签退): sign in again")
        return 200, envelope_answer(0, {"echo": env["msgid"]})

    with FakeCentre(centre) as c:
        t = transport(c.url)
        reply = t.call("2102", {"druginfo": {}}, msgid="P42070000001M1", operator="OP01")
        assert reply.ok and reply.output["echo"] == "P42070000001M1"
        sent = [(e["infno"], e["msgid"], e["sign_no"]) for e in c.received]
        assert [x[0] for x in sent] == ["9001", "2102", "9001", "2102"]
        assert sent[1][1] == sent[3][1] == "P42070000001M1" and sent[1][2] != sent[3][2]
        assert c.headers[1]["x-tif-nonce"] != c.headers[3]["x-tif-nonce"]


def test_failed_sign_in_means_the_message_was_not_sent():
    with FakeCentre(lambda env: (200, envelope_answer(-1, err_msg="unknown institution"))) as c:
        reply = transport(c.url).call("2102", {}, msgid="M9", operator="OP01")
        assert reply.outcome is Outcome.NOT_SENT and [e["infno"] for e in c.received] == ["9001"]
