"""The supervision screen's own tables (on the centre's MetaData; migration c0101, no foreign keys).

Aggregates are folded from the journal by server.supervision.rollup: the journal is the centre's change feed
(entries are numbered under the journal lock, which is held to the commit, so `seq` order is commit order and
a watermark on it misses nothing). Money is held in cents (integers: exact sums on SQLite and PostgreSQL),
boxes in thousandths of a box (a split sale is part of a box).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, Text, false

from server.models import metadata


def _amounts() -> list[Column]:
    return [
        Column("services", Integer, nullable=False, server_default="0"),  # 服务人次: settlements, applications, follow-ups
        Column("settlements", Integer, nullable=False, server_default="0"),  # net of reversals
        Column("total_c", BigInteger, nullable=False, server_default="0"),
        Column("fund_c", BigInteger, nullable=False, server_default="0"),
        Column("personal_c", BigInteger, nullable=False, server_default="0"),
        Column("htn_fund_c", BigInteger, nullable=False, server_default="0"),
        Column("dm_fund_c", BigInteger, nullable=False, server_default="0"),
        Column("other_fund_c", BigInteger, nullable=False, server_default="0"),
    ]


# Per hour ("YYYY-MM-DD HH", centre time), institution and scheme ("-" for services that are no settlement).
sv_hour = Table(
    "centre_sv_hour", metadata,
    Column("hour", String(13), primary_key=True),
    Column("facility_code", String(30), primary_key=True),
    Column("scheme", String(2), primary_key=True),
    *_amounts(),
)

# The same per day: the month's panels sum about 30 rows per institution.
sv_day = Table(
    "centre_sv_day", metadata,
    Column("day", String(10), primary_key=True),
    Column("facility_code", String(30), primary_key=True),
    Column("scheme", String(2), primary_key=True),
    *_amounts(),
)


def _drug_amounts() -> list[Column]:
    return [
        Column("lines", Integer, nullable=False, server_default="0"),
        Column("boxes_m", BigInteger, nullable=False, server_default="0"),  # thousandths of a box
        Column("coded_boxes", Integer, nullable=False, server_default="0"),  # boxes sold with their trace code
        Column("units", BigInteger, nullable=False, server_default="0"),
        Column("supply_days", BigInteger, nullable=False, server_default="0"),
    ]


# Drug use per day and drug (trend, top drugs, classes).
sv_drug_day = Table(
    "centre_sv_drug_day", metadata,
    Column("day", String(10), primary_key=True),
    Column("drug_key", String(64), primary_key=True),
    *_drug_amounts(),
)

# Drug use per month, institution and drug (drill-downs).
sv_drug_month = Table(
    "centre_sv_drug_month", metadata,
    Column("month", String(7), primary_key=True),
    Column("facility_code", String(30), primary_key=True),
    Column("drug_key", String(64), primary_key=True),
    *_drug_amounts(),
)

# 3505 uploads per day and institution.
sv_trace_day = Table(
    "centre_sv_trace_day", metadata,
    Column("day", String(10), primary_key=True),
    Column("facility_code", String(30), primary_key=True),
    Column("uploads", Integer, nullable=False, server_default="0"),
    Column("codes", Integer, nullable=False, server_default="0"),
    Column("returns", Integer, nullable=False, server_default="0"),
)

# One row per settlement folded: where and when, and its drug lines as folded (a reversal subtracts exactly what
# was added). `needs_upload`: a pharmacy settlement with trace codes, waiting for its 3505 sale upload.
sv_settlement = Table(
    "centre_sv_settlement", metadata,
    Column("setl_id", String(64), primary_key=True),
    Column("at", String(19), nullable=False),
    Column("facility_code", String(30), nullable=False),
    Column("person_no", String(32), nullable=False),
    Column("scheme", String(2), nullable=False),
    Column("lines", Text, nullable=False),  # JSON [[drug_key, boxes_m, coded_boxes, units, supply_days], ...]
    Column("needs_upload", Boolean, nullable=False, server_default=false()),
    Column("uploaded_at", String(19), nullable=True),
    Column("alerted", Boolean, nullable=False, server_default=false()),
    Column("reversed", Boolean, nullable=False, server_default=false()),
    Index("ix_centre_sv_settlement_wait", "needs_upload", "uploaded_at", "at"),
    Index("ix_centre_sv_settlement_person", "person_no", "at"),
)

# One row per drug of each folded settlement (migration c0102): the drug drill-down's "to whom, where" list reads
# the newest of a drug by its primary key (drug_key, at) instead of matching every settlement's lines as text.
# Written with the settlement's sv_settlement row in the same fold; a reversal is read from sv_settlement.reversed.
sv_settlement_drug = Table(
    "centre_sv_settlement_drug", metadata,
    Column("drug_key", String(64), primary_key=True),
    Column("at", String(19), primary_key=True),
    Column("setl_id", String(64), primary_key=True),
    Column("boxes_m", BigInteger, nullable=False, server_default="0"),  # thousandths of a box
)

# Watermark (journal seq folded so far), version counter and last runs of the periodic rules.
sv_state = Table(
    "centre_sv_state", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

# The alert feed. `dedupe` makes a rule's finding appear once (rule:subject:period).
sv_alert = Table(
    "centre_sv_alert", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(10), nullable=False),
    Column("severity", String(10), nullable=False),  # high / medium / low
    Column("dedupe", String(200), nullable=False, unique=True),
    Column("at", String(19), nullable=False),
    Column("facility_code", String(30), nullable=False, server_default=""),
    Column("person_no", String(32), nullable=False, server_default=""),
    Column("drug_key", String(64), nullable=False, server_default=""),
    Column("title_zh", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("evidence", Text, nullable=False),  # JSON
    Column("status", String(12), nullable=False, server_default="open"),  # open / assigned / acknowledged
    Column("assignee", String(60), nullable=False, server_default=""),
    Column("handled_by", String(60), nullable=False, server_default=""),
    Column("handled_at", String(19), nullable=True),
    Column("note", String(300), nullable=False, server_default=""),
    Index("ix_centre_sv_alert_at", "at"),
    Index("ix_centre_sv_alert_person", "person_no"),
    Index("ix_centre_sv_alert_facility", "facility_code"),
)

# What the fold builds from the journal (everything but the alerts): dropped together, the next fold rebuilds them.
FOLDED = (sv_hour, sv_day, sv_drug_day, sv_drug_month, sv_trace_day, sv_settlement, sv_settlement_drug, sv_state)

__all__ = ["FOLDED", "sv_alert", "sv_day", "sv_drug_day", "sv_drug_month", "sv_hour", "sv_state", "sv_settlement",
           "sv_settlement_drug", "sv_trace_day"]
