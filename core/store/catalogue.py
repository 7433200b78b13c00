"""Catalogue and facility repository: bulk upsert (a catalogue sync of 100,000 items), lookups by key and code.

Searching as the clerk types is core.store.catalogue_search (an in-memory index loaded from these rows).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from core.domain import Drug, Facility
from core.store.errors import InvalidRecordError
from core.store.models_catalogue import DrugRow, FacilityRow, drug_row_values, facility_row_values
from core.store.tx import atomic

BATCH = 2000


def _validate_drug(drug: Drug) -> None:
    if not drug.key or not drug.key.strip() or len(drug.key) > 64:
        raise InvalidRecordError(f"bad drug key {drug.key!r}", f"药品编码无效：{drug.key}")
    if not drug.name or not drug.name.strip():
        raise InvalidRecordError(f"drug {drug.key}: empty name", f"药品 {drug.key} 名称为空")
    if not isinstance(drug.price, Decimal) or drug.price < 0:
        raise InvalidRecordError(f"drug {drug.key}: price must be a non-negative Decimal", f"药品 {drug.key} 价格无效")
    if not isinstance(drug.pack_size, int) or drug.pack_size <= 0:
        raise InvalidRecordError(f"drug {drug.key}: pack_size must be a positive integer",
                                 f"药品 {drug.key} 包装数量无效")


def upsert_drugs(session: Session, drugs: Iterable[Drug], *, catalogue_version: int = 0) -> int:
    """Insert new items and overwrite existing ones (by key) in one transaction; returns the number written.

    Every item is validated before anything is written, so a bad item leaves the catalogue as it was.
    """
    by_key: dict[str, Drug] = {}
    for drug in drugs:
        _validate_drug(drug)
        by_key[drug.key] = drug
    items = list(by_key.values())
    with atomic(session):
        for start in range(0, len(items), BATCH):
            batch = items[start:start + BATCH]
            existing = set(session.scalars(select(DrugRow.key).where(DrugRow.key.in_([d.key for d in batch]))))
            new = [drug_row_values(d, catalogue_version=catalogue_version) for d in batch if d.key not in existing]
            old = [drug_row_values(d, catalogue_version=catalogue_version) for d in batch if d.key in existing]
            if new:
                session.execute(insert(DrugRow), new)
            if old:
                session.execute(update(DrugRow), old)
    return len(items)


def get_drug(session: Session, key: str) -> Drug | None:
    row = session.get(DrugRow, key)
    return None if row is None else row.to_domain()


def get_drugs(session: Session, keys: Iterable[str]) -> dict[str, Drug]:
    """Drugs by key; unknown keys are absent."""
    wanted = list(dict.fromkeys(keys))
    out: dict[str, Drug] = {}
    for start in range(0, len(wanted), BATCH):
        rows = session.scalars(select(DrugRow).where(DrugRow.key.in_(wanted[start:start + BATCH])))
        out.update((r.key, r.to_domain()) for r in rows)
    return out


def drugs_by_trace_prefix(session: Session, prefix: str) -> list[Drug]:
    """Products whose traceability codes start with this 7-digit prefix (码品不符 check)."""
    return [r.to_domain() for r in session.scalars(select(DrugRow).where(DrugRow.trace_prefix == prefix))]


def drugs_by_barcode(session: Session, barcode: str) -> list[Drug]:
    return [r.to_domain() for r in session.scalars(select(DrugRow).where(DrugRow.barcode == barcode))]


def drugs_by_nhsa_code(session: Session, nhsa_code: str) -> list[Drug]:
    return [r.to_domain() for r in session.scalars(select(DrugRow).where(DrugRow.nhsa_code == nhsa_code))]


def catalogue_signature(session: Session) -> tuple[int, int, str]:
    """(items, newest catalogue_version, newest updated_at): changes whenever the catalogue does."""
    count, version, updated = session.execute(
        select(func.count(), func.coalesce(func.max(DrugRow.catalogue_version), 0), func.max(DrugRow.updated_at))
    ).one()
    return int(count), int(version), str(updated or "")


def upsert_facilities(session: Session, facilities: Iterable[Facility]) -> int:
    items = {f.code: f for f in facilities}
    for f in items.values():
        if not f.code or len(f.code) > 32:
            raise InvalidRecordError(f"bad facility code {f.code!r}", f"机构编码无效：{f.code}")
    with atomic(session):
        existing = set(session.scalars(select(FacilityRow.code).where(FacilityRow.code.in_(list(items)))))
        new = [facility_row_values(f) for c, f in items.items() if c not in existing]
        old = [facility_row_values(f) for c, f in items.items() if c in existing]
        if new:
            session.execute(insert(FacilityRow), new)
        if old:
            session.execute(update(FacilityRow), old)
    return len(items)


def get_facility(session: Session, code: str) -> Facility | None:
    row = session.get(FacilityRow, code)
    return None if row is None else row.to_domain()


__all__ = [
    "catalogue_signature", "drugs_by_barcode", "drugs_by_nhsa_code", "drugs_by_trace_prefix", "get_drug",
    "get_drugs", "get_facility", "upsert_drugs", "upsert_facilities",
]
