"""Every message our client builds, per interface profile, checked against that profile's field tables (the same
tables `--strict` and `gateway lint` use), and the national/provincial settlement shapes accepted by the centre."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from core.gateway.conform import check
from core.gateway.profiles import load_profile
from core.gateway.samples import ORDER, sample_messages
from core.store.models import TraceSaleRow
from server.models import setting
from tests.server.helpers import PH1

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize("name", ["national", "hubei", "onewindow"])
def test_every_client_message_passes_its_profiles_field_tables(name):
    profile = load_profile(name)
    messages = sample_messages(profile, "all")
    assert [m["infno"] for m in messages] == list(ORDER)
    for env in messages:
        assert check(profile.tables, env) == [], (env["infno"], check(profile.tables, env))
    by = {m["infno"]: m["input"] for m in messages}
    assert by["2103"]["data"]["mdtrt_id"] and by["3201"]["data"]["setl_optins"] == "420700"
    sel = by["3505"]["selinfo"]  # batch, production date and expiry read from the box's GS1 code
    assert (sel["manu_lotnum"], sel["manu_date"], sel["expy_end"]) == ("A2501", "2025-01-15", "2027-12-31")
    if name != "onewindow":
        info = by["2102"]["druginfo"]
        assert isinstance(info["expContent"], str) and json.loads(info["expContent"])["scheme"] == "LB"
        assert info["dise_codg"] == "M03900" and "diseinfo" not in by["2102"]
        assert ("drug_trac_info" in by["2102"]) == (name == "hubei")
        assert by["2102"]["druginfo"]["med_type"] == load_profile(name).med_type["LB"]


def test_the_national_lists_refuse_our_own_extended_shape():
    """The check can fail: our richer `onewindow` messages are not national."""
    national = load_profile("national")
    ours = {m["infno"]: m for m in sample_messages(load_profile("onewindow"), "2102")}
    problems = check(national.tables, ours["2102"])
    paths = {p.path for p in problems}
    assert "input.diseinfo" in paths and "input.druginfo.expContent" in paths
    assert "input.drugdetail[0].drugtracinfo" in paths


@pytest.mark.parametrize("name", ["national", "hubei"])
def test_the_centre_settles_our_national_and_provincial_messages(client, centre_engine, name):
    with centre_engine.begin() as conn:
        conn.execute(setting.insert().values(key=f"interface.{PH1}", value=name))
    now = dt.datetime.now(CST).replace(tzinfo=None, microsecond=0)
    msgs = {m["infno"]: m for m in sample_messages(load_profile(name), "all", now=now)}
    pre = client.call("2101", msgs["2101"]["input"])
    assert pre["infcode"] == 0, pre["err_msg"]
    done = client.call("2102", msgs["2102"]["input"])
    assert done["infcode"] == 0, done["err_msg"]
    assert done["output"]["setlinfo"]["medfee_sumamt"] == "84.00"
    with centre_engine.connect() as conn:
        codes = conn.execute(select(TraceSaleRow.code)).scalars().all()
    # hubei: the codes came on the settlement's drug_trac_info node; national: they follow in 3505
    assert len(codes) == (3 if name == "hubei" else 0)
