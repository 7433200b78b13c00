"""sale uploads found by their settlement

Revision ID: c0303
Revises: c0302
Create Date: 2026-12-07

Every 3505 of an insured sale sums the units already uploaded for its settlement and drug
(server.transactions.split.uploaded_units, fastsql `sale_ahead`): without an index that is a scan of every
upload the centre ever received, in the database's CPU, on every sale.
"""
from alembic import op


revision = 'c0303'
down_revision = 'c0302'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_centre_trace_upload_setl', 'centre_trace_upload', ['setl_id'])


def downgrade() -> None:
    op.drop_index('ix_centre_trace_upload_setl', table_name='centre_trace_upload')
