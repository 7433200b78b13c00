"""Read a world file (the format of ../shared/vectors/audit-vectors.json): profiles, catalogue, facilities
and patients, into domain types. Used by `onewindow audit`, `onewindow seed` and the demo.

Every problem is a WorldError naming the file and the field, so a broken file never half-loads.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping

from core.domain import Drug, Facility, MoneyError, Person, Registration, Scheme, money, ratio
from core.policy.profile import Profile, ProfileError, profile_from_dict


class WorldError(ValueError):
    """A world, vector or case file that cannot be used. Exit status 2 at the command line."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}")
        self.source, self.where, self.problem = source, where, problem


@dataclass
class World:
    source: str
    profiles: dict[str, Profile]
    catalogue: dict[str, Drug]
    facilities: dict[str, Facility]  # by world key (e.g. "PH1")
    patients: dict[str, Person]  # by world key (e.g. "P01")
    disease_names: dict[str, str] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)

    def facility_by_code(self) -> dict[str, Facility]:
        return {f.code: f for f in self.facilities.values()}


class FieldReader:
    """Typed reads from parsed JSON that fail with the file and the path of the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> WorldError:
        return WorldError(self.source, where, problem)

    def obj(self, data: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(where, "must be an object")
        return data

    def lst(self, data: Any, where: str) -> list:
        if not isinstance(data, list):
            raise self.fail(where, "must be a list")
        return data

    def req(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data or data[key] is None:
            raise self.fail(f"{where}.{key}", "missing")
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, where: str, default: Any = ...) -> Any:
        if default is not ... and data.get(key) is None:
            return default
        value = self.req(data, key, where)
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"must be text: {value!r}")
        return value

    def date(self, data: Mapping[str, Any], key: str, where: str, optional: bool = False) -> dt.date | None:
        if optional and data.get(key) is None:
            return None
        value = self.req(data, key, where)
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.fail(f"{where}.{key}", f"not a date (YYYY-MM-DD): {value!r}") from None

    def time(self, data: Mapping[str, Any], key: str, where: str) -> dt.time | None:
        if data.get(key) is None:
            return None
        try:
            return dt.time.fromisoformat(data[key])
        except (TypeError, ValueError):
            raise self.fail(f"{where}.{key}", f"not a time (HH:MM): {data[key]!r}") from None

    def integer(self, data: Mapping[str, Any], key: str, where: str, minimum: int = 0, default: Any = ...) -> int:
        if default is not ... and data.get(key) is None:
            return default
        value = self.req(data, key, where)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"{where}.{key}", f"must be a whole number >= {minimum}: {value!r}")
        return value

    def amount(self, data: Mapping[str, Any], key: str, where: str, default: Any = ...) -> Decimal:
        if default is not ... and data.get(key) is None:
            return default
        try:
            value = money(self.req(data, key, where))
        except MoneyError as exc:
            raise self.fail(f"{where}.{key}", str(exc)) from None
        if value < 0:
            raise self.fail(f"{where}.{key}", "must not be negative")
        return value

    def number(self, data: Mapping[str, Any], key: str, where: str) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self.fail(f"{where}.{key}", f"must be a number: {value!r}")
        try:
            d = Decimal(repr(value) if isinstance(value, float) else str(value))
        except InvalidOperation:
            raise self.fail(f"{where}.{key}", f"must be a number: {value!r}") from None
        if not d.is_finite() or d < 0:
            raise self.fail(f"{where}.{key}", f"must be a non-negative number: {value!r}")
        return d

    def ratio(self, data: Mapping[str, Any], key: str, where: str) -> Decimal:
        try:
            return ratio(data.get(key) or "0")
        except MoneyError as exc:
            raise self.fail(f"{where}.{key}", str(exc)) from None


def read_json(path: str | Path) -> Any:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WorldError(str(path), "-", f"cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise WorldError(str(path), "-", f"not valid JSON: {exc}") from None


def _drug(r: FieldReader, key: str, d: Mapping[str, Any]) -> Drug:
    where = f"catalogue.{key}"
    d = r.obj(d, where)
    pack_size = r.integer(d, "pack_size", where, minimum=1)
    min_level = d.get("min_facility_level")
    if min_level is not None and (isinstance(min_level, bool) or not isinstance(min_level, int)):
        raise r.fail(f"{where}.min_facility_level", "must be a whole number")
    course = d.get("course_limit_days")
    return Drug(
        key=key,
        name=r.text(d, "name", where),
        price=r.amount(d, "price", where),
        pack_size=pack_size,
        category=r.text(d, "category", where, default="drug"),
        drug_class=d.get("class"),
        preselfpay_ratio=r.ratio(d, "preselfpay_ratio", where),
        nhsa_code=d.get("nhsa_code"),
        atc=d.get("atc"),
        nhsa_class=d.get("nhsa_class") or ((d.get("nhsa_code") or "")[1:6] or None if not d.get("atc") else None),
        spec=str(d.get("spec") or ""),
        unit=str(d.get("unit") or ""),
        pack_unit=str(d.get("pack_unit") or ""),
        strength=r.number(d, "strength", where),
        strength_unit=str(d.get("strength_unit") or ""),
        max_daily=r.number(d, "max_daily", where),
        sex_limit=d.get("sex_limit"),
        age_limit=d.get("age_limit"),
        min_facility_level=min_level,
        trace_prefix=d.get("trace_prefix"),
        barcode=d.get("barcode"),
        inpatient_only=bool(d.get("inpatient_only", False)),
        insurance_scope=d.get("insurance_scope"),
        restriction_text=d.get("restriction_text"),
        price_ceiling=r.amount(d, "price_ceiling", where, default=None),
        course_limit_days=None if course is None else r.integer(d, "course_limit_days", where, 1),
        long_rx_barred=bool(d.get("long_rx_barred", False)),
    )


def _facility(r: FieldReader, key: str, f: Mapping[str, Any]) -> Facility:
    where = f"facilities.{key}"
    f = r.obj(f, where)
    level = r.text(f, "benefit_level", where)
    if level not in ("1", "2", "3", "pharmacy"):
        raise r.fail(f"{where}.benefit_level", f"must be 1, 2, 3 or pharmacy: {level!r}")
    return Facility(
        code=r.text(f, "id", where),
        name=r.text(f, "name", where),
        kind=r.text(f, "kind", where, default="pharmacy"),
        benefit_level=level,
        hospital_grade=f.get("hospital_grade"),
        city=str(f.get("city") or ""),
    )


def _person(r: FieldReader, key: str, p: Mapping[str, Any]) -> Person:
    where = f"patients.{key}"
    p = r.obj(p, where)
    regs = []
    for i, reg in enumerate(r.lst(p.get("registrations", []), f"{where}.registrations")):
        rw = f"{where}.registrations[{i}]"
        reg = r.obj(reg, rw)
        try:
            scheme = Scheme(r.text(reg, "scheme", rw))
        except ValueError:
            raise r.fail(f"{rw}.scheme", "must be LB or MT") from None
        regs.append(
            Registration(
                scheme=scheme,
                disease=r.text(reg, "disease", rw),
                begin=r.date(reg, "begndate", rw),
                end=r.date(reg, "enddate", rw, optional=True),
                designated_facilities=tuple(reg.get("designated_facilities") or ()),
            )
        )
    sex = r.text(p, "gend", where)
    if sex not in ("1", "2", "9", "0"):
        raise r.fail(f"{where}.gend", f"must be 1 (male) or 2 (female): {sex!r}")
    return Person(
        person_no=r.text(p, "psn_no", where),
        name=r.text(p, "name", where),
        sex=sex,
        birth_date=r.date(p, "brdy", where),
        insurance_type=r.text(p, "insutype", where),
        status=r.text(p, "status", where, default="active"),
        death_date=r.date(p, "death_date", where, optional=True),
        id_number=p.get("certno"),
        registrations=tuple(regs),
    )


def world_from_dict(data: Any, source: str) -> World:
    r = FieldReader(source)
    data = r.obj(data, "(top level)")
    profiles: dict[str, Profile] = {}
    for pid, body in r.obj(r.req(data, "profiles", "(top level)"), "profiles").items():
        try:
            profiles[pid] = profile_from_dict(pid, body, source)
        except ProfileError as exc:
            raise WorldError(source, f"profiles.{exc.path}", exc.problem) from None
    catalogue = {k: _drug(r, k, v) for k, v in r.obj(r.req(data, "catalogue", "(top level)"), "catalogue").items()}
    facilities = {k: _facility(r, k, v) for k, v in r.obj(r.req(data, "facilities", "(top level)"), "facilities").items()}
    patients = {k: _person(r, k, v) for k, v in r.obj(r.req(data, "patients", "(top level)"), "patients").items()}
    names = data.get("disease_names") or {}
    return World(source, profiles, catalogue, facilities, patients, dict(names), data)


def load_world(path: str | Path) -> World:
    return world_from_dict(read_json(path), str(path))
