"""Staff, roles and what each role may do; passwords and PINs hashed with argon2id (memory-hard, argon2-cffi).

    auth = Auth(engine)                       # the desk tables must exist (core.store.desk.ensure_desk_schema)
    auth.add_user("li", "李药师", "pharmacist", password="…", pin="2468")
    op = auth.login("li", password="…")       # Operator, or raises AuthFailed with a bilingual reason
    auth.allowed(op, "receipt.reprint")       # False for a pharmacist
    sup = auth.approve("zhang", "135790", permission="receipt.reprint", operator=op, ref="R-0001")  # logged

Roles are ordered clerk < pharmacist < supervisor < admin; PERMISSIONS names the lowest role allowed each action.
An action a user may not do can be approved on the spot by a supervisor's user + PIN (or password): the
approval is checked like a login and written to the desk's event log with both users. Five wrong secrets lock
a user for five minutes. Verification costs ~50 ms on purpose: call it off the UI thread.

PIN policy: 4–8 digits, at least 6 for supervisors and administrators (their PIN approves what others may not
do; a 4-digit one fell to an offline search of a copied desk.db in minutes). Hashes made earlier (scrypt, or
argon2id with weaker parameters) still verify and are replaced by the current argon2id at the next login.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select

from core.i18n import Message
from core.store import desk, staff_journal
from core.store.lane import write_engine

ROLES = ("clerk", "pharmacist", "supervisor", "admin")
ROLE_NAMES = {"clerk": ("营业员", "clerk"), "pharmacist": ("药师", "pharmacist"),
              "supervisor": ("店长/主管", "supervisor"), "admin": ("管理员", "administrator")}

# Lowest role allowed each action.
PERMISSIONS: dict[str, str] = {
    "sale.identify": "clerk",
    "sale.scan": "clerk",
    "sale.hold": "clerk",
    "sale.settle": "pharmacist",  # dispensing prescription drugs needs a pharmacist (审方)
    "warn.ack": "pharmacist",
    "warn.override.restricted": "supervisor",  # WARNs of RESTRICTED_WARN_RULES
    "receipt.reprint": "supervisor",
    "stock.receive": "clerk",  # 入库, 退供应商 (desktop/pharmacy/stock)
    "stock.confirm": "supervisor",  # 盘点确认, 报损/过期/调拨, 撤销上传 (3501, 3502, 3507)
    "stock.sell_not_in_stock": "supervisor",  # 未入库的药品 sold in the transition period
    "sale.return": "pharmacist",
    "goods.add": "supervisor",
    "drawer.open": "supervisor",  # the cash drawer opened without a sale (F11: change for a note, a count)
    "sale.discount": "supervisor",  # a line discount on non-insured goods (insured lines never: quick keys)  # quick-add of an unknown commodity barcode to the local goods catalogue (issue 17)
    "shift.open": "pharmacist",
    "shift.x": "pharmacist",
    "shift.close": "pharmacist",
    "shift.close.pending": "supervisor",  # close while messages still wait for the centre
    "shift.close.held": "supervisor",  # close releasing held sales (挂单) and the boxes they reserve
    "settings": "supervisor",  # the desk asks a supervisor for its settings (users stay the admin's)
    "users": "admin",
}
# WARN hits only a supervisor may accept: uncoded stock (无码库) and the fraud patterns.
RESTRICTED_WARN_RULES = frozenset({"TRC-001", "DUP-003", "FRD-001", "STK-001"})  # STK-001: 未入库的药品 (stock)

MAX_FAILURES = 5
LOCK_MINUTES = 5
PIN_DIGITS = {"clerk": 4, "pharmacist": 4, "supervisor": 6, "admin": 6}  # the fewest digits a role's PIN has
# OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): ~50 ms like the scrypt before it, so tests and logins stay
# quick; raising these makes check_needs_rehash true and every hash is upgraded at its user's next login
_ARGON2 = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class AuthFailed(Exception):
    def __init__(self, key: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.message = Message(key, zh, en)


@dataclass(frozen=True)
class Operator:
    user_id: str
    name: str
    role: str

    @property
    def rank(self) -> int:
        return ROLES.index(self.role)

    def role_name(self, lang: str = "zh") -> str:
        zh, en = ROLE_NAMES[self.role]
        return en if lang.startswith("en") else zh


def hash_secret(secret: str) -> str:
    """argon2id with a random salt, in the PHC string form ($argon2id$v=19$m=…,t=…,p=…$salt$hash)."""
    return _ARGON2.hash(secret)


def needs_rehash(stored: str | None) -> bool:
    """A hash of an older scheme (scrypt) or with weaker argon2 parameters than today's."""
    if not stored:
        return False
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _ARGON2.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def verify_secret(secret: str, stored: str | None) -> bool:
    if not stored:
        return False
    if stored.startswith("$argon2"):
        try:
            return _ARGON2.verify(stored, secret)
        except (VerificationError, InvalidHashError):
            return False
    try:  # scrypt, as hashed before argon2id (kept so that those users can log in once and be upgraded)
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def role_allows(role: str, permission: str) -> bool:
    needed = PERMISSIONS.get(permission)
    if needed is None:
        raise KeyError(f"unknown permission {permission!r}")
    return ROLES.index(role) >= ROLES.index(needed)


