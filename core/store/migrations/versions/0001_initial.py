"""Initial store: catalogue, facilities, person cache with registrations, settlement history.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "drug",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("spec", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("pack_unit", sa.String(16), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("drug_class", sa.String(4), nullable=True),
        sa.Column("preselfpay_ratio", sa.Numeric(5, 4), nullable=False),
        sa.Column("nhsa_code", sa.String(32), nullable=True),
        sa.Column("atc", sa.String(16), nullable=True),
        sa.Column("nhsa_class", sa.String(8), nullable=True),
        sa.Column("strength", sa.Numeric(14, 4), nullable=True),
        sa.Column("strength_unit", sa.String(16), nullable=False),
        sa.Column("max_daily", sa.Numeric(14, 4), nullable=True),
        sa.Column("sex_limit", sa.String(1), nullable=True),
        sa.Column("age_limit", sa.String(16), nullable=True),
        sa.Column("min_facility_level", sa.Integer(), nullable=True),
        sa.Column("trace_prefix", sa.String(16), nullable=True),
        sa.Column("barcode", sa.String(32), nullable=True),
        sa.Column("inpatient_only", sa.Boolean(), nullable=False),
        sa.Column("insurance_scope", sa.String(32), nullable=True),
        sa.Column("restriction_text", sa.Text(), nullable=True),
        sa.Column("price_ceiling", MONEY, nullable=True),
        sa.Column("course_limit_days", sa.Integer(), nullable=True),
        sa.Column("long_rx_barred", sa.Boolean(), nullable=False),
        sa.Column("pinyin_initials", sa.String(255), nullable=False),
        sa.Column("pinyin_full", sa.String(512), nullable=False),
        sa.Column("catalogue_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_drug"),
    )
    op.create_index("ix_drug_nhsa_code", "drug", ["nhsa_code"])
    op.create_index("ix_drug_barcode", "drug", ["barcode"])
    op.create_index("ix_drug_trace_prefix", "drug", ["trace_prefix"])
    op.create_index("ix_drug_pinyin_initials", "drug", ["pinyin_initials"])
    op.create_index("ix_drug_pinyin_full", "drug", ["pinyin_full"])

    op.create_table(
        "facility",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("benefit_level", sa.String(16), nullable=False),
        sa.Column("hospital_grade", sa.String(8), nullable=True),
        sa.Column("city", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_facility"),
    )

    op.create_table(
        "person",
        sa.Column("person_no", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("insurance_type", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("id_number_enc", sa.Text(), nullable=True),
        sa.Column("id_number_hash", sa.String(64), nullable=True),
        sa.Column("ss_card_no", sa.String(32), nullable=True),
        sa.Column("profile_id", sa.String(32), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_no", name="pk_person"),
    )
    op.create_index("ix_person_id_number_hash", "person", ["id_number_hash"], unique=True)
    op.create_index("ix_person_ss_card_no", "person", ["ss_card_no"])

    op.create_table(
        "registration",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("person_no", sa.String(32), nullable=False),
        sa.Column("scheme", sa.String(2), nullable=False),
        sa.Column("disease", sa.String(16), nullable=False),
        sa.Column("begin_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("designated_facilities", sa.Text(), nullable=False),
        sa.CheckConstraint("scheme IN ('LB', 'MT')", name="ck_registration_scheme"),
        sa.ForeignKeyConstraint(
            ["person_no"], ["person.person_no"], name="fk_registration_person_no_person", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registration"),
    )
    op.create_index("ix_registration_person_no", "registration", ["person_no"])

    op.create_table(
        "settlement",
        sa.Column("settlement_id", sa.String(64), nullable=False),
        sa.Column("person_no", sa.String(32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("time", sa.Time(), nullable=True),
        sa.Column("facility_code", sa.String(32), nullable=False),
        sa.Column("city", sa.String(12), nullable=False),
        sa.Column("scheme", sa.String(2), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("fund", MONEY, nullable=False),
        sa.Column("personal", MONEY, nullable=False),
        sa.Column("deductible_applied", MONEY, nullable=False),
        sa.Column("expense_counted", MONEY, nullable=False),
        sa.Column("reversed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_no"], ["person.person_no"], name="fk_settlement_person_no_person"),
        sa.PrimaryKeyConstraint("settlement_id", name="pk_settlement"),
    )
    op.create_index("ix_settlement_person_no_date", "settlement", ["person_no", "date"])

    op.create_table(
        "dispense",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("person_no", sa.String(32), nullable=False),
        sa.Column("settlement_id", sa.String(64), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("time", sa.Time(), nullable=True),
        sa.Column("facility_code", sa.String(32), nullable=False),
        sa.Column("drug_key", sa.String(64), nullable=False),
        sa.Column("chain_key", sa.String(32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_no"], ["person.person_no"], name="fk_dispense_person_no_person"),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["settlement.settlement_id"], name="fk_dispense_settlement_id_settlement",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dispense"),
    )
    op.create_index("ix_dispense_person_no_chain_key_date", "dispense", ["person_no", "chain_key", "date"])
    op.create_index("ix_dispense_settlement_id", "dispense", ["settlement_id"])

    op.create_table(
        "trace_sale",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("settlement_id", sa.String(64), nullable=True),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("drug_key", sa.String(64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("split", sa.Boolean(), nullable=False),
        sa.Column("facility_code", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["settlement.settlement_id"], name="fk_trace_sale_settlement_id_settlement",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_trace_sale"),
        sa.UniqueConstraint("settlement_id", "code", "line", name="uq_trace_sale_settlement_id_code_line"),
    )
    op.create_index("ix_trace_sale_code", "trace_sale", ["code"])


def downgrade() -> None:
    for table in ("trace_sale", "dispense", "settlement", "registration", "person", "facility", "drug"):
        op.drop_table(table)
