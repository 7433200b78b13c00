"""Personal data at rest after a real sale (client store + centre process on SQLite files): no seeded person's
18-digit ID number appears in plain text anywhere in the centre's database file or the client's store (answers
are stored encrypted on both sides), the client store is created 0600, and the centre's log names no one."""
from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from core.sync.synthetic import id_number
from tests.sync.fixtures import new_persons
from tests.sync.helpers import VECTORS
from tests.sync.test_with_centre import _sell, _terminal

ID18 = re.compile(rb"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9])")


def _files(db_url: str) -> list[Path]:
    path = Path(db_url.split("///", 1)[1])
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def test_no_plain_identity_number_in_either_database_after_a_sale(make_terminal, centre):
    (i,) = new_persons(1)
    t, co = _terminal(make_terminal, centre)
    sale = _sell(co, t, i)
    t.sender.drain(timeout_s=10)
    assert co.sale(sale.sale_id).state == "uploaded"
    world = json.loads(Path(VECTORS).read_text(encoding="utf-8"))
    certnos = {p["certno"].encode() for p in world["patients"].values() if p.get("certno")} | {id_number(i).encode()}
    store = str(t.engine.url)
    t.close()
    for f in _files(centre.db_url) + _files(store):
        data = f.read_bytes()
        found = [c.decode() for c in certnos if c in data]
        assert not found, f"{f.name} holds identity numbers in plain text: {found[:3]}"
        # No generic ID-shaped search in the database files: hex hashes and random bytes there hold such digit runs
        # by chance (a seen false alarm). Every identity number this sale could have written is in certnos.
    assert stat.S_IMODE(Path(store.split("///", 1)[1]).stat().st_mode) == 0o600
    log = centre.process.log_path.read_bytes() if centre.process.log_path else b""
    assert not ID18.search(log), "the centre's log holds an ID number"
