"""Load a world file (the format of ../shared/vectors/audit-vectors.json) into the centre. Safe to run twice:
rows are compared and only changed ones are written; institution secrets are created once and kept.

What goes where: catalogue -> drug (+ a catalogue version per changed drug), facilities -> facility (+ a
signing secret per institution in centre_institution), patients -> person (ID number encrypted, keyed hash
for lookup) and registration, profiles -> centre_profile (the first one is the default profile unless one
is named), disease names -> centre_setting.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from decimal import Decimal
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from core.domain import Drug, Facility, Person

DEMO_INSTITUTIONS = Path(__file__).resolve().parents[1] / "resources" / "demo" / "institutions.json"
from core.services.world import World
from core.store.models import DrugRow, FacilityRow, PersonRow, RegistrationRow, drug_row_values, facility_row_values
from server import accounts, journal, permissions, signing
from server.centre import system_clock
from server.db import transaction
from server.envelope import dumps
from server.idempotency import _insert
from server.models import catalogue_log, institution, profile, setting
from server.models import staff as staff_table
from server.sealed import is_sealed, open_text, seal
from server.staff import add_staff

SECRET = "institution secret"  # server.sealed purpose of centre_institution.secret
from server.people import cipher

DEFAULT_PROFILE = "default_profile"
DISEASE_NAMES = "disease_names"


@dataclass
class SeedReport:
    drugs_changed: int = 0
    facilities_changed: int = 0
    persons_changed: int = 0
    accounts_opened: int = 0  # personal accounts created with their opening balance (server.accounts)
    profiles_changed: int = 0
    secrets_created: list[str] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    staff_created: list[str] = field(default_factory=list)
    catalogue_version: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.drugs_changed or self.facilities_changed or self.persons_changed or self.profiles_changed
                    or self.secrets_created or self.staff_created or self.accounts_opened)


def _digest(obj) -> str:
    return hashlib.sha256(dumps(obj).encode()).hexdigest()


def drug_digest(drug: Drug) -> str:
    values = drug_row_values(drug)
    for k in ("updated_at", "catalogue_version", "pinyin_initials", "pinyin_full"):
        values.pop(k, None)
    norm = {k: (format(v.normalize(), "f") if isinstance(v, Decimal) else (v if v != "" else None))
            for k, v in values.items()}
    return _digest(norm)


def _drug_from_row(row: DrugRow) -> Drug:
    return row.to_domain()


def seed_world(engine: Engine, world: World, *, default_profile: str | None = None) -> SeedReport:
    report = SeedReport()
    now = system_clock()
    at = now.isoformat(timespec="microseconds")
    with transaction(engine) as conn:
        session = Session(bind=conn, autoflush=True)
        try:
            _profiles(conn, world, report, default_profile)
            _catalogue(conn, session, world, report, at)
            _facilities(conn, session, world, report, at)
            _persons(session, world, report)
            session.flush()
            report.accounts_opened = accounts.seed_opening(
                conn, {p.person_no: p.insurance_type for p in world.patients.values()}, at=at)
            report.catalogue_version = int(conn.execute(select(catalogue_log.c.ver).order_by(
                catalogue_log.c.ver.desc()).limit(1)).scalar() or 0)
            for code, secret in conn.execute(select(institution.c.code, institution.c.secret)):
                report.secrets[code] = open_text(secret, SECRET)
            if report.changed:
                journal.append(conn, "seed", {
                    "source": world.source, "drugs": report.drugs_changed, "facilities": report.facilities_changed,
                    "persons": report.persons_changed, "profiles": report.profiles_changed,
                    "accounts_opened": report.accounts_opened,
                    "institutions_created": report.secrets_created, "catalogue_version": report.catalogue_version,
                }, at=at)
        finally:
            session.close()
    return report


def _profiles(conn, world: World, report: SeedReport, default_profile: str | None) -> None:
    raw = world.raw.get("profiles", {}) if isinstance(world.raw, dict) else {}
    for pid in world.profiles:
        data = json.dumps(_with_ordinary(pid, raw.get(pid, {})), ensure_ascii=False, sort_keys=True)
        dg = hashlib.sha256(data.encode()).hexdigest()
        row = conn.execute(select(profile.c.digest).where(profile.c.profile_id == pid)).first()
        if row is None:
            conn.execute(profile.insert().values(profile_id=pid, data=data, digest=dg))
            report.profiles_changed += 1
        elif row.digest != dg:
            conn.execute(profile.update().where(profile.c.profile_id == pid).values(data=data, digest=dg))
            report.profiles_changed += 1
    wanted = default_profile or (next(iter(world.profiles)) if world.profiles else None)
    if wanted is not None:
        _set(conn, DEFAULT_PROFILE, wanted, report)
    if world.disease_names:
        _set(conn, DISEASE_NAMES, json.dumps(world.disease_names, ensure_ascii=False, sort_keys=True), report)


POLICIES = Path(__file__).resolve().parents[1] / "resources" / "policies"


def _with_ordinary(pid: str, body: dict) -> dict:
    """A world profile without an "ordinary" section (the vectors' world predates issue 17) takes the one of the
    bundled profile of the same id (resources/policies/<id>.json): 41 and 门诊统筹 settle by that data."""
    if not isinstance(body, dict) or "ordinary" in body:
        return body
    bundled = POLICIES / f"{pid}.json"
    if not bundled.is_file():
        return body
    ordinary = json.loads(bundled.read_text(encoding="utf-8")).get("ordinary")
    return {**body, "ordinary": ordinary} if ordinary else body


def _set(conn, key: str, value: str, report: SeedReport) -> None:
    current = conn.execute(select(setting.c.value).where(setting.c.key == key)).scalar()
    if current is None:
        conn.execute(setting.insert().values(key=key, value=value))
        report.profiles_changed += 1
    elif current != value:
        conn.execute(setting.update().where(setting.c.key == key).values(value=value))
        report.profiles_changed += 1


def _catalogue(conn, session: Session, world: World, report: SeedReport, at: str) -> None:
    existing = {r.key: r for r in session.scalars(select(DrugRow))}
    changed: list[str] = []
    for key, drug in world.catalogue.items():
        row = existing.get(key)
        if row is not None and drug_digest(_drug_from_row(row)) == drug_digest(drug):
            continue
        changed.append(key)
    if not changed:
        return
    session.flush()
    for key in changed:
        conn.execute(catalogue_log.insert().values(drug_key=key, digest=drug_digest(world.catalogue[key]), at=at))
    ver = int(conn.execute(select(catalogue_log.c.ver).order_by(catalogue_log.c.ver.desc()).limit(1)).scalar())
    for key in changed:
        values = drug_row_values(world.catalogue[key], catalogue_version=ver)
        row = existing.get(key)
        if row is None:
            session.add(DrugRow(**values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    report.drugs_changed += len(changed)


def _facilities(conn, session: Session, world: World, report: SeedReport, at: str) -> None:
    existing = {r.code: r for r in session.scalars(select(FacilityRow))}
    for fac in world.facilities.values():
        values = facility_row_values(fac)
        row = existing.get(fac.code)
        if row is None:
            session.add(FacilityRow(**values))
            report.facilities_changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            report.facilities_changed += 1
        ensure_institution(conn, fac, at, report)


def ensure_institution(conn, fac: Facility, at: str, report: SeedReport | None = None, *, kind: str | None = None) -> str:
    """The institution's signing secret, created with its kind (server.permissions) when it is new; a known
    institution keeps its secret, its kind follows the seed."""
    kind = kind or (fac.kind if fac.kind in ("hospital", "clinic", "pharmacy") else "pharmacy")
    if kind not in permissions.KINDS:
        raise ValueError(f"institution {fac.code}: kind must be one of {', '.join(permissions.KINDS)}, not {kind!r}")
    row = conn.execute(select(institution.c.secret, institution.c.kind).where(institution.c.code == fac.code)).first()
    if row is not None:
        changes = {}
        if row.kind != kind:
            changes["kind"] = kind
        if not is_sealed(row.secret):  # a secret from before sealing: sealed now, the same secret
            changes["secret"] = seal(row.secret, SECRET)
        if changes:
            conn.execute(institution.update().where(institution.c.code == fac.code).values(**changes))
            if report is not None:
                report.facilities_changed += 1
        return open_text(row.secret, SECRET)
    secret = signing.new_secret()
    conn.execute(_insert(conn, institution).values(
        code=fac.code, name=fac.name, secret=seal(secret, SECRET), kind=kind, created_at=at).on_conflict_do_nothing())
    if report is not None:
        report.secrets_created.append(fac.code)
    return secret


def seed_institutions(engine: Engine, spec: dict, *, report: SeedReport | None = None) -> SeedReport:
    """Institutions that are not facilities of a world (agency, supervisor, kiosk) and the centre's staff, from
    a file shaped like resources/demo/institutions.json. An institution with a `facility` entry also gets a
    facility row (the agency's counter settles bills: its benefit level and city). Staff passwords are set
    once: a known user keeps theirs (change it with server.staff.add_staff)."""
    report = report or SeedReport()
    at = system_clock().isoformat(timespec="microseconds")
    with transaction(engine) as conn:
        session = Session(bind=conn, autoflush=True)
        try:
            for item in spec.get("institutions", []):
                fac = Facility(code=item["code"], name=item["name"], kind=item["kind"],
                               benefit_level=str((item.get("facility") or {}).get("benefit_level", "1")),
                               hospital_grade=None, city=str((item.get("facility") or {}).get("city", "")))
                ensure_institution(conn, fac, at, report, kind=item["kind"])
                if item.get("facility") and session.get(FacilityRow, fac.code) is None:
                    session.add(FacilityRow(**facility_row_values(fac)))
                    report.facilities_changed += 1
            session.flush()
            for person in spec.get("staff", []):
                key = (staff_table.c.institution_code == person["institution"]) & (staff_table.c.user_id == person["user"])
                if conn.execute(select(staff_table.c.user_id).where(key)).first() is None:
                    add_staff(conn, person["institution"], person["user"], person["name"], person["roles"],
                              password=person["password"], at=at)
                    report.staff_created.append(f"{person['institution']}/{person['user']}")
            for code, secret in conn.execute(select(institution.c.code, institution.c.secret)):
                report.secrets[code] = open_text(secret, SECRET)
            if report.secrets_created or report.staff_created:
                journal.append(conn, "seed.institutions", {"institutions_created": report.secrets_created,
                                                           "staff_created": report.staff_created}, at=at)
        finally:
            session.close()
    return report


def _persons(session: Session, world: World, report: SeedReport) -> None:
    c = cipher()
    existing = {
        r.person_no: r
        for r in session.scalars(select(PersonRow).options(selectinload(PersonRow.registrations)))
    }
    for person in world.patients.values():
        row = existing.get(person.person_no)
        if row is None:
            row = PersonRow(person_no=person.person_no)
            _fill(row, person, c)
            session.add(row)
            report.persons_changed += 1
        elif not _same(row, person, c):
            _fill(row, person, c)
            report.persons_changed += 1


def _regs(person: Person) -> list[tuple]:
    return [(r.scheme.value, r.disease, r.begin, r.end, ",".join(r.designated_facilities)) for r in person.registrations]


def _same(row: PersonRow, person: Person, c) -> bool:
    plain = (row.name, row.sex, row.birth_date, row.insurance_type, row.status, row.death_date)
    want = (person.name, person.sex, person.birth_date, person.insurance_type, person.status, person.death_date)
    if plain != want:
        return False
    if (row.id_number_hash or None) != (c.lookup_hash(person.id_number) if person.id_number else None):
        return False
    have = [(r.scheme, r.disease, r.begin, r.end, r.designated_facilities or "") for r in row.registrations]
    return have == _regs(person)


def _fill(row: PersonRow, person: Person, c) -> None:
    row.name = person.name
    row.sex = person.sex
    row.birth_date = person.birth_date
    row.insurance_type = person.insurance_type
    row.status = person.status
    row.death_date = person.death_date
    row.id_number_enc = c.encrypt(person.id_number) if person.id_number else None
    row.id_number_hash = c.lookup_hash(person.id_number) if person.id_number else None
    row.registrations = [RegistrationRow.from_domain(r) for r in person.registrations]
