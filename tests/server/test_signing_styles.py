"""Gateway signing styles (ours, TIF, CSB) on both sides: the digests as nhsa-interface.md §1.1 writes them, the
centre accepting exactly the styles an institution is configured for, and our client's transport signing each
style over real HTTP."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import logging
import time

import pytest

from core.gateway import signing
from core.sync.config import config_from_dict
from core.sync.transport import SignInBook, Transport
from server.models import setting
from tests.server.helpers import P01_CERTNO, PH1, LiveServer, body_of, envelope

_seq = itertools.count(1)


def test_tif_and_csb_digests_follow_the_published_recipes():
    assert signing.tif_signature("tok", "1700000000", "abc") == hashlib.sha256(b"1700000000tokabc1700000000").hexdigest()
    params = {"_api_name": "callService", "_api_version": "1.0.0", "_api_timestamp": "1700000000123",
              "_api_access_key": "P42070000001"}
    text = b"_api_access_key=P42070000001&_api_name=callService&_api_timestamp=1700000000123&_api_version=1.0.0"
    assert signing.csb_signature("k", params) == base64.b64encode(hmac.new(b"k", text, hashlib.sha1).digest()).decode()
    h = signing.sign("csb", PH1, "k", b"{}", now=1700000000.123)
    assert h["_api_timestamp"] == "1700000000123" and "k" not in h.values()


def _allow(engine, styles: str, code: str = PH1) -> None:
    with engine.begin() as conn:
        conn.execute(setting.insert().values(key=f"signing.{code}", value=styles))


def _signin_env(code=PH1):
    return envelope("9001", {"signIn": {"opter_no": "OP01", "mac": "00:1A:2B:3C:4D:5E", "ip": "10.0.0.8"}}, code)


def test_centre_accepts_only_the_styles_configured(client, centre_engine, caplog):
    caplog.set_level(logging.DEBUG)
    secret = client.secrets[PH1]
    body = body_of(_signin_env())
    # default: ours only
    r = client.post_raw(body, signing.sign("tif", PH1, secret, body)).json()
    assert r["infcode"] == -1 and "bad signature" in r["err_msg"] and "签名错误" in r["err_msg"]
    r = client.post_raw(body, signing.sign("csb", PH1, secret, body)).json()
    assert r["infcode"] == -1 and "CSB" in r["err_msg"]
    _allow(centre_engine, "tif,csb")
    client.app.centre.invalidate("ref.settings.signing")
    for style in ("tif", "csb"):
        b = body_of(_signin_env())
        r = client.post_raw(b, signing.sign(style, PH1, secret, b)).json()
        assert r["infcode"] == 0, (style, r)
    b = body_of(_signin_env())
    r = client.post_raw(b, signing.sign("ow", PH1, secret, b)).json()
    assert r["infcode"] == -1 and "tif/csb" in r["err_msg"]
    # a wrong secret, a replayed CSB request, a stale timestamp
    b = body_of(_signin_env())
    assert client.post_raw(b, signing.sign("tif", PH1, "0" * 64, b)).json()["infcode"] == -1
    headers = signing.sign("csb", PH1, secret, b)
    assert client.post_raw(b, headers).json()["infcode"] == 0
    again = client.post_raw(b, headers).json()
    assert again["infcode"] == -1 and "replayed" in again["err_msg"]
    old = client.post_raw(b, signing.sign("csb", PH1, secret, b, now=time.time() - 3600)).json()
    assert old["infcode"] == -1 and "stale" in old["err_msg"]
    assert secret not in caplog.text


@pytest.mark.parametrize("style", ["ow", "tif", "csb"])
def test_client_transport_signs_each_style_over_http(centre_db, centre_engine, style):
    from server.app import create_app

    _allow(centre_engine, style)
    with LiveServer(create_app(engine=centre_engine)) as server:
        cfg = config_from_dict({"terminal": {"institution_code": PH1, "secret": centre_db.secrets[PH1]},
                                "centre": {"url": server.url, "signing_style": style, "interface_profile": "national"}})
        t = Transport(cfg, signins=SignInBook(), allocate_msgid=lambda: f"{PH1}{dt.datetime.now():%Y%m%d%H%M%S}{next(_seq):04d}",
                      clock=lambda: dt.datetime.now(dt.timezone(dt.timedelta(hours=8))))
        try:
            reply = t.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}}, operator="OP01")
        finally:
            t.close()
    assert reply.ok, reply.describe()
    assert json.dumps(reply.output).count("T0001") >= 1
