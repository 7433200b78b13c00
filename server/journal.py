"""The centre's append-only journal, keyed so that nobody without the key can rewrite it.

Each entry carries the MAC of the one before: hash = HMAC-SHA256(K, seq | at | kind | institution | msgid |
payload | prev_hash), hex. K is derived from the data key (core.store.crypto: `$ONEWINDOW_DATA_KEY` or the
`data.key` file), never stored in the database: someone with a copy of the database alone can edit an entry
but cannot compute the hashes again. Entries are appended inside the transaction that makes the change (a
change and its entry commit or vanish together), under the journal lock, the last lock a transaction takes.

Checkpoints (centre_journal_checkpoint) record the head (seq, hash) with their own MAC, at least every
CHECKPOINT_EVERY entries (in the appending transaction) and when the centre shuts down: deleting the newest
entries then shows against the last checkpoint. An operator may also write a head down (the daily statement)
and give it to `verify(expect_head=…)`.

`verify` walks the chain (first broken link), checks every checkpoint, and compares the rows that carry money
or rights — settlements and their reversals, registrations decided at the centre, person status changes — with
their journal entries, naming an edited row.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection, Engine, select

from server import fastsql
from server.db import lock_journal
from server.envelope import dumps
from server.models import journal, journal_checkpoint

GENESIS = "0" * 64
CHECKPOINT_EVERY = 1000
_IPAD, _OPAD = bytes(x ^ 0x36 for x in range(256)), bytes(x ^ 0x5C for x in range(256))


_derived: list = [None, b""]  # [the data cipher it came from, the journal key]: follows server.people.cipher


def journal_key() -> bytes:
    from server.people import cipher

    c = cipher()
    if _derived[0] is not c:
        _derived[:] = [c, c.derive_key("onewindow centre journal hmac v1")]
    return _derived[1]


def entry_hash(seq: int, at: str, kind: str, code: str, msgid: str, payload: str, prev_hash: str) -> str:
    text = "|".join((str(seq), at, kind, code, msgid, payload, prev_hash))
    return hmac.new(journal_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def checkpoint_mac(seq: int, head: str, at: str, reason: str) -> str:
    text = "|".join(("checkpoint", str(seq), head, at, reason))
    return hmac.new(journal_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def pg_pads() -> dict[str, bytes]:
    """HMAC's inner and outer key blocks, so PostgreSQL computes HMAC-SHA256 with its sha256() alone (no
    extension): HMAC(K, m) = sha256(K^opad || sha256(K^ipad || m)) for a key of at most 64 bytes."""
    key = journal_key().ljust(64, b"\0")
    return {"ipad": key.translate(_IPAD), "opad": key.translate(_OPAD)}


_LAST = select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1)
_LAST_CHECKPOINT = select(journal_checkpoint.c.seq).order_by(journal_checkpoint.c.seq.desc()).limit(1)
_INSERT = journal.insert()


def append(conn: Connection, kind: str, payload: dict, *, at: str, code: str = "", msgid: str = "") -> int:
    lock_journal(conn)
    pg, lite = fastsql.is_pg(conn), fastsql.is_lite(conn)
    if pg or lite:
        found = fastsql.fetch(conn, "journal_last", {}) if pg else fastsql.lite(conn, "journal_last", ())
        last = found[0] if found else None
    else:
        last = conn.execute(_LAST).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    body = dumps(payload)
    row = {"seq": seq, "at": at, "kind": kind, "fixmedins_code": code, "msgid": msgid, "payload": body,
           "prev_hash": prev, "hash": entry_hash(seq, at, kind, code, msgid, body, prev)}
    if pg:
        fastsql.run(conn, "journal_insert", row)
    elif lite:
        fastsql.lite(conn, "journal_insert", tuple(row.values()))  # in the column order of LITE's INSERT
    else:
        conn.execute(_INSERT, row)
    if lite:
        found = fastsql.lite(conn, "journal_last_checkpoint", ())
        last_cp = found[0][0] if found else 0
    else:
        last_cp = conn.execute(_LAST_CHECKPOINT).scalar() or 0
    if seq - last_cp >= CHECKPOINT_EVERY:
        _write_checkpoint(conn, seq, row["hash"], at, "interval")
    return seq


def pipeline_steps(entries, *, at: str, code: str = "", msgid: str = "") -> list:
    """PostgreSQL: the journal lock, one `journal_append` per (kind, payload), and a checkpoint when one is due,
    for server.fastsql.pipeline (the database computes each MAC with entry_hash's formula from the key blocks
    given as parameters; `verify` checks it like any other)."""
    if not entries:
        return []
    pads = pg_pads()
    steps: list = [("journal_lock", {}, False)]
    for kind, payload in entries:
        steps.append(("journal_append", {"genesis": GENESIS, "at": at, "kind": kind, "code": code, "msgid": msgid,
                                         "payload": dumps(payload), **pads}, False))
    steps.append(("journal_checkpoint_due", {"at": at, "every": CHECKPOINT_EVERY, **pads}, False))
    return steps


def _write_checkpoint(conn: Connection, seq: int, head: str, at: str, reason: str) -> None:
    exists = conn.execute(select(journal_checkpoint.c.seq).where(journal_checkpoint.c.seq == seq)).first()
    if exists is None:
        conn.execute(journal_checkpoint.insert().values(seq=seq, head=head, at=at, reason=reason,
                                                         mac=checkpoint_mac(seq, head, at, reason)))


def checkpoint(engine: Engine, *, at: str, reason: str = "shutdown") -> int:
    """Record the current head (at shutdown, or on demand); returns its seq (0 for an empty journal)."""
    from server.db import transaction

    with transaction(engine) as conn:
        lock_journal(conn)
        last = conn.execute(_LAST).first()
        if last is None:
            return 0
        _write_checkpoint(conn, last.seq, last.hash, at, reason)
        return last.seq


# ---- verification ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""
    head: str = ""
    checkpoints: int = 0
    rows_checked: int = 0
    row_problems: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        if self.ok:
            # The head hash is what an operator writes down (or prints on the daily statement) for --expect-head.
            return (f"OK: {self.entries} entries, chain intact; {self.checkpoints} checkpoints match; "
                    f"{self.rows_checked} rows match their entries; head {self.head or GENESIS}")
        where = f"BROKEN at entry {self.first_bad_seq}: " if self.first_bad_seq else "BROKEN: "
        extra = "".join(f"\n  {p}" for p in self.row_problems[1:])
        return f"{where}{self.problem} ({self.entries} entries checked){extra}"


@dataclass
class _Seen:
    """What the walk keeps of the entries the row check needs (by settlement id, registration id, person)."""

    settled: dict[str, tuple[int, str, dict]] = field(default_factory=dict)
    reversed: dict[str, int] = field(default_factory=dict)
    registrations: dict[int, tuple[int, dict]] = field(default_factory=dict)
    status: dict[str, tuple[int, dict]] = field(default_factory=dict)

    def note(self, seq: int, kind: str, code: str, payload: str) -> None:
        if kind == "settle":
            p = json.loads(payload)
            self.settled[p["setl_id"]] = (seq, code, p)
        elif kind in ("cancel", "reversal"):
            p = json.loads(payload)
            if "setl_id" in p:
                self.reversed[p["setl_id"]] = seq
        elif kind in ("registration.approved", "registration.cancelled", "registration.exit"):
            for reg in json.loads(payload).get("registrations", []):
                if isinstance(reg, dict) and "id" in reg:
                    self.registrations[int(reg["id"])] = (seq, reg)
        elif kind == "person.status":
            p = json.loads(payload)
            self.status[p["psn_no"]] = (seq, p["after"])


def verify(engine: Engine, batch: int = 5000, *, expect_head: str | None = None, rows: bool = True) -> Verification:
    prev_hash, expected_seq, count = GENESIS, 1, 0
    seen = _Seen()
    hashes_at: dict[int, str] = {}
    expected_found = expect_head is None
    with engine.connect() as conn:
        cps = conn.execute(select(journal_checkpoint).order_by(journal_checkpoint.c.seq)).all()
        wanted = {cp.seq for cp in cps}
        last_seq = 0
        while True:
            page = conn.execute(
                select(journal).where(journal.c.seq > last_seq).order_by(journal.c.seq).limit(batch)
            ).all()
            if not page:
                break
            for r in page:
                if r.seq != expected_seq:
                    return Verification(False, count, expected_seq, f"entry {expected_seq} is missing (next is {r.seq})")
                if r.prev_hash != prev_hash:
                    return Verification(False, count, r.seq, "prev_hash does not match the previous entry's hash")
                if entry_hash(r.seq, r.at, r.kind, r.fixmedins_code, r.msgid, r.payload, r.prev_hash) != r.hash:
                    return Verification(False, count, r.seq, "content does not match its keyed hash (altered, or "
                                                             "rewritten without the journal key)")
                if r.seq in wanted:
                    hashes_at[r.seq] = r.hash
                if not expected_found and r.hash == expect_head:
                    expected_found = True
                seen.note(r.seq, r.kind, r.fixmedins_code, r.payload)
                prev_hash, expected_seq, count = r.hash, expected_seq + 1, count + 1
                last_seq = r.seq
        problem = _check_checkpoints(cps, hashes_at, count)
        if problem:
            return Verification(False, count, None, problem, head=prev_hash)
        if not expected_found:
            return Verification(False, count, None, f"the expected head {expect_head} is not in the journal: entries "
                                                    "were cut off or rewritten", head=prev_hash)
        checked, row_problems = _check_rows(conn, seen) if rows else (0, [])
        conn.rollback()
    if row_problems:
        return Verification(False, count, None, row_problems[0], head=prev_hash, checkpoints=len(cps),
                            rows_checked=checked, row_problems=tuple(row_problems))
    return Verification(True, count, head=prev_hash, checkpoints=len(cps), rows_checked=checked)


def _check_checkpoints(cps, hashes_at: dict[int, str], count: int) -> str:
    for cp in cps:
        if checkpoint_mac(cp.seq, cp.head, cp.at, cp.reason) != cp.mac:
            return f"checkpoint at entry {cp.seq} does not match its MAC (forged or altered)"
        if cp.seq > count:
            return (f"the journal ends at entry {count} but checkpoint {cp.at} recorded entry {cp.seq} "
                    f"(head {cp.head}): the newest entries were deleted")
        if hashes_at.get(cp.seq) != cp.head:
            return f"entry {cp.seq} is not the one checkpoint {cp.at} recorded (head {cp.head}): rewritten"
    return ""


def _money(value) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")), "f")


def _check_rows(conn: Connection, seen: _Seen) -> tuple[int, list[str]]:
    """Rows against the entries that made them; returns (rows checked, problems naming each edited row)."""
    from core.store.models import PersonRow, RegistrationRow, SettlementRow

    S, R, P = SettlementRow.__table__.c, RegistrationRow.__table__.c, PersonRow.__table__.c
    problems: list[str] = []
    checked = 0
    settled = set()
    for r in conn.execute(select(S.settlement_id, S.person_no, S.facility_code, S.scheme, S.total, S.fund, S.personal,
                                 S.reversed_on)).yield_per(5000):
        checked += 1
        settled.add(r.settlement_id)
        entry = seen.settled.get(r.settlement_id)
        if entry is None:
            problems.append(f"settlement {r.settlement_id}: no journal entry (row inserted outside the centre)")
            continue
        seq, code, p = entry
        have = (r.person_no, r.facility_code, r.scheme, _money(r.total), _money(r.fund), _money(r.personal))
        want = (p["psn_no"], code, p["scheme"], _money(p["total"]), _money(p["fund"]), _money(p["personal"]))
        if have != want:
            names = ("person", "institution", "scheme", "total", "fund", "personal")
            diff = ", ".join(f"{n} {h} (journal {w})" for n, h, w in zip(names, have, want) if h != w)
            problems.append(f"settlement {r.settlement_id} was edited: {diff}; its entry is {seq}")
        if (r.reversed_on is not None) != (r.settlement_id in seen.reversed):
            state = "reversed" if r.reversed_on is not None else "not reversed"
            problems.append(f"settlement {r.settlement_id} is {state} but the journal says otherwise")
    for setl_id in seen.settled.keys() - settled:
        problems.append(f"settlement {setl_id} is in the journal (entry {seen.settled[setl_id][0]}) but its row is gone")
    if seen.registrations:
        ids = list(seen.registrations)
        found = {r.id: r for r in conn.execute(select(R.id, R.begin_date, R.end_date).where(R.id.in_(ids)))}
        for rid, (seq, reg) in seen.registrations.items():
            checked += 1
            row = found.get(rid)
            if reg.get("removed"):
                if row is not None:
                    problems.append(f"registration {rid} was removed by entry {seq} but its row exists")
                continue
            if row is None:
                problems.append(f"registration {rid} (entry {seq}) has no row: deleted")
                continue
            end = next((reg[k] for k in ("new_end", "end", "old_end") if k in reg), None)
            have = (row.begin_date.isoformat(), row.end_date.isoformat() if row.end_date else None)
            want = (reg.get("begin", have[0]), end)
            if have != want:
                problems.append(f"registration {rid} was edited: begin/end {have} (journal entry {seq}: {want})")
    if seen.status:
        rows = {r.person_no: r for r in conn.execute(select(P.person_no, P.status, P.death_date)
                                                     .where(P.person_no.in_(list(seen.status))))}
        for psn, (seq, after) in seen.status.items():
            checked += 1
            row = rows.get(psn)
            have = (row.status, row.death_date.isoformat() if row and row.death_date else None) if row else None
            if have != (after.get("status"), after.get("death_date")):
                problems.append(f"person {psn} status was edited: {have} (journal entry {seq}: {after})")
    return checked, problems
