"""Gateway-style signed headers, one shared secret per institution.

Header names follow the TIF gateway (nhsa-interface.md §1.1, style B) so a regional gateway's proxy can
pass them through:

    x-tif-paasid     institution code (= envelope fixmedins_code)
    x-tif-timestamp  Unix seconds; refused when more than WINDOW seconds from the centre's clock
    x-tif-nonce      random, 16–64 characters; a nonce seen before from the same institution is refused
    x-tif-signature  hex HMAC-SHA256(secret, timestamp "\n" nonce "\n" paasid "\n" sha256hex(body))

Unlike the national TIF digest (which covers only timestamp, token and nonce), the signature covers the
body, so a captured request cannot be altered. `sign_headers` is what a client calls; it is pure and has
no server imports, so core/sync can use the same 10 lines.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets
import time
from typing import Mapping

from server.envelope import AuthError

WINDOW_SECONDS = 300
H_PAASID = "x-tif-paasid"
H_TIMESTAMP = "x-tif-timestamp"
H_NONCE = "x-tif-nonce"
H_SIGNATURE = "x-tif-signature"


def new_secret() -> str:
    return _secrets.token_hex(32)


def _message(timestamp: str, nonce: str, paasid: str, body: bytes) -> bytes:
    return "\n".join((timestamp, nonce, paasid, hashlib.sha256(body).hexdigest())).encode()


def signature(secret: str, timestamp: str, nonce: str, paasid: str, body: bytes) -> str:
    return hmac.new(secret.encode(), _message(timestamp, nonce, paasid, body), hashlib.sha256).hexdigest()


def sign_headers(code: str, secret: str, body: bytes, *, now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    ts = str(int(time.time() if now is None else now))
    nonce = nonce or _secrets.token_hex(16)
    return {
        H_PAASID: code,
        H_TIMESTAMP: ts,
        H_NONCE: nonce,
        H_SIGNATURE: signature(secret, ts, nonce, code, body),
        "content-type": "application/json",
    }


def has_signature(headers: Mapping[str, str]) -> bool:
    return any(headers.get(h) for h in (H_PAASID, H_TIMESTAMP, H_NONCE, H_SIGNATURE))


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret_for,
    *,
    now: float,
    window: int = WINDOW_SECONDS,
) -> tuple[str, str, int]:
    """Check the headers; return (institution code, nonce, timestamp). The nonce is checked by the caller
    in the database, inside the request's transaction."""
    paasid = headers.get(H_PAASID, "")
    ts = headers.get(H_TIMESTAMP, "")
    nonce = headers.get(H_NONCE, "")
    sig = headers.get(H_SIGNATURE, "")
    missing = [h for h, v in ((H_PAASID, paasid), (H_TIMESTAMP, ts), (H_NONCE, nonce), (H_SIGNATURE, sig)) if not v]
    if missing:
        raise AuthError(f"unsigned request: missing header(s) {', '.join(missing)}")
    if not ts.isdigit():
        raise AuthError(f"{H_TIMESTAMP} must be Unix seconds, got {ts[:20]!r}")
    skew = int(ts) - int(now)
    if abs(skew) > window:
        raise AuthError(
            f"stale or future timestamp: {abs(skew)} s {'ahead of' if skew > 0 else 'behind'} the centre's clock "
            f"(allowed {window} s); check the terminal's clock (NTP)"
        )
    if not (16 <= len(nonce) <= 64) or not nonce.isascii():
        raise AuthError(f"{H_NONCE} must be 16–64 ASCII characters")
    secret = secret_for(paasid)
    if secret is None:
        raise AuthError(f"unknown or inactive institution {paasid!r}")
    expected = signature(secret, ts, nonce, paasid, body)
    if not hmac.compare_digest(expected, sig.lower()):
        raise AuthError("bad signature: the request was not signed with this institution's secret or was altered")
    return paasid, nonce, int(ts)
