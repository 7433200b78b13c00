"""stock documents, stock per pharmacy and batch, box codes per pharmacy (issue 18: 3501–3513)

Revision ID: c0201
Revises: c0005
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0201'
down_revision = 'c0005'
branch_labels = None
depends_on = None

QTY = sa.Numeric(16, 4)


def upgrade() -> None:
    op.create_table('centre_stock_doc',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('infno', sa.String(length=6), nullable=False),
    sa.Column('msgid', sa.String(length=40), nullable=False),
    sa.Column('fixmedins_bchno', sa.String(length=40), nullable=False),
    sa.Column('drug_key', sa.String(length=64), nullable=False),
    sa.Column('med_list_codg', sa.String(length=50), nullable=False),
    sa.Column('delta', QTY, nullable=False),
    sa.Column('prev_qty', QTY, nullable=True),
    sa.Column('codes', sa.Text(), nullable=False),
    sa.Column('node', sa.Text(), nullable=False),
    sa.Column('at', sa.String(length=19), nullable=False),
    sa.Column('deleted_at', sa.String(length=19), nullable=True),
    sa.Column('delete_msgid', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_centre_stock_doc_batch', 'centre_stock_doc', ['fixmedins_code', 'fixmedins_bchno', 'infno'])
    op.create_index('ix_centre_stock_doc_at', 'centre_stock_doc', ['fixmedins_code', 'at'])
    op.create_table('centre_stock_level',
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('fixmedins_bchno', sa.String(length=40), nullable=False),
    sa.Column('drug_key', sa.String(length=64), nullable=False),
    sa.Column('med_list_codg', sa.String(length=50), nullable=False),
    sa.Column('drug_name', sa.String(length=200), nullable=False),
    sa.Column('manu_lotnum', sa.String(length=30), nullable=False),
    sa.Column('manu_date', sa.String(length=10), nullable=False),
    sa.Column('expy_end', sa.String(length=10), nullable=False),
    sa.Column('qty', QTY, nullable=False),
    sa.Column('updated_at', sa.String(length=19), nullable=False),
    sa.PrimaryKeyConstraint('fixmedins_code', 'fixmedins_bchno')
    )
    op.create_index('ix_centre_stock_level_drug', 'centre_stock_level', ['drug_key', 'qty'])
    op.create_table('centre_stock_code',
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('fixmedins_bchno', sa.String(length=40), nullable=False),
    sa.Column('drug_key', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('at', sa.String(length=19), nullable=False),
    sa.PrimaryKeyConstraint('fixmedins_code', 'code')
    )
    op.create_index('ix_centre_stock_code_code', 'centre_stock_code', ['code'])


def downgrade() -> None:
    op.drop_table('centre_stock_code')
    op.drop_table('centre_stock_level')
    op.drop_table('centre_stock_doc')
