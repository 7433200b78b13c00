"""A recalled held sale (挂单) keeps its row, marked `recalled_at`, until it is settled or discarded: a desk that
crashes between recall and settlement lists it again, its boxes still reserved (issue #21).

Revision ID: s0172
Revises: s0171
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0172"
down_revision = "s0171"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("desk_held") as batch:
        batch.add_column(sa.Column("recalled_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("desk_held") as batch:
        batch.drop_column("recalled_at")
