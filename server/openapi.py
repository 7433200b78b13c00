"""The OpenAPI document describes each transaction's input, not only the envelope (#15 item 7).

Every transaction is one POST to callService chosen by `infno`, so the request body is described as one of the
transactions' envelopes (a discriminator on `infno`): `Envelope2102` is the national envelope whose `infno` is
"2102" and whose `input` is 2102's input model, with every model the inputs use under components/schemas. A reader
of /docs (served only with --dev or --docs) sees what each transaction takes, and a generator such as schemathesis
(tests/server/test_openapi_fuzz.py) builds requests that reach the handlers instead of stopping at the envelope.
"""
from __future__ import annotations

import copy
from typing import Any

from pydantic.json_schema import models_json_schema

from server.envelope import RequestEnvelope

REF = "#/components/schemas/{model}"
INF_TIME = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"


def transaction_envelopes(registry: dict) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the request body's schema, the component schemas it refers to) for the transactions in `registry`."""
    numbers = sorted(registry)
    models = list({id(registry[n].input_model): registry[n].input_model for n in numbers}.values())
    refs, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    components: dict[str, Any] = dict(top.get("$defs", {}))
    envelope = RequestEnvelope.model_json_schema(ref_template=REF)
    components.update(envelope.pop("$defs", {}))
    # what the envelope's validators check, said in the schema (server.envelope.RequestEnvelope)
    envelope["properties"]["opter_type"] = {**envelope["properties"]["opter_type"], "enum": ["1", "2", "3"]}
    envelope["properties"]["inf_time"] = {**envelope["properties"]["inf_time"], "pattern": INF_TIME}
    _wire_numbers(components)
    mapping = {}
    for infno in numbers:
        tx = registry[infno]
        schema = copy.deepcopy(envelope)
        schema["title"] = f"{infno} {tx.name}"
        schema["description"] = f"交易 {infno} {tx.name}: the national envelope with this transaction's input"
        schema["properties"]["infno"] = {"type": "string", "enum": [infno], "description": "交易编号"}
        schema["properties"]["input"] = {**refs[(tx.input_model, "validation")], "description": "交易输入"}
        name = f"Envelope{infno}"
        components[name] = schema
        mapping[infno] = REF.format(model=name)
    body = {"oneOf": [{"$ref": ref} for ref in mapping.values()],
            "discriminator": {"propertyName": "infno", "mapping": mapping}}
    return body, components


# What the body parser takes as a number (server.envelope: at most 15 digits before the point, none of the
# absurd magnitudes such as 1e309 or 1e-300), said in the document so that generated requests get past it
NUMBER_BOUNDS = {"minimum": -(10**15 - 1), "maximum": 10**15 - 1}


def _wire_numbers(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") in ("number", "integer"):
            for key, bound in NUMBER_BOUNDS.items():
                node.setdefault(key, bound)
            if node["type"] == "number":
                node.setdefault("multipleOf", 0.01)
        for value in node.values():
            _wire_numbers(value)
    elif isinstance(node, list):
        for value in node:
            _wire_numbers(value)


def install(app, path: str) -> None:
    """Replace the generic envelope of `path`'s POST in the app's OpenAPI document by the transactions' own."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        doc = base()  # FastAPI's document, cached on the app
        if not doc.get("x-onewindow-transactions"):
            from server.transactions import load_all

            body, components = transaction_envelopes(load_all())
            doc.setdefault("components", {}).setdefault("schemas", {}).update(components)
            doc["paths"][path]["post"]["requestBody"] = {
                "required": True, "content": {"application/json": {"schema": body}}}
            doc["x-onewindow-transactions"] = len(body["oneOf"])
        return doc

    app.openapi = openapi
