"""Held sales (挂单) of the desk are kept in the store: a restart or a crash no longer loses them and their boxes.

Revision ID: s0171
Revises: s0170
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0171"
down_revision = "s0170"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_held",
        sa.Column("no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sale_id", sa.String(64), nullable=False),
        sa.Column("person_no", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("no", name=op.f("pk_desk_held")),
        sa.UniqueConstraint("sale_id", name=op.f("uq_desk_held_sale_id")),
    )


def downgrade() -> None:
    op.drop_table("desk_held")
