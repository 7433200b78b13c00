"""Catalogue repository: drugs and facilities round trip, pinyin keys written with the row, bad input."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.store.catalogue import (
    catalogue_signature,
    drugs_by_barcode,
    drugs_by_nhsa_code,
    drugs_by_trace_prefix,
    get_drug,
    get_drugs,
    get_facility,
    upsert_drugs,
    upsert_facilities,
)
from core.store.errors import InvalidRecordError
from core.store.models import DrugRow
from tests.core.store._data import AMLODIPINE, CATALOGUE, CLINIC, IRBESARTAN, PHARMACY, QIANJIN, counts


def test_drugs_round_trip_through_the_domain(session: Session) -> None:
    assert upsert_drugs(session, CATALOGUE, catalogue_version=3) == len(CATALOGUE)
    for drug in CATALOGUE:
        assert get_drug(session, drug.key) == drug
    assert get_drug(session, "nope") is None
    assert set(get_drugs(session, ["D01", "D03", "nope"])) == {"D01", "D03"}
    assert drugs_by_trace_prefix(session, "8100011") == [AMLODIPINE]
    assert drugs_by_barcode(session, "6901234567892") == [AMLODIPINE]
    assert drugs_by_nhsa_code(session, QIANJIN.nhsa_code) == [QIANJIN]
    n, version, _updated = catalogue_signature(session)
    assert (n, version) == (len(CATALOGUE), 3)


def test_update_overwrites_by_key(session: Session) -> None:
    upsert_drugs(session, CATALOGUE)
    cheaper = dataclasses.replace(IRBESARTAN, price=Decimal("39.90"), name="厄贝沙坦分散片")
    upsert_drugs(session, [cheaper], catalogue_version=2)
    got = get_drug(session, "D03")
    assert got.price == Decimal("39.90") and got.name == "厄贝沙坦分散片"
    row = session.scalars(select(DrugRow).where(DrugRow.key == "D03")).one()
    assert row.pinyin_initials.split()[0] == "ebstfsp"
    assert row.catalogue_version == 2


def test_pinyin_is_computed_when_a_row_is_written(session: Session) -> None:
    row = DrugRow.from_domain(AMLODIPINE)
    assert row.pinyin_initials.split()[0] == "bhsaldpp"
    assert row.pinyin_full == "benhuangsuananlvdipingpian"
    row.name = "硝苯地平控释片"  # assigning a name recomputes the keys
    assert row.pinyin_initials.split()[0] == "xbdpksp"
    session.add(row)
    session.commit()
    with session.bind.connect() as conn:
        stored = conn.execute(text("SELECT pinyin_initials, pinyin_full FROM drug")).one()
    assert stored[0].startswith("xbdpksp") and stored[1] == "xiaobendipingkongshipian"


@pytest.mark.parametrize(
    "bad",
    [
        dataclasses.replace(AMLODIPINE, key=""),
        dataclasses.replace(AMLODIPINE, name=" "),
        dataclasses.replace(AMLODIPINE, price=Decimal("-1")),
        dataclasses.replace(AMLODIPINE, price=28.0),  # a float is not money
        dataclasses.replace(AMLODIPINE, pack_size=0),
    ],
    ids=["key", "name", "negative-price", "float-price", "pack-size"],
)
def test_bad_drug_leaves_the_catalogue_unchanged(engine, session: Session, bad) -> None:  # noqa: ANN001
    upsert_drugs(session, CATALOGUE[:2])
    before = counts(engine)
    with pytest.raises(InvalidRecordError):
        upsert_drugs(session, [IRBESARTAN, bad])
    assert counts(engine) == before
    assert get_drug(session, "D03") is None


def test_facilities(session: Session) -> None:
    upsert_facilities(session, [PHARMACY, CLINIC])
    upsert_facilities(session, [dataclasses.replace(CLINIC, benefit_level="2")])
    assert get_facility(session, PHARMACY.code) == PHARMACY
    assert get_facility(session, CLINIC.code).level_number == 2
    assert get_facility(session, "nope") is None
    with pytest.raises(InvalidRecordError):
        upsert_facilities(session, [dataclasses.replace(PHARMACY, code="")])
