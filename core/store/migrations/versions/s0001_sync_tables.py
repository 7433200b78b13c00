"""Sync layer: outbox, sales with their state, terminal sequences, journal, lease, sign-in, alerts,
registration freshness, reconciliations, queued registrations (models in core/sync/models.py).

Revision ID: s0001
Revises: 0001
Create Date: 2025-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sync_counter",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("stamp", sa.String(14), nullable=False),
        sa.Column("stamp_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sync_counter"),
    )

    op.create_table(
        "sync_sale",
        sa.Column("sale_id", sa.String(40), nullable=False),
        sa.Column("terminal_id", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("offline_no", sa.String(40), nullable=True),
        sa.Column("person_no", sa.String(32), nullable=False),
        sa.Column("cert_type", sa.String(3), nullable=False),
        sa.Column("scheme", sa.String(2), nullable=False),
        sa.Column("med_type", sa.String(6), nullable=False),
        sa.Column("disease", sa.String(16), nullable=False),
        sa.Column("operator", sa.String(30), nullable=False),
        sa.Column("operator_name", sa.String(50), nullable=False),
        sa.Column("basket", sa.Text(), nullable=False),
        sa.Column("audit", sa.Text(), nullable=True),
        sa.Column("warn_ack", sa.Boolean(), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("fund", MONEY, nullable=False),
        sa.Column("personal", MONEY, nullable=False),
        sa.Column("centre_total", MONEY, nullable=True),
        sa.Column("centre_fund", MONEY, nullable=True),
        sa.Column("centre_personal", MONEY, nullable=True),
        sa.Column("setl_id", sa.String(64), nullable=True),
        sa.Column("msgid", sa.String(40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.Column("printed_at", sa.DateTime(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("sale_id", name="pk_sync_sale"),
    )
    op.create_index("ix_sync_sale_state", "sync_sale", ["state"])
    op.create_index("ix_sync_sale_person_no", "sync_sale", ["person_no"])
    op.create_index("ix_sync_sale_msgid", "sync_sale", ["msgid"], unique=True)
    op.create_index("ix_sync_sale_offline_no", "sync_sale", ["offline_no"], unique=True)

    op.create_table(
        "sync_outbox",
        sa.Column("id", ROW_ID, nullable=False, autoincrement=True),
        sa.Column("msgid", sa.String(40), nullable=False),
        sa.Column("infno", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("business_key", sa.String(160), nullable=False),
        sa.Column("sale_id", sa.String(40), nullable=True),
        sa.Column("lane", sa.String(40), nullable=False),
        sa.Column("depends_on", sa.BigInteger(), nullable=True),
        sa.Column("interactive", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("psn_no", sa.String(32), nullable=False),
        sa.Column("insuplc_admdvs", sa.String(6), nullable=False),
        sa.Column("opter", sa.String(30), nullable=False),
        sa.Column("opter_name", sa.String(50), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("infcode", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sync_outbox"),
    )
    op.create_index("ix_sync_outbox_msgid", "sync_outbox", ["msgid"], unique=True)
    op.create_index("ix_sync_outbox_business_key", "sync_outbox", ["business_key"], unique=True)
    op.create_index("ix_sync_outbox_status_id", "sync_outbox", ["status", "id"])
    op.create_index("ix_sync_outbox_sale_id", "sync_outbox", ["sale_id"])

    op.create_table(
        "sync_journal",
        sa.Column("seq", ROW_ID, nullable=False, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sale_id", sa.String(40), nullable=True),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_sync_journal"),
    )
    op.create_index("ix_sync_journal_sale_id", "sync_journal", ["sale_id"])

    op.create_table(
        "sync_lease",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sync_lease"),
    )

    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sync_state"),
    )

    op.create_table(
        "sync_signin",
        sa.Column("operator", sa.String(30), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sign_no", sa.String(30), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("operator", "day", name="pk_sync_signin"),
    )

    op.create_table(
        "sync_alert",
        sa.Column("id", ROW_ID, nullable=False, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("sale_id", sa.String(40), nullable=True),
        sa.Column("msgid", sa.String(40), nullable=True),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("diff_fund", MONEY, nullable=True),
        sa.Column("diff_personal", MONEY, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(30), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_alert"),
    )
    op.create_index("ix_sync_alert_resolved_at", "sync_alert", ["resolved_at"])

    op.create_table(
        "sync_person_fresh",
        sa.Column("person_no", sa.String(32), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.Column("insuplc_admdvs", sa.String(6), nullable=False),
        sa.PrimaryKeyConstraint("person_no", name="pk_sync_person_fresh"),
    )

    op.create_table(
        "sync_reconciliation",
        sa.Column("id", ROW_ID, nullable=False, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(30), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("local_count", sa.Integer(), nullable=False),
        sa.Column("local_total", MONEY, nullable=False),
        sa.Column("local_fund", MONEY, nullable=False),
        sa.Column("centre_count", sa.Integer(), nullable=True),
        sa.Column("centre_total", MONEY, nullable=True),
        sa.Column("centre_fund", MONEY, nullable=True),
        sa.Column("balanced", sa.Boolean(), nullable=False),
        sa.Column("centre_text", sa.Text(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("differences", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_reconciliation"),
    )

    op.create_table(
        "sync_registration",
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("person_no", sa.String(32), nullable=False),
        sa.Column("scheme", sa.String(2), nullable=False),
        sa.Column("disease", sa.String(16), nullable=False),
        sa.Column("disease_name", sa.String(100), nullable=False),
        sa.Column("begin_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("msgid", sa.String(40), nullable=False),
        sa.Column("operator", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name="pk_sync_registration"),
    )
    op.create_index("ix_sync_registration_person_no", "sync_registration", ["person_no"])


def downgrade() -> None:
    for table in (
        "sync_registration", "sync_reconciliation", "sync_person_fresh", "sync_alert", "sync_signin", "sync_state",
        "sync_lease", "sync_journal", "sync_outbox", "sync_sale", "sync_counter",
    ):
        op.drop_table(table)
