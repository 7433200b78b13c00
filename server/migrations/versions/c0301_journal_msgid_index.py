"""journal entries found by msgid

Revision ID: c0301
Revises: c0201
Create Date: 2026-12-07

A 3505 is checked against its settlement's journal entry (server.transactions.split.check_upload: split or
whole boxes, units paid for), found by the settlement's msgid.
"""
from alembic import op


revision = 'c0301'
down_revision = 'c0201'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_centre_journal_msgid', 'centre_journal', ['msgid'])


def downgrade() -> None:
    op.drop_index('ix_centre_journal_msgid', table_name='centre_journal')
