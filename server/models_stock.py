"""The centre's stock tables (issue 18): every 3501–3504 document as received, the stock per pharmacy and
batch it implies, and each box code's last known state at each pharmacy.

Same rules as server/models_chronic.py: the centre's own MetaData (migrations c0201, c0302), no foreign keys into the
shared core.store tables, timestamps as centre-local text.
"""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, Numeric, String, Table, Text

from server.models import metadata

QTY = Numeric(16, 4)

# One row per accepted 3501/3502/3503/3504 (and the 3505/3506 effects on stock): what it changed, so that 3507
# can undo it and the queries 3509/3510 can list it.
stock_doc = Table(
    "centre_stock_doc",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("infno", String(6), nullable=False),
    Column("msgid", String(40), nullable=False),
    Column("fixmedins_bchno", String(40), nullable=False),
    Column("drug_key", String(64), nullable=False),
    Column("med_list_codg", String(50), nullable=False),
    Column("delta", QTY, nullable=False),  # signed change of the batch's stock (in the node's unit)
    Column("prev_qty", QTY, nullable=True),  # a count (3501): the stock before it, for 3507
    # signed change of the batch's units (smallest unit: tablets); NULL before c0302: delta × pack size
    Column("units_delta", QTY, nullable=True),
    Column("codes", Text, nullable=False),  # JSON {code: previous state or null}
    Column("node", Text, nullable=False),  # the input node as accepted (JSON)
    Column("at", String(19), nullable=False),
    Column("deleted_at", String(19), nullable=True),
    Column("delete_msgid", String(40), nullable=True),
    Index("ix_centre_stock_doc_batch", "fixmedins_code", "fixmedins_bchno", "infno"),
    Index("ix_centre_stock_doc_at", "fixmedins_code", "at"),
)

# Stock on hand per pharmacy and batch (the supervision view and 3508 read it).
stock_level = Table(
    "centre_stock_level",
    metadata,
    Column("fixmedins_code", String(30), primary_key=True),
    Column("fixmedins_bchno", String(40), primary_key=True),
    Column("drug_key", String(64), nullable=False),
    Column("med_list_codg", String(50), nullable=False),
    Column("drug_name", String(200), nullable=False),
    Column("manu_lotnum", String(30), nullable=False),
    Column("manu_date", String(10), nullable=False),
    Column("expy_end", String(10), nullable=False),
    Column("qty", QTY, nullable=False),  # boxes on hand: whole ones and opened (拆零) ones
    # units on hand (smallest unit) = whole boxes × pack size + the opened boxes' remainders, as the client's
    # ledger keeps them (core.store.stock); NULL on a row from before c0302: qty × pack size
    Column("units", QTY, nullable=True),
    Column("updated_at", String(19), nullable=False),
    Index("ix_centre_stock_level_drug", "drug_key", "qty"),
)

# Each box code a pharmacy reported: in_stock, opened (拆零: units_left of it on hand), sold, supplier_returned,
# written_off.
stock_code = Table(
    "centre_stock_code",
    metadata,
    Column("fixmedins_code", String(30), primary_key=True),
    Column("code", String(100), primary_key=True),
    Column("fixmedins_bchno", String(40), nullable=False),
    Column("drug_key", String(64), nullable=False),
    Column("state", String(20), nullable=False),
    Column("units_left", Integer, nullable=True),  # an opened box's remainder; NULL: a whole box (or gone)
    Column("at", String(19), nullable=False),
    Index("ix_centre_stock_code_code", "code"),
)

__all__ = ["stock_code", "stock_doc", "stock_level"]
