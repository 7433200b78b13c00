"""institution kinds, centre staff, journal checkpoints

Revision ID: c0004
Revises: c0101
Create Date: 2026-12-07

centre_institution gains its kind (server.permissions: agency, hospital, clinic, pharmacy, kiosk, supervisor;
existing rows take their facility's kind, else pharmacy) and a wider secret column (secrets are stored encrypted).
centre_staff: people of an institution who log in at the centre (agency clerks, experts, reviewers, supervisors).
centre_journal_checkpoint: keyed (HMAC) records of the journal head, so cutting off the newest entries shows.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0004'
down_revision = 'c0101'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('centre_institution') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=20), server_default='pharmacy', nullable=False))
        batch.alter_column('secret', type_=sa.Text(), existing_nullable=False)
    op.execute("UPDATE centre_institution SET kind = (SELECT f.kind FROM facility f WHERE f.code = centre_institution.code) "
               "WHERE EXISTS (SELECT 1 FROM facility f WHERE f.code = centre_institution.code "
               "AND f.kind IN ('hospital', 'clinic', 'pharmacy'))")
    # stored answers are reduced after their retention period (server.idempotency.reduce_old_answers)
    op.create_index('ix_centre_message_received', 'centre_message', ['received_at'])
    op.create_table('centre_staff',
    sa.Column('institution_code', sa.String(length=30), nullable=False),
    sa.Column('user_id', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('roles', sa.String(length=100), nullable=False),
    sa.Column('secret_hash', sa.Text(), nullable=False),
    sa.Column('failed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('institution_code', 'user_id')
    )
    op.create_table('centre_journal_checkpoint',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('head', sa.String(length=64), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )


def downgrade() -> None:
    op.drop_table('centre_journal_checkpoint')
    op.drop_table('centre_staff')
    op.drop_index('ix_centre_message_received', table_name='centre_message')
    with op.batch_alter_table('centre_institution') as batch:
        batch.drop_column('kind')
