"""Our signed headers (style `ow`), under the names the sync layer and its tests have used; every style (ours, TIF,
CSB) lives in core.gateway.signing and the transport signs with the one its interface profile names."""
from __future__ import annotations

from core.gateway.signing import H_NONCE, H_PAASID, H_SIGNATURE, H_TIMESTAMP, sign
from core.gateway.signing import ow_signature as signature


def sign_headers(paasid: str, secret: str, body: bytes, *, now: float | None = None,
                 nonce: str | None = None) -> dict[str, str]:
    return sign("ow", paasid, secret, body, now=now, nonce=nonce)


__all__ = ["H_NONCE", "H_PAASID", "H_SIGNATURE", "H_TIMESTAMP", "sign_headers", "signature"]
