"""Person cache: identity numbers encrypted at rest, lookups, registrations, bad input."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.domain import Registration, Scheme
from core.store.crypto import DataCipher
from core.store.errors import InvalidRecordError
from core.store.persons import (
    find_person_by_id_number,
    find_person_by_ss_card,
    get_person,
    person_profile_id,
    upsert_person,
    upsert_persons,
)
from tests.core.store._data import LI, WANG, ZHAO, counts


def test_round_trip(session: Session, cipher: DataCipher) -> None:
    upsert_persons(session, [WANG, LI, ZHAO], cipher=cipher)
    for person in (WANG, LI, ZHAO):
        got = get_person(session, person.person_no, cipher=cipher)
        assert got == person
    assert get_person(session, "nobody", cipher=cipher) is None


def test_identity_number_not_stored_in_plain_text(engine, session: Session, cipher: DataCipher) -> None:  # noqa: ANN001
    upsert_person(session, LI, ss_card_no="D15600000X", cipher=cipher)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM person")).mappings().all()
    assert len(rows) == 1
    raw = " ".join(str(v) for v in rows[0].values())
    assert LI.id_number not in raw
    assert LI.id_number[-8:] not in raw  # not even the birth date + serial part
    assert rows[0]["id_number_enc"] and rows[0]["id_number_hash"] and len(rows[0]["id_number_hash"]) == 64
    if engine.dialect.name == "sqlite":
        db = Path(engine.url.database)
        blob = b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())
        assert LI.id_number.encode() not in blob


def test_lookup_by_identity_number_and_card(session: Session, cipher: DataCipher) -> None:
    upsert_person(session, WANG, ss_card_no="D15600001", profile_id="TEST_CITY_A", cipher=cipher)
    upsert_person(session, LI, ss_card_no="D15600002", cipher=cipher)
    # the check character may be typed in lower case, with blanks around
    assert find_person_by_id_number(session, " 42070419570312101x ", cipher=cipher) == WANG
    assert find_person_by_id_number(session, "420704196306301148", cipher=cipher) == LI
    assert find_person_by_id_number(session, "420704199901011234", cipher=cipher) is None
    assert find_person_by_id_number(session, "", cipher=cipher) is None
    assert find_person_by_ss_card(session, "D15600002", cipher=cipher) == LI
    assert find_person_by_ss_card(session, "D99999999", cipher=cipher) is None
    assert person_profile_id(session, WANG.person_no) == "TEST_CITY_A"
    # another key cannot find anyone
    assert find_person_by_id_number(session, WANG.id_number, cipher=DataCipher.from_secret(
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")) is None


def test_update_replaces_registrations_and_keeps_unknown_fields(session: Session, cipher: DataCipher) -> None:
    upsert_person(session, LI, ss_card_no="D15600002", cipher=cipher)
    renewed = dataclasses.replace(
        LI, id_number=None, status="suspended",
        registrations=(Registration(Scheme.MT, "M01600", dt.date(2025, 3, 1), dt.date(2027, 2, 28)),),
    )
    upsert_person(session, renewed, cipher=cipher)
    got = get_person(session, LI.person_no, cipher=cipher)
    assert got.status == "suspended"
    assert got.registrations == renewed.registrations
    assert got.id_number == LI.id_number  # an answer without an identity number keeps the stored one
    assert find_person_by_ss_card(session, "D15600002", cipher=cipher).person_no == LI.person_no


def test_identity_number_moves_to_the_newer_person(session: Session, cipher: DataCipher) -> None:
    upsert_person(session, WANG, cipher=cipher)
    renumbered = dataclasses.replace(WANG, person_no="T0001B")
    upsert_person(session, renumbered, cipher=cipher)
    assert find_person_by_id_number(session, WANG.id_number, cipher=cipher).person_no == "T0001B"
    assert get_person(session, "T0001", cipher=cipher).id_number is None


@pytest.mark.parametrize(
    "bad",
    [
        dataclasses.replace(WANG, person_no=""),
        dataclasses.replace(WANG, sex="M"),
        dataclasses.replace(WANG, insurance_type=""),
        dataclasses.replace(WANG, id_number="  "),
        dataclasses.replace(WANG, registrations=(
            Registration("XX", "HTN", dt.date(2023, 1, 1)),)),  # type: ignore[arg-type]
        dataclasses.replace(WANG, registrations=(
            Registration(Scheme.MT, "M03900", dt.date(2025, 1, 1), dt.date(2024, 1, 1)),)),
    ],
    ids=["empty-no", "sex", "insutype", "blank-id", "scheme", "ends-before-begin"],
)
def test_bad_person_leaves_data_unchanged(engine, session: Session, cipher: DataCipher, bad) -> None:  # noqa: ANN001
    upsert_person(session, LI, cipher=cipher)
    before = counts(engine)
    with pytest.raises(InvalidRecordError) as info:
        upsert_person(session, bad, cipher=cipher)
    assert info.value.message_zh
    assert counts(engine) == before
    assert get_person(session, LI.person_no, cipher=cipher) == LI


def test_a_failing_batch_writes_nothing(engine, session: Session, cipher: DataCipher) -> None:  # noqa: ANN001
    with pytest.raises(InvalidRecordError):
        upsert_persons(session, [WANG, dataclasses.replace(LI, sex="?")], cipher=cipher)
    assert counts(engine)["person"] == 0


def test_default_cipher_uses_the_app_key_file(session: Session, _isolated_home: Path) -> None:
    upsert_person(session, WANG)
    assert (_isolated_home / "data.key").exists()
    assert find_person_by_id_number(session, WANG.id_number) == WANG
