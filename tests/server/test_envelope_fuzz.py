"""Fuzzing the centre's envelope parser (server/envelope.py) with hypothesis, bounded (a fixed number of examples,
no deadline: a loaded CI machine must not turn slowness into a failure):

- parse_body on any bytes and on any JSON: a dict, or BodyError (400/413) — never another exception;
- parse_envelope / parse_input of every transaction's input model on JSON-shaped data: the model, or
  PlatformError naming the field — never a ValidationError, TypeError or decimal error escaping;
- signed requests with fuzzed envelope fields and input nodes, over HTTP to the in-process centre (SQLite):
  never a 5xx, always a JSON answer.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.envelope import BodyError, PlatformError, parse_body, parse_envelope, parse_input
from server.transactions import load_all
from tests.server.helpers import PH1, envelope

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
           | st.text(max_size=30) | st.sampled_from(["", "1e309", "-0", "2026-12-07 10:00:00", "9999-12-31", "NaN"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=25)
TRANSACTIONS = load_all()
MODELS = sorted(TRANSACTIONS)


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_give_a_dict_or_a_body_error(raw):
    try:
        assert isinstance(parse_body(raw), dict)
    except BodyError as exc:
        assert exc.http_status in (400, 413) and exc.err_msg


@FUZZ
@given(json_values)
def test_any_json_gives_a_dict_or_a_body_error(value):
    raw = json.dumps(value).encode()
    try:
        assert isinstance(parse_body(raw), dict) and isinstance(value, dict)
    except BodyError as exc:  # not an object, or a number out of range (1e308): said so
        assert exc.http_status == 400 and exc.err_msg


@FUZZ
@given(st.dictionaries(st.sampled_from(["infno", "msgid", "inf_time", "opter_type", "fixmedins_code", "sign_no",
                                        "insuplc_admdvs", "mdtrtarea_admvs", "infver", "input", "opter"]),
                       json_values, max_size=4))
def test_envelope_fields_give_the_envelope_or_a_named_refusal(overrides):
    env = envelope("9001", {}, PH1)
    env.update(overrides)
    try:
        parse_envelope(env)
    except PlatformError as exc:
        assert exc.err_msg.startswith("bad envelope")


@FUZZ
@given(st.sampled_from(MODELS), json_values)
def test_every_transaction_input_gives_the_model_or_a_named_refusal(infno, value):
    model = TRANSACTIONS[infno].input_model
    node = value if isinstance(value, dict) else {"data": value}
    try:
        parse_input(model, node)
    except PlatformError as exc:
        assert exc.err_msg.startswith("bad input")


@pytest.mark.parametrize("centre_db", ["sqlite"], indirect=True)
@FUZZ
@given(infno=st.sampled_from(["1101", "2101", "2102", "2103", "2601", "3505", "3506", "3201", "5205", "2503"]),
       node=json_values, overrides=st.dictionaries(st.sampled_from(["inf_time", "opter_type", "infver", "sign_no"]),
                                                   scalars, max_size=2))
def test_signed_fuzzed_requests_never_get_a_5xx(client, infno, node, overrides):
    sign_no = client.sign_nos.get(PH1) or client.sign_in(PH1)  # signed in: the input node is read, not refused first
    env = envelope(infno, node if isinstance(node, dict) else {"data": node}, PH1, sign_no=sign_no)
    env.update(overrides)
    r = client.send(env)
    assert r.status_code < 500, (r.status_code, r.text[:500])
    assert "infcode" in r.json() or "detail" in r.json() or "err_msg" in r.json(), r.text[:300]
