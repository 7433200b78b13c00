"""core.policy.account.split against our own vectors (account_vectors.json beside this file)."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from core.policy.account import AccountError, split

VECTORS = json.loads((Path(__file__).with_name("account_vectors.json")).read_text(encoding="utf-8"))["vectors"]


def _d(v):
    return None if v is None else Decimal(v)


@pytest.mark.parametrize("v", VECTORS, ids=[v["id"][:6] for v in VECTORS])
def test_vector(v):
    args = dict(use_account=v["use"], balance=_d(v["balance"]), asked=v.get("asked"),
                holder_balance=_d(v.get("holder")), asked_mulaid=v.get("asked_mulaid"))
    want = v["expect"]
    if "error" in want:
        with pytest.raises(AccountError, match=want["error"]):
            split(Decimal(v["personal"]), **args)
        return
    got = split(Decimal(v["personal"]), **args).to_dict()
    for key, value in want.items():
        assert got[key] == value, (v["id"], key, got)
    assert Decimal(got["acct_pay"]) + Decimal(got["acct_mulaid_pay"]) + Decimal(got["psn_cash_pay"]) == Decimal(v["personal"])
