"""Point-of-sale tables of the client store (issue 17): the tenders of each desk sale and refund, the
non-insured goods lines of a sale, and the local goods catalogue (commodity barcode → name and price).

Written only by core.store.pos (one writer, through the store's write lane). A tender row belongs to a desk
receipt (`sale_key`: desk_sale.msgid; the desk tables live on their own MetaData, so no foreign key). A refund is
a row of direction "refund" under the return's key, naming the sale row it gives back to (`refund_of`).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import ROW_ID, Base, utcnow


class PosGoodRow(Base):
    """A non-insured good of the local catalogue, by GTIN-14 (an EAN-13 is zero-padded)."""

    __tablename__ = "pos_good"
    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal]
    spec: Mapped[str] = mapped_column(String(100), default="")
    unit: Mapped[str] = mapped_column(String(10), default="件")
    approver: Mapped[str] = mapped_column(String(32), default="")  # the supervisor of a quick-add ("" for imports)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PosTenderRow(Base):
    """One tender of a sale (direction "sale") or what a return gave back to it (direction "refund")."""

    __tablename__ = "pos_tender"
    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    sale_key: Mapped[str] = mapped_column(String(40))  # desk_sale.msgid of the sale or of the return
    seq: Mapped[int] = mapped_column(Integer)  # order of payment within the sale (refunds: order given back)
    direction: Mapped[str] = mapped_column(String(8))  # sale | refund | carry (core.store.pos.CARRY)
    kind: Mapped[str] = mapped_column(String(10))  # core.pos.tenders.Kind
    kept: Mapped[Decimal]  # what the tender paid of the sale (cash: tendered minus change); refunds: given back
    tendered: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    change: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    reference: Mapped[str] = mapped_column(String(64), default="")  # the payment slip's number (external tenders)
    refund_of: Mapped[int | None] = mapped_column(ROW_ID, ForeignKey("pos_tender.id"))
    shift_id: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_pos_tender_sale_key", "sale_key"),
        Index("ix_pos_tender_shift_id", "shift_id"),
    )


class PosGoodsLineRow(Base):
    """A non-insured goods line of a desk sale: what was sold at which price (the catalogue may change later)."""

    __tablename__ = "pos_goods_line"
    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    sale_key: Mapped[str] = mapped_column(String(40))
    line: Mapped[int] = mapped_column(Integer)
    gtin: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(200))
    qty: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal]
    discount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    amount: Mapped[Decimal]
    returned: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_pos_goods_line_sale_key", "sale_key"),)


__all__ = ["PosGoodRow", "PosGoodsLineRow", "PosTenderRow"]
