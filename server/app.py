"""FastAPI glue: one platform endpoint, the e-voucher decoder, health and the OpenAPI document.

    create_app(db_url, dev=False)  or  create_app(engine=…)

The body is read raw (bounded) so the signature is checked over exactly the bytes sent and malformed JSON
gets an envelope answer rather than a framework error page. The work runs in a worker thread.
"""
from __future__ import annotations

import datetime as dt
import logging

import anyio
from typing import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from server import signing
from server.centre import Answer, Centre, system_clock
from server.db import open_centre
from server.envelope import MAX_BODY_BYTES, RequestEnvelope, ResponseEnvelope, response

log = logging.getLogger("onewindow.server")

CALL_SERVICE = "/fsi/api/rsfComIfsService/callService"
EC_QUERY = "/localcfc/api/hsecfc/localQrCodeQuery"


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge(int(declared))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge(size)
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    db_url: str | None = None,
    *,
    engine=None,
    dev: bool = False,
    clock: Callable[[], dt.datetime] = system_clock,
    window: int = signing.WINDOW_SECONDS,
    concurrency: int = 8,
) -> FastAPI:
    if engine is None:
        if db_url is None:
            raise ValueError("create_app needs db_url or engine")
        engine = open_centre(db_url)
    centre = Centre(engine, dev=dev, clock=clock, window=window)
    if dev:
        log.info("centre in DEV mode: unsigned requests are accepted")

    app = FastAPI(
        title="OneWindow centre (一窗通中心端)",
        version="1",
        description=(
            "Reference central server speaking the national medical-security platform's request envelope. "
            "Every transaction is one POST to " + CALL_SERVICE + " selected by `infno`; requests are signed "
            "with x-tif-paasid / x-tif-timestamp / x-tif-nonce / x-tif-signature (see server/signing.py)."
        ),
    )
    app.state.centre = centre
    limiters: list = []

    def _limiter():
        # At most `concurrency` requests in the database at once per process: more threads than that only
        # queue on the GIL while holding row and journal locks (a lock convoy).
        if not limiters:
            limiters.append(anyio.CapacityLimiter(concurrency))
        return limiters[0]

    def answer(a: Answer) -> JSONResponse:
        return JSONResponse(a.body, status_code=a.status, headers={"x-ow-replayed": "1"} if a.replayed else None)

    @app.post(
        CALL_SERVICE,
        summary="callService: every transaction (infno) through one envelope",
        response_model=ResponseEnvelope,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": RequestEnvelope.model_json_schema()}},
            }
        },
    )
    async def call_service(request: Request):
        try:
            raw = await _read_body(request, MAX_BODY_BYTES)
        except _TooLarge as exc:
            now = centre.clock()
            return answer(Answer(413, response(centre.admvs, now, now, err_msg=(
                f"message too large: {exc.args[0]} bytes (limit {MAX_BODY_BYTES}); nothing was changed"))))
        result = await anyio.to_thread.run_sync(centre.handle, raw, request.headers, limiter=_limiter())
        return answer(result)

    @app.post(EC_QUERY, summary="e-voucher QR decoding (ec.query), as the national decoding service")
    async def ec_query(request: Request):
        from server.transactions.evoucher import decode_service

        try:
            raw = await _read_body(request, MAX_BODY_BYTES)
        except _TooLarge as exc:
            return JSONResponse({"code": -1, "message": f"message too large: {exc.args[0]} bytes"}, status_code=413)
        status, body = await run_in_threadpool(decode_service, centre, raw, request.headers)
        return JSONResponse(body, status_code=status)

    @app.get("/health", summary="liveness and database check")
    async def health():
        ok = await run_in_threadpool(_db_ok, engine)
        return JSONResponse({"status": "ok" if ok else "db-unavailable", "dev": dev}, status_code=200 if ok else 503)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # pragma: no cover - last resort
        log.exception("unhandled error on %s", request.url.path)
        now = centre.clock()
        return JSONResponse(response(centre.admvs, now, now, err_msg="internal error in the centre; nothing was changed"),
                            status_code=500)

    return app


def _db_ok(engine) -> bool:
    from sqlalchemy import text

    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            conn.rollback()
        return True
    except Exception:  # noqa: BLE001
        return False


def from_env() -> FastAPI:
    """uvicorn factory for several worker processes: ONEWINDOW_CENTRE_DB, ONEWINDOW_CENTRE_DEV."""
    import os

    return create_app(os.environ["ONEWINDOW_CENTRE_DB"], dev=bool(os.environ.get("ONEWINDOW_CENTRE_DEV")),
                      concurrency=int(os.environ.get("ONEWINDOW_CENTRE_CONCURRENCY") or 8))
