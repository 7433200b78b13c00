"""Sync sales keep the platform's visit id (mdtrt_id) from the 2102 answer: 2103 and 3505 send it back.

Revision ID: s0002
Revises: s0001
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_sale") as batch:
        batch.add_column(sa.Column("mdtrt_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_sale") as batch:
        batch.drop_column("mdtrt_id")
