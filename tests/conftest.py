"""Test configuration shared by every test.

Qt runs offscreen (set before any Qt import). Like qutebrowser, any WARNING or ERROR logged during a test
fails it unless the test is marked `allow_warnings`: a warning nobody reads is a bug nobody fixes.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reads or writes the real settings, data or log folders: one session folder unless a test sets its own.
os.environ.setdefault("ONEWINDOW_HOME", tempfile.mkdtemp(prefix="onewindow-tests-"))

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def pytest_collection_modifyitems(config, items):
    """Run in parallel (pytest-xdist, `-n 2` in the README's command), the tests marked slow go first, so that
    the workers end together instead of one of them starting the installer build or a 1,000-settlement fault
    run when the other has nothing left. The order is the same in every worker (xdist requires it)."""
    if getattr(config.option, "numprocesses", None):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: slow first, else as collected


@pytest.fixture(autouse=True)
def _fail_on_unexpected_log(request, caplog):
    caplog.set_level(logging.WARNING)
    yield
    from tests.childlogs import identity_in

    exposed = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.get_records("call")
               if identity_in(r.getMessage())]
    if exposed:  # logs keep masking (#15), whatever the test allows
        pytest.fail("identity number or name in a log record:\n" + "\n".join(exposed), pytrace=False)
    if request.node.get_closest_marker("allow_warnings"):
        return
    bad = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING]
    if bad:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad)
        pytest.fail(f"unexpected log records:\n{lines}", pytrace=False)


@pytest.fixture(autouse=True)
def _fail_on_child_process_errors(request):
    """Errors written by child processes during the test fail it (tests/childlogs.py)."""
    from tests import childlogs

    yield
    marker = request.node.get_closest_marker("allow_child_errors")
    allowed = None if marker is None else list(marker.args)
    bad = childlogs.new_bad_lines(allowed)
    if bad:
        pytest.fail("errors logged by a child process:\n" + "\n".join(bad[:40]), pytrace=False)


@pytest.fixture(scope="session")
def vectors_path() -> Path:
    path = SHARED / "vectors" / "audit-vectors.json"
    if not path.exists():
        pytest.fail(f"the shared vectors file is missing: {path} (CI lays ../shared beside the clone)")
    return path
pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _screenshots_match():
    """Screenshots that differ from their references fail the test at its end, all of them listed. Every test
    starts with the application font the composition root sets (app.setFont(theme.font(0))): a font an earlier
    test left would otherwise change the next test's pictures, and they would depend on the order of tests."""
    import sys

    from tests import screenshots

    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            from desktop.common import theme

            app.setFont(theme.font(0))
    screenshots.take_failures()
    yield
    failures = screenshots.take_failures()
    if failures:
        pytest.fail("\n".join(failures) + "\n(a deliberate change: look at the diff, rerun with "
                    "--accept-screenshots and commit the PNG)", pytrace=False)


def pytest_addoption(parser):
    group = parser.getgroup("screenshots", "screenshots compared with tests/ui/screenshots (tests/screenshots.py)")
    group.addoption("--accept-screenshots", action="store_true",
                    help="write changed or missing screenshots into tests/ui/screenshots as the new references")
    group.addoption("--screenshots-dir", default=None,
                    help="folder for this run's screenshots and diffs (default: a temp folder, named at the end)")


def pytest_configure(config):
    from tests import screenshots

    out = config.getoption("--screenshots-dir") or os.environ.get("ONEWINDOW_SCREENSHOTS_DIR")
    screenshots.configure(Path(out) if out else None, config.getoption("--accept-screenshots"))


def pytest_terminal_summary(terminalreporter):
    from tests import screenshots

    if screenshots._state["out"] is not None:
        terminalreporter.write_line(f"screenshots of this run: {screenshots._state['out']}")


@pytest.fixture
def dead_port():
    """A loopback port bound (never listening) for the whole test: connections are refused, as by a centre or
    printer that is down, and no other process can take the port meanwhile (tests.ports.HeldPort)."""
    from tests.ports import HeldPort

    with HeldPort() as port:
        yield port
