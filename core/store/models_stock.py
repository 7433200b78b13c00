"""The local stock ledger (进销存) tables: products, batches, boxes by trace code, movements, documents.

Written only by core.store.stock (one writer). A batch's `units` is kept with every move so that reports read
it without summing boxes; the invariant units == whole boxes on hand × pack size + opened boxes' remainders is
proved by tests/core/stock (hypothesis state machine).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import MONEY, ROW_ID, Base


class StockProductRow(Base):
    """A product the pharmacy stocks: pack size and identifiers as they were when its boxes came in."""

    __tablename__ = "stock_product"
    drug_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    pack_size: Mapped[int] = mapped_column(Integer)
    gtin: Mapped[str] = mapped_column(String(14), default="")
    trace_prefix: Mapped[str] = mapped_column(String(16), default="")


class StockDocRow(Base):
    """One stock document: a receipt (入库), a return to the supplier, a count, a change, a customer sale/return."""

    __tablename__ = "stock_doc"
    doc_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # receipt | supplier_return | count | change | sale | sale_return
    supplier: Mapped[str] = mapped_column(String(200), default="")
    invoice_no: Mapped[str] = mapped_column(String(40), default="")
    invoice_code: Mapped[str] = mapped_column(String(40), default="")
    change_kind: Mapped[str] = mapped_column(String(20), default="")  # CHANGE_KINDS key of a change
    operator: Mapped[str] = mapped_column(String(30), default="")
    supervisor: Mapped[str] = mapped_column(String(30), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column()
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)  # undone with 3507


class StockBatchRow(Base):
    __tablename__ = "stock_batch"
    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    drug_key: Mapped[str] = mapped_column(String(64), ForeignKey("stock_product.drug_key"))
    bchno: Mapped[str] = mapped_column(String(30), unique=True)  # fixmedins_bchno 机构批次流水号
    lot: Mapped[str] = mapped_column(String(30))  # manu_lotnum
    manu_date: Mapped[dt.date] = mapped_column()
    expiry: Mapped[dt.date] = mapped_column()  # expy_end
    supplier: Mapped[str] = mapped_column(String(200), default="")
    price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))  # purchase price per box
    doc_no: Mapped[str] = mapped_column(String(40), ForeignKey("stock_doc.doc_no"))
    units: Mapped[int] = mapped_column(Integer, default=0)  # on hand, in the smallest unit
    received_at: Mapped[dt.datetime] = mapped_column()

    __table_args__ = (Index("ix_stock_batch_drug_expiry", "drug_key", "expiry"),)


class StockBoxRow(Base):
    __tablename__ = "stock_box"
    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ROW_ID, ForeignKey("stock_batch.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    units_left: Mapped[int] = mapped_column(Integer)  # pack size for a whole box, the remainder of an opened one
    updated_at: Mapped[dt.datetime] = mapped_column()


class StockMoveRow(Base):
    """Every change of a box, append-only: the movement ledger (进销存台账) reads it."""

    __tablename__ = "stock_move"
    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(100), index=True)
    batch_id: Mapped[int] = mapped_column(ROW_ID, ForeignKey("stock_batch.id"))
    units: Mapped[int] = mapped_column(Integer)  # signed change of the batch's units
    state: Mapped[str] = mapped_column(String(20))  # the box's state after the move
    doc_no: Mapped[str] = mapped_column(String(40), index=True)
    operator: Mapped[str] = mapped_column(String(30), default="")


__all__ = ["StockBatchRow", "StockBoxRow", "StockDocRow", "StockMoveRow", "StockProductRow"]
