"""Reference data from the centre, each update applied in one transaction:

- the catalogue, incrementally by version (1301 with the last version applied; the centre answers with the
  drugs changed since, or everything for version 0);
- persons and their registrations: identification online (1101 + 5301) caches the person and marks the
  registrations fresh; `refresh_registrations` re-reads 5301 for cached persons whose cache is getting old,
  so a counter that goes offline still has fresh registrations for its regular patients.

A reply that cannot be used changes nothing (RefDataError names why).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain import Person, Registration
from core.store.catalogue import upsert_drugs
from core.store.persons import get_person, upsert_person
from core.sync import journal
from core.sync.envelope import Reply
from core.sync.models import SyncPersonFresh
from core.sync.transactions import (
    TransactionFormatError,
    catalogue_query,
    parse_catalogue,
    parse_person,
    parse_registrations,
    person_query,
    registrations_query,
)

if TYPE_CHECKING:
    from core.sync.terminal import Terminal

log = logging.getLogger("onewindow.sync")


class RefDataError(RuntimeError):
    def __init__(self, message: str, message_zh: str, reply: Reply | None = None) -> None:
        super().__init__(message)
        self.message_zh = message_zh
        self.reply = reply

    @property
    def unreachable(self) -> bool:
        return self.reply is not None and not self.reply.reached


@dataclass(frozen=True)
class CatalogueSync:
    version_before: int
    version_after: int
    items: int
    full: bool


def sync_catalogue(t: "Terminal", operator: str = "SYS") -> CatalogueSync:
    from core.sync.terminal import K_CATALOGUE_AT, K_CATALOGUE_VER

    before = int(t.state.get(K_CATALOGUE_VER, "0") or 0)
    reply = t.transport.call(t.config.infno["catalogue"], catalogue_query(before), operator=operator)
    if not reply.ok:
        raise RefDataError(f"catalogue download failed: {reply.describe()}", f"目录下载失败：{reply.err_msg or reply.error}",
                           reply)
    try:
        update = parse_catalogue(reply.output)
    except TransactionFormatError as exc:
        raise RefDataError(f"catalogue answer unusable: {exc}", f"目录数据无法识别：{exc}", reply) from None
    with t.write() as s, s.begin():
        if update.drugs:
            upsert_drugs(s, update.drugs, catalogue_version=update.version)
        t.state.set(K_CATALOGUE_VER, str(update.version), s)
        t.state.set(K_CATALOGUE_AT, t.utcnow().isoformat(), s)
        journal.append(s, "catalogue.sync", data={"from": before, "to": update.version, "items": len(update.drugs),
                                                  "full": update.full})
    return CatalogueSync(before, update.version, len(update.drugs), update.full)


@dataclass(frozen=True)
class FetchedPerson:
    person: Person  # with registrations
    insuplc_admdvs: str


def fetch_person(t: "Terminal", kind: str, number: str, *, card_sn: str = "", operator: str,
                 operator_name: str = "") -> FetchedPerson:
    """1101 then 5301; raises RefDataError (with the reply) when either fails."""
    reply = t.transport.call(t.config.infno["person"], person_query(kind, number, card_sn), operator=operator,
                             operator_name=operator_name)
    if not reply.ok:
        raise RefDataError(f"person query failed: {reply.describe()}", f"人员信息查询失败：{reply.err_msg or reply.error}",
                           reply)
    try:
        info = parse_person(reply.output)
    except TransactionFormatError as exc:
        raise RefDataError(f"person answer unusable: {exc}", f"人员信息无法识别：{exc}", reply) from None
    regs = fetch_registrations(t, info.person.person_no, operator=operator, operator_name=operator_name,
                               insuplc_admdvs=info.insuplc_admdvs)
    return FetchedPerson(replace(info.person, registrations=regs), info.insuplc_admdvs)


def fetch_registrations(t: "Terminal", person_no: str, *, operator: str, operator_name: str = "",
                        insuplc_admdvs: str = "") -> tuple[Registration, ...]:
    reply = t.transport.call(t.config.infno["registrations"], registrations_query(person_no), operator=operator,
                             operator_name=operator_name, insuplc_admdvs=insuplc_admdvs)
    if not reply.ok:
        raise RefDataError(f"registration query failed: {reply.describe()}",
                           f"慢特病备案查询失败：{reply.err_msg or reply.error}", reply)
    try:
        return parse_registrations(reply.output)
    except TransactionFormatError as exc:
        raise RefDataError(f"registration answer unusable: {exc}", f"备案信息无法识别：{exc}", reply) from None


def store_person(session: Session, t: "Terminal", person: Person, *, insuplc_admdvs: str = "",
                 ss_card_no: str | None = None) -> None:
    """Cache the person with the registrations the centre just confirmed (inside the caller's transaction)."""
    upsert_person(session, person, ss_card_no=ss_card_no, cipher=t.cipher)
    fresh = session.get(SyncPersonFresh, person.person_no)
    if fresh is None:
        session.add(SyncPersonFresh(person_no=person.person_no, refreshed_at=t.utcnow(), insuplc_admdvs=insuplc_admdvs))
    else:
        fresh.refreshed_at = t.utcnow()
        fresh.insuplc_admdvs = insuplc_admdvs or fresh.insuplc_admdvs


def refresh_registrations(t: "Terminal", person_nos: Iterable[str] | None = None, *, older_than_hours: float = 12.0,
                          operator: str = "SYS", limit: int = 500) -> dict[str, str]:
    """Re-read 5301 for cached persons (default: those whose cache is older than `older_than_hours`); one
    transaction per person. Returns person_no -> "ok" or the reason it failed. Stops at the first
    unreachable centre."""
    with t.read() as s:
        if person_nos is None:
            cutoff = t.utcnow() - dt.timedelta(hours=older_than_hours)
            person_nos = list(s.scalars(select(SyncPersonFresh.person_no).where(SyncPersonFresh.refreshed_at < cutoff)
                                        .order_by(SyncPersonFresh.refreshed_at).limit(limit)))
        admdvs = {r.person_no: r.insuplc_admdvs for r in s.scalars(select(SyncPersonFresh))}
    out: dict[str, str] = {}
    for person_no in person_nos:
        try:
            regs = fetch_registrations(t, person_no, operator=operator, insuplc_admdvs=admdvs.get(person_no, ""))
        except RefDataError as exc:
            out[person_no] = str(exc)
            if exc.unreachable:
                break
            continue
        with t.write() as s, s.begin():
            cached = get_person(s, person_no, cipher=t.cipher)
            if cached is None:
                out[person_no] = "not cached"
                continue
            store_person(s, t, replace(cached, registrations=regs), insuplc_admdvs=admdvs.get(person_no, ""))
            journal.append(s, "registrations.refresh", data={"person_no": person_no, "count": len(regs)})
        out[person_no] = "ok"
    return out


__all__ = ["CatalogueSync", "FetchedPerson", "RefDataError", "fetch_person", "fetch_registrations",
           "refresh_registrations", "store_person", "sync_catalogue"]
