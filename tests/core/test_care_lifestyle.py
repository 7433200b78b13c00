"""The lifestyle library file is valid, covers the default profile's diseases, and bad files are refused."""
from __future__ import annotations

import copy
import json

import pytest

from core.care.lifestyle import DEFAULT_PATH, SECTIONS, LibraryError, attach, load_library, parse_library, short_lines


def _raw() -> dict:
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_library_covers_every_disease_of_the_default_profile():
    lib = load_library()
    profile = json.loads((DEFAULT_PATH.parents[1] / "policies" / "TEST_CITY_A.json").read_text(encoding="utf-8"))
    for scheme in profile["schemes"].values():
        for code in scheme["drug_scope"]:
            assert lib.for_disease(code) is not None, code
    for c in lib.classes.values():
        for t in c.templates:
            assert set(t.sections) == set(SECTIONS) and all(v["zh"] and v["en"] for v in t.sections.values())


def test_45_classes_fit():
    raw = _raw()
    base = raw["classes"][0]
    raw["classes"] = [{**copy.deepcopy(base), "code": f"C{i:02d}", "diseases": [f"X{i:02d}"],
                       "templates": [{**copy.deepcopy(base["templates"][0]), "id": f"C{i:02d}-1"}]} for i in range(45)]
    assert len(parse_library(raw).classes) == 45


@pytest.mark.parametrize("breakage,words", [
    (lambda r: r["classes"][0]["templates"][0]["sections"].pop("sleep"), "sleep"),
    (lambda r: r["classes"][0]["templates"][0]["sections"]["diet"].pop("en"), "diet.en"),
    (lambda r: r["classes"][1]["diseases"].append("M03900"), "M03900"),
    (lambda r: r["classes"][1].update(code="HTN"), "重复"),
    (lambda r: r["classes"][0]["templates"][0]["short"].update(zh="长" * 61), "60"),
])
def test_broken_files_are_refused_naming_the_entry(breakage, words):
    raw = _raw()
    breakage(raw)
    with pytest.raises(LibraryError, match=words):
        parse_library(raw)


def test_attach_and_short_form():
    lib = load_library()
    rx = attach(lib, {"template_id": "DM-1", "short": "按时吃饭，饭后走走"})
    assert rx["short"] == "按时吃饭，饭后走走" and rx["short_en"] == ""
    assert short_lines(rx) == ("生活方式处方（糖尿病）", "按时吃饭，饭后走走")
    with pytest.raises(LibraryError, match="“饮食”一栏内容为空.*lifestyle.sections.diet"):  # the section by its name
        attach(lib, {"template_id": "DM-1", "sections": {"diet": "  "}})
