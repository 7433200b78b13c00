"""FastAPI glue: one platform endpoint, the e-voucher decoder, health and the OpenAPI document.

    create_app(db_url, dev=False)  or  create_app(engine=…)

The body is read raw (bounded) so the signature is checked over exactly the bytes sent and malformed JSON
gets an envelope answer rather than a framework error page. The work runs in a worker thread.

callService — every transaction, the centre's hot path — is served by `CentreApp` straight from the ASGI
scope (read the body, run Centre.handle in the centre's thread pool, send the answer's bytes): the
framework's middleware, routing, dependency solving and response classes cost more Python per request than
a settlement's audit. The FastAPI route of the same path stays for the OpenAPI document and answers the
same way if it is ever reached.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor

from typing import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from server import signing
from server.centre import Answer, Centre, system_clock
from server.db import open_centre
from server.envelope import MAX_BODY_BYTES, RequestEnvelope, ResponseEnvelope, response

log = logging.getLogger("onewindow.server")

CALL_SERVICE = "/fsi/api/rsfComIfsService/callService"
# the same service under the path some provincial gateways use (nhsa-interface.md §1.1)
CALL_SERVICE_PATHS = frozenset({CALL_SERVICE, "/mbs/fmi/fsi/api/callFsiService/callService"})
EC_QUERY = "/localcfc/api/hsecfc/localQrCodeQuery"


class _TooLarge(Exception):
    pass


_JSON = (b"content-type", b"application/json")
_REPLAYED = (b"x-ow-replayed", b"1")


class CentreApp(FastAPI):
    """FastAPI, with callService answered directly from the ASGI scope (see the module docstring)."""

    centre: Centre
    executor: ThreadPoolExecutor

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] in CALL_SERVICE_PATHS and scope["method"] == "POST":
            await self._call_service(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def _call_service(self, scope, receive, send) -> None:
        centre = self.centre
        headers: dict[str, str] = {}
        for k, v in scope["headers"]:  # names are lower-case in ASGI; the first of repeated ones wins
            key = k.decode("latin-1")
            if key not in headers:
                headers[key] = v.decode("latin-1")
        try:
            declared = headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise _TooLarge(int(declared))
            chunks, size = [], 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise _TooLarge(size)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            result = await asyncio.get_running_loop().run_in_executor(self.executor, centre.handle, raw, headers)
        except _TooLarge as exc:
            now = centre.clock()
            result = Answer(413, response(centre.admvs, now, now, err_msg=(
                f"message too large: {exc.args[0]} bytes (limit {MAX_BODY_BYTES}); nothing was changed")))
        except Exception:  # noqa: BLE001 - last resort, as the app's exception handler
            log.exception("unhandled error on %s", scope["path"])
            now = centre.clock()
            result = Answer(500, response(centre.admvs, now, now, err_msg="internal error in the centre; nothing was changed"))
        body = result.encoded()
        out = [(b"content-length", str(len(body)).encode()), _JSON]
        if result.replayed:
            out.append(_REPLAYED)
        await send({"type": "http.response.start", "status": result.status, "headers": out})
        await send({"type": "http.response.body", "body": body})


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
    concurrency: int = 4,
    strict: str | None = None,
    docs: bool = False,
) -> FastAPI:
    """`strict`: an interface profile name (national …): refuse every deviation from its field tables.
    `docs`: serve /docs, /redoc and /openapi.json (always in --dev; off in production, where the document would
    only describe the centre to whoever asks)."""
    if engine is None:
        if db_url is None:
            raise ValueError("create_app needs db_url or engine")
        engine = open_centre(db_url)
    from core.gateway.profiles import load_profile

    centre = Centre(engine, dev=dev, clock=clock, window=window, strict=load_profile(strict) if strict else None)
    if strict:
        log.info("centre in STRICT mode: every deviation from the %s field lists is refused", strict)
    if dev:
        log.info("centre in DEV mode: unsigned requests are accepted")

    @contextlib.asynccontextmanager
    async def lifespan(app: CentreApp):
        await asyncio.get_running_loop().run_in_executor(app.executor, centre.warm, concurrency)
        yield
        try:  # the head as the centre leaves it: cutting entries off while it is down shows against this
            from server import journal

            journal.checkpoint(engine, at=clock().isoformat(timespec="microseconds"), reason="shutdown")
        except Exception as exc:  # noqa: BLE001 - a database that is gone must not turn a stop into a crash
            log.warning("no shutdown checkpoint of the journal: %s", exc)
        # let the pool's threads go; a fresh pool (threads start on first use) should the app be started again
        done, app.executor = app.executor, ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="centre")
        done.shutdown(wait=False)

    show_docs = docs or dev
    app = CentreApp(
        lifespan=lifespan,
        docs_url="/docs" if show_docs else None, redoc_url="/redoc" if show_docs else None,
        openapi_url="/openapi.json" if show_docs else None,
        title="OneWindow centre (一窗通中心端)",
        version="1",
        description=(
            "Reference central server speaking the national medical-security platform's request envelope. "
            "Every transaction is one POST to " + CALL_SERVICE + " selected by `infno`; requests are signed "
            "with x-tif-paasid / x-tif-timestamp / x-tif-nonce / x-tif-signature (see server/signing.py)."
        ),
    )
    app.state.centre = centre
    app.centre = centre
    from server.openapi import install as describe_transactions

    describe_transactions(app, CALL_SERVICE)  # the OpenAPI body: each transaction's envelope with its own input
    from server.supervision.routes import mount as mount_supervision

    mount_supervision(app, engine, clock)  # the agency's supervision screen at /supervision/
    from server import rx_keys
    from server.prescriber.routes import mount as mount_prescriber

    rx_keys.centre_key(centre)  # made or read now, outside any request's transaction
    mount_prescriber(app, engine, clock)  # the doctors' prescription form at /prescriber/
    # At most `concurrency` requests in the database at once per process: more threads than that only queue on
    # the GIL while holding row and journal locks (a lock convoy). Measured on 2 cores with 2 workers: 4 gave
    # the most settlements per second and the lowest p99 (8: about 8 % fewer, p99 +40 %; 2: fewer again).
    app.executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="centre")

    def answer(a: Answer) -> Response:
        return Response(a.encoded(), status_code=a.status, media_type="application/json",
                        headers={"x-ow-replayed": "1"} if a.replayed else None)

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
        result = await asyncio.get_running_loop().run_in_executor(app.executor, centre.handle, raw, request.headers)
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
                      concurrency=int(os.environ.get("ONEWINDOW_CENTRE_CONCURRENCY") or 4),
                      strict=os.environ.get("ONEWINDOW_CENTRE_STRICT") or None,
                      docs=bool(os.environ.get("ONEWINDOW_CENTRE_DOCS")))
