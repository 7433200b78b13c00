"""The centre's journal against someone with a copy of the database (server.journal), on SQLite and PostgreSQL:
an edited settlement row, deleted newest entries, a chain recomputed without the key, an edited registration or
person status are each found by `verify`; checkpoints every N entries and at shutdown; the CLI's --expect-head."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from sqlalchemy import delete, select, text, update

from server import journal
from server.models import journal as journal_table
from server.models import journal_checkpoint
from tests.server.helpers import AGY, PH1, settle_input


def _settle(client, psn: str = "T0001") -> str:
    out = client.call("2102", settle_input(psn), PH1)
    assert out["infcode"] == 0, out["err_msg"]
    return out["output"]["setlinfo"]["setl_id"]


def test_an_edited_settlement_row_is_named(client, centre_engine):
    setl_id = _settle(client)
    assert journal.verify(centre_engine).ok
    with centre_engine.begin() as conn:
        conn.execute(text("UPDATE settlement SET fund = fund * 100 WHERE settlement_id = :s"), {"s": setl_id})
    result = journal.verify(centre_engine)
    assert not result.ok and f"settlement {setl_id} was edited" in result.problem and "fund" in result.problem
    assert result.describe().startswith("BROKEN")


def test_a_reversal_removed_from_a_row_and_a_deleted_row_are_named(client, centre_engine):
    setl_id = _settle(client)
    assert client.call("2103", {"data": {"setl_id": setl_id, "psn_no": "T0001"}}, PH1)["infcode"] == 0
    assert journal.verify(centre_engine).ok
    with centre_engine.begin() as conn:
        conn.execute(text("UPDATE settlement SET reversed_on = NULL, status = 'settled' WHERE settlement_id = :s"),
                     {"s": setl_id})
    assert f"settlement {setl_id} is not reversed" in journal.verify(centre_engine).problem


def test_deleting_the_newest_entries_shows_against_the_last_checkpoint_and_the_expected_head(client, centre_engine):
    _settle(client)
    head_before = journal.verify(centre_engine).head
    _settle(client, "T0002")
    head_after = journal.verify(centre_engine).head  # written on the day's statement
    seq = journal.checkpoint(centre_engine, at="2026-12-07T10:00:00", reason="manual")
    assert seq > 0 and journal.verify(centre_engine, expect_head=head_before).ok
    with centre_engine.begin() as conn:  # the newest entry (the second settlement's) cut off, its rows too
        last = conn.execute(select(journal_table.c.seq, journal_table.c.msgid).order_by(journal_table.c.seq.desc())
                            .limit(1)).first()
        conn.execute(text("DELETE FROM trace_sale WHERE settlement_id = :m"), {"m": last.msgid})
        conn.execute(text("DELETE FROM dispense WHERE settlement_id = :m"), {"m": last.msgid})
        conn.execute(text("DELETE FROM centre_settlement_chronic WHERE setl_id = :m"), {"m": last.msgid})
        conn.execute(text("DELETE FROM settlement WHERE settlement_id = :m"), {"m": last.msgid})
        conn.execute(delete(journal_table).where(journal_table.c.seq == last.seq))
    result = journal.verify(centre_engine)
    assert not result.ok and "newest entries were deleted" in result.problem, result.problem
    # without the checkpoint (also deleted), a head written down earlier still shows it
    with centre_engine.begin() as conn:
        conn.execute(delete(journal_checkpoint))
    assert journal.verify(centre_engine).ok  # the chain alone cannot tell
    assert journal.verify(centre_engine, expect_head=head_before).ok  # an older head is still there
    cut = journal.verify(centre_engine, expect_head=head_after)
    assert not cut.ok and "not in the journal" in cut.problem


def test_a_chain_recomputed_without_the_key_is_found(client, centre_engine):
    """The 12-line attack of the issue: edit an entry, recompute every hash after it with plain SHA-256 (or any
    key but the centre's). The keyed hash of the edited entry no longer matches."""
    setl_id = _settle(client)
    with centre_engine.begin() as conn:
        rows = conn.execute(select(journal_table).order_by(journal_table.c.seq)).all()
        prev = journal.GENESIS
        for r in rows:
            payload = r.payload
            if r.kind == "settle":
                p = json.loads(payload)
                p["fund"] = "1400.00"
                payload = journal.dumps(p)
            h = hashlib.sha256("|".join((str(r.seq), r.at, r.kind, r.fixmedins_code, r.msgid, payload, prev))
                               .encode()).hexdigest()
            conn.execute(update(journal_table).where(journal_table.c.seq == r.seq)
                         .values(payload=payload, prev_hash=prev, hash=h))
            prev = h
        conn.execute(text("UPDATE settlement SET fund = 1400 WHERE settlement_id = :s"), {"s": setl_id})
    result = journal.verify(centre_engine)
    assert not result.ok and result.first_bad_seq == 1 and "keyed hash" in result.problem


def test_an_edited_registration_or_person_status_is_named(client, centre_engine):
    out = client.call("2522", {"data": {"psn_no": "T0002", "status": "suspended"}}, AGY)
    assert out["infcode"] == 0, out["err_msg"]
    assert journal.verify(centre_engine).ok
    with centre_engine.begin() as conn:
        conn.execute(text("UPDATE person SET status = 'active' WHERE person_no = 'T0002'"))
    assert "person T0002 status was edited" in journal.verify(centre_engine).problem


def test_checkpoints_every_n_entries_and_at_shutdown(client, centre_engine, monkeypatch):
    monkeypatch.setattr(journal, "CHECKPOINT_EVERY", 3)
    for psn in ("T0001", "T0002", "T0012"):  # 两病 hypertension, one sale each
        _settle(client, psn)
    with centre_engine.connect() as conn:
        cps = conn.execute(select(journal_checkpoint)).all()
    assert cps and all(c.reason == "interval" for c in cps)
    result = journal.verify(centre_engine)
    assert result.ok and result.checkpoints == len(cps)
    with centre_engine.begin() as conn:  # a forged checkpoint (no key) is found
        conn.execute(update(journal_checkpoint).values(head="0" * 64))
    assert "checkpoint" in journal.verify(centre_engine).problem


def test_the_app_records_a_checkpoint_when_it_stops(centre_db, centre_engine):
    from fastapi.testclient import TestClient

    from server.app import create_app
    from tests.server.helpers import Client

    with TestClient(create_app(engine=centre_engine)) as http:
        Client(http, centre_db.secrets).call("2102", settle_input("T0001"), PH1)
    with centre_engine.connect() as conn:
        reasons = [r.reason for r in conn.execute(select(journal_checkpoint))]
    assert reasons[-1:] == ["shutdown"]


def test_journal_verify_command(client, centre_db, centre_engine):
    _settle(client)
    head = journal.verify(centre_engine).head
    cmd = [sys.executable, "-m", "onewindow", "journal", "verify", "--db", centre_db.url]
    ok = subprocess.run(cmd + ["--expect-head", head], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and f"head {head}" in ok.stdout, ok.stdout + ok.stderr
    bad = subprocess.run(cmd + ["--expect-head", "ab" * 32], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "not in the journal" in bad.stdout
