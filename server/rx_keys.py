"""The centre's prescription-signing key (Ed25519, core.rx.signature).

Made by the first process that needs it and kept in centre_setting sealed with the data key (server.sealed, purpose
"rx-sign": the private key is never in the database in clear). Pharmacies receive the public key with every
sign-in (9001 `rx_sign_keys`) and keep it, so they can check a cached prescription while the centre is down.
A key that replaced an older one (rotation: a new `rx.sign_key`, the old one moved to `rx.sign_key.<kid>`) still
verifies what it signed; this module hands out every public key it holds.
"""
from __future__ import annotations

import base64
import os

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from core.rx.signature import key_id, public_key_of
from server import sealed
from server.db import transaction
from server.models import setting

KEY_SETTING = "rx.sign_key"
PURPOSE = "rx-sign"


def private_key(engine: Engine) -> bytes:
    for _ in range(2):
        try:
            with transaction(engine) as conn:
                value = conn.execute(select(setting.c.value).where(setting.c.key == KEY_SETTING)).scalar()
                if value is None:
                    raw = os.urandom(32)
                    conn.execute(setting.insert().values(key=KEY_SETTING, value=sealed.seal(raw.hex(), PURPOSE)))
                    return raw
            return bytes.fromhex(sealed.open_text(value, PURPOSE))
        except IntegrityError:  # another process made it first: read theirs
            continue
    raise RuntimeError("could not create the prescription-signing key")


def centre_key(centre) -> bytes:
    """The key, read once per process. server.app reads it when the app is made, outside any transaction: made
    inside a handler's transaction, its own write would wait on that transaction's lock (SQLite)."""
    key = getattr(centre, "_rx_sign_key", None)
    if key is None:
        key = private_key(centre.engine)
        centre._rx_sign_key = key
    return key


def public_keys(centre) -> list[dict]:
    """[{kid, alg, key (base64 raw)}] for the current key (old keys would follow it)."""
    pub = public_key_of(centre_key(centre))
    return [{"kid": key_id(pub), "alg": "Ed25519", "key": base64.b64encode(pub).decode()}]


def keys_by_id(items: list[dict]) -> dict[str, bytes]:
    """The `rx_sign_keys` list of a 9001 answer as the {kid: raw key} core.rx.signature.verify takes."""
    return {str(k["kid"]): base64.b64decode(k["key"]) for k in items if k.get("alg") == "Ed25519"}
