"""People who log in at the centre, and what their roles let them do.

An institution (centre_institution, with its kind: server.permissions) has staff in centre_staff, each with one
or more roles:

    clerk       经办员   takes applications at the agency's counter, starts reviews
    expert      评审专家 records their OWN opinion on an application they were drawn for (user id = expert code
                         of the pool, centre_expert)
    reviewer    复审员   the final approval (2503); never the same person as either expert of that application
    supervisor  监管员   reads lists, reports and the supervision screens
    doctor      处方医师 writes e-prescriptions on the prescriber form (/prescriber/) of a hospital or clinic
    admin       管理员   manages staff

    add_staff(conn, "A42070000001", "zhao", "赵复审", ["reviewer"], password="…")
    who = authenticate(conn, "A42070000001", "zhao", "…")   # StaffIdentity(institution, kind, user_id, name, roles)
    who.has("reviewer")

Passwords are hashed with argon2id (argon2-cffi; a hash made with weaker parameters is re-hashed on the next
successful login). Five wrong passwords lock the account for five minutes. A failed check raises StaffAuthError
carrying the failure; `record_failure(conn, error)` counts it in a transaction that commits (the refusal's own:
server.centre does that for every transaction that checks staff, `login` for callers outside one).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, select

from server.envelope import PlatformError
from server.models import institution, staff

ROLES: dict[str, str] = {"clerk": "经办员", "expert": "评审专家", "reviewer": "复审员", "supervisor": "监管员",
                         "admin": "管理员", "doctor": "处方医师", "pharmacist": "审方药师"}
MAX_FAILURES = 5
LOCK_SECONDS = 300
MIN_PASSWORD = 8
# OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~30 ms per check on the 2-core box.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class StaffAuthError(PlatformError):
    """Wrong user or password, locked, inactive, or missing a role: nothing the request asked for is done.
    `failure` = (institution, user, when) of a wrong password, for record_failure."""

    def __init__(self, err_msg: str, *, failure: tuple[str, str, float] | None = None) -> None:
        super().__init__(err_msg)
        self.failure = failure


@dataclass(frozen=True)
class StaffIdentity:
    institution: str
    kind: str  # the institution's kind (server.permissions.KINDS)
    user_id: str
    name: str
    roles: tuple[str, ...]

    def has(self, role: str) -> bool:
        return role in self.roles


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def add_staff(conn: Connection, institution_code: str, user_id: str, name: str, roles, *, password: str,
              at: str = "") -> None:
    roles = tuple(roles)
    bad = [r for r in roles if r not in ROLES]
    if not roles or bad:
        raise ValueError(f"roles must be some of {', '.join(ROLES)}; got {', '.join(bad) or 'none'}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a centre staff password has at least {MIN_PASSWORD} characters")
    if conn.execute(select(institution.c.code).where(institution.c.code == institution_code)).first() is None:
        raise ValueError(f"institution {institution_code} is not registered at this centre")
    values = dict(name=name, roles=",".join(roles), secret_hash=hash_password(password), failed=0, locked_until=None,
                  active=True)
    key = (staff.c.institution_code == institution_code) & (staff.c.user_id == user_id)
    if conn.execute(select(staff.c.user_id).where(key)).first() is None:
        conn.execute(staff.insert().values(institution_code=institution_code, user_id=user_id,
                                           created_at=at or time.strftime("%Y-%m-%dT%H:%M:%S"), **values))
    else:
        conn.execute(staff.update().where(key).values(**values))


def authenticate(conn: Connection, institution_code: str, user_id: str, password: str, *,
                 now: float | None = None) -> StaffIdentity:
    """The staff member `user_id` of `institution_code` if `password` is theirs, else StaffAuthError (the same
    message for an unknown user and a wrong password). Counts failures and locks after MAX_FAILURES."""
    now = time.time() if now is None else now
    row = conn.execute(
        select(staff, institution.c.kind).join(institution, institution.c.code == staff.c.institution_code)
        .where(staff.c.institution_code == institution_code, staff.c.user_id == user_id)
    ).first()
    wrong = StaffAuthError("用户名或密码错误 / wrong user or password")
    if row is None or not row.active:
        _HASHER.hash(password or "x")  # same cost as a real check: the answer time does not tell who exists
        raise wrong
    key = (staff.c.institution_code == institution_code) & (staff.c.user_id == user_id)
    if row.locked_until is not None and row.locked_until > now:
        raise StaffAuthError(f"连续输错，账号锁定 {int(row.locked_until - now)} 秒 / too many wrong passwords: "
                             f"locked for {int(row.locked_until - now)} s")
    try:
        _HASHER.verify(row.secret_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise StaffAuthError(wrong.err_msg, failure=(institution_code, user_id, now)) from None
    changes = {}
    if row.failed or row.locked_until:
        changes.update(failed=0, locked_until=None)
    if _HASHER.check_needs_rehash(row.secret_hash):
        changes["secret_hash"] = _HASHER.hash(password)
    if changes:
        conn.execute(staff.update().where(key).values(**changes))
    return StaffIdentity(row.institution_code, row.kind, row.user_id, row.name,
                         tuple(r for r in row.roles.split(",") if r))


def record_failure(conn: Connection, error: StaffAuthError) -> None:
    """Count a wrong password (locks the account at MAX_FAILURES); call it in a transaction that commits."""
    if error.failure is None:
        return
    code, user_id, now = error.failure
    key = (staff.c.institution_code == code) & (staff.c.user_id == user_id)
    row = conn.execute(select(staff.c.failed).where(key)).first()
    if row is None:
        return
    failed = row.failed + 1
    locked = int(now) + LOCK_SECONDS if failed >= MAX_FAILURES else None
    conn.execute(staff.update().where(key).values(failed=0 if locked else failed, locked_until=locked))


def login(engine: Engine, institution_code: str, user_id: str, password: str) -> StaffIdentity:
    """`authenticate` in its own transaction: a failure's count is committed, the caller gets the error."""
    from server.db import transaction

    error: StaffAuthError | None = None
    with transaction(engine) as conn:
        try:
            who = authenticate(conn, institution_code, user_id, password)
        except StaffAuthError as exc:
            error = exc
            record_failure(conn, exc)
    if error is not None:
        raise error
    return who


def require(who: StaffIdentity, role: str) -> StaffIdentity:
    if not who.has(role):
        raise StaffAuthError(f"{who.name}（{who.user_id}）不是{ROLES[role]} / {who.user_id} is not a {role}")
    return who


__all__ = ["MAX_FAILURES", "ROLES", "StaffAuthError", "StaffIdentity", "add_staff", "authenticate", "hash_password",
           "login", "record_failure", "require"]
