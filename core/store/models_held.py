"""Held sales (挂单) of the dispensing desk, kept in the store so that a restart or a crash loses neither the sale
nor the boxes it reserves (core.services.desk.held). Written only through the store's one writer (lane)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base


class DeskHeldRow(Base):
    """One sale put aside: its number on the desk, the sale, the patient's card and prescriptions as they were
    (`payload`, versioned by `format`), until it is settled or released. Recalled, it keeps its row with
    `recalled_at` set until the sale is settled or discarded: a crash in between loses nothing."""

    __tablename__ = "desk_held"
    no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sale_id: Mapped[str] = mapped_column(String(64), unique=True)
    person_no: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    held_at: Mapped[dt.datetime] = mapped_column(DateTime)
    format: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    recalled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
