"""Staff, roles, hashed secrets, lockout and logged supervisor approvals (core.services.auth)."""
from __future__ import annotations

import pytest

from core.services.auth import Auth, AuthFailed, hash_secret, role_allows, verify_secret, warn_permission
from core.store.db import open_store
from core.store.desk import ensure_desk_schema


@pytest.fixture
def auth(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    ensure_desk_schema(engine)
    a = Auth(engine)
    a.add_user("li", "李药师", "pharmacist", password="yaoshi123", pin="2468")
    a.add_user("zhang", "张主管", "supervisor", pin="135790")
    a.add_user("wang", "王营业员", "clerk", pin="1111")
    yield a
    engine.dispose()


def test_hash_is_salted_argon2id_and_verifies():
    h1, h2 = hash_secret("2468"), hash_secret("2468")
    assert h1 != h2 and h1.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_secret("2468", h1) and not verify_secret("2469", h1)
    assert not verify_secret("x", None) and not verify_secret("x", "garbage") and not verify_secret("x", "$argon2id$x")


def _scrypt(secret: str) -> str:
    """A hash as stored before argon2id (core.services.auth until 2026-12)."""
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _stored(auth, user: str) -> tuple[str, str]:
    with auth.engine.connect() as conn:
        return tuple(conn.exec_driver_sql(f"select pin_hash, password_hash from desk_user where user_id='{user}'").one())


def test_an_older_hash_logs_in_once_and_is_replaced_by_argon2id(auth):
    from core.store import desk

    with auth.engine.begin() as conn:
        conn.execute(desk.user.update().where(desk.user.c.user_id == "li")
                     .values(pin_hash=_scrypt("2468"), password_hash=_scrypt("yaoshi123")))
    with pytest.raises(AuthFailed):
        auth.login("li", pin="2469")
    assert _stored(auth, "li")[0].startswith("scrypt$")  # a wrong PIN replaces nothing
    assert auth.login("li", pin="2468").role == "pharmacist"
    pin_hash, password_hash = _stored(auth, "li")
    assert pin_hash.startswith("$argon2id$") and password_hash.startswith("scrypt$")  # the secret that was used
    assert verify_secret("2468", pin_hash) and auth.login("li", pin="2468")
    auth.login("li", password="yaoshi123")
    assert _stored(auth, "li")[1].startswith("$argon2id$")
    assert _stored(auth, "li")[0] == pin_hash  # current hashes are kept as they are


@pytest.mark.parametrize("role,pin,ok", [("supervisor", "13579", False), ("supervisor", "135790", True),
                                         ("admin", "9999", False), ("admin", "99999999", True),
                                         ("clerk", "1111", True), ("pharmacist", "246", False)])
def test_supervisors_and_admins_need_six_digits(auth, role, pin, ok):
    if ok:
        auth.add_user("x", "X", role, pin=pin)
        assert auth.login("x", pin=pin).role == role
        return
    with pytest.raises(ValueError) as e:
        auth.add_user("x", "X", role, pin=pin)
    assert "PIN" in str(e.value) and "位数字" in str(e.value)
    assert all(u.user_id != "x" for u in auth.users())  # nothing written


def test_login_by_password_or_pin_and_roles(auth):
    assert auth.login("li", password="yaoshi123").role == "pharmacist"
    assert auth.login("li", pin="2468").name == "李药师"
    with pytest.raises(AuthFailed) as e:
        auth.login("li", password="wrong-one")
    assert e.value.message.zh == "用户名或密码错误" and e.value.message.en == "wrong user or password"
    with pytest.raises(AuthFailed):
        auth.login("nobody", pin="1234")
    assert role_allows("pharmacist", "sale.settle") and not role_allows("clerk", "sale.settle")
    assert not role_allows("pharmacist", "receipt.reprint") and role_allows("supervisor", "receipt.reprint")
    assert warn_permission("TRC-001") == "warn.override.restricted" and warn_permission("QTY-002") == "warn.ack"
    kinds = [e["kind"] for e in auth.events()]
    assert kinds.count("login") == 2 and kinds.count("login_failed") == 2
    stored = auth.engine.connect().exec_driver_sql("select password_hash, pin_hash from desk_user where user_id='li'").one()
    assert "yaoshi123" not in stored[0] and "2468" not in stored[1]


def test_five_wrong_secrets_lock_the_user(auth):
    for _ in range(5):
        with pytest.raises(AuthFailed):
            auth.login("wang", pin="0000")
    with pytest.raises(AuthFailed) as e:
        auth.login("wang", pin="1111")
    assert e.value.message.key == "auth.locked"


def test_supervisor_approval_is_logged_with_both_users(auth):
    clerk = auth.login("wang", pin="1111")
    approver = auth.approve("zhang", "135790", permission="receipt.reprint", operator=clerk, ref="T01-1")
    assert approver.user_id == "zhang"
    event = auth.events("override")[-1]
    assert event["user_id"] == "wang" and event["approver_id"] == "zhang" and event["ref"] == "T01-1"
    assert event["detail"]["permission"] == "receipt.reprint"
    with pytest.raises(AuthFailed) as e:  # a pharmacist cannot approve a reprint
        auth.approve("li", "2468", permission="receipt.reprint", operator=clerk)
    assert e.value.message.key == "auth.not_allowed"
    assert auth.events("override_refused")


def test_user_validation(auth):
    with pytest.raises(ValueError):
        auth.add_user("x", "X", "boss", pin="1234")
    with pytest.raises(ValueError):
        auth.add_user("x", "X", "clerk", pin="12")
    with pytest.raises(ValueError):
        auth.add_user("x", "X", "clerk")
