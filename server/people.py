"""Persons as the centre sees them: core.store's person rows, found by person number, ID number (keyed
hash, the number itself is encrypted at rest), social security card, or e-voucher token."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from core.domain import Person, Registration, Scheme
from core.domain.masking import mask_id
from core.store.crypto import DataCipher, DataKeyError, normalise_id_number
from core.store.models import PersonRow, RegistrationRow
from server import evoucher, fastsql
from server.envelope import PlatformError

CERT_EVOUCHER, CERT_ID, CERT_SSCARD = "01", "02", "03"


@functools.lru_cache(maxsize=1)
def cipher() -> DataCipher:
    return DataCipher.load()


P = PersonRow.__table__.c
R = RegistrationRow.__table__.c


@dataclass(frozen=True)
class Found:
    person: Person  # domain person, registrations included
    profile_id: str | None

    @property
    def certno(self) -> str:
        return self.person.id_number or ""


def _decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return cipher().decrypt(token)
    except DataKeyError:
        return None


def _person_query(column):
    return (
        select(P.person_no, P.name, P.sex, P.birth_date, P.insurance_type, P.status, P.death_date, P.id_number_enc,
               P.profile_id, R.scheme, R.disease, R.begin_date, R.end_date, R.designated_facilities)
        .select_from(PersonRow.__table__.outerjoin(RegistrationRow.__table__, R.person_no == P.person_no))
        .where(column == bindparam("key")).order_by(R.id)
    )


_BY = {"person_no": _person_query(P.person_no), "id_number_hash": _person_query(P.id_number_hash),
       "ss_card_no": _person_query(P.ss_card_no)}


def _load(ctx, by: str, key: str) -> Found | None:
    """One prebuilt statement: the person and its registrations (outer join)."""
    if fastsql.is_pg(ctx.conn):
        rows = fastsql.fetch(ctx.conn, "person", {"key": key}, column=by)
    else:
        rows = ctx.conn.execute(_BY[by], {"key": key}).all()
    return from_rows(rows)


def from_rows(rows) -> Found | None:
    """The person query's rows as a Found (None when there are none)."""
    if not rows:
        return None
    (person_no, name, sex, birth, insutype, status, death, id_enc, profile_id) = tuple(rows[0])[:9]
    regs = tuple(
        Registration(Scheme(scheme), disease, begin, end, tuple(f for f in (facilities or "").split(",") if f))
        for (*_, scheme, disease, begin, end, facilities) in rows if scheme is not None
    )
    person = Person(
        person_no=person_no, name=name, sex=sex, birth_date=birth, insurance_type=insutype, status=status,
        death_date=death, id_number=_decrypt(id_enc), registrations=regs,
    )
    return Found(person, profile_id)


def by_person_no(ctx, person_no: str, *, rows=None) -> Found:
    """`rows`: the person query's rows when the caller already ran it (pipelined)."""
    found = _load(ctx, "person_no", person_no) if rows is None else from_rows(rows)
    if found is None:
        raise PlatformError(f"person {person_no} not found (人员编号不存在)")
    return found


def by_id_number(ctx, id_number: str) -> Found:
    found = _load(ctx, "id_number_hash", cipher().lookup_hash(id_number))
    if found is None:
        raise PlatformError(f"no insured person with ID number {mask_id(id_number)} (查无此人)")
    return found


def holds_id_number(person: Person, cert_type: str, cert_no: str) -> bool:
    """Whether an ID-number certificate (02) is this person's own: their decrypted number, normalised as the lookup
    hash normalises it. The hash is unique and both are written together, so by_certificate would find this
    very person: a 2101/2102 naming psn_no and its holder's ID number needs no second person query."""
    return (cert_type == CERT_ID and bool(cert_no) and bool(person.id_number)
            and normalise_id_number(person.id_number or "") == normalise_id_number(cert_no))


def by_certificate(ctx, cert_type: str, cert_no: str, card_sn: str = "") -> Found:
    """mdtrt_cert_type 01 (ecToken), 02 (ID number), 03 (social security card + card_sn)."""
    if not cert_no:
        raise PlatformError("mdtrt_cert_no is required")
    if cert_type == CERT_EVOUCHER:
        return by_person_no(ctx, evoucher.person_for_token(ctx.conn, cert_no, int(ctx.now.timestamp())))
    if cert_type == CERT_ID:
        return by_id_number(ctx, cert_no)
    if cert_type == CERT_SSCARD:
        if not card_sn:
            raise PlatformError("card_sn is required with mdtrt_cert_type 03 (社会保障卡)")
        found = _load(ctx, "ss_card_no", cert_no)
        if found is None:
            # The card carries the 社会保障号码, which is the ID number: accept it too.
            found = _load(ctx, "id_number_hash", cipher().lookup_hash(cert_no))
        if found is None:
            raise PlatformError(f"no insured person with social security card {mask_id(cert_no)}")
        return found
    raise PlatformError(f"mdtrt_cert_type {cert_type!r} is not supported: use 01 (电子凭证), 02 (身份证) or 03 (社保卡)")


