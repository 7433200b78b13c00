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
