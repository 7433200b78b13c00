"""Personal data at rest after a demo sale (#15, Done when): `onewindow demo --no-gui` prepares the demo world, a
sale is made at its desk (tests/e2e/demo_sale.py, its own process: the stores and the data key as the demo has
them), and then no ID number of any person of the demo world appears in plain text in any byte of the centre's
database, the desk's store or the demo hospital's store — read while they were open (with their -wal/-shm files)
and after they were closed; every one of them and the data key are 0600. The demo centre's journal verifies,
with the checkpoint it recorded when it stopped, and cutting off its newest entry is then found."""
from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
WORLD = ROOT / "resources" / "demo" / "world.json"
# any 18-character ID number shape: 6-digit area, birth date 19xx/20xx, sequence, check digit
ID18 = re.compile(rb"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9])")
WEIGHTS, CHECK = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), "10X98765432"


def valid_id(text: str) -> bool:
    """GB 11643 check digit: random digit runs in hashes and ciphertext rarely pass it (1 in 11)."""
    return CHECK[sum(int(d) * w for d, w in zip(text[:17], WEIGHTS, strict=False)) % 11] == text[17].upper()


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_no_seeded_id_number_in_plain_text_after_a_demo_sale(tmp_path):
    home = tmp_path / "demo"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ONEWINDOW_HOME": str(home)}
    env.pop("ONEWINDOW_DATA_KEY", None)  # the demo's own key file, as a user's demo has it
    _run("-m", "onewindow", "demo", "--home", str(home), "--no-gui", env=env)
    sold = _run("-m", "tests.e2e.demo_sale", str(home), env=env)
    assert "sold " in sold.stdout

    seeded = set(re.findall(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", WORLD.read_text(encoding="utf-8")))
    assert len(seeded) >= 10 and "420704195703121015" in seeded  # the person who bought
    areas = {c[:6] for c in seeded}
    files = sorted(p for p in [*home.iterdir(), *(home / "live").iterdir()] if ".db" in p.name)
    names = {p.name for p in files}
    assert {"centre.db", "desk.db", "hospital.db"} <= names
    assert any(n.endswith("-wal") for n in names), names  # the open stores were read with their write-ahead logs
    for f in files:
        data = f.read_bytes()
        plain = sorted(c for c in seeded if c.encode() in data)
        assert not plain, f"{f} holds ID numbers of the demo world in plain text: {plain}"
        # any other valid ID number of the demo's areas (hex hashes hold ID-shaped digit runs by chance: a valid
        # check digit and a seeded area code together make a false alarm vanishingly rare)
        shaped = sorted({m.decode() for m in ID18.findall(data)})
        assert not [s for s in shaped if s[:6] in areas and valid_id(s)], f"{f} holds an ID number: {shaped}"
    for f in [*(p for p in home.iterdir() if p.suffix == ".db"), home / "data.key"]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f

    verify = ["-m", "onewindow", "journal", "verify", "--db", f"sqlite:///{home / 'centre.db'}"]
    ok = _run(*verify, env=env).stdout
    assert ok.startswith("OK") and " 0 checkpoints" not in ok, ok
    with sqlite3.connect(home / "centre.db") as conn:
        kinds = {k for (k,) in conn.execute("SELECT kind FROM centre_journal")}
        assert {"settle", "sale", "rx.dispense"} <= kinds  # the 2102, the 3505 and the 7206 all arrived
        conn.execute("DELETE FROM centre_journal WHERE seq = (SELECT max(seq) FROM centre_journal)")
    cut = subprocess.run([sys.executable, *verify], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert cut.returncode == 1 and "newest entries were deleted" in cut.stdout, cut.stdout + cut.stderr
