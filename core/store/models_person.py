"""Person cache and registrations (备案). The identity number is stored encrypted, never in plain text."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.domain import Registration, Scheme
from core.store.base import ROW_ID, Base, utcnow


class PersonRow(Base):
    __tablename__ = "person"

    person_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date]
    insurance_type: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="active")
    death_date: Mapped[dt.date | None]
    # Fernet token of the normalised identity number (core.store.crypto) and its keyed lookup hash.
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_hash: Mapped[str | None] = mapped_column(String(64))
    ss_card_no: Mapped[str | None] = mapped_column(String(32))
    profile_id: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    registrations: Mapped[list["RegistrationRow"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="RegistrationRow.id",
        passive_deletes=True,
    )

    __table_args__ = (
        Index("ix_person_id_number_hash", "id_number_hash", unique=True),
        Index("ix_person_ss_card_no", "ss_card_no"),
    )


class RegistrationRow(Base):
    """One disease registration. Columns are begin_date/end_date (BEGIN and END are SQL keywords)."""

    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    person_no: Mapped[str] = mapped_column(String(32), ForeignKey("person.person_no", ondelete="CASCADE"))
    scheme: Mapped[str] = mapped_column(String(2))
    disease: Mapped[str] = mapped_column(String(16))
    begin: Mapped[dt.date] = mapped_column("begin_date")
    end: Mapped[dt.date | None] = mapped_column("end_date")
    # Designated facility codes separated by commas; empty = any designated facility.
    designated_facilities: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[PersonRow] = relationship(back_populates="registrations")

    __table_args__ = (
        CheckConstraint("scheme IN ('LB', 'MT')", name="scheme"),
        Index("ix_registration_person_no", "person_no"),
    )

    def to_domain(self) -> Registration:
        facilities = tuple(f for f in (self.designated_facilities or "").split(",") if f)
        return Registration(Scheme(self.scheme), self.disease, self.begin, self.end, facilities)

    @classmethod
    def from_domain(cls, registration: Registration) -> "RegistrationRow":
        return cls(
            scheme=Scheme(registration.scheme).value,
            disease=registration.disease,
            begin=registration.begin,
            end=registration.end,
            designated_facilities=",".join(registration.designated_facilities),
        )


__all__ = ["PersonRow", "RegistrationRow"]
