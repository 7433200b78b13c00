"""Who may use the prescriber pages: staff of a hospital or clinic (server.permissions) with the doctor role
(server.staff) to prescribe on the form, or the pharmacist role to review clinics' prescriptions (远程审方,
/prescriber/review). Each page and call checks its role against the staff table (has_role), not the cookie: a
role taken away counts at once. The session cookie is the supervision screen's (server.supervision.auth: HMAC-signed claims,
HttpOnly, SameSite=Strict) under the form's own key, so neither application accepts the other's cookie."""
from __future__ import annotations

from sqlalchemy import Engine

from server.supervision.auth import LoginRefused, Viewer, issue, read, session_key

COOKIE = "ow_prescriber"
KEY_SETTING = "prescriber.session_key"
KINDS = ("hospital", "clinic")
ROLE = "doctor"
REVIEWER = "pharmacist"


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
    if not (who.has(ROLE) or who.has(REVIEWER)):
        raise LoginRefused("需要处方医师或审方药师角色 / the doctor or reviewing pharmacist role is required")
    return Viewer(who.institution, who.user_id, who.name, who.kind)


def has_role(engine: Engine, viewer: Viewer, role: str) -> bool:
    """Whether the logged-in person still holds `role` (active staff of that institution)."""
    from sqlalchemy import select

    from server.models import staff

    with engine.connect() as conn:
        row = conn.execute(select(staff.c.roles, staff.c.active).where(
            (staff.c.institution_code == viewer.institution) & (staff.c.user_id == viewer.user_id))).first()
    return bool(row and row.active and role in row.roles.split(","))


__all__ = ["COOKIE", "KINDS", "REVIEWER", "ROLE", "LoginRefused", "Viewer", "has_role", "issue", "key", "login", "read"]
