"""`onewindow audit vectors|case` from the command line, good and bad input."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import SHARED


def onewindow(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "onewindow", *args], capture_output=True, text=True, input=stdin,
                          timeout=120)


def test_public_vectors_all_pass_the_shared_checker(vectors_path, tmp_path):
    run = onewindow("audit", "vectors", str(vectors_path))
    assert run.returncode == 0, run.stderr
    results = tmp_path / "results.json"
    results.write_text(run.stdout, encoding="utf-8")
    check = subprocess.run([sys.executable, str(SHARED / "tools" / "check_vectors.py"), str(vectors_path), str(results)],
                           capture_output=True, text=True)
    assert check.stdout.strip().splitlines()[-1] == "40 passed, 0 failed", check.stdout


@pytest.fixture
def vectors(vectors_path):
    return json.loads(vectors_path.read_text(encoding="utf-8"))


def _broken(tmp_path, data):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_not_json_exits_2_naming_the_file(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2", encoding="utf-8")
    run = onewindow("audit", "vectors", str(path))
    assert run.returncode == 2 and str(path) in run.stderr and "JSON" in run.stderr and run.stdout == ""


def test_unknown_drug_names_vector_and_field(tmp_path, vectors):
    vectors["vectors"][3]["prescription"]["lines"][0]["drug"] = "D99"
    run = onewindow("audit", "vectors", str(_broken(tmp_path, vectors)))
    vid = vectors["vectors"][3]["id"]
    assert run.returncode == 2
    assert f"vector {vid}.prescription.lines[0].drug" in run.stderr and "D99" in run.stderr
    assert run.stdout == ""  # nothing half-printed


def test_unknown_patient_and_missing_field(tmp_path, vectors):
    vectors["vectors"][0]["patient"] = "P77"
    run = onewindow("audit", "vectors", str(_broken(tmp_path, vectors)))
    assert run.returncode == 2 and "patient" in run.stderr and "P77" in run.stderr
    vectors["vectors"][0]["patient"] = "P01"
    del vectors["vectors"][5]["settlement"]["date"]
    run = onewindow("audit", "vectors", str(_broken(tmp_path, vectors)))
    assert run.returncode == 2 and ".settlement.date: missing" in run.stderr


def test_case_explains_the_arithmetic(vectors_path):
    run = onewindow("audit", "case", str(vectors_path), "--id", "AV15")
    assert run.returncode == 0, run.stderr
    assert "126.52" in run.stdout and "先行自付" in run.stdout and "180.74 x 0.70" in run.stdout
    blocked = onewindow("audit", "case", str(vectors_path), "--id", "AV59", "--lang", "en")
    assert "DUP-001 L1" in blocked.stdout and "27 days" in blocked.stdout


def test_case_with_unknown_id_is_a_clear_error(vectors_path):
    run = onewindow("audit", "case", str(vectors_path), "--id", "NOPE")
    assert run.returncode == 2 and "NOPE" in run.stderr
