"""Reference data the handlers read on every call — catalogue, facilities, profiles, disease names —
cached per process for a short time (a seed or import in another process shows up within the TTL)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.domain import Drug, Facility
from core.policy.profile import Profile, profile_from_dict
from core.store.models import DrugRow, FacilityRow
from server.envelope import PlatformError
from server.models import catalogue_log, profile, setting

TTL = 30.0


@dataclass(frozen=True)
class Catalogue:
    by_key: dict[str, Drug]
    by_code: dict[str, Drug]  # national code (med_list_codg) -> drug
    version: int
    fingerprint: tuple[int, int] = (0, 0)

    def resolve(self, med_list_codg: str, medins_list_codg: str = "") -> Drug:
        """The institution's own code first (it is the catalogue key), then the national code."""
        for candidate in (medins_list_codg, med_list_codg):
            if candidate and candidate in self.by_key:
                return self.by_key[candidate]
        if med_list_codg and med_list_codg in self.by_code:
            return self.by_code[med_list_codg]
        raise PlatformError(f"drug {med_list_codg or medins_list_codg!r} is not in the centre's catalogue (目录外/未对码)")


def _catalogue_fingerprint(conn) -> tuple[int, int]:
    """(latest catalogue version, number of drugs): every seed or import that changes a drug logs a version."""
    ver, n = conn.execute(select(func.coalesce(func.max(catalogue_log.c.ver), 0),
                                 select(func.count()).select_from(DrugRow).scalar_subquery())).one()
    return int(ver), int(n)


def catalogue(centre, conn) -> Catalogue:
    """The catalogue, rebuilt only when its fingerprint changed. With a real catalogue (20,000 drugs) a rebuild
    costs seconds of CPU; rebuilding on every TTL expiry (in every request thread at once) took most of a
    worker's time under load (bench server, issue #23). The fingerprint is checked once per TTL."""
    def build() -> Catalogue:
        fingerprint = _catalogue_fingerprint(conn)
        with Session(bind=conn) as s:
            drugs = [r.to_domain() for r in s.scalars(select(DrugRow))]
        return Catalogue({d.key: d for d in drugs}, {d.nhsa_code: d for d in drugs if d.nhsa_code}, fingerprint[0],
                         fingerprint)

    def current() -> Catalogue:
        built = centre.cached("ref.catalogue.built", build, float("inf"))
        if built.fingerprint != _catalogue_fingerprint(conn):
            centre.invalidate("ref.catalogue.built")
            built = centre.cached("ref.catalogue.built", build, float("inf"))
        return built

    return centre.cached("ref.catalogue", current, TTL)


def facilities(centre, conn) -> dict[str, Facility]:
    def build() -> dict[str, Facility]:
        with Session(bind=conn) as s:
            return {r.code: r.to_domain() for r in s.scalars(select(FacilityRow))}

    return centre.cached("ref.facilities", build, TTL)


def facility(centre, conn, code: str) -> Facility:
    fac = facilities(centre, conn).get(code)
    if fac is None:
        centre.invalidate("ref.facilities")
        fac = facilities(centre, conn).get(code)
    if fac is None:
        raise PlatformError(f"institution {code} is not a designated institution of this centre (非定点机构)")
    return fac


def profiles(centre, conn) -> dict[str, Profile]:
    def build() -> dict[str, Profile]:
        out = {}
        for row in conn.execute(select(profile.c.profile_id, profile.c.data)):
            out[row.profile_id] = profile_from_dict(row.profile_id, json.loads(row.data), f"centre_profile.{row.profile_id}")
        return out

    return centre.cached("ref.profiles", build, TTL)


def settings(centre, conn) -> dict[str, str]:
    def build() -> dict[str, str]:
        return {r.key: r.value for r in conn.execute(select(setting.c.key, setting.c.value))
                if r.key != "evoucher_key"}

    return centre.cached("ref.settings", build, TTL)


def profile_for(centre, conn, profile_id: str | None) -> Profile:
    all_ = profiles(centre, conn)
    pid = profile_id or settings(centre, conn).get("default_profile")
    if pid is None or pid not in all_:
        raise PlatformError(f"benefit profile {pid!r} is not loaded at the centre: run `onewindow seed`")
    return all_[pid]


def disease_name(centre, conn, code: str) -> str:
    names = json.loads(settings(centre, conn).get("disease_names", "{}"))
    return names.get(code, code)
