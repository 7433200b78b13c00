"""The portable half of "workers die with their parent" (Windows and macOS have no PR_SET_PDEATHSIG): a worker
whose supervisor is SIGKILLed ends itself through multiprocessing's parent sentinel."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.processes import gone, wait_for

REPO = Path(__file__).resolve().parents[2]
SUPERVISOR = """
import multiprocessing, os, time
from tests.server.processes import sleep_watching_parent
child = multiprocessing.get_context("spawn").Process(target=sleep_watching_parent, args=(os.getpid(),))
child.start()
print(child.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.slow  # two interpreters importing the centre
def test_a_worker_without_pdeathsig_ends_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", SUPERVISOR], cwd=REPO, stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=str(REPO)), start_new_session=True)
    child = None
    try:
        child = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "watching"
        assert not gone(child)
        parent.kill()
        parent.wait(10)
        wait_for("the worker ends with its parent", lambda: gone(child), 2.0)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        if child is not None and not gone(child):
            os.kill(child, signal.SIGKILL)
