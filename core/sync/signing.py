"""Gateway-style signed headers, client side (the TIF header names of nhsa-interface.md §1.1, style B).

    x-tif-paasid     institution code (= envelope fixmedins_code)
    x-tif-timestamp  Unix seconds
    x-tif-nonce      random hex, 32 characters, new for every request (also for a repeated msgid)
    x-tif-signature  hex HMAC-SHA256(secret, timestamp "\\n" nonce "\\n" paasid "\\n" sha256hex(body))

The signature covers the body, so a captured request cannot be altered. The centre refuses a timestamp more
than its window away from its clock and any nonce it has seen before.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

H_PAASID = "x-tif-paasid"
H_TIMESTAMP = "x-tif-timestamp"
H_NONCE = "x-tif-nonce"
H_SIGNATURE = "x-tif-signature"


def signature(secret: str, timestamp: str, nonce: str, paasid: str, body: bytes) -> str:
    message = "\n".join((timestamp, nonce, paasid, hashlib.sha256(body).hexdigest())).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_headers(paasid: str, secret: str, body: bytes, *, now: float | None = None,
                 nonce: str | None = None) -> dict[str, str]:
    ts = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_hex(16)
    return {
        H_PAASID: paasid,
        H_TIMESTAMP: ts,
        H_NONCE: nonce,
        H_SIGNATURE: signature(secret, ts, nonce, paasid, body),
        "content-type": "application/json",
    }


__all__ = ["H_NONCE", "H_PAASID", "H_SIGNATURE", "H_TIMESTAMP", "sign_headers", "signature"]
