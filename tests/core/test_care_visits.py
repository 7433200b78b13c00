"""core.care.visits: ranges, vendor-shaped input, the schedule rule."""
from __future__ import annotations

import datetime as dt

import pytest

from core.care.visits import VisitError, schedule, validate_visit

TODAY = dt.date(2026, 5, 20)
BASE = {"visit_date": "2026-05-20 09:30:00", "place": "卫生室", "doctor": "何燕", "sbp": "132", "dbp": "84",
        "assessment": "controlled"}


@pytest.mark.parametrize("field,value,words", [
    ("sbp", "59", ("收缩压", "60–260")), ("dbp", 161, ("舒张压",)), ("fpg", "33.4", ("空腹血糖",)),
    ("rpg", "0.5", ("随机血糖",)), ("hba1c", "2.9", ("糖化血红蛋白",)), ("weight_kg", "19", ("体重",)),
    ("bmi", "61", ("体质指数",)), ("smoking", "sometimes", ("吸烟情况",)), ("adherence", "x", ("依从性",)),
    ("visit_date", "2026-05-21", ("晚于今天",)), ("visit_date", "2025-05-01", ("一年前",)),
    ("next_visit", "2026-05-20", ("下次随访",)), ("place", "", ("随访地点",)),
])
def test_refusals_name_the_field_in_both_languages(field, value, words):
    with pytest.raises(VisitError) as err:
        validate_visit({**BASE, field: value}, TODAY)
    assert err.value.field in (field, "sbp") and err.value.en
    for w in words:
        assert w in err.value.zh


def test_vendor_shapes_and_limits_accepted():
    v = validate_visit({**BASE, "visit_date": "20260520", "sbp": 260, "dbp": "30", "fpg": None, "rpg": "33.3",
                        "hba1c": "null", "weight_kg": "70", "height_cm": 170, "smoking": "吸烟", "cigarettes": "10",
                        "next_visit": "2026/08/18"}, TODAY)
    assert (v.sbp, v.dbp, str(v.rpg), v.hba1c, str(v.bmi), v.smoking) == (260, 30, "33.3", None, "24.2", "current")
    assert v.next_visit == dt.date(2026, 8, 18)
    with pytest.raises(VisitError, match="吸烟者"):
        validate_visit({**BASE, "cigarettes": 5, "smoking": "never"}, TODAY)
    with pytest.raises(VisitError, match="不符"):
        validate_visit({**BASE, "weight_kg": 70, "height_cm": 170, "bmi": "30"}, TODAY)


def test_schedule_four_a_year():
    today = dt.date(2026, 8, 10)  # third quarter: three visits expected by 30 Sep
    assert schedule([], today).status == "overdue"
    two = [dt.date(2026, 2, 1), dt.date(2026, 6, 1)]
    s = schedule(two, today, next_visit=dt.date(2026, 12, 1))
    assert (s.done, s.expected_by_quarter_end, s.next_due, s.status) == (2, 3, dt.date(2026, 9, 30), "ok")
    s = schedule(two, dt.date(2026, 9, 20), next_visit=dt.date(2026, 12, 1))
    assert s.status == "due"
    three = [*two, dt.date(2026, 8, 1)]
    s = schedule(three, today, next_visit=dt.date(2026, 10, 30))
    assert (s.next_due, s.status) == (dt.date(2026, 10, 30), "ok")
    s = schedule(three, dt.date(2026, 11, 2), next_visit=dt.date(2026, 10, 30))
    assert s.status == "overdue"
    last_year = [dt.date(2025, 12, 20)]
    assert schedule(last_year, dt.date(2026, 1, 5)).done == 0
