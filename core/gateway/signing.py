"""Gateway signing styles, both sides (nhsa-interface.md §1.1). Pure functions: the client signs, the centre checks.

    ow   ours: x-tif-paasid / x-tif-timestamp (s) / x-tif-nonce / x-tif-signature =
         hex HMAC-SHA256(secret, timestamp "\\n" nonce "\\n" paasid "\\n" sha256hex(body)) — covers the body
    tif  TIF gateway (Hebei "ebus", the NHSA portal): the same four headers, x-tif-signature =
         hex SHA-256(timestamp + token + nonce + timestamp), token = the shared secret — does NOT cover the body
    csb  CSB gateway: _api_name, _api_version, _api_timestamp (ms), _api_access_key, _api_signature =
         Base64(HMAC-SHA1(secret, "k=v&…" of the four _api_* parameters sorted by name)) — no nonce, no body

The paasid / access key is the institution code. A secret never appears in a header, an error or a log line.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _secrets
import time
from dataclasses import dataclass
from typing import Mapping

STYLES = ("ow", "tif", "csb")
H_PAASID, H_TIMESTAMP, H_NONCE, H_SIGNATURE = "x-tif-paasid", "x-tif-timestamp", "x-tif-nonce", "x-tif-signature"
CSB_NAME, CSB_VERSION, CSB_TIMESTAMP, CSB_KEY, CSB_SIGNATURE = (
    "_api_name", "_api_version", "_api_timestamp", "_api_access_key", "_api_signature")
CSB_PARAMS = (CSB_NAME, CSB_VERSION, CSB_TIMESTAMP, CSB_KEY)


class SignatureError(ValueError):
    """Headers missing, stale, malformed or not signed with the institution's secret (zh / en)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


# ---- the digests --------------------------------------------------------------------------------------------
def ow_signature(secret: str, timestamp: str, nonce: str, paasid: str, body: bytes) -> str:
    message = "\n".join((timestamp, nonce, paasid, hashlib.sha256(body).hexdigest())).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def tif_signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


def csb_signature(secret: str, params: Mapping[str, str]) -> str:
    text = "&".join(f"{k}={params[k]}" for k in sorted(CSB_PARAMS))
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()


# ---- client side --------------------------------------------------------------------------------------------
def sign(style: str, code: str, secret: str, body: bytes, *, now: float | None = None, nonce: str | None = None,
         api_name: str = "callService", api_version: str = "1.0.0") -> dict[str, str]:
    """The headers of one request in `style`."""
    t = time.time() if now is None else now
    if style == "csb":
        params = {CSB_NAME: api_name, CSB_VERSION: api_version, CSB_TIMESTAMP: str(int(t * 1000)), CSB_KEY: code}
        return {**params, CSB_SIGNATURE: csb_signature(secret, params), "content-type": "application/json"}
    ts = str(int(t))
    nonce = nonce or _secrets.token_hex(16)
    if style == "tif":
        sig = tif_signature(secret, ts, nonce)
    elif style == "ow":
        sig = ow_signature(secret, ts, nonce, code, body)
    else:
        raise ValueError(f"unknown signing style {style!r} (known: {', '.join(STYLES)})")
    return {H_PAASID: code, H_TIMESTAMP: ts, H_NONCE: nonce, H_SIGNATURE: sig, "content-type": "application/json"}


# ---- centre side --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signed:
    code: str
    nonce: str  # what the centre records against replay (CSB has none: its signature stands in)
    timestamp: int  # Unix seconds
    style: str


def has_signature(headers: Mapping[str, str]) -> bool:
    return any(headers.get(h) for h in (H_PAASID, H_TIMESTAMP, H_NONCE, H_SIGNATURE, CSB_KEY, CSB_SIGNATURE))


def claimed_code(headers: Mapping[str, str]) -> str:
    return headers.get(CSB_KEY) or headers.get(H_PAASID) or ""


