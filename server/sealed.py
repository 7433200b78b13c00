"""Secrets the centre keeps at rest, sealed with keys derived from the data key (core.store.crypto; the key is
never in the database): stored answers (centre_message.response hold full ID numbers and names of 1101/2102
answers) and institution signing secrets.

    seal(text, "answer") -> "v1:" + base64(nonce | AES-256-GCM(text))      open_text(value, "answer") -> text

AES-GCM with a random 96-bit nonce per value, the purpose as associated data (an answer cannot be passed off as
a secret). A value without the "v1:" prefix is a row from before sealing and is returned as it is, so older
databases keep working; `onewindow seed` seals institution secrets it finds in plain text.
"""
from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1:"
REDUCED = "v1r:"  # the same sealing, marking a stored answer already reduced (server.idempotency.reduce_old_answers)
_keys: dict[str, tuple[object, AESGCM]] = {}


class SealError(RuntimeError):
    """A sealed value cannot be opened with this data key (wrong key, or the value was altered)."""


def _aead(purpose: str) -> AESGCM:
    from server.people import cipher

    c = cipher()
    hit = _keys.get(purpose)
    if hit is None or hit[0] is not c:  # follows a new data key (tests, key rotation)
        hit = (c, AESGCM(c.derive_key(f"onewindow centre sealed {purpose} v1")))
        _keys[purpose] = hit
    return hit[1]


def seal(text: str, purpose: str, *, prefix: str = PREFIX) -> str:
    nonce = os.urandom(12)
    ct = _aead(purpose).encrypt(nonce, text.encode("utf-8"), purpose.encode())
    return prefix + base64.b64encode(nonce + ct).decode("ascii")


def is_sealed(value: str | None) -> bool:
    return bool(value) and (value.startswith(PREFIX) or value.startswith(REDUCED))


def open_text(value: str, purpose: str) -> str:
    if not is_sealed(value):
        return value
    raw = base64.b64decode(value.split(":", 1)[1])
    try:
        return _aead(purpose).decrypt(raw[:12], raw[12:], purpose.encode()).decode("utf-8")
    except InvalidTag as exc:
        raise SealError(f"a sealed {purpose} cannot be opened with this data key (wrong key or altered)") from exc


__all__ = ["PREFIX", "REDUCED", "SealError", "is_sealed", "open_text", "seal"]
