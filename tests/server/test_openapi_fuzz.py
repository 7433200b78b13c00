"""schemathesis against the centre's own OpenAPI document (#15 item 7), bounded: requests generated from each
transaction's described input (server/openapi.py) — valid ones (positive), which get past the envelope and the
input model into the handlers, and ones that break the schema (negative) — signed by a seeded institution whose
kind may call the transaction, so the matrix does not stop them first. No answer is a 5xx, every answer is the
platform's JSON envelope, and the journal still verifies afterwards.

The envelope's identity fields (fixmedins_code, msgid, sign_no) are set to the signing institution's: the
envelope parser itself is fuzzed on its own in test_envelope_fuzz.py. Examples are fixed in number and derandomized
(the same cases on every run, no deadline: a loaded CI machine must not turn slowness into a failure)."""
from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from server.permissions import MATRIX
from server.signing import sign_headers
from tests.server.helpers import AGY, CL1, H2, KSK, PH1, SUP, new_msgid

CALLER = {"pharmacy": PH1, "agency": AGY, "hospital": H2, "clinic": CL1, "kiosk": KSK, "supervisor": SUP}
EXAMPLES = {GenerationMode.POSITIVE: 250, GenerationMode.NEGATIVE: 150}


def _operation(app):
    schema = schemathesis.openapi.from_dict(app.openapi())
    return schema["/fsi/api/rsfComIfsService/callService"]["POST"]


def test_the_document_describes_every_transaction_input(client):
    from server.transactions import load_all

    doc = client.app.openapi()
    body = doc["paths"]["/fsi/api/rsfComIfsService/callService"]["post"]["requestBody"]["content"]
    mapping = body["application/json"]["schema"]["discriminator"]["mapping"]
    assert set(mapping) == set(load_all())
    settle = doc["components"]["schemas"][mapping["2102"].rsplit("/", 1)[1]]
    assert settle["properties"]["infno"]["enum"] == ["2102"]
    model = doc["components"]["schemas"][settle["properties"]["input"]["$ref"].rsplit("/", 1)[1]]
    assert {"druginfo", "drugdetail"} <= set(model["properties"])  # 2102's own input, not a bare object


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_schemathesis_cases_never_get_a_5xx(client, centre_engine, mode):
    from server.journal import verify

    operation = _operation(client.app)
    seen: dict[str, int] = {}

    @settings(max_examples=EXAMPLES[mode], deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), pick=st.integers(0, 5))
    def check(case, pick):
        if isinstance(case.body, dict):
            env = case.body
            infno = env.get("infno") if isinstance(env.get("infno"), str) else "9001"
            kinds = sorted(MATRIX.get(infno, ())) or ["pharmacy"]
            code = CALLER[kinds[pick % len(kinds)]]
            sign_no = client.sign_nos.get(code) or client.sign_in(code)
            r = client.send({**env, "fixmedins_code": code, "msgid": new_msgid(code), "sign_no": sign_no})
        else:  # not an object at all (negative cases): the body as generated, signed by a pharmacy
            infno, env = "-", case.body
            raw = env if isinstance(env, bytes) else json.dumps(env).encode()
            r = client.post_raw(raw, sign_headers(PH1, client.secrets[PH1], raw))
        assert r.status_code < 500, (infno, r.status_code, r.text[:500], repr(env)[:800])
        answer = r.json()
        assert "infcode" in answer or "err_msg" in answer or "detail" in answer, r.text[:300]
        seen[infno] = seen.get(infno, 0) + 1

    check()
    assert len(seen) >= (20 if mode is GenerationMode.POSITIVE else 10), seen  # spread over the transactions
    assert verify(centre_engine).ok
