"""Tables of the sync layer, on the store's declarative Base (same metadata, same migrations folder).

- sync_counter: stored sequences that survive restarts (message ids, sale numbers, offline numbers).
- sync_sale: the business record of one sale at this terminal, with its state (core.sync.states).
- sync_outbox: every message that changes something at the centre, reserved (committed) before it is sent,
  kept until the centre acknowledges it. `msgid` is unique and travels with the item; `business_key` is unique
  so a double click, a retry loop or a second instance cannot reserve the same business event twice.
- sync_journal: every state transition and every decision, hash-chained (each row carries the previous hash).
- sync_lease: the single-sender lease (holder + expiry), taken with BEGIN IMMEDIATE.
- sync_state: small key/value facts (centre reachable, offline since, last success, catalogue version).
- sync_signin: the 9001 sign-in per operator and day.
- sync_alert: what a supervisor must look at (a rejected or adjusted offline sale, a refused upload …).
- sync_person_fresh: when a cached person's registrations were last confirmed by the centre.
- sync_reconciliation: stored shift-close reconciliations (3201) with their per-settlement differences.
- sync_registration: disease registrations (2503) queued through the outbox.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import ROW_ID, Base, utcnow


class SyncCounter(Base):
    __tablename__ = "sync_counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    # For message ids: the last time stamp used (yyyyMMddHHmmss) and how many ids were issued in it.
    stamp: Mapped[str] = mapped_column(String(14), default="")
    stamp_count: Mapped[int] = mapped_column(Integer, default=0)


class SyncSale(Base):
    __tablename__ = "sync_sale"

    sale_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    offline_no: Mapped[str | None] = mapped_column(String(40))
    person_no: Mapped[str] = mapped_column(String(32))
    cert_type: Mapped[str] = mapped_column(String(3), default="")
    scheme: Mapped[str] = mapped_column(String(2))
    med_type: Mapped[str] = mapped_column(String(6))
    disease: Mapped[str] = mapped_column(String(16), default="")
    operator: Mapped[str] = mapped_column(String(30))
    operator_name: Mapped[str] = mapped_column(String(50), default="")
    basket: Mapped[str] = mapped_column(Text)  # JSON: prescription and lines (no identity numbers)
    audit: Mapped[str | None] = mapped_column(Text)  # JSON: verdict, hits, preview
    warn_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    total: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    fund: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    personal: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    centre_total: Mapped[Decimal | None]
    centre_fund: Mapped[Decimal | None]
    centre_personal: Mapped[Decimal | None]
    setl_id: Mapped[str | None] = mapped_column(String(64))
    mdtrt_id: Mapped[str | None] = mapped_column(String(64))  # the platform's visit id from the 2102 answer
    msgid: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[dt.datetime | None]
    printed_at: Mapped[dt.datetime | None]
    uploaded_at: Mapped[dt.datetime | None]

    __table_args__ = (
        Index("ix_sync_sale_state", "state"),
        Index("ix_sync_sale_person_no", "person_no"),
        Index("ix_sync_sale_msgid", "msgid", unique=True),
        Index("ix_sync_sale_offline_no", "offline_no", unique=True),
    )


class SyncOutbox(Base):
    __tablename__ = "sync_outbox"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    msgid: Mapped[str] = mapped_column(String(40))
    infno: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(16))
    business_key: Mapped[str] = mapped_column(String(160))
    sale_id: Mapped[str | None] = mapped_column(String(40))
    lane: Mapped[str] = mapped_column(String(40), default="")
    depends_on: Mapped[int | None] = mapped_column(BigInteger)
    interactive: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str] = mapped_column(String(120), default="")  # process that reserved an interactive item
    payload: Mapped[str] = mapped_column(Text)  # the `input` node, encrypted at rest (identity numbers inside)
    psn_no: Mapped[str] = mapped_column(String(32), default="")
    insuplc_admdvs: Mapped[str] = mapped_column(String(6), default="")
    opter: Mapped[str] = mapped_column(String(30), default="")
    opter_name: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    first_attempt_at: Mapped[dt.datetime | None]
    last_attempt_at: Mapped[dt.datetime | None]
    not_before: Mapped[dt.datetime | None]
    done_at: Mapped[dt.datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    infcode: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)  # JSON: err_msg, warn_msg, output of the answer

    __table_args__ = (
        Index("ix_sync_outbox_msgid", "msgid", unique=True),
        Index("ix_sync_outbox_business_key", "business_key", unique=True),
        Index("ix_sync_outbox_status_id", "status", "id"),
        Index("ix_sync_outbox_sale_id", "sale_id"),
    )


class SyncJournal(Base):
    __tablename__ = "sync_journal"

    seq: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    sale_id: Mapped[str | None] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_sync_journal_sale_id", "sale_id"),)


class SyncLease(Base):
    __tablename__ = "sync_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


class SyncState(Base):
    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class SyncSignin(Base):
    __tablename__ = "sync_signin"

    operator: Mapped[str] = mapped_column(String(30), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    sign_no: Mapped[str] = mapped_column(String(30))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SyncAlert(Base):
    __tablename__ = "sync_alert"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    sale_id: Mapped[str | None] = mapped_column(String(40))
    msgid: Mapped[str | None] = mapped_column(String(40))
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    diff_fund: Mapped[Decimal | None]
    diff_personal: Mapped[Decimal | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_sync_alert_resolved_at", "resolved_at"),)


class SyncPersonFresh(Base):
    __tablename__ = "sync_person_fresh"

    person_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    refreshed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    insuplc_admdvs: Mapped[str] = mapped_column(String(6), default="")


class SyncReconciliation(Base):
    __tablename__ = "sync_reconciliation"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    operator: Mapped[str] = mapped_column(String(30))
    since: Mapped[dt.date]
    until: Mapped[dt.date]
    local_count: Mapped[int] = mapped_column(Integer)
    local_total: Mapped[Decimal]
    local_fund: Mapped[Decimal]
    centre_count: Mapped[int | None] = mapped_column(Integer)
    centre_total: Mapped[Decimal | None]
    centre_fund: Mapped[Decimal | None]
    balanced: Mapped[bool] = mapped_column(Boolean, default=False)
    centre_text: Mapped[str] = mapped_column(Text, default="")
    pending: Mapped[int] = mapped_column(Integer, default=0)
    differences: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, one entry per settlement


class SyncRegistration(Base):
    __tablename__ = "sync_registration"

    request_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_no: Mapped[str] = mapped_column(String(32))
    scheme: Mapped[str] = mapped_column(String(2))
    disease: Mapped[str] = mapped_column(String(16))
    disease_name: Mapped[str] = mapped_column(String(100), default="")
    begin: Mapped[dt.date] = mapped_column("begin_date")
    end: Mapped[dt.date | None] = mapped_column("end_date")
    state: Mapped[str] = mapped_column(String(12), default="queued")  # queued / done / refused
    msgid: Mapped[str] = mapped_column(String(40))
    operator: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    result: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_sync_registration_person_no", "person_no"),)


SYNC_TABLES = (
    "sync_counter", "sync_sale", "sync_outbox", "sync_journal", "sync_lease", "sync_state", "sync_signin",
    "sync_alert", "sync_person_fresh", "sync_reconciliation", "sync_registration",
)

__all__ = [
    "SYNC_TABLES", "SyncAlert", "SyncCounter", "SyncJournal", "SyncLease", "SyncOutbox", "SyncPersonFresh",
    "SyncReconciliation", "SyncRegistration", "SyncSale", "SyncSignin", "SyncState",
]
