"""Transactions by infno. Each family module registers its handlers with `@transaction(...)`.

A handler gets the request context and its validated input model and returns the `output` object
(optionally with a warn_msg); a refusal is raised as PlatformError and leaves nothing written.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from pydantic import BaseModel, ConfigDict

REGISTRY: dict[str, "Tx"] = {}

FAMILIES = (
    "signin", "person", "evoucher", "catalogue", "settlement", "settlement_info", "audit", "trace", "reconcile", "eprescription",
    "cumulative", "family", "registration", "worklist", "care", "care_rx", "care_supply", "care_notify", "rx_continuous",
    "stock", "stock_query",
)


class Input(BaseModel):
    """Base of every input node model: unknown vendor keys are ignored, text is stripped."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)


@dataclass(frozen=True)
class Tx:
    infno: str
    name: str
    handler: Callable
    input_model: type[BaseModel]
    needs_signin: bool = True
    # PostgreSQL: `ahead(ctx, model)` may return statements to run in the same round trip as the nonce and msgid
    # check (an object with `steps` and `fill(results)`), before the check's answer is known; see
    # server.idempotency.claim_nonce_and_lookup. Whatever they take (locks) ends with the transaction.
    ahead: Callable | None = None


def transaction(infno: str, name: str, input_model: type[BaseModel], *, needs_signin: bool = True,
                ahead: Callable | None = None):
    def deco(fn):
        REGISTRY[infno] = Tx(infno, name, fn, input_model, needs_signin, ahead)
        return fn

    return deco


def load_all() -> dict[str, Tx]:
    for family in FAMILIES:
        importlib.import_module(f"server.transactions.{family}")
    return REGISTRY
