"""personal accounts, their movements, family-sharing bindings (issue 17)

Revision ID: c0005
Revises: c0004
Create Date: 2026-12-07

centre_account: one balance per person and insurance type (employees); centre_account_move: every payment from
and return to an account, by settlement; centre_family_binding: 家庭共济 relatives bound to an account holder.
Opening balances are written by the seed (server.accounts.seed_opening), never by this migration.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0005'
down_revision = 'c0004'
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    op.create_table('centre_account',
    sa.Column('person_no', sa.String(length=32), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('balance', MONEY, nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('person_no', 'insutype')
    )
    op.create_table('centre_account_move',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('setl_id', sa.String(length=64), nullable=False),
    sa.Column('person_no', sa.String(length=32), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('patient_no', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('balance_after', MONEY, nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_centre_account_move_setl', 'centre_account_move', ['setl_id'])
    op.create_index('ix_centre_account_move_person', 'centre_account_move', ['person_no'])
    op.create_table('centre_family_binding',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('holder_no', sa.String(length=32), nullable=False),
    sa.Column('relative_no', sa.String(length=32), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('confirmed_by', sa.String(length=3), nullable=False),
    sa.Column('begun_at', sa.String(length=40), nullable=False),
    sa.Column('begun_by', sa.String(length=30), nullable=False),
    sa.Column('ended_at', sa.String(length=40), nullable=True),
    sa.Column('ended_by', sa.String(length=30), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_centre_family_binding_relative', 'centre_family_binding', ['relative_no'])
    op.create_index('ix_centre_family_binding_holder', 'centre_family_binding', ['holder_no'])


def downgrade() -> None:
    op.drop_table('centre_family_binding')
    op.drop_table('centre_account_move')
    op.drop_table('centre_account')
