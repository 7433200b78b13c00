"""centre tables

Revision ID: c0001
Revises: 
Create Date: 2026-11-25 13:27:33.239109
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('centre_catalogue_log',
    sa.Column('ver', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('drug_key', sa.String(length=40), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('ver')
    )
    op.create_index('ix_centre_catalogue_log_key', 'centre_catalogue_log', ['drug_key'], unique=False)
    op.create_table('centre_ec_token',
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('jti', sa.String(length=40), nullable=False),
    sa.Column('person_no', sa.String(length=30), nullable=False),
    sa.Column('issued_at', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('token'),
    sa.UniqueConstraint('jti', name='uq_centre_ec_token_jti')
    )
    op.create_table('centre_eprescription',
    sa.Column('rx_id', sa.String(length=40), nullable=False),
    sa.Column('pickup_code', sa.String(length=12), nullable=False),
    sa.Column('issuer_code', sa.String(length=30), nullable=False),
    sa.Column('issuer_rxno', sa.String(length=40), nullable=False),
    sa.Column('person_no', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('uploaded_at', sa.String(length=19), nullable=False),
    sa.Column('valid_until', sa.String(length=10), nullable=False),
    sa.Column('dispensed_at', sa.String(length=19), nullable=True),
    sa.Column('dispensed_by', sa.String(length=30), nullable=True),
    sa.Column('dispense_msgid', sa.String(length=40), nullable=True),
    sa.Column('setl_id', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('rx_id'),
    sa.UniqueConstraint('issuer_code', 'issuer_rxno', name='uq_centre_eprescription_issuer_rxno'),
    sa.UniqueConstraint('pickup_code', name='uq_centre_eprescription_pickup')
    )
    op.create_index('ix_centre_eprescription_person', 'centre_eprescription', ['person_no'], unique=False)
    op.create_table('centre_institution',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('centre_journal',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), server_default='', nullable=False),
    sa.Column('msgid', sa.String(length=40), server_default='', nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_table('centre_message',
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('msgid', sa.String(length=40), nullable=False),
    sa.Column('infno', sa.String(length=10), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('infcode', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('received_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('fixmedins_code', 'msgid')
    )
    op.create_table('centre_nonce',
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('ts', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('fixmedins_code', 'nonce')
    )
    op.create_index('ix_centre_nonce_ts', 'centre_nonce', ['ts'], unique=False)
    op.create_table('centre_profile',
    sa.Column('profile_id', sa.String(length=60), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('profile_id')
    )
    op.create_table('centre_setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('centre_signin',
    sa.Column('sign_no', sa.String(length=30), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('opter', sa.String(length=30), server_default='', nullable=False),
    sa.Column('sign_time', sa.String(length=19), nullable=False),
    sa.Column('signout_time', sa.String(length=19), nullable=True),
    sa.PrimaryKeyConstraint('sign_no')
    )
    op.create_table('centre_trace_upload',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('msgid', sa.String(length=40), nullable=False),
    sa.Column('rtal_docno', sa.String(length=40), nullable=False),
    sa.Column('med_list_codg', sa.String(length=50), nullable=False),
    sa.Column('drug_key', sa.String(length=64), server_default='', nullable=False),
    sa.Column('setl_id', sa.String(length=64), nullable=True),
    sa.Column('psn_no', sa.String(length=32), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('split', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('sold_at', sa.String(length=19), nullable=False),
    sa.Column('returned_at', sa.String(length=19), nullable=True),
    sa.Column('return_msgid', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_centre_trace_upload_code', 'centre_trace_upload', ['code'], unique=False)
    op.create_index('ix_centre_trace_upload_doc', 'centre_trace_upload', ['fixmedins_code', 'rtal_docno'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_centre_trace_upload_doc', table_name='centre_trace_upload')
    op.drop_index('ix_centre_trace_upload_code', table_name='centre_trace_upload')
    op.drop_table('centre_trace_upload')
    op.drop_table('centre_signin')
    op.drop_table('centre_setting')
    op.drop_table('centre_profile')
    op.drop_index('ix_centre_nonce_ts', table_name='centre_nonce')
    op.drop_table('centre_nonce')
    op.drop_table('centre_message')
    op.drop_table('centre_journal')
    op.drop_table('centre_institution')
    op.drop_index('ix_centre_eprescription_person', table_name='centre_eprescription')
    op.drop_table('centre_eprescription')
    op.drop_table('centre_ec_token')
    op.drop_index('ix_centre_catalogue_log_key', table_name='centre_catalogue_log')
    op.drop_table('centre_catalogue_log')
