"""The counter reads 1101 + 5301 through the one decoder (core.sync.transactions.identified), so a national-shape
answer (expContent as a JSON string, numbers for codes, nulls) gives the same person as at the desk and kiosk."""
from __future__ import annotations

import json

import pytest

from core.services.ports import DeskError
from core.services.registration import CounterService
from core.sync.transactions import identified

PERSON_1101 = {
    "baseinfo": {"psn_no": "P0001", "psn_name": "张三", "gend": 1, "brdy": "1956-03-02 00:00:00",
                 "certno": "420702195603021233", "psn_cert_type": "01",
                 "expContent": json.dumps({"death_date": "2026-11-30"})},
    "insuinfo": [{"insutype": 390, "psn_insu_stas": 1, "insuplc_admdvs": "420700", "balc": None}],
}
REGS_5301 = {"feedetail": [{"opsp_dise_code": "M03900", "opsp_dise_name": "高血压病", "begndate": "2026-01-01",
                            "enddate": None, "ide_fixmedins_no": "H42070001", "trt_dcla_detl_sn": "D1"}]}


class FakeLink:
    def __init__(self, answers: dict[str, dict]):
        self.answers, self.calls = answers, []

    def call(self, infno: str, payload: dict) -> dict:
        self.calls.append(infno)
        return self.answers[infno]


def test_counter_person_is_the_one_decoders_person(tmp_path):
    link = FakeLink({"1101": PERSON_1101, "5301": REGS_5301, "2514": {"applications": []}})
    view = CounterService(link, forms_dir=tmp_path).identify("420702195603021233")
    same = identified(PERSON_1101, REGS_5301).person
    assert (view.psn_no, view.name, view.sex, view.birth, view.insutype, view.certno) == (
        same.person_no, same.name, same.sex, same.birth_date, same.insurance_type, same.id_number)
    assert view.insutype == "390" and view.sex == "1" and view.status == "参保正常"
    assert view.death_date == "2026-11-30"  # from the JSON-string expContent of the national shape
    assert view.person == same and [r["trt_dcla_detl_sn"] for r in view.registrations] == ["D1"]


def test_counter_refuses_an_unreadable_1101_in_both_languages(tmp_path):
    broken = {"baseinfo": {"psn_no": "P0001", "psn_name": "张三"}, "insuinfo": []}
    link = FakeLink({"1101": broken, "5301": REGS_5301, "2514": {"applications": []}})
    with pytest.raises(DeskError) as err:
        CounterService(link, forms_dir=tmp_path).identify("420702195603021233")
    text = str(err.value.message.zh) + str(err.value.message.en)
    assert "人员信息" in text and "insuinfo" in text


def test_counter_registration_rows_carry_the_decoders_scheme_and_dates(tmp_path):
    """A national 5301 answer has no `scheme` and writes dates with a time: the counter's list shows what the one
    decoder made of each row (M03900 is 门诊慢特病), the row's other fields kept; refresh reads it the same way."""
    regs = {"feedetail": [dict(REGS_5301["feedetail"][0], begndate="2026-01-01 00:00:00", enddate="2027-12-31 00:00:00"),
                          {"opsp_dise_code": "HTN", "begndate": "2025-05-01", "scheme": "LB", "trt_dcla_detl_sn": "D2"}]}
    link = FakeLink({"1101": PERSON_1101, "5301": regs, "2514": {"applications": []}})
    service = CounterService(link, forms_dir=tmp_path)
    view = service.identify("420702195603021233")
    rows = [(r["scheme"], r["opsp_dise_code"], r["begndate"], r["enddate"], r["trt_dcla_detl_sn"]) for r in view.registrations]
    assert rows == [("MT", "M03900", "2026-01-01", "2027-12-31", "D1"), ("LB", "HTN", "2025-05-01", None, "D2")]
    assert [(r.scheme.value, r.disease) for r in view.person.registrations] == [("MT", "M03900"), ("LB", "HTN")]
    assert service.refresh(view).registrations == view.registrations
    assert link.calls[0] == "1101"


def test_counter_asks_1101_through_the_one_builder(tmp_path):
    from core.sync.transactions import person_input

    sent = []

    class Recording(FakeLink):
        def call(self, infno, payload):
            sent.append((infno, payload))
            return super().call(infno, payload)

    link = Recording({"1101": PERSON_1101, "5301": REGS_5301, "2514": {"applications": []}})
    CounterService(link, forms_dir=tmp_path).identify("420702195603021233")
    assert sent[0] == ("1101", person_input("02", "420702195603021233"))
    assert sent[0][1]["data"]["certno"] == "420702195603021233"  # psn_cert_type + certno, as the national list has
