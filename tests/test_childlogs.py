"""An ERROR line or a traceback written by a child process during a test fails that test, unless allowed."""
from __future__ import annotations

from pathlib import Path

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


IDENTITY_TESTS = '''
import logging, subprocess, sys
import pytest
from tests import childlogs

def _child(tmp_path, text):
    log = childlogs.watch(tmp_path / "child.log")
    with open(log, "ab") as out:
        subprocess.run([sys.executable, "-c", f"import sys; sys.stderr.write({text!r})"], stderr=out, check=True)

@pytest.mark.allow_child_errors()
def test_full_id_in_a_child_log(tmp_path):
    _child(tmp_path, "INFO 1101 for 420704195703121015\\n")

def test_name_in_a_child_log(tmp_path):
    _child(tmp_path, "INFO identified 王某(测试)\\n")

def test_masked_is_fine(tmp_path):
    _child(tmp_path, "INFO 1101 for 420704********1015 王* and a hash 12345678901234567890123\\n")

def test_in_the_session_log_folder(tmp_path):
    childlogs.watch_dir(tmp_path / "logs")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "centre-1.log").write_text("INFO settled 420704196410101939\\n", encoding="utf-8")

def test_errors_in_the_log_folder_are_for_their_own_tests(tmp_path):
    childlogs.watch_dir(tmp_path / "logs")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "centre-2.log").write_text("ERROR worker hung for 420704********1015\\n", encoding="utf-8")

@pytest.mark.allow_warnings
def test_in_process_record():
    logging.getLogger("x").warning("card 420704195511021255")
'''


def test_identity_in_any_log_fails_the_test(pytester, monkeypatch):
    """Logs keep masking (#15): a full ID number or a seeded name in a child's log, in a log file of the session's
    log folder or in an in-process record fails the test, even one that allows errors or warnings."""
    pytester.makeconftest("from tests.conftest import _fail_on_child_process_errors, _fail_on_unexpected_log"
                          "  # noqa: F401\n")
    pytester.makeini("[pytest]\nmarkers =\n    allow_child_errors: allowed child errors\n"
                     "    allow_warnings: allowed warnings\n")
    pytester.makepyfile(test_identity=IDENTITY_TESTS)
    # its own process: the in-process record would reach this test's log capture too
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6, errors=4)
    text = result.stdout.str()
    for name in ("full_id_in_a_child_log", "name_in_a_child_log", "in_the_session_log_folder", "in_process_record"):
        assert f"ERROR at teardown of test_{name}" in text, name
    assert "420704196410101939" in text and "identity in a log line" in text
