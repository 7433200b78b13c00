"""chronic-care loop: family-doctor contracts, measured follow-ups, remote prescription review, reminders

Revision ID: c0003
Revises: c0002
Create Date: 2026-12-07

Tables of server/models_care.py, and the measured columns of centre_followup (server/models_chronic.py).
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0003'
down_revision = 'c0002'
branch_labels = None
depends_on = None

FOLLOWUP = (
    ('place', sa.String(100)), ('doctor_code', sa.String(30)), ('sbp', sa.Integer()), ('dbp', sa.Integer()),
    ('fpg', sa.Numeric(4, 1)), ('rpg', sa.Numeric(4, 1)), ('hba1c', sa.Numeric(4, 1)), ('weight_kg', sa.Numeric(5, 1)),
    ('height_cm', sa.Numeric(5, 1)), ('bmi', sa.Numeric(4, 1)), ('smoking', sa.String(10)), ('cigarettes', sa.Integer()),
    ('adherence', sa.String(12)), ('adverse', sa.Text()), ('assessment', sa.String(12)), ('next_visit', sa.Date()),
    ('referral', sa.Text()), ('drugs', sa.Text()), ('recorded_by', sa.String(30)),
)


def upgrade() -> None:
    with op.batch_alter_table('centre_followup') as batch:
        for name, type_ in FOLLOWUP:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_table('centre_fd_contract',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_no', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=30), nullable=False),
    sa.Column('team', sa.String(length=60), nullable=False),
    sa.Column('doctor_code', sa.String(length=30), nullable=False),
    sa.Column('doctor_name', sa.String(length=50), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=200), server_default='', nullable=False),
    sa.Column('signed_by', sa.String(length=30), nullable=False),
    sa.Column('at', sa.String(length=19), nullable=False),
    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_centre_fd_contract_person', 'centre_fd_contract', ['person_no'])
    op.create_index('ix_centre_fd_contract_unit', 'centre_fd_contract', ['unit_code'])
    op.create_table('centre_rx_review',
    sa.Column('rx_id', sa.String(length=40), nullable=False),
    sa.Column('issuer_code', sa.String(length=30), nullable=False),
    sa.Column('reviewer_unit', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('queued_at', sa.String(length=19), nullable=False),
    sa.Column('deadline', sa.String(length=19), nullable=False),
    sa.Column('reviewer_code', sa.String(length=30), nullable=True),
    sa.Column('reviewer_name', sa.String(length=50), nullable=True),
    sa.Column('decided_at', sa.String(length=19), nullable=True),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('rx_id'))
    op.create_index('ix_centre_rx_review_queue', 'centre_rx_review', ['reviewer_unit', 'status'])
    op.create_index('ix_centre_rx_review_issuer', 'centre_rx_review', ['issuer_code'])
    op.create_table('centre_rx_route',
    sa.Column('clinic_code', sa.String(length=30), nullable=False),
    sa.Column('reviewer_unit', sa.String(length=30), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.String(length=19), nullable=False),
    sa.PrimaryKeyConstraint('clinic_code'))
    op.create_table('centre_notification',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_no', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('dedupe', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=200), server_default='', nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), server_default='', nullable=False),
    sa.Column('provider_ref', sa.String(length=80), server_default='', nullable=False),
    sa.Column('created_at', sa.String(length=19), nullable=False),
    sa.Column('sent_at', sa.String(length=19), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'dedupe', name='uq_centre_notification_dedupe'))
    op.create_index('ix_centre_notification_status', 'centre_notification', ['status'])
    op.create_index('ix_centre_notification_person', 'centre_notification', ['person_no'])
    op.create_table('centre_notify_optout',
    sa.Column('person_no', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('at', sa.String(length=19), nullable=False),
    sa.Column('source', sa.String(length=30), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('person_no', 'channel'))


def downgrade() -> None:
    for table in ('centre_notify_optout', 'centre_notification', 'centre_rx_route', 'centre_rx_review',
                  'centre_fd_contract'):
        op.drop_table(table)
    with op.batch_alter_table('centre_followup') as batch:
        for name, _ in reversed(FOLLOWUP):
            batch.drop_column(name)
