"""Helpers for sync tests: seeded centre databases, the centre as a real process, terminal configurations."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.ports import HeldPort

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
VECTORS = SHARED / "vectors" / "audit-vectors.json"
PH1, PH2 = "P42070000001", "P42070000002"
P01_CERTNO = "420704195703121015"  # T0001, 两病 hypertension


def seed_centre(url: str, key: str, persons: int) -> dict[str, str]:
    """Migrate and seed a centre database (vectors world + `persons` synthetic persons) in a subprocess with
    the given data key; returns the institution secrets."""
    code = (
        "import json, sys\n"
        "from core.services.world import load_world\n"
        "from core.sync.synthetic import synthetic_persons, world_with_persons\n"
        "from server.db import open_centre\n"
        "from server.seed import seed_world\n"
        f"w = world_with_persons(load_world({str(VECTORS)!r}), synthetic_persons({persons}))\n"
        f"e = open_centre({url!r})\n"
        "r = seed_world(e, w)\n"
        "from server.seed import DEMO_INSTITUTIONS, seed_institutions\n"
        "r = seed_institutions(e, json.loads(DEMO_INSTITUTIONS.read_text(encoding='utf-8')), report=r)\n"
        "e.dispose()\n"
        "print(json.dumps(r.secrets))\n"
    )
    env = dict(os.environ, ONEWINDOW_DATA_KEY=key)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"seeding the centre failed:\n{out.stderr[-3000:]}")
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


@dataclass
class CentreProcess:
    """`onewindow server` as a real process on a loopback port."""

    db_url: str
    key: str
    log_path: Path | None = None
    proc: subprocess.Popen | None = None
    held: HeldPort = field(default_factory=HeldPort)  # the port, bound once for this centre's life (restarts too)

    @property
    def port(self) -> int:
        return self.held.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "CentreProcess":
        env = dict(os.environ, ONEWINDOW_DATA_KEY=self.key, PYTHONUNBUFFERED="1")
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        if self.log_path:
            from tests import childlogs

            childlogs.watch(self.log_path)  # its errors fail the test (tests/conftest.py)
        given = self.held.listeners()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "onewindow", "server", "--db", self.db_url,
                                          *given.args()], pass_fds=given.fds,
                                         cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            given.close()  # the child's now: when it dies, connections are refused again (the placeholder stays)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the centre exited with {self.proc.returncode} (log {self.log_path})")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the centre did not answer /health within {timeout} s (log {self.log_path})")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def close(self) -> None:
        """Stop it for good and give the port back."""
        self.stop()
        self.held.close()

    def __enter__(self) -> "CentreProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def terminal_config(secret: str, centre_url: str, *, code: str = PH1, terminal_id: str = "T01", terminal_no: int = 1,
                    **sections) -> "SyncConfig":  # noqa: F821
    from core.sync.config import config_from_dict

    data = {
        "terminal": {"institution_code": code, "institution_name": "康济大药房(测试)", "terminal_id": terminal_id,
                     "terminal_no": terminal_no, "city": "420700", "secret": secret},
        "centre": {"url": centre_url, "connect_timeout_s": 1.0, "read_timeout_s": 5.0},
        "sender": {"settle_patience_s": 3.0, "reversal_patience_s": 2.0, "poll_s": 0.05, "offline_probe_s": 0.2},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return config_from_dict(data)
