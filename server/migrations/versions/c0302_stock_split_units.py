"""the centre keeps split (拆零) remainders: units per batch, units left per opened box, units per document

Revision ID: c0302
Revises: c0301
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0302'
down_revision = 'c0301'
branch_labels = None
depends_on = None

QTY = sa.Numeric(16, 4)


def upgrade() -> None:
    # NULL on existing rows: read as whole boxes (qty × pack size), which is all the centre knew before
    op.add_column('centre_stock_doc', sa.Column('units_delta', QTY, nullable=True))
    op.add_column('centre_stock_level', sa.Column('units', QTY, nullable=True))
    op.add_column('centre_stock_code', sa.Column('units_left', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('centre_stock_code') as batch:
        batch.drop_column('units_left')
    with op.batch_alter_table('centre_stock_level') as batch:
        batch.drop_column('units')
    with op.batch_alter_table('centre_stock_doc') as batch:
        batch.drop_column('units_delta')
