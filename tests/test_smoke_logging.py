import logging
from pathlib import Path

import pytest

from tests import conftest as ours


def test_unexpected_warning_fails_the_test(pytester, monkeypatch):
    # An inner session with our conftest, in its own process so its logs stay out of this test's capture.
    # the repository on the inner session's path: our conftest imports tests.childlogs
    monkeypatch.setenv("PYTHONPATH", str(Path(ours.__file__).resolve().parents[1]))
    pytester.makeconftest(open(ours.__file__, encoding="utf-8").read().replace('pytest_plugins = ["pytester"]', ""))
    pytester.makeini("[pytest]\nmarkers =\n    allow_warnings: x\n")
    pytester.makepyfile(
        """
        import logging, pytest
        def test_logs():
            logging.getLogger("core.x").warning("boom")
        @pytest.mark.allow_warnings
        def test_allowed():
            logging.getLogger("core.x").warning("fine")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1, passed=2)  # the failure is reported at teardown
    result.stdout.fnmatch_lines(["unexpected log records:", "WARNING core.x: boom"])


@pytest.mark.allow_warnings
def test_marked_test_may_log_warnings():
    logging.getLogger("core.x").warning("expected")
