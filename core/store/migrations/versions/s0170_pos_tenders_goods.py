"""Point of sale (issue 17): tenders of each sale and refund, non-insured goods lines, the local goods catalogue
(core/store/models_pos.py).

Revision ID: s0170
Revises: s0101
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0170"
down_revision = "s0101"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "pos_good",
        sa.Column("gtin", sa.String(14), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("spec", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("approver", sa.String(32), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("gtin", name="pk_pos_good"),
    )
    op.create_table(
        "pos_tender",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("sale_key", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("kept", MONEY, nullable=False),
        sa.Column("tendered", MONEY, nullable=False),
        sa.Column("change", MONEY, nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("refund_of", ROW_ID, nullable=True),
        sa.Column("shift_id", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["refund_of"], ["pos_tender.id"], name="fk_pos_tender_refund_of_pos_tender"),
        sa.PrimaryKeyConstraint("id", name="pk_pos_tender"),
    )
    op.create_index("ix_pos_tender_sale_key", "pos_tender", ["sale_key"])
    op.create_index("ix_pos_tender_shift_id", "pos_tender", ["shift_id"])
    op.create_table(
        "pos_goods_line",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("sale_key", sa.String(40), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("discount", MONEY, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pos_goods_line"),
    )
    op.create_index("ix_pos_goods_line_sale_key", "pos_goods_line", ["sale_key"])


def downgrade() -> None:
    for name in ("pos_goods_line", "pos_tender", "pos_good"):
        op.drop_table(name)
