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
    a.add_user("zhang", "张主管", "supervisor", pin="1357")
    a.add_user("wang", "王营业员", "clerk", pin="1111")
    yield a
    engine.dispose()


def test_hash_is_salted_scrypt_and_verifies():
    h1, h2 = hash_secret("2468"), hash_secret("2468")
    assert h1 != h2 and h1.startswith("scrypt$16384$8$1$")
    assert verify_secret("2468", h1) and not verify_secret("2469", h1)
    assert not verify_secret("x", None) and not verify_secret("x", "garbage")


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
    approver = auth.approve("zhang", "1357", permission="receipt.reprint", operator=clerk, ref="T01-1")
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
