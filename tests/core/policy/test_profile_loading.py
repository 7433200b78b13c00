from __future__ import annotations

import json

import pytest

from core.policy.profile import ProfileError, bundled_profiles, load_profile


def _write(tmp_path, data):
    path = tmp_path / "CITY.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def city_a():
    return json.loads(json.dumps(
        {k: v for k, v in json.load(open(__import__("pathlib").Path(__file__).resolve().parents[3] / "resources/policies/TEST_CITY_A.json", encoding="utf-8")).items()}
    ))


def test_bundled_profiles_load():
    profiles = bundled_profiles()
    assert {"TEST_CITY_A", "TEST_CITY_B"} <= profiles.keys()


def test_negative_cap_is_refused_naming_file_and_field(tmp_path, city_a):
    city_a["schemes"]["MT"]["disease_caps"]["M03900"]["390"] = "-1.00"
    path = _write(tmp_path, city_a)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert str(path) in str(err.value) and "schemes.MT.disease_caps.M03900.390" in str(err.value)


def test_ratio_above_one_is_refused(tmp_path, city_a):
    city_a["schemes"]["LB"]["by_insutype"]["390"]["ratio"] = "1.5"
    with pytest.raises(ProfileError, match=r"schemes\.LB\.by_insutype\.390\.ratio"):
        load_profile(_write(tmp_path, city_a))


@pytest.mark.parametrize("field,value", [("cap_basis", "whatever"), ("cap_period", "week"), ("max_days_per_rx", -3)])
def test_bad_enumerations_are_refused(tmp_path, city_a, field, value):
    city_a["schemes"]["MT"][field] = value
    with pytest.raises(ProfileError, match=field):
        load_profile(_write(tmp_path, city_a))


def test_not_json_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid JSON"):
        load_profile(path)
