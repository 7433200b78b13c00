"""Who may prescribe on the form: staff with the doctor role (server.staff) of a hospital or clinic
(server.permissions). The session cookie is the supervision screen's (server.supervision.auth: HMAC-signed claims,
HttpOnly, SameSite=Strict) under the form's own key, so neither application accepts the other's cookie."""
from __future__ import annotations

from sqlalchemy import Engine

from server.supervision.auth import LoginRefused, Viewer, issue, read, session_key

COOKIE = "ow_prescriber"
KEY_SETTING = "prescriber.session_key"
KINDS = ("hospital", "clinic")
ROLE = "doctor"


def key(engine: Engine) -> bytes:
    return session_key(engine, KEY_SETTING)


def login(engine: Engine, institution: str, user_id: str, password: str) -> Viewer:
    if not institution.strip() or not user_id.strip() or not password:
        raise LoginRefused("请填写机构编码、用户名和密码 / institution, user and password are required")
    from server import staff

    try:
        who = staff.login(engine, institution.strip(), user_id.strip(), password)
    except staff.StaffAuthError as exc:
        raise LoginRefused(exc.err_msg) from None
    if who.kind not in KINDS:
        raise LoginRefused("处方开具仅限定点医院或诊所的医生 / prescribing is for doctors of designated hospitals and "
                           "clinics")
    if not who.has(ROLE):
        raise LoginRefused("需要处方医师角色 / the doctor role is required")
    return Viewer(who.institution, who.user_id, who.name, who.kind)


__all__ = ["COOKIE", "KINDS", "LoginRefused", "Viewer", "issue", "key", "login", "read"]
