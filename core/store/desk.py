"""Tables of the dispensing desk: staff, the desk's event log, sales with their codes, opened boxes (拆零),
shifts and Z reports, the desk's queue of follow-up messages.

What the sync layer holds is not here: a desk sale row is the receipt (number, payment, codes per line) of a
sync sale (core.sync.models.SyncSale, `sync_sale_id`), and reads its settlement — state, figures, setl_id,
offline number — through from it. desk_followup holds only the 7206 (e-prescription dispensed) messages,
which are no outbox kind; settlements, uploads (3505/3506) and reversals (2601) are the outbox's.

They live in the terminal's store file beside the store's own tables but on their own MetaData and schema
version (`desk_schema`), so the store's Alembic chain is untouched; `ensure_desk_schema(engine)` creates or
upgrades them (idempotent, safe on every start). Z reports cannot be changed: SQLite triggers refuse UPDATE
and DELETE on `desk_z_report`, and each report carries the hash of the previous one.

Access is through the functions of core.services (auth, pharmacy_desk, pharmacy_shift); widgets never see
these tables.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    text,
)

DESK_SCHEMA_VERSION = 3  # 2: desk_sale.sync_sale_id, desk_followup.sale_id; 3: desk_event hash chain
MONEY = Numeric(12, 2)

metadata = MetaData()

desk_meta = Table(
    "desk_schema", metadata,
    Column("key", String(32), primary_key=True),
    Column("value", String(64), nullable=False),
)

user = Table(
    "desk_user", metadata,
    Column("user_id", String(32), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256)),
    Column("pin_hash", String(256)),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
)

event = Table(
    "desk_event", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),  # login, login_failed, override, ack, reprint, return, shift_open …
    Column("user_id", String(32)),
    Column("approver_id", String(32)),  # the supervisor of an override
    Column("ref", String(64)),  # sale / receipt / shift it concerns
    Column("detail", Text, nullable=False, default="{}"),  # JSON
    # the staff-action journal's chain (core.store.staff_journal): the previous row's hash and this row's
    Column("prev_hash", String(64)),
    Column("hash", String(64)),
)

shift = Table(
    "desk_shift", metadata,
    Column("shift_id", String(40), primary_key=True),
    Column("terminal", String(32), nullable=False),
    Column("opened_by", String(32), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("float_amount", MONEY, nullable=False),
    Column("closed_at", DateTime),
    Column("closed_by", String(32)),
)

sale = Table(
    "desk_sale", metadata,
    # The record's key: the sync sale id (R + it for the return); before version 2, the 2102 message id.
    Column("msgid", String(40), primary_key=True),
    Column("receipt_no", String(40), nullable=False, unique=True),  # terminal-prefixed
    Column("kind", String(8), nullable=False, default="sale"),  # sale / return
    Column("original_msgid", String(40)),  # for a return: the sale it reverses
    Column("shift_id", String(40), ForeignKey("desk_shift.shift_id")),
    Column("user_id", String(32), nullable=False),
    Column("person_no", String(32), nullable=False),
    Column("person_name", String(50), nullable=False, default=""),
    Column("rx_id", String(40)),
    # The desk's own word: pending (being settled), settled (handed out and paid: the sync sale says whether the
    # centre confirmed it), failed (nothing handed out), returned. Rows before version 2 also: refused, unknown,
    # reversed, unsent.
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("settled_at", DateTime),
    Column("business_date", Date),
    Column("setl_id", String(64)),
    Column("total", MONEY),
    Column("fund", MONEY),
    Column("personal", MONEY),
    Column("account_pay", MONEY),
    Column("cash_pay", MONEY),
    Column("cash_tendered", MONEY),
    Column("change", MONEY),
    Column("request", Text, nullable=False),  # the 2102 input, JSON
    Column("answer", Text),  # the centre's output, JSON
    Column("error", Text),
    Column("prints", Integer, nullable=False, default=0),
    Column("sync_sale_id", String(40)),  # the sync sale (core.sync) whose settlement this receipt is
    Index("ix_desk_sale_shift", "shift_id"),
    Index("ix_desk_sale_sync_sale", "sync_sale_id"),
)

sale_code = Table(
    "desk_sale_code", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("msgid", String(40), ForeignKey("desk_sale.msgid"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("drug_key", String(64), nullable=False),
    Column("code", String(100), nullable=False),
    Column("units", Integer, nullable=False),
    Column("split", Boolean, nullable=False, default=False),
    Column("returned", Boolean, nullable=False, default=False),
    UniqueConstraint("msgid", "line", "code", name="uq_desk_sale_code"),
    Index("ix_desk_sale_code_code", "code"),
)

open_box = Table(
    "desk_open_box", metadata,
    Column("code", String(100), primary_key=True),
    Column("drug_key", String(64), nullable=False),
    Column("pack_size", Integer, nullable=False),
    Column("units_left", Integer, nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

uncoded_stock = Table(
    "desk_uncoded_stock", metadata,
    Column("drug_key", String(64), primary_key=True),
    Column("batch", String(40), primary_key=True),
    Column("boxes", Integer, nullable=False),
    Column("bought_on", Date, nullable=False),
)

history_cache = Table(
    "desk_history_cache", metadata,  # the centre's 5205 rows of a person: refill dates and DUP-001 offline
    Column("person_no", String(32), primary_key=True),
    Column("fetched_at", DateTime, nullable=False),
    Column("body", Text, nullable=False),  # JSON
)

followup = Table(
    "desk_followup", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("msgid", String(40), nullable=False, unique=True),
    Column("infno", String(6), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("done_at", DateTime),
    Column("sale_id", String(40)),  # the sync sale it follows: sent once the centre settled it
)

z_report = Table(
    "desk_z_report", metadata,
    Column("z_no", Integer, primary_key=True),
    Column("shift_id", String(40), ForeignKey("desk_shift.shift_id"), nullable=False, unique=True),
    Column("closed_at", DateTime, nullable=False),
    Column("closed_by", String(32), nullable=False),
    Column("body", Text, nullable=False),  # JSON of the report
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

counter = Table(
    "desk_counter", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)

_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS desk_z_report_no_update BEFORE UPDATE ON desk_z_report "
    "BEGIN SELECT RAISE(ABORT, 'a Z report is final and cannot be changed'); END",
    "CREATE TRIGGER IF NOT EXISTS desk_z_report_no_delete BEFORE DELETE ON desk_z_report "
    "BEGIN SELECT RAISE(ABORT, 'a Z report is final and cannot be deleted'); END",
    # the staff-action journal is append-only (rows from before version 3 are chained once by the upgrade)
    "CREATE TRIGGER IF NOT EXISTS desk_event_no_update BEFORE UPDATE ON desk_event WHEN OLD.hash IS NOT NULL "
    "BEGIN SELECT RAISE(ABORT, 'the staff-action journal cannot be changed'); END",
    "CREATE TRIGGER IF NOT EXISTS desk_event_no_delete BEFORE DELETE ON desk_event "
    "BEGIN SELECT RAISE(ABORT, 'the staff-action journal cannot be deleted'); END",
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


_UPGRADES = {  # version -> what brings the tables from the version before to it
    2: ("ALTER TABLE desk_sale ADD COLUMN sync_sale_id VARCHAR(40)",
        "CREATE INDEX IF NOT EXISTS ix_desk_sale_sync_sale ON desk_sale (sync_sale_id)",
        "ALTER TABLE desk_followup ADD COLUMN sale_id VARCHAR(40)"),
    3: ("ALTER TABLE desk_event ADD COLUMN prev_hash VARCHAR(64)", "ALTER TABLE desk_event ADD COLUMN hash VARCHAR(64)"),
}


def ensure_desk_schema(engine: Engine) -> None:
    """Create the desk tables when missing, upgrade older ones, record the schema version (idempotent)."""
    from core.store.lane import write_engine

    w = write_engine(engine)
    metadata.create_all(w)
    with w.begin() as conn:
        current = conn.execute(select(desk_meta.c.value).where(desk_meta.c.key == "version")).scalar()
        if current is None:
            conn.execute(desk_meta.insert().values(key="version", value=str(DESK_SCHEMA_VERSION)))
        elif int(current) > DESK_SCHEMA_VERSION:
            raise RuntimeError(f"desk tables are at version {current}, newer than this program ({DESK_SCHEMA_VERSION})")
        elif int(current) < DESK_SCHEMA_VERSION:
            for version in range(int(current) + 1, DESK_SCHEMA_VERSION + 1):
                for ddl in _UPGRADES[version]:
                    if not _column_exists(conn, ddl):
                        conn.execute(text(ddl))
            _chain_old_events(conn)
            conn.execute(desk_meta.update().where(desk_meta.c.key == "version").values(value=str(DESK_SCHEMA_VERSION)))
        if engine.dialect.name == "sqlite":  # after the upgrades: the triggers name their columns
            for ddl in _TRIGGERS:
                conn.execute(text(ddl))


def _column_exists(conn, ddl: str) -> bool:
    """An `ALTER TABLE t ADD COLUMN c …` whose column is there already (tables created by this version's
    create_all before the version row was read)."""
    words = ddl.split()
    if words[:2] != ["ALTER", "TABLE"] or words[3:5] != ["ADD", "COLUMN"]:
        return False
    return words[5] in {r[1] for r in conn.execute(text(f"PRAGMA table_info({words[2]})"))}


def _chain_old_events(conn) -> None:
    """Events written before the chain existed get their hashes, in id order, once."""
    from core.store.staff_journal import GENESIS, event_hash

    prev = GENESIS
    for r in conn.execute(select(event).order_by(event.c.id)).all():
        if r.hash is None:
            h = event_hash(prev, r.id, r.at, r.kind, r.user_id, r.approver_id, r.ref, r.detail)
            conn.execute(event.update().where(event.c.id == r.id).values(prev_hash=prev, hash=h))
            prev = h
        else:
            prev = r.hash


def next_number(conn, name: str) -> int:
    """A per-terminal sequence (receipt numbers, Z numbers), inside the caller's transaction."""
    value = conn.execute(select(counter.c.value).where(counter.c.name == name)).scalar()
    if value is None:
        conn.execute(counter.insert().values(name=name, value=1))
        return 1
    conn.execute(counter.update().where(counter.c.name == name).values(value=value + 1))
    return value + 1


__all__ = [
    "DESK_SCHEMA_VERSION", "counter", "ensure_desk_schema", "event", "followup", "history_cache", "metadata",
    "next_number",
    "open_box", "sale", "sale_code", "shift", "uncoded_stock", "user", "utcnow", "z_report",
]
