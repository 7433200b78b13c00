"""Stock ledger (进销存): products, documents, batches, boxes by trace code, movements (core/store/models_stock.py).

Revision ID: s0101
Revises: s0002
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0101"
down_revision = "s0002"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stock_product",
        sa.Column("drug_key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=False),
        sa.Column("trace_prefix", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("drug_key", name="pk_stock_product"),
    )
    op.create_table(
        "stock_doc",
        sa.Column("doc_no", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("supplier", sa.String(200), nullable=False),
        sa.Column("invoice_no", sa.String(40), nullable=False),
        sa.Column("invoice_code", sa.String(40), nullable=False),
        sa.Column("change_kind", sa.String(20), nullable=False),
        sa.Column("operator", sa.String(30), nullable=False),
        sa.Column("supervisor", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("doc_no", name="pk_stock_doc"),
    )
    op.create_table(
        "stock_batch",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("drug_key", sa.String(64), nullable=False),
        sa.Column("bchno", sa.String(30), nullable=False),
        sa.Column("lot", sa.String(30), nullable=False),
        sa.Column("manu_date", sa.Date(), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("supplier", sa.String(200), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("doc_no", sa.String(40), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["drug_key"], ["stock_product.drug_key"], name="fk_stock_batch_drug_key_stock_product"),
        sa.ForeignKeyConstraint(["doc_no"], ["stock_doc.doc_no"], name="fk_stock_batch_doc_no_stock_doc"),
        sa.PrimaryKeyConstraint("id", name="pk_stock_batch"),
        sa.UniqueConstraint("bchno", name="uq_stock_batch_bchno"),
    )
    op.create_index("ix_stock_batch_drug_expiry", "stock_batch", ["drug_key", "expiry"])
    op.create_table(
        "stock_box",
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("batch_id", ROW_ID, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("units_left", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["stock_batch.id"], name="fk_stock_box_batch_id_stock_batch"),
        sa.PrimaryKeyConstraint("code", name="pk_stock_box"),
    )
    op.create_index("ix_stock_box_batch_id", "stock_box", ["batch_id"])
    op.create_index("ix_stock_box_state", "stock_box", ["state"])
    op.create_table(
        "stock_move",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("batch_id", ROW_ID, nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("doc_no", sa.String(40), nullable=False),
        sa.Column("operator", sa.String(30), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["stock_batch.id"], name="fk_stock_move_batch_id_stock_batch"),
        sa.PrimaryKeyConstraint("id", name="pk_stock_move"),
    )
    op.create_index("ix_stock_move_at", "stock_move", ["at"])
    op.create_index("ix_stock_move_code", "stock_move", ["code"])
    op.create_index("ix_stock_move_doc_no", "stock_move", ["doc_no"])


def downgrade() -> None:
    for name in ("stock_move", "stock_box", "stock_batch", "stock_doc", "stock_product"):
        op.drop_table(name)
