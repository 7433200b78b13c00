"""Dynamic e-voucher (医保电子凭证) QR payloads, issued and decoded by the centre.

The national QR is opaque and decoded online only (nhsa-interface.md §3). Ours has the same properties:

    NHSAEV1.<body>.<sig>

- body = base64url(nonce(12) + AES-256-GCM(json{"v":1,"p":person_no,"o":insuOrg,"iat","exp","jti"}))
  so the QR reveals nothing about the person;
- sig  = base64url(HMAC-SHA256(key, "NHSAEV1." + body)), checked first, so a forged or damaged code is
  refused without decrypting anything;
- exp  = issue time + TTL (default 180 s): an expired QR is refused with a clear message.

Decoding returns what the national decoder returns (ecToken, idNo, idType, userName, insuOrg, ecIndexNo,
gender, birthday); the ecToken is then the mdtrt_cert_no of 1101/2101/2102 with mdtrt_cert_type 01.
Decoding the same QR again gives the same ecToken.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, select

from server.envelope import PlatformError
from server.idempotency import _insert
from server.models import ec_token, setting

PREFIX = "NHSAEV1."
QR_TTL_SECONDS = 180
TOKEN_TTL_SECONDS = 4 * 3600
KEY_SETTING = "evoucher_key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key(conn: Connection) -> bytes:
    """The centre's e-voucher key (32 bytes), created on first use."""
    value = conn.execute(select(setting.c.value).where(setting.c.key == KEY_SETTING)).scalar()
    if value is None:
        conn.execute(_insert(conn, setting).values(key=KEY_SETTING, value=secrets.token_hex(32)).on_conflict_do_nothing())
        value = conn.execute(select(setting.c.value).where(setting.c.key == KEY_SETTING)).scalar()
    return bytes.fromhex(value)


def _keys(master: bytes) -> tuple[bytes, bytes]:
    enc = hmac.new(master, b"evoucher enc v1", hashlib.sha256).digest()
    mac = hmac.new(master, b"evoucher mac v1", hashlib.sha256).digest()
    return enc, mac


def issue(master: bytes, person_no: str, insu_org: str, now: int, ttl: int = QR_TTL_SECONDS) -> str:
    enc, mac = _keys(master)
    claims = {"v": 1, "p": person_no, "o": insu_org, "iat": now, "exp": now + ttl, "jti": secrets.token_hex(8)}
    nonce = os.urandom(12)
    body = _b64(nonce + AESGCM(enc).encrypt(nonce, json.dumps(claims, separators=(",", ":")).encode(), PREFIX.encode()))
    sig = _b64(hmac.new(mac, (PREFIX + body).encode(), hashlib.sha256).digest())
    return f"{PREFIX}{body}.{sig}"


def read(master: bytes, qr: str, now: int) -> dict:
    """The claims of a genuine, unexpired payload; PlatformError with a clear reason otherwise."""
    qr = (qr or "").strip()
    if not qr.startswith(PREFIX):
        raise PlatformError("not an e-voucher QR code (医保电子凭证): it must start with NHSAEV1.")
    parts = qr[len(PREFIX):].split(".")
    if len(parts) != 2 or not all(parts):
        raise PlatformError("e-voucher QR is damaged: expected NHSAEV1.<body>.<signature>")
    body, sig = parts
    enc, mac = _keys(master)
    try:
        given = _unb64(sig)
        raw = _unb64(body)
    except (ValueError, TypeError):
        raise PlatformError("e-voucher QR is damaged: not base64url") from None
    expected = hmac.new(mac, (PREFIX + body).encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise PlatformError("e-voucher QR refused: the signature is not the centre's (forged or altered code)")
    try:
        claims = json.loads(AESGCM(enc).decrypt(raw[:12], raw[12:], PREFIX.encode()))
    except (InvalidTag, ValueError):
        raise PlatformError("e-voucher QR refused: the content cannot be read (forged or altered code)") from None
    if int(claims.get("exp", 0)) < now:
        raise PlatformError(
            f"e-voucher QR expired {now - int(claims['exp'])} s ago: ask the person to refresh the code in the app "
            "(a QR is valid for a few minutes and is never queued)"
        )
    return claims


def token_for(conn: Connection, claims: dict, now: int) -> tuple[str, bool]:
    """The ecToken for this QR (same QR -> same token); True when it was created now."""
    row = conn.execute(select(ec_token.c.token).where(ec_token.c.jti == claims["jti"])).first()
    if row is not None:
        return row.token, False
    token = "ECT" + secrets.token_hex(16).upper()
    conn.execute(
        ec_token.insert().values(
            token=token, jti=claims["jti"], person_no=claims["p"], issued_at=now, expires_at=now + TOKEN_TTL_SECONDS
        )
    )
    return token, True


def person_for_token(conn: Connection, token: str, now: int) -> str:
    row = conn.execute(select(ec_token.c.person_no, ec_token.c.expires_at).where(ec_token.c.token == token)).first()
    if row is None:
        raise PlatformError("unknown ecToken: decode the person's e-voucher QR first (ec.query)")
    if row.expires_at < now:
        raise PlatformError("ecToken expired: scan the person's e-voucher QR again")
    return row.person_no
