"""The one decoder of 1101 + 5301 (core.sync.transactions.identified), for our centre's answers and for
national-shape answers (expContent as a JSON string, no `scheme` in 5301, dates with a time)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from core.domain import Scheme
from core.sync.transactions import TransactionFormatError, identified


def _answer(ext, stas="1"):
    return {"baseinfo": {"psn_no": "T0003", "psn_name": "赵某", "gend": "1", "brdy": "1955-11-02 00:00:00",
                         "certno": "420704195511021255", "expContent": ext},
            "insuinfo": [{"insutype": "310", "psn_insu_stas": stas, "insuplc_admdvs": "420700"}]}


REGS = {"feedetail": [
    {"opsp_dise_code": "M03900", "opsp_dise_name": "高血压病", "begndate": "2025-03-01", "enddate": "2027-02-28 00:00:00"},
    {"opsp_dise_code": "HTN", "opsp_dise_name": "高血压(两病)", "begndate": "2023-01-01", "enddate": None},
    {"opsp_dise_code": "M01600", "begndate": "2025-03-01", "scheme": "LB"},
]}


def test_our_answer_and_the_national_answer_decode_the_same():
    ours = identified(_answer({"death_date": None}), REGS)
    national = identified(_answer(json.dumps({"death_date": None})), REGS)
    assert ours == national
    p = ours.person
    assert (p.person_no, p.insurance_type, p.status, p.birth_date) == ("T0003", "310", "active", dt.date(1955, 11, 2))
    assert [(r.disease, r.scheme) for r in p.registrations] == [("M03900", Scheme.MT), ("HTN", Scheme.LB),
                                                                 ("M01600", Scheme.LB)]
    assert p.registrations[0].end == dt.date(2027, 2, 28) and ours.insuplc_admdvs == "420700"
    assert ours.disease_names == {"M03900": "高血压病", "HTN": "高血压(两病)", "M01600": "M01600"}


@pytest.mark.parametrize("stas, status", [("1", "active"), ("2", "suspended"), ("4", "terminated"), ("", "terminated")])
def test_insurance_status(stas, status):
    assert identified(_answer({}, stas), {"feedetail": []}).person.status == status


def test_death_date_in_a_string_expcontent_and_bad_answers():
    dead = identified(_answer('{"death_date":"2025-08-10"}'), {"feedetail": []})
    assert dead.person.death_date == dt.date(2025, 8, 10)
    with pytest.raises(TransactionFormatError, match="baseinfo"):
        identified({"insuinfo": []}, {})
    with pytest.raises(TransactionFormatError, match="begndate"):
        identified(_answer({}), {"feedetail": [{"opsp_dise_code": "M03900"}]})


def test_account_balance_is_decoded_once():
    rich = _answer({})
    rich["insuinfo"][0]["balc"] = 1234.5  # a number (C#) or a string, or absent
    assert identified(rich, {"feedetail": []}).balance == Decimal("1234.50")
    rich["insuinfo"][0]["balc"] = "88.10"
    assert identified(rich, {"feedetail": []}).balance == Decimal("88.10")
    assert identified(_answer({}), {"feedetail": []}).balance is None
    rich["insuinfo"][0]["balc"] = "lots"
    with pytest.raises(TransactionFormatError, match="balc"):
        identified(rich, {"feedetail": []})
