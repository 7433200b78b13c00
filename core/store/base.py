"""Declarative base shared by every table of the store.

Portable between SQLite (terminal) and PostgreSQL (centre): Numeric(12, 2) for money, Date/Time/DateTime
(naive, UTC for timestamps), String with lengths, no dialect-only types. Constraint names follow one
convention so that Alembic migrations can name them on both databases.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, DateTime, Integer, MetaData, Numeric, Time
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(12, 2)
RATIO = Numeric(5, 4)
QUANTITY = Numeric(14, 4)
# Surrogate keys: BIGINT on PostgreSQL (the centre keeps every terminal's history), INTEGER on SQLite so that
# the column is the rowid alias and autoincrements.
ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    """Naive UTC timestamp, as stored in created_at/updated_at columns."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        Decimal: MONEY,
        dt.date: Date(),
        dt.time: Time(),
        dt.datetime: DateTime(),
    }


__all__ = ["Base", "MONEY", "NAMING_CONVENTION", "QUANTITY", "RATIO", "ROW_ID", "utcnow"]