def _fresh(ts: int, now: float, window: int) -> None:
    skew = ts - int(now)
    if abs(skew) > window:
        ahead = skew > 0
        raise SignatureError(
            f"时间戳{'超前' if ahead else '落后'}中心时钟 {abs(skew)} 秒（允许 {window} 秒），请校准终端时间",
            f"stale or future timestamp: {abs(skew)} s {'ahead of' if ahead else 'behind'} the centre's clock "
            f"(allowed {window} s); check the terminal's clock (NTP)")


def verify(headers: Mapping[str, str], body: bytes, secret: str | None, styles: tuple[str, ...], *, now: float,
           window: int) -> Signed:
    """Check a request against every style the institution may use; the first that matches wins."""
    if headers.get(CSB_KEY) or headers.get(CSB_SIGNATURE):
        return _verify_csb(headers, secret, styles, now=now, window=window)
    paasid, ts, nonce, sig = (headers.get(h, "") for h in (H_PAASID, H_TIMESTAMP, H_NONCE, H_SIGNATURE))
    missing = [h for h, v in ((H_PAASID, paasid), (H_TIMESTAMP, ts), (H_NONCE, nonce), (H_SIGNATURE, sig)) if not v]
    if missing:
        raise SignatureError(f"请求未签名：缺少 {', '.join(missing)}", f"unsigned request: missing header(s) {', '.join(missing)}")
    if not ts.isdigit():
        raise SignatureError(f"{H_TIMESTAMP} 应为 Unix 秒", f"{H_TIMESTAMP} must be Unix seconds, got {ts[:20]!r}")
    _fresh(int(ts), now, window)
    if not (16 <= len(nonce) <= 64) or not nonce.isascii():
        raise SignatureError(f"{H_NONCE} 应为 16–64 个 ASCII 字符", f"{H_NONCE} must be 16–64 ASCII characters")
    if secret is None:
        raise SignatureError(f"机构 {paasid!r} 不存在或已停用", f"unknown or inactive institution {paasid!r}")
    given = sig.lower()
    if "ow" in styles and hmac.compare_digest(ow_signature(secret, ts, nonce, paasid, body), given):
        return Signed(paasid, nonce, int(ts), "ow")
    if "tif" in styles and hmac.compare_digest(tif_signature(secret, ts, nonce), given):
        return Signed(paasid, nonce, int(ts), "tif")
    raise SignatureError(
        f"签名错误：未用本机构的密钥签名（本机构可用签名方式：{'/'.join(styles)}）或报文被改动",
        f"bad signature: the request was not signed with this institution's secret in an allowed style "
        f"({'/'.join(styles)}) or was altered")


def _verify_csb(headers: Mapping[str, str], secret: str | None, styles: tuple[str, ...], *, now: float,
                window: int) -> Signed:
    params = {k: headers.get(k, "") for k in CSB_PARAMS}
    sig = headers.get(CSB_SIGNATURE, "")
    missing = [k for k, v in {**params, CSB_SIGNATURE: sig}.items() if not v]
    if missing:
        raise SignatureError(f"CSB 签名缺少 {', '.join(missing)}", f"CSB signature: missing header(s) {', '.join(missing)}")
    if "csb" not in styles:
        raise SignatureError(f"本机构不使用 CSB 签名（可用：{'/'.join(styles)}）",
                             f"this institution does not sign CSB style (allowed: {'/'.join(styles)})")
    if not params[CSB_TIMESTAMP].isdigit():
        raise SignatureError(f"{CSB_TIMESTAMP} 应为 Unix 毫秒", f"{CSB_TIMESTAMP} must be Unix milliseconds")
    ts = int(params[CSB_TIMESTAMP]) // 1000
    _fresh(ts, now, window)
    if secret is None:
        raise SignatureError(f"机构 {params[CSB_KEY]!r} 不存在或已停用", f"unknown or inactive institution {params[CSB_KEY]!r}")
    if not hmac.compare_digest(csb_signature(secret, params), sig):
        raise SignatureError("CSB 签名错误：未用本机构的密钥签名", "bad CSB signature: not signed with this institution's secret")
    return Signed(params[CSB_KEY], f"csb:{sig}"[:64], ts, "csb")


__all__ = ["STYLES", "SignatureError", "Signed", "claimed_code", "csb_signature", "has_signature", "ow_signature",
           "sign", "tif_signature", "verify"]
