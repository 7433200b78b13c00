"""E-voucher decoding: the national decoder's `ec.query` (own endpoint) and infno 1162 (the regional
wrapper that carries the same thing in the envelope). Both give ecToken, idNo, idType, userName, insuOrg."""
from __future__ import annotations

import hashlib
import json

from pydantic import Field, ValidationError
from sqlalchemy import select

from server import evoucher, idempotency, journal, people, signing
from server.db import transaction
from server.envelope import AuthError, PlatformError, describe_validation, parse_body
from server.models import setting
from server.transactions import Input, transaction as register


class DecodeData(Input):
    ecQrCode: str = Field(min_length=1, max_length=2000)
    businessType: str = Field(default="02121", max_length=5)
    orgId: str = Field(default="", max_length=30)
    operatorId: str = Field(default="", max_length=30)
    operatorName: str = Field(default="", max_length=50)
    officeId: str = Field(default="", max_length=30)
    officeName: str = Field(default="", max_length=50)


class DecodeRequest(Input):
    orgId: str = Field(min_length=1, max_length=30)
    transType: str = Field(default="ec.query")
    data: DecodeData


class Decode1162(Input):
    data: DecodeData


def decode(ctx_conn, now: int, qr: str, session_ctx) -> tuple[dict, bool, str]:
    """Claims -> ecToken -> the person's identity in the decoder's field names."""
    claims = evoucher.read(evoucher.key(ctx_conn), qr, now)
    found = people.by_person_no(session_ctx, claims["p"])
    token, created = evoucher.token_for(ctx_conn, claims, now)
    p = found.person
    return {
        "ecToken": token,
        "idNo": p.id_number or "",
        "idType": "01",
        "userName": p.name,
        "insuOrg": claims.get("o") or "",
        "ecIndexNo": ec_index_no(p.person_no),
        "gender": p.sex,
        "birthday": p.birth_date.isoformat(),
        "nationality": "CHN",
    }, created, p.person_no


def ec_index_no(person_no: str) -> str:
    """A stable, opaque 电子凭证索引号 for the person."""
    return hashlib.sha256(("ecindex:" + person_no).encode()).hexdigest()[:32].upper()


@register("1162", "电子凭证解码(区域封装)", Decode1162)
def decode_1162(ctx, inp: Decode1162) -> dict:
    data, created, person_no = decode(ctx.conn, int(ctx.now.timestamp()), inp.data.ecQrCode, ctx)
    if created:
        ctx.journal("evoucher.decode", {"person_no": person_no})
    return {"data": data}


class _ConnCtx:
    """The bits of a handler context that the person lookups need (outside the envelope pipeline)."""

    def __init__(self, conn, now=None) -> None:
        self.conn, self.now = conn, now


def decode_service(centre, raw: bytes, headers) -> tuple[int, dict]:
    """POST /localcfc/api/hsecfc/localQrCodeQuery: {orgId, transType, data{ecQrCode,…}} ->
    {code: 0, message, data: "<JSON string>"} as the national decoder answers."""
    now_dt = centre.clock()
    now = int(now_dt.timestamp())
    try:
        body = parse_body(raw)
        try:
            req = DecodeRequest.model_validate(body)
        except ValidationError as exc:
            raise PlatformError(f"bad request: {describe_validation(exc)}") from None
        if req.transType not in ("ec.query", "cn.nhsa.qrcode.get"):
            raise PlatformError(f"transType {req.transType!r} is not offered: use ec.query")
        signed = None
        if not centre.dev or signing.has_signature(headers):
            code, nonce, ts = signing.verify(headers, raw, centre.secret_for, now=now_dt.timestamp(), window=centre.window)
            if code != req.orgId:
                raise AuthError(f"the signing institution {code} is not orgId {req.orgId}")
            signed = (nonce, ts)
        with transaction(centre.engine) as conn:
            if signed is not None and not idempotency.claim_nonce(conn, req.orgId, *signed):
                raise AuthError("replayed request: this nonce was already used")
            data, created, person_no = decode(conn, now, req.data.ecQrCode, _ConnCtx(conn, now_dt))
            if created:
                journal.append(conn, "evoucher.decode", {"person_no": person_no},
                               at=now_dt.isoformat(timespec="microseconds"), code=req.orgId)
        return 200, {"code": 0, "message": "成功", "data": json.dumps(data, ensure_ascii=False)}
    except PlatformError as exc:
        return (exc.http_status if exc.http_status != 200 else 200), {"code": -1, "message": exc.err_msg, "data": None}


def issue_for_certno(engine, certno: str, *, now: int | None = None, ttl: int = evoucher.QR_TTL_SECONDS) -> str:
    """`onewindow evoucher issue`: a fresh QR payload for the person with this ID number."""
    import time

    now = int(time.time()) if now is None else now
    with transaction(engine) as conn:
        found = people.by_id_number(_ConnCtx(conn), certno)
        admvs = conn.execute(select(setting.c.value).where(setting.c.key == "admvs")).scalar() or "420700"
        return evoucher.issue(evoucher.key(conn), found.person.person_no, admvs, now, ttl)
