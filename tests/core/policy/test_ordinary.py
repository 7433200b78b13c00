"""core.policy.ordinary: our own vectors (ordinary_vectors.json) and the profile section's validation."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from core.domain import Scheme, SettlementRecord
from core.policy.calculator import LineAmounts
from core.policy.ordinary import OrdinaryUsage, settle, usage_from
from core.policy.profile import ProfileError, bundled_profiles, profile_from_dict

VECTORS = json.loads(Path(__file__).with_name("ordinary_vectors.json").read_text(encoding="utf-8"))["vectors"]
PROFILE = bundled_profiles()["TEST_CITY_A"]
DAY = dt.date(2026, 12, 7)


def _line(d: dict) -> LineAmounts:
    z = Decimal("0.00")
    return LineAmounts(1, Decimal(d["amount"]), Decimal(d.get("fulamt_ownpay", z)), Decimal(d.get("preselfpay", z)),
                       Decimal(d.get("overlimit", z)), Decimal(d["eligible"]))


@pytest.mark.parametrize("v", VECTORS, ids=[v["id"][:6] for v in VECTORS])
def test_vector(v):
    usage = OrdinaryUsage(Decimal(v["usage"]["fund"]), Decimal(v["usage"]["deductible"]))
    got, steps = settle(PROFILE.ordinary[v["med_type"]], v["insutype"], [_line(x) for x in v["lines"]], usage, DAY)
    out = got.to_dict()
    for key, want in v["expect"].items():
        assert out[key] == want, (v["id"], key, out, steps)
    assert got.scheme == Scheme.OP and got.fund_payment + got.personal_payment == got.total


def _rec(day, fund, ded, scheme=Scheme.OP, reversed_on=None):
    return SettlementRecord(settlement_id=f"S{day}{fund}", person_no="T0002", date=day, facility_code="P1",
                            scheme=scheme, fund=Decimal(fund), deductible_applied=Decimal(ded), reversed_on=reversed_on)


def test_usage_counts_this_year_op_settlements_not_reversed():
    recs = [_rec(dt.date(2026, 3, 1), "60.00", "200.00"), _rec(dt.date(2025, 12, 31), "99.00", "200.00"),
            _rec(dt.date(2026, 5, 1), "10.00", "0", scheme=Scheme.LB),
            _rec(dt.date(2026, 6, 1), "30.00", "0", reversed_on=dt.date(2026, 6, 2))]
    assert usage_from(recs, DAY) == OrdinaryUsage(Decimal("60.00"), Decimal("200.00"))


@pytest.mark.parametrize("section, problem", [
    ({"11": {"mode": "pooling", "ratio": {"310": "0.6"}}}, "annual_cap"),
    ({"11": {"mode": "pooling", "ratio": {"310": "1.6"}, "annual_cap": {"310": "1"}}}, "ratio"),
    ({"11": {"mode": "pooling"}}, "ratio"),
    ({"41": {"mode": "account_only", "ratio": {"310": "0.5"}}}, "account_only"),
    ({"41": {"mode": "cash"}}, "mode"),
    ({"4x": {"mode": "account_only"}}, "med_type"),
    ({"11": {"mode": "pooling", "ratio": {"310": "0.6"}, "annual_cap": {"310": "-1"}}}, "negative"),
])
def test_bad_ordinary_sections_are_refused_naming_the_field(section, problem):
    raw = json.loads((Path(__file__).resolve().parents[3] / "resources" / "policies" / "TEST_CITY_A.json").read_text("utf-8"))
    raw["ordinary"] = section
    with pytest.raises(ProfileError) as err:
        profile_from_dict("X", raw, "x.json")
    assert problem in str(err.value) and "ordinary" in str(err.value)
