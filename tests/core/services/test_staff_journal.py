"""The client's staff-action journal (core.store.staff_journal): logins, failed logins and supervisor overrides are
chained; an edit or a deletion (with the triggers dropped, as someone with the file would) is found, also by
`onewindow journal verify --client HOME`."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from core.services.auth import Auth, AuthFailed
from core.store import staff_journal
from core.store.db import open_store
from core.store.desk import ensure_desk_schema


@pytest.fixture
def desk_store(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'desk.db'}")
    ensure_desk_schema(engine)
    yield engine, tmp_path / "desk.db"
    engine.dispose()


def _actions(auth: Auth) -> None:
    auth.add_user("li", "李药师", "pharmacist", password="yaoshi-2468")
    auth.add_user("zhang", "张主管", "supervisor", password="zhuguan-1357", pin="135790")
    op = auth.login("li", password="yaoshi-2468")
    with pytest.raises(AuthFailed):
        auth.login("li", password="wrong-one")
    auth.approve("zhang", "135790", permission="receipt.reprint", operator=op, ref="R-0001")
    auth.log("shift_close", "li", ref="S-1", detail={"cash": "100.00"})


def test_staff_actions_are_chained_and_the_store_refuses_changes(desk_store):
    engine, path = desk_store
    _actions(Auth(engine))
    result = staff_journal.verify(engine)
    assert result.ok and result.entries == 4, result.describe()
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError, match="cannot be"):
        db.execute("UPDATE desk_event SET user_id = 'wang' WHERE id = 1")
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError, match="cannot be"):
        db.execute("DELETE FROM desk_event WHERE id = 2")


def test_an_edit_or_a_deletion_behind_the_triggers_is_found(desk_store, tmp_path):
    engine, path = desk_store
    _actions(Auth(engine))
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER desk_event_no_update")
        db.execute("DROP TRIGGER desk_event_no_delete")
        db.execute("UPDATE desk_event SET approver_id = 'li' WHERE kind = 'override'")
    broken = staff_journal.verify(engine)
    assert not broken.ok and broken.first_bad_id == 3 and "altered" in broken.problem
    cli = subprocess.run([sys.executable, "-m", "onewindow", "journal", "verify", "--client", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 1 and "BROKEN at staff action 3" in cli.stdout, cli.stdout + cli.stderr
    with sqlite3.connect(path) as db:
        db.execute("UPDATE desk_event SET approver_id = 'zhang' WHERE kind = 'override'")
        db.execute("DELETE FROM desk_event WHERE kind = 'login_failed'")
    gone = staff_journal.verify(engine)
    assert not gone.ok and gone.first_bad_id == 2 and "missing" in gone.problem


def test_a_chain_recomputed_without_the_key_is_found(desk_store):
    """The attack that beat a plain SHA-256 chain: edit a row, then recompute every hash after it. Without the
    installation's data key the recomputed chain does not verify; with the key (as the desk has it) it would."""
    import hashlib

    engine, path = desk_store
    _actions(Auth(engine))
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER desk_event_no_update")
        db.execute("UPDATE desk_event SET approver_id = 'li' WHERE kind = 'override'")
        prev = staff_journal.GENESIS
        rows = db.execute("SELECT id, at, kind, user_id, approver_id, ref, detail FROM desk_event ORDER BY id").fetchall()
        for row_id, at, kind, user_id, approver_id, ref, detail in rows:
            text = "|".join((prev, str(row_id), at or "", kind, user_id or "", approver_id or "", ref or "", detail))
            h = hashlib.sha256(text.encode("utf-8")).hexdigest()
            db.execute("UPDATE desk_event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row_id))
            prev = h
    broken = staff_journal.verify(engine)
    assert not broken.ok and broken.first_bad_id == 1 and "altered" in broken.problem, broken.describe()
