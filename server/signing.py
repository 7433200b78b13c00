"""Gateway-style signed headers, one shared secret per institution.

Header names follow the TIF gateway (nhsa-interface.md §1.1, style B) so a regional gateway's proxy can
pass them through:

    x-tif-paasid     institution code (= envelope fixmedins_code)
    x-tif-timestamp  Unix seconds; refused when more than WINDOW seconds from the centre's clock
    x-tif-nonce      random, 16–64 characters; a nonce seen before from the same institution is refused
    x-tif-signature  hex HMAC-SHA256(secret, timestamp "\n" nonce "\n" paasid "\n" sha256hex(body))

Unlike the national TIF digest (which covers only timestamp, token and nonce), the signature covers the
body, so a captured request cannot be altered. An institution may instead (or also) be configured for the TIF or
CSB styles of real gateways (centre setting `signing.<code>`, e.g. "ow,tif"; core.gateway.signing has all three).
"""
from __future__ import annotations

import secrets as _secrets
from typing import Mapping

from core.gateway import signing as styles
from server.envelope import AuthError

WINDOW_SECONDS = 300
H_PAASID = "x-tif-paasid"
H_TIMESTAMP = "x-tif-timestamp"
H_NONCE = "x-tif-nonce"
H_SIGNATURE = "x-tif-signature"


def new_secret() -> str:
    return _secrets.token_hex(32)


def signature(secret: str, timestamp: str, nonce: str, paasid: str, body: bytes) -> str:
    return styles.ow_signature(secret, timestamp, nonce, paasid, body)


def sign_headers(code: str, secret: str, body: bytes, *, now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    return styles.sign("ow", code, secret, body, now=now, nonce=nonce)


def has_signature(headers: Mapping[str, str]) -> bool:
    return styles.has_signature(headers)


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret_for,
    *,
    now: float,
    window: int = WINDOW_SECONDS,
    styles_for=lambda code: ("ow",),
) -> tuple[str, str, int]:
    """Check the headers in any style the institution may use (core.gateway.signing); return (institution code,
    nonce, timestamp). The nonce is checked by the caller in the database, inside the request's transaction."""
    _check_header_values(headers)
    code = styles.claimed_code(headers)
    try:
        signed = styles.verify(headers, body, secret_for(code) if code else None, tuple(styles_for(code)),
                               now=now, window=window)
    except styles.SignatureError as exc:
        raise AuthError(f"{exc.zh} / {exc.en}") from None
    except (ValueError, OverflowError, UnicodeError) as exc:  # e.g. a timestamp of 5,000 digits
        raise AuthError(f"签名头格式错误 / malformed signature header: {str(exc)[:100]}") from None
    return signed.code, signed.nonce, signed.timestamp


MAX_HEADER_CHARS = 256  # every signature header value is far shorter (a 64-hex signature is the longest)


def _check_header_values(headers: Mapping[str, str]) -> None:
    """Signature headers are short printable ASCII; anything else is refused before it is parsed."""
    for name, value in headers.items():
        if not name.lower().startswith("x-"):
            continue
        if len(value) > MAX_HEADER_CHARS or not value.isascii() or not value.isprintable():
            raise AuthError(f"签名头 {name} 过长或含非 ASCII 字符 / header {name} is too long or not printable "
                            "ASCII")
