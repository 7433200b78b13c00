"""The centre's signature on a circulating prescription, and its check at the pharmacy.

The centre signs, at upload, the fields a pharmacy dispenses from — who prescribed where and when, for whom, the
validity, the diagnosis, every drug line with its sig — and the pre-audit's verdict with the doctor's
acknowledgement (server/transactions/eprescription.py). A pharmacy holds the centre's public key (handed out with
sign-in, 9001) and checks the prescription it downloads or takes from its cache: a changed dose, an added line, a
moved date or a signature made with another key is refused (RxSignatureError, Chinese first).

Ed25519 over canonical JSON (sorted keys, no spaces, UTF-8) of `signed_document(payload)`: the same function on
both sides, so both compute the same bytes.

    sig = sign(private_key_bytes, payload)   -> {"alg": "Ed25519", "kid": "…", "sig": "base64"}
    verify({**payload, "signature": sig}, {kid: public_key_bytes})   # raises RxSignatureError
"""
from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG = "Ed25519"
QR_PREFIX = "OWRX1."
INFO_FIELDS = ("hi_rxno", "hosp_rxno", "psn_no", "fixmedins_code", "fixmedins_name", "prsc_dr_name", "prsc_dept_name",
               "rx_date", "valid_end_date", "rx_type", "med_type", "dise_codg", "dise_name", "diag_codes")
LINE_FIELDS = ("medins_list_codg", "med_list_codg", "drug_name", "cnt", "prd_days", "sin_dos_dscr", "used_frqu_dscr",
               "medc_way_dscr")


class RxSignatureError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def _num(value: Any) -> str:
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)


def signed_document(payload: Mapping[str, Any]) -> dict:
    info = payload.get("rxinfo") or {}
    lines = payload.get("rxdrugdetail") or []
    doc_info = {k: info.get(k, "") for k in INFO_FIELDS}
    doc_info["diag_codes"] = list(info.get("diag_codes") or [])
    if payload.get("fills"):  # a 附件3 continuous prescription: how many pickups it allows is signed too
        doc_info["fills"] = _num(payload["fills"])
    doc_lines = []
    for line in lines:
        d = {k: line.get(k, "") for k in LINE_FIELDS}
        d["cnt"], d["prd_days"] = _num(d["cnt"]), _num(d["prd_days"])
        doc_lines.append(d)
    pre = payload.get("preaudit") or {}
    return {"v": 1, "rx": doc_info, "lines": doc_lines,
            "preaudit": {"verdict": pre.get("verdict", ""), "rules": sorted(pre.get("rules") or []),
                         "ack": pre.get("ack") or None}}


def canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(signed_document(payload), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def public_key_of(private_key: bytes) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(private_key: bytes, payload: Mapping[str, Any]) -> dict:
    sig = Ed25519PrivateKey.from_private_bytes(private_key).sign(canonical(payload))
    return {"alg": ALG, "kid": key_id(public_key_of(private_key)), "sig": base64.b64encode(sig).decode()}


def _qr_body(payload: Mapping[str, Any]) -> str:
    info = payload.get("rxinfo") or {}
    digest = hashlib.sha256(canonical(payload)).hexdigest()[:32]
    return "|".join((str(info.get("hi_rxno") or ""), str(info.get("psn_no") or ""), str(info.get("valid_end_date") or ""),
                     _num(payload.get("fills") or 1), digest))


def qr_text(payload: Mapping[str, Any], private_key: bytes) -> str:
    """The QR printed on a 附件3 form, short enough for a small code on the slip: the prescription number, the
    patient, the validity, the pickups and a digest of the whole signed prescription, signed by the centre.
    OWRX1.<hi_rxno>|<psn_no>|<valid_end_date>|<fills>|<digest>.<kid>.<signature>"""
    body = _qr_body(payload)
    key = Ed25519PrivateKey.from_private_bytes(private_key)
    sig = base64.urlsafe_b64encode(key.sign(body.encode())).decode().rstrip("=")
    return f"{QR_PREFIX}{body}.{key_id(public_key_of(private_key))}.{sig}"


def read_qr(text: str, keys: Mapping[str, bytes]) -> dict:
    """What a 附件3 QR says — {hi_rxno, psn_no, valid_end_date, fills, digest} — or RxSignatureError (not ours,
    damaged, altered or forged). `matches(qr, payload)` then ties it to the downloaded prescription."""
    text = text.strip()
    if not text.startswith(QR_PREFIX):
        raise RxSignatureError("这不是连续处方（附件3）的二维码", "not the QR of a continuous prescription (附件3)")
    try:
        body, kid, sig = text[len(QR_PREFIX):].rsplit(".", 2)
        hi_rxno, psn_no, valid, fills, digest = body.split("|")
        raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    except ValueError:
        raise RxSignatureError("连续处方二维码已损坏，无法读取", "the QR is damaged") from None
    key = keys.get(kid)
    if key is None:
        raise RxSignatureError("处方签名密钥未知（非本中心签发），不能调剂", f"signing key {kid!r} is not the centre's")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(raw, body.encode())
    except (InvalidSignature, ValueError):
        raise RxSignatureError("处方签名校验失败：内容被改动或签名伪造，不能调剂",
                               "signature check failed: the QR was altered or the signature forged") from None
    return {"hi_rxno": hi_rxno, "psn_no": psn_no, "valid_end_date": valid, "fills": fills, "digest": digest}


def matches(qr: Mapping[str, Any], payload: Mapping[str, Any]) -> bool:
    """Whether a read QR belongs to exactly this (signed) prescription."""
    return _qr_body(payload).split("|")[-1] == qr.get("digest") and \
        str((payload.get("rxinfo") or {}).get("hi_rxno")) == qr.get("hi_rxno")


def _check(body: bytes, sig: Any, keys: Mapping[str, bytes]) -> None:
    if not isinstance(sig, Mapping) or not sig.get("sig"):
        raise RxSignatureError("处方未签名，不能调剂", "the prescription carries no signature")
    if sig.get("alg") != ALG:
        raise RxSignatureError(f"处方签名算法 {sig.get('alg')!r} 不受支持", f"signature algorithm {sig.get('alg')!r} "
                               "is not supported")
    key = keys.get(str(sig.get("kid") or ""))
    if key is None:
        raise RxSignatureError("处方签名密钥未知（非本中心签发），不能调剂",
                               f"signing key {sig.get('kid')!r} is not the centre's: refused")
    try:
        raw = base64.b64decode(str(sig["sig"]), validate=True)
        Ed25519PublicKey.from_public_bytes(key).verify(raw, body)
    except (InvalidSignature, ValueError):
        raise RxSignatureError("处方签名校验失败：内容被改动或签名伪造，不能调剂",
                               "signature check failed: the prescription was altered or the signature forged") from None


def verify(payload: Mapping[str, Any], keys: Mapping[str, bytes]) -> None:
    """Raise RxSignatureError unless `payload["signature"]` is the centre's signature of this very content."""
    _check(canonical(payload), payload.get("signature"), keys)
