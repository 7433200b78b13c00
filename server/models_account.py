"""The centre's tables of personal accounts (个人账户) and family sharing (家庭共济), issue 17 (migration c0005).

Same rules as server/models_chronic.py: the centre's own MetaData, no foreign keys into the shared core.store
tables (a settlement is named by its id), timestamps as centre-local text, money as NUMERIC(12, 2).
"""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, Numeric, String, Table

from server.models import metadata

MONEY = Numeric(12, 2)

# One account per person and insurance type (职工 310 have one; residents 390 none). The balance is the centre's:
# it changes only inside a settlement's or reversal's transaction (server.accounts), guarded so it never goes below 0.
account = Table(
    "centre_account",
    metadata,
    Column("person_no", String(32), primary_key=True),
    Column("insutype", String(6), primary_key=True),
    Column("balance", MONEY, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

# Every movement of an account: `amount` negative = paid out (acct_pay of the account's own person, or
# acct_mulaid_pay for a bound relative: kind 'mulaid', patient_no the relative), positive = given back by 2103/2601
# (kind 'return', naming the settlement). 3201 sums the paid-out moves of settlements not reversed.
account_move = Table(
    "centre_account_move",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("setl_id", String(64), nullable=False),
    Column("person_no", String(32), nullable=False),  # whose account
    Column("insutype", String(6), nullable=False),
    Column("patient_no", String(32), nullable=False),  # who was served (the relative for 共济)
    Column("kind", String(10), nullable=False),  # acct | mulaid | return | open
    Column("amount", MONEY, nullable=False),
    Column("balance_after", MONEY, nullable=False),
    Column("fixmedins_code", String(30), nullable=False),
    Column("at", String(40), nullable=False),
    Index("ix_centre_account_move_setl", "setl_id"),
    Index("ix_centre_account_move_person", "person_no"),
)

# 家庭共济 bindings: a relative may be paid for from the holder's account while the binding is open (ended_at
# NULL). Set up and ended at the agency's counter with the holder's confirmation (2594/2595).
family_binding = Table(
    "centre_family_binding",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("holder_no", String(32), nullable=False),
    Column("relative_no", String(32), nullable=False),
    Column("relation", String(10), nullable=False),  # 1 配偶 2 父母 3 子女 9 其他近亲属
    Column("insutype", String(6), nullable=False),
    Column("confirmed_by", String(3), nullable=False),  # the holder's mdtrt_cert_type: 01 e-voucher, 02/03 ID/card
    Column("begun_at", String(40), nullable=False),
    Column("begun_by", String(30), nullable=False),
    Column("ended_at", String(40), nullable=True),
    Column("ended_by", String(30), nullable=True),
    Index("ix_centre_family_binding_relative", "relative_no"),
    Index("ix_centre_family_binding_holder", "holder_no"),
)
