"""Reference data the handlers read on every call — catalogue, facilities, profiles, disease names —
cached per process for a short time (a seed or import in another process shows up within the TTL)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
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

    def resolve(self, med_list_codg: str, medins_list_codg: str = "") -> Drug:
        """The institution's own code first (it is the catalogue key), then the national code."""
        for candidate in (medins_list_codg, med_list_codg):
            if candidate and candidate in self.by_key:
                return self.by_key[candidate]
        if med_list_codg and med_list_codg in self.by_code:
            return self.by_code[med_list_codg]
        raise PlatformError(f"drug {med_list_codg or medins_list_codg!r} is not in the centre's catalogue (目录外/未对码)")


def catalogue(centre, conn) -> Catalogue:
    def build() -> Catalogue:
        with Session(bind=conn) as s:
            drugs = [r.to_domain() for r in s.scalars(select(DrugRow))]
        version = conn.execute(select(catalogue_log.c.ver).order_by(catalogue_log.c.ver.desc()).limit(1)).scalar()
        return Catalogue({d.key: d for d in drugs}, {d.nhsa_code: d for d in drugs if d.nhsa_code}, int(version or 0))

    return centre.cached("ref.catalogue", build, TTL)


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
