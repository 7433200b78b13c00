"""The centre's tables of the chronic-care loop (issue 24): family-doctor contracts, the measured follow-up visit
(columns added to centre_followup, so the worklist's ≥4-a-year count reads the same rows), remote prescription
review, supply planning needs nothing of its own, and reminders sent through the notification port.

Same rules as server/models_chronic.py: the centre's own MetaData (migration c0003), no foreign keys into the
shared core.store tables, timestamps as centre-local text, calendar days as DATE.
"""
from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table, Text, UniqueConstraint

from server.models import metadata

# 家庭医生签约: one row per contract; ended_on set when it ends. At most one open contract per person.
contract = Table(
    "centre_fd_contract",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_no", String(32), nullable=False),
    Column("unit_code", String(30), nullable=False),  # the primary-care unit that signed
    Column("team", String(60), nullable=False),
    Column("doctor_code", String(30), nullable=False),
    Column("doctor_name", String(50), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(200), nullable=False, server_default=""),
    Column("signed_by", String(30), nullable=False),
    Column("at", String(19), nullable=False),
    Index("ix_centre_fd_contract_person", "person_no"),
    Index("ix_centre_fd_contract_unit", "unit_code"),
)

# 远程审方: a township clinic's prescription waits here for the county hospital's pharmacist before it circulates.
rx_review = Table(
    "centre_rx_review",
    metadata,
    Column("rx_id", String(40), primary_key=True),
    Column("issuer_code", String(30), nullable=False),
    Column("reviewer_unit", String(30), nullable=False),
    Column("status", String(10), nullable=False),  # pending -> approved | returned
    Column("queued_at", String(19), nullable=False),
    Column("deadline", String(19), nullable=False),
    Column("reviewer_code", String(30), nullable=True),
    Column("reviewer_name", String(50), nullable=True),
    Column("decided_at", String(19), nullable=True),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_centre_rx_review_queue", "reviewer_unit", "status"),
    Index("ix_centre_rx_review_issuer", "issuer_code"),
)

# Which clinics' prescriptions go to which reviewing unit, and how long the review may take.
rx_route = Table(
    "centre_rx_route",
    metadata,
    Column("clinic_code", String(30), primary_key=True),
    Column("reviewer_unit", String(30), nullable=False),
    Column("hours", Integer, nullable=False),
    Column("updated_at", String(19), nullable=False),
)

# Reminders through the notification port (server/care/notify.py): one row per message and channel.
notification = Table(
    "centre_notification",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_no", String(32), nullable=False),
    Column("channel", String(10), nullable=False),  # sms / letter / desk
    Column("kind", String(12), nullable=False),  # refill / review / followup
    Column("dedupe", String(120), nullable=False),  # kind + what it is about + due day: queued once
    Column("address", String(200), nullable=False, server_default=""),  # phone number, postal address
    Column("message", Text, nullable=False),
    Column("status", String(10), nullable=False),  # queued -> sent | failed | shown; retry while attempts < max
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("provider_ref", String(80), nullable=False, server_default=""),
    Column("created_at", String(19), nullable=False),
    Column("sent_at", String(19), nullable=True),
    UniqueConstraint("channel", "dedupe", name="uq_centre_notification_dedupe"),
    Index("ix_centre_notification_status", "status"),
    Index("ix_centre_notification_person", "person_no"),
)

# Opt-outs (退订) per person and channel ("all" = every channel).
optout = Table(
    "centre_notify_optout",
    metadata,
    Column("person_no", String(32), primary_key=True),
    Column("channel", String(10), primary_key=True),
    Column("at", String(19), nullable=False),
    Column("source", String(30), nullable=False, server_default=""),
)

__all__ = ["contract", "notification", "optout", "rx_review", "rx_route"]
