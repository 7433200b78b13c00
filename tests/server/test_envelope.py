"""Sign-in, signed headers, idempotency and every way a message can be wrong (never a 500, never a write)."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from server.models import journal, message
from server.signing import sign_headers
from tests.server.helpers import CALL, P01_CERTNO, PH1, PH2, body_of, envelope


def _counts(engine):
    with engine.connect() as conn:
        out = (conn.execute(select(func.count()).select_from(message)).scalar(),
               conn.execute(select(func.count()).select_from(journal)).scalar())
        conn.rollback()
    return out


def test_sign_in_and_person_by_id_number(client):
    out = client.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}})
    assert out["infcode"] == 0, out
    base = out["output"]["baseinfo"]
    assert base["psn_no"] == "T0001" and base["certno"] == P01_CERTNO and base["gend"] == "1"
    assert out["output"]["insuinfo"][0]["insutype"] == "390"
    assert out["inf_refmsgid"].startswith("420700") and len(out["inf_refmsgid"]) == 30
    assert len(out["refmsg_time"]) == 17 and out["err_msg"] == ""


@pytest.mark.parametrize("raw, needle", [
    (b"{not json", "malformed JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b"", "empty body"),
    (b"\xff\xfe{}", "not UTF-8"),
])
def test_malformed_bodies_are_refused_without_writes(client, centre_engine, raw, needle):
    before = _counts(centre_engine)
    r = client.post_raw(raw, sign_headers(PH1, client.secrets[PH1], raw))
    body = r.json()
    assert r.status_code == 400 and body["infcode"] == -1 and needle in body["err_msg"], body
    assert _counts(centre_engine) == before


def test_missing_fields_wrong_types_unknown_infno(client, centre_engine):
    client.sign_in(PH1)
    before = _counts(centre_engine)
    env = envelope("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}}, PH1,
                   sign_no=client.sign_nos[PH1])
    del env["msgid"]
    out = client.send(env).json()
    assert out["infcode"] == -1 and "msgid: 缺少必填字段 missing" in out["err_msg"]
    env = envelope("1101", "not an object", PH1, sign_no=client.sign_nos[PH1])
    out = client.send(env).json()
    assert out["infcode"] == -1 and "input" in out["err_msg"]
    out = client.call("2102", {"druginfo": {"psn_no": "T0001", "medfee_sumamt": "abc", "med_type": "9901"},
                               "drugdetail": []})
    assert out["infcode"] == -1 and "input.druginfo.medfee_sumamt" in out["err_msg"] and "input.drugdetail" in out["err_msg"]
    out = client.call("9999", {})
    assert out["infcode"] == -1 and "unknown infno '9999'" in out["err_msg"]
    env = envelope("1101", {"data": {}}, PH1, sign_no=client.sign_nos[PH1], inf_time="yesterday")
    out = client.send(env).json()
    assert out["infcode"] == -1 and "inf_time" in out["err_msg"]
    # Refusals of well-formed messages are stored (same answer on repeat); nothing else is written.
    assert _counts(centre_engine)[1] == before[1]


def test_oversized_body(client, centre_engine):
    before = _counts(centre_engine)
    env = envelope("1101", {"data": {"pad": "x" * 70_000}}, PH1)
    r = client.send(env)
    assert r.status_code == 413 and r.json()["infcode"] == -1 and "too large" in r.json()["err_msg"]
    assert _counts(centre_engine) == before


def test_signed_headers(client):
    env = envelope("9001", {"signIn": {"opter_no": "OP01"}}, PH1)
    body = body_of(env)
    r = client.post_raw(body, {"content-type": "application/json"})
    assert r.status_code == 401 and "unsigned request" in r.json()["err_msg"]
    r = client.post_raw(body, sign_headers(PH1, "0" * 64, body))
    assert r.status_code == 401 and "bad signature" in r.json()["err_msg"]
    r = client.post_raw(body, sign_headers(PH1, client.secrets[PH1], body, now=time.time() - 3600))
    assert r.status_code == 401 and "stale" in r.json()["err_msg"]
    r = client.post_raw(body, sign_headers(PH2, client.secrets[PH2], body))
    assert r.status_code == 401 and "is not the envelope's fixmedins_code" in r.json()["err_msg"]
    altered = body.replace(b"OP01", b"OP02")
    r = client.post_raw(altered, sign_headers(PH1, client.secrets[PH1], body))
    assert r.status_code == 401 and "bad signature" in r.json()["err_msg"]
    headers = sign_headers(PH1, client.secrets[PH1], body)
    assert client.post_raw(body, headers).json()["infcode"] == 0
    r = client.post_raw(body, headers)
    assert r.status_code == 401 and "replayed" in r.json()["err_msg"]


def test_dev_mode_accepts_unsigned(centre_db, centre_engine):
    from fastapi.testclient import TestClient

    from server.app import create_app

    with TestClient(create_app(engine=centre_engine, dev=True)) as http:
        body = body_of(envelope("9001", {"signIn": {"opter_no": "OP01"}}, PH1))
        r = http.post(CALL, content=body, headers={"content-type": "application/json"})
        assert r.json()["infcode"] == 0


def test_sign_in_is_required_and_sign_out_ends_it(client):
    env = envelope("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}}, PH1)
    out = client.send(env).json()
    assert out["infcode"] == -1 and "sign_no is required" in out["err_msg"]
    sign_no = client.sign_in(PH1)
    out = client.call("9002", {"signOut": {"sign_no": sign_no, "opter_no": "OP01"}})
    assert out["infcode"] == 0
    out = client.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}})
    assert out["infcode"] == -1 and "signed out" in out["err_msg"]
    other = client.sign_in(PH2)
    env = envelope("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}}, PH1, sign_no=other)
    assert "is not a sign-in of" in client.send(env).json()["err_msg"]


def test_repeated_msgid_gets_the_first_answer(client):
    client.sign_in(PH1)
    env = envelope("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}}, PH1,
                   sign_no=client.sign_nos[PH1])
    first = client.send(env)
    second = client.send(env)
    assert first.json() == second.json() and second.headers.get("x-ow-replayed") == "1"
    env2 = dict(env, input={"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "420704196306301148"}})
    out = client.send(env2).json()
    assert out["infcode"] == -1 and "already used for a different message" in out["err_msg"]
    # another institution using the same msgid does not see PH1's answer: the msgid is not its own (server.identity)
    client.sign_in(PH2)
    env3 = dict(env, fixmedins_code=PH2, sign_no=client.sign_nos[PH2])
    out = client.send(env3).json()
    assert out["infcode"] == -1 and "must start with" in out["err_msg"] and not out.get("output")


def test_openapi_document(client, centre_engine):
    from fastapi.testclient import TestClient

    from server.app import create_app

    for path in ("/openapi.json", "/docs", "/redoc"):  # production: off
        assert client.http.get(path).status_code == 404, path
    with TestClient(create_app(engine=centre_engine, docs=True)) as http:
        doc = http.get("/openapi.json").json()
        assert http.get("/docs").status_code == 200
        assert CALL in doc["paths"]
    schema = doc["paths"][CALL]["post"]["requestBody"]["content"]["application/json"]["schema"]
    one = doc["components"]["schemas"][schema["discriminator"]["mapping"]["2102"].rsplit("/", 1)[1]]
    assert "infno" in one["properties"] and "msgid" in one["required"]  # each transaction's envelope
