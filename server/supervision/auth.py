"""Who may see the supervision screen: staff of an agency (经办机构) or supervisor (监管部门) institution holding the
read-only supervisor role (server.staff, server.permissions). One FastAPI dependency, `viewer`, guards every
page and API route.

Login checks the password with server.staff.login (argon2id, lock-out after repeated failures) and hands out a
session cookie: base64url(JSON claims) "." HMAC-SHA256 under a key kept in centre_setting (made on first use,
the same for every worker process). The cookie is HttpOnly and SameSite=Strict, and expires after
SESSION_SECONDS; nothing about the session is kept at the centre.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from server.db import transaction
from server.models import setting

COOKIE = "ow_supervision"
SESSION_SECONDS = 8 * 3600
KEY_SETTING = "supervision.session_key"
KINDS = ("agency", "supervisor")
ROLE = "supervisor"


class LoginRefused(Exception):
    """Wrong password, locked, or not a supervisor of an agency/supervisor institution (zh + en message)."""


@dataclass(frozen=True)
class Viewer:
    institution: str
    user_id: str
    name: str
    kind: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.institution}/{self.user_id}）"


def session_key(engine: Engine, setting_key: str = KEY_SETTING) -> bytes:
    """The cookie key, made by the first process that needs it (a worker that loses the race reads the winner's).
    Another web application of the centre (the prescriber form) passes its own `setting_key`: a cookie of one is
    never accepted by the other."""
    for _ in range(2):
        try:
            with transaction(engine) as conn:
                value = conn.execute(select(setting.c.value).where(setting.c.key == setting_key)).scalar()
                if value is None:
                    value = secrets.token_hex(32)
                    conn.execute(setting.insert().values(key=setting_key, value=value))
            return bytes.fromhex(value)
        except IntegrityError:
            continue
    raise RuntimeError("could not create the supervision session key")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def issue(key: bytes, viewer: Viewer, now: float | None = None) -> str:
    claims = {"i": viewer.institution, "u": viewer.user_id, "n": viewer.name, "k": viewer.kind,
              "exp": int((now or time.time()) + SESSION_SECONDS)}
    body = _b64(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode())
    return body + "." + _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def read(key: bytes, token: str | None, now: float | None = None) -> Viewer | None:
    if not token or token.count(".") != 1:
        return None
    body, mac = token.split(".")
    if not hmac.compare_digest(mac, _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if int(claims.get("exp", 0)) < (now or time.time()):
        return None
    return Viewer(claims["i"], claims["u"], claims["n"], claims["k"])


def login(engine: Engine, institution: str, user_id: str, password: str) -> Viewer:
    """The viewer for these credentials, or LoginRefused saying why (Chinese first)."""
    if not institution.strip() or not user_id.strip() or not password:
        raise LoginRefused("请填写机构编码、用户名和密码 / institution, user and password are required")
    from server import staff

    try:
        who = staff.login(engine, institution.strip(), user_id.strip(), password)
    except staff.StaffAuthError as exc:
        raise LoginRefused(exc.err_msg) from None
    if who.kind not in KINDS:
        raise LoginRefused("智慧监管仅限经办机构或监管部门人员 / the supervision screen is for agency or supervisor staff")
    if not who.has(ROLE):
        raise LoginRefused("需要监管员角色 / the supervisor role is required")
    return Viewer(who.institution, who.user_id, who.name, who.kind)


def viewer(request: Request) -> Viewer:
    """FastAPI dependency: the logged-in viewer, or 401 (a page redirects to the login form instead)."""
    state = request.app.state.supervision
    found = read(state.session_key, request.cookies.get(COOKIE))
    if found is None:
        raise HTTPException(status_code=401, detail="请先登录 / please log in")
    return found


__all__ = ["COOKIE", "LoginRefused", "Viewer", "issue", "login", "read", "session_key", "viewer"]