def warn_permission(rule: str) -> str:
    return "warn.override.restricted" if rule in RESTRICTED_WARN_RULES else "warn.ack"


class Auth:
    def __init__(self, engine: Engine, *, clock=desk.utcnow) -> None:
        self.engine = engine
        # Writes read the journal's head first: a deferred SQLite transaction would then need to upgrade its read
        # lock while the sender writes, and SQLite refuses that at once ("database is locked") instead of waiting.
        self.wengine = write_engine(engine)  # the store's one writer (core.store.lane)
        self.clock = clock

    # ---- users ----
    def add_user(self, user_id: str, name: str, role: str, *, password: str | None = None, pin: str | None = None) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        if not user_id.strip() or not name.strip():
            raise ValueError("user id and name are required")
        if password is None and pin is None:
            raise ValueError("a user needs a password or a PIN")
        if pin is not None and not (pin.isdigit() and PIN_DIGITS[role] <= len(pin) <= 8):
            raise ValueError(f"PIN 应为 {PIN_DIGITS[role]}–8 位数字（{ROLE_NAMES[role][0]}）/ "
                             f"a {ROLE_NAMES[role][1]}'s PIN is {PIN_DIGITS[role]} to 8 digits")
        if password is not None and len(password) < 6:
            raise ValueError("a password has at least 6 characters")
        values = dict(name=name, role=role, password_hash=hash_secret(password) if password else None,
                      pin_hash=hash_secret(pin) if pin else None, active=True, failed=0, locked_until=None)
        with self.wengine.begin() as conn:
            exists = conn.execute(select(desk.user.c.user_id).where(desk.user.c.user_id == user_id)).first()
            if exists:
                conn.execute(desk.user.update().where(desk.user.c.user_id == user_id).values(**values))
            else:
                conn.execute(desk.user.insert().values(user_id=user_id, created_at=self.clock(), **values))

    def has_users(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(desk.user.c.user_id).limit(1)).first() is not None

    def users(self) -> list[Operator]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(desk.user).where(desk.user.c.active.is_(True)).order_by(desk.user.c.user_id))
            return [Operator(r.user_id, r.name, r.role) for r in rows]

    # ---- login ----
    def login(self, user_id: str, *, password: str | None = None, pin: str | None = None) -> Operator:
        op = self._check(user_id, password, pin)
        self.log("login", op.user_id, detail={"by": "pin" if pin else "password"})
        return op

    def _check(self, user_id: str, password: str | None, pin: str | None) -> Operator:
        user_id = (user_id or "").strip()
        now = self.clock()
        failure: AuthFailed | None = None
        with self.wengine.begin() as conn:  # the failure count and the event commit even when the login fails
            row = conn.execute(select(desk.user).where(desk.user.c.user_id == user_id)).first()
            if row is None or not row.active:
                self._event(conn, "login_failed", user_id or None, detail={"reason": "unknown"})
                failure = AuthFailed("auth.bad", "用户名或密码错误", "wrong user or password")
            elif row.locked_until is not None and row.locked_until > now:
                self._event(conn, "login_failed", user_id, detail={"reason": "locked"})
                failure = AuthFailed("auth.locked", f"连续输错，账号锁定至 {row.locked_until:%H:%M}（UTC）",
                                     f"too many wrong attempts: locked until {row.locked_until:%H:%M} UTC")
            else:
                stored = row.pin_hash if pin else row.password_hash
                ok = verify_secret(pin or password or "", stored)
                if not ok:
                    failed = row.failed + 1
                    locked = now + dt.timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILURES else None
                    conn.execute(desk.user.update().where(desk.user.c.user_id == user_id)
                                 .values(failed=0 if locked else failed, locked_until=locked))
                    self._event(conn, "login_failed", user_id, detail={"reason": "secret", "failed": failed})
                    failure = AuthFailed("auth.bad", "用户名或密码错误", "wrong user or password")
                else:
                    values: dict = {"failed": 0} if row.failed else {}
                    if needs_rehash(stored):  # an older hash: replaced now that the secret is known to be right
                        values["pin_hash" if pin else "password_hash"] = hash_secret(pin or password or "")
                    if values:
                        conn.execute(desk.user.update().where(desk.user.c.user_id == user_id).values(**values))
        if failure is not None:
            raise failure
        return Operator(row.user_id, row.name, row.role)

    # ---- permissions ----
    @staticmethod
    def allowed(op: Operator | None, permission: str) -> bool:
        return op is not None and role_allows(op.role, permission)

    def approve(self, approver_id: str, secret: str, *, permission: str, operator: Operator, ref: str = "",
                detail: dict | None = None) -> Operator:
        """A supervisor approves `permission` for `operator`; logged as an override with both users."""
        is_pin = secret.isdigit() and 4 <= len(secret) <= 8
        approver = self._check(approver_id, None if is_pin else secret, secret if is_pin else None)
        if not role_allows(approver.role, permission):
            self.log("override_refused", operator.user_id, approver=approver.user_id, ref=ref,
                     detail={"permission": permission})
            raise AuthFailed("auth.not_allowed", f"{approver.name} 无权批准此操作",
                             f"{approver.name} may not approve this")
        self.log("override", operator.user_id, approver=approver.user_id, ref=ref,
                 detail={"permission": permission, **(detail or {})})
        return approver

    # ---- event log ----
    def log(self, kind: str, user_id: str | None, *, approver: str | None = None, ref: str = "",
            detail: dict | None = None) -> None:
        with self.wengine.begin() as conn:
            self._event(conn, kind, user_id, approver=approver, ref=ref, detail=detail)

    def _event(self, conn, kind: str, user_id: str | None, *, approver: str | None = None, ref: str = "",
               detail: dict | None = None) -> None:
        staff_journal.append(conn, desk.event, dict(
            at=self.clock(), kind=kind, user_id=user_id, approver_id=approver, ref=ref or None,
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str)))

    def events(self, kind: str | None = None) -> list[dict]:
        with self.engine.connect() as conn:
            stmt = select(desk.event).order_by(desk.event.c.id)
            if kind:
                stmt = stmt.where(desk.event.c.kind == kind)
            return [dict(r._mapping) | {"detail": json.loads(r.detail)} for r in conn.execute(stmt)]


__all__ = [
    "PERMISSIONS", "PIN_DIGITS", "RESTRICTED_WARN_RULES", "ROLES", "ROLE_NAMES", "Auth", "AuthFailed", "Operator",
    "hash_secret", "needs_rehash", "role_allows", "verify_secret", "warn_permission",
]
