"""An ERROR line or a traceback written by a child process during a test fails that test, unless allowed."""
from __future__ import annotations

CHILD_TESTS = '''
import subprocess, sys
import pytest
from tests import childlogs

def _child(tmp_path, text):
    log = childlogs.watch(tmp_path / "child.log")
    with open(log, "ab") as out:
        subprocess.run([sys.executable, "-c", f"import sys; sys.stderr.write({text!r})"], stderr=out, check=True)

def test_error_line(tmp_path):
    _child(tmp_path, "2026-03-31 ERROR server: boom\\n")

def test_traceback(tmp_path):
    _child(tmp_path, "Traceback (most recent call last):\\n  File x\\nValueError: y\\n")

def test_info_only(tmp_path):
    _child(tmp_path, "INFO all well\\n")

@pytest.mark.allow_child_errors("boom")
def test_allowed(tmp_path):
    _child(tmp_path, "ERROR boom\\n")

@pytest.mark.allow_child_errors("boom")
def test_other_error_not_allowed(tmp_path):
    _child(tmp_path, "ERROR boom\\nERROR something else\\n")
'''


def test_child_process_errors_fail_the_test(pytester):
    pytester.makeconftest("from tests.conftest import _fail_on_child_process_errors  # noqa: F401\n")
    pytester.makeini("[pytest]\nmarkers =\n    allow_child_errors: allowed child errors\n")
    pytester.makepyfile(test_children=CHILD_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=5, errors=3)
    text = result.stdout.str()
    assert "ERROR at teardown of test_error_line" in text and "ERROR at teardown of test_traceback" in text
    assert "ERROR at teardown of test_other_error_not_allowed" in text and "something else" in text
