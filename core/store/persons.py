"""Person cache: write a person with their registrations; find by person number, identity number or card.

Identity numbers are encrypted at rest and looked up by keyed hash (core.store.crypto); the Person returned
carries the decrypted number (mask it before showing it anywhere).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from core.domain import Person, Scheme
from core.store import crypto, paths
from core.store.crypto import DataCipher
from core.store.errors import InvalidRecordError
from core.store.models_person import PersonRow, RegistrationRow
from core.store.tx import atomic

log = logging.getLogger("onewindow.store")

_SEXES = ("0", "1", "2", "9")  # GB/T 2261.1


def default_cipher() -> DataCipher:
    """The cipher of this installation ($ONEWINDOW_DATA_KEY or the key file in the app data folder)."""
    return _cipher_for(os.environ.get(crypto.KEY_ENV) or "", str(paths.data_key_path()))


@lru_cache(maxsize=8)
def _cipher_for(env_secret: str, key_file: str) -> DataCipher:
    if env_secret:
        return DataCipher.from_secret(env_secret, where=f"${crypto.KEY_ENV}")
    return DataCipher.load(Path(key_file))


def _validate(person: Person) -> None:
    if not person.person_no or not person.person_no.strip():
        raise InvalidRecordError("person_no is empty", "人员编号为空")
    if len(person.person_no) > 32:
        raise InvalidRecordError(f"person_no too long: {person.person_no!r}", "人员编号过长")
    if person.sex not in _SEXES:
        raise InvalidRecordError(f"sex must be one of {_SEXES}, got {person.sex!r}", f"性别代码无效：{person.sex}")
    if not isinstance(person.birth_date, dt.date):
        raise InvalidRecordError("birth_date is not a date", "出生日期无效")
    if not person.insurance_type:
        raise InvalidRecordError("insurance_type is empty", "险种类型为空")
    if person.id_number is not None and not person.id_number.strip():
        raise InvalidRecordError("id_number is blank", "身份证号为空")
    for reg in person.registrations:
        try:
            Scheme(reg.scheme)
        except ValueError as exc:
            raise InvalidRecordError(f"unknown scheme {reg.scheme!r}", f"未知待遇类型：{reg.scheme}") from exc
        if reg.end is not None and reg.end < reg.begin:
            raise InvalidRecordError(f"registration {reg.disease} ends before it begins", "备案结束日期早于开始日期")
        if any("," in f for f in reg.designated_facilities):
            raise InvalidRecordError("a designated facility code contains a comma", "定点机构编码无效")


def upsert_person(
    session: Session,
    person: Person,
    *,
    ss_card_no: str | None = None,
    profile_id: str | None = None,
    cipher: DataCipher | None = None,
) -> None:
    """Insert or replace a cached person and their registrations (the given list replaces the stored one).

    `person.id_number` None keeps a stored number (a platform answer without certno does not erase it), and
    likewise `ss_card_no`/`profile_id` None keep stored values. When another cached person holds the same
    identity number (the platform renumbered someone), the newer answer wins and the older row loses it.
    Commits, or joins the caller's transaction as a savepoint (core.store.tx.atomic).
    """
    _validate(person)
    cipher = cipher or default_cipher()
    enc = digest = None
    if person.id_number is not None:
        enc, digest = cipher.encrypt(person.id_number), cipher.lookup_hash(person.id_number)
    with atomic(session):
        row = session.get(PersonRow, person.person_no, options=[selectinload(PersonRow.registrations)])
        if digest is not None:
            stolen = session.execute(
                update(PersonRow)
                .where(PersonRow.id_number_hash == digest, PersonRow.person_no != person.person_no)
                .values(id_number_hash=None, id_number_enc=None)
                .execution_options(synchronize_session="fetch")
            )
            if stolen.rowcount:
                log.info("identity number moved to person %s from another cached person", person.person_no)
        if row is None:
            row = PersonRow(person_no=person.person_no)
            session.add(row)
        row.name = person.name
        row.sex = person.sex
        row.birth_date = person.birth_date
        row.insurance_type = person.insurance_type
        row.status = person.status
        row.death_date = person.death_date
        if digest is not None:
            row.id_number_enc, row.id_number_hash = enc, digest
        if ss_card_no is not None:
            row.ss_card_no = ss_card_no.strip() or None
        if profile_id is not None:
            row.profile_id = profile_id or None
        row.registrations = [RegistrationRow.from_domain(r) for r in person.registrations]
        session.flush()


def upsert_persons(session: Session, persons: list[Person], *, cipher: DataCipher | None = None) -> int:
    """Several persons in one transaction (e.g. a batch from the centre)."""
    cipher = cipher or default_cipher()
    with atomic(session):
        for person in persons:
            upsert_person(session, person, cipher=cipher)
    return len(persons)


def _to_domain(row: PersonRow, cipher: DataCipher) -> Person:
    return Person(
        person_no=row.person_no,
        name=row.name,
        sex=row.sex,
        birth_date=row.birth_date,
        insurance_type=row.insurance_type,
        status=row.status,
        death_date=row.death_date,
        id_number=cipher.decrypt(row.id_number_enc) if row.id_number_enc else None,
        registrations=tuple(r.to_domain() for r in row.registrations),
    )


def _one(session: Session, stmt, cipher: DataCipher | None) -> Person | None:  # noqa: ANN001
    row = session.scalars(stmt.options(selectinload(PersonRow.registrations)).limit(1)).first()
    return None if row is None else _to_domain(row, cipher or default_cipher())


def get_person(session: Session, person_no: str, *, cipher: DataCipher | None = None) -> Person | None:
    return _one(session, select(PersonRow).where(PersonRow.person_no == person_no), cipher)


def find_person_by_id_number(session: Session, id_number: str, *, cipher: DataCipher | None = None) -> Person | None:
    cipher = cipher or default_cipher()
    if not id_number or not id_number.strip():
        return None
    digest = cipher.lookup_hash(id_number)
    return _one(session, select(PersonRow).where(PersonRow.id_number_hash == digest), cipher)


def find_person_by_ss_card(session: Session, ss_card_no: str, *, cipher: DataCipher | None = None) -> Person | None:
    """The most recently refreshed person holding this social security card number."""
    if not ss_card_no or not ss_card_no.strip():
        return None
    stmt = (
        select(PersonRow)
        .where(PersonRow.ss_card_no == ss_card_no.strip())
        .order_by(PersonRow.updated_at.desc(), PersonRow.person_no)
    )
    return _one(session, stmt, cipher)


def person_profile_id(session: Session, person_no: str) -> str | None:
    return session.scalar(select(PersonRow.profile_id).where(PersonRow.person_no == person_no))


__all__ = [
    "default_cipher", "find_person_by_id_number", "find_person_by_ss_card", "get_person", "person_profile_id",
    "upsert_person", "upsert_persons",
]
