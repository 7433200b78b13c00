"""The supervision web application at /supervision/: login, the big screen (static page + JSON + Server-Sent
Events), drill-down pages, alert handling and exports. `mount(app, centre)` adds it to the centre's FastAPI app.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from core.domain.masking import mask_id
from core.store.models import PersonRow
from server import journal, people
from server.db import transaction
from server.supervision import alerts, auth, export, pages, queries, rollup
from server.supervision.auth import Viewer, viewer
from server.supervision.rules import Rules, load
from server.weblogin import add_login_routes

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/supervision"
PERIODIC_SECONDS = 30.0  # overdue 3505 uploads, pharmacy frequency, follow-ups: checked this often while watched


@dataclass
class State:
    engine: Engine
    clock: object  # () -> aware datetime in the centre's time zone
    rules: Rules
    session_key: bytes
    _last_fold: float = 0.0
    _last_periodic: float = -PERIODIC_SECONDS
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def today(self) -> dt.date:
        return self.clock().date()

    def refresh(self) -> None:
        """Fold new journal entries, at most every half poll interval per process, and run the time-driven rules
        every PERIODIC_SECONDS (see rollup)."""
        with self._lock:
            now = time.monotonic()
            if now - self._last_fold < self.rules.live_poll_seconds / 2:
                return
            self._last_fold = now
            periodic = now - self._last_periodic >= PERIODIC_SECONDS
            if periodic:
                self._last_periodic = now
            rollup.fold(self.engine, rules=self.rules, now=self.clock().replace(tzinfo=None), periodic=periodic)

    def version(self) -> int:
        with self.engine.connect() as conn:
            v = rollup.version(conn)
            conn.rollback()
        return v

    def read(self, fn, *args):
        with self.engine.connect() as conn:
            try:
                return fn(conn, *args)
            finally:
                conn.rollback()


def _state(request: Request) -> State:
    return request.app.state.supervision


def _page_viewer(request: Request) -> Viewer | None:
    return auth.read(_state(request).session_key, request.cookies.get(auth.COOKIE))


router = APIRouter(prefix=PREFIX, tags=["supervision 智慧监管"])


add_login_routes(router, prefix=PREFIX, cookie=auth.COOKIE, max_age=auth.SESSION_SECONDS, form_page=pages.login_form,
                 check=lambda request, *creds: auth.login(_state(request).engine, *creds),
                 key_of=lambda request: _state(request).session_key)


@router.get("/", include_in_schema=False)
async def screen(request: Request):
    if _page_viewer(request) is None:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/api/board", summary="everything on the big screen (summary, fund flow, drugs, regions, trace, alerts)")
async def board(request: Request, who: Viewer = Depends(viewer)):
    st = _state(request)
    await run_in_threadpool(st.refresh)
    data = await run_in_threadpool(st.read, queries.board, st.today(), st.rules)
    return JSONResponse({**data, "viewer": who.label})


@router.get("/api/stream", summary="Server-Sent Events: `board` whenever something on the screen changed")
async def stream(request: Request, who: Viewer = Depends(viewer)):
    st = _state(request)

    async def events():
        seen = None
        yield "retry: 1000\n\n"
        while not await request.is_disconnected():
            await run_in_threadpool(st.refresh)
            now = await run_in_threadpool(st.version)
            if now != seen:
                seen = now
                data = await run_in_threadpool(st.read, queries.board, st.today(), st.rules)
                data["version"] = now
                yield f"event: board\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(st.rules.live_poll_seconds)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


@router.get("/api/alerts", summary="the alert feed (newest first)")
async def alert_list(request: Request, status: str | None = None, limit: int = 100, who: Viewer = Depends(viewer)):
    if status is not None and status not in alerts.STATUSES:
        raise HTTPException(400, f"status 只能是 {'/'.join(alerts.STATUSES)} / status must be one of those")
    st = _state(request)
    await run_in_threadpool(st.refresh)
    return await run_in_threadpool(lambda: st.read(lambda c: queries.alert_rows(c, limit=min(limit, 1000), status=status)))


class AlertAction(BaseModel):
    action: str = Field(pattern="^(acknowledge|assign)$")
    assignee: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=300)


def _handle_alert(st: State, who: Viewer, alert_id: int, action: str, assignee: str, note: str) -> dict:
    with transaction(st.engine) as conn:
        done = alerts.handle(conn, alert_id, action, who=f"{who.institution}/{who.user_id}",
                             institution=who.institution, assignee=assignee, note=note,
                             at=st.clock().isoformat(timespec="microseconds"))
        rollup.set_state(conn, "version", str(rollup.version(conn) + 1))
        return done


@router.post("/api/alerts/{alert_id}", summary="acknowledge or assign an alert (journaled)")
async def alert_action(request: Request, alert_id: int, body: AlertAction, who: Viewer = Depends(viewer)):
    try:
        return await run_in_threadpool(_handle_alert, _state(request), who, alert_id, body.action, body.assignee,
                                       body.note)
    except alerts.AlertError as exc:
        raise HTTPException(404 if "not found" in str(exc) else 400, str(exc)) from None


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
async def alerts_page(request: Request, status: str | None = None, error: str = ""):
    who = _html_or_login(request)
    st = _state(request)
    if status not in (None, "", *alerts.STATUSES):
        status = None
    rows = await run_in_threadpool(lambda: st.read(lambda c: queries.alert_rows(c, limit=500, status=status or None)))
    return HTMLResponse(pages.alert_list(rows, who.label, status, error[:200]))


@router.post("/alerts/{alert_id}", include_in_schema=False)
async def alerts_form(request: Request, alert_id: int):
    who = _html_or_login(request)
    form = {k: v[0] for k, v in parse_qs((await request.body())[:4096].decode("utf-8", "replace")).items()}
    try:
        await run_in_threadpool(_handle_alert, _state(request), who, alert_id, form.get("action", ""),
                                form.get("assignee", "")[:60], form.get("note", "")[:300])
    except alerts.AlertError as exc:
        return HTMLResponse(pages.alert_list(await run_in_threadpool(
            lambda: _state(request).read(lambda c: queries.alert_rows(c, limit=500))), who.label, None, str(exc)),
            status_code=400)
    return RedirectResponse(f"{PREFIX}/alerts", status_code=303)


def _masked_id(conn, person_no: str) -> str:
    token = conn.execute(select(PersonRow.id_number_enc).where(PersonRow.person_no == person_no)).scalar()
    try:
        number = people.cipher().decrypt(token) if token else ""
    except Exception:  # noqa: BLE001 - a wrong data key shows no number rather than failing the page
        number = ""
    return mask_id(number) if number else "—"


def _person_read(st: State, who: Viewer, person_no: str, view: str) -> dict | None:
    """The person's detail, with the read appended to the journal in the same transaction."""
    with transaction(st.engine) as conn:
        data = queries.person(conn, person_no, _masked_id(conn, person_no))
        if data is not None:
            journal.append(conn, "supervision.read", {"person_no": person_no, "who": f"{who.institution}/{who.user_id}",
                                                      "view": view}, at=st.clock().isoformat(timespec="microseconds"),
                           code=who.institution)
        return data


def _not_found(what: str, key: str) -> HTTPException:
    return HTTPException(404, f"{what} {key} 不存在 / {what} {key} not found")


# Each drill-down: what it reads (state, viewer, key, view -> dict | None), how it is named when missing, its page.
def _institution(st: State, who: Viewer, code: str, view: str) -> dict | None:
    return st.read(queries.institution, code, st.today())


def _drug(st: State, who: Viewer, key: str, view: str) -> dict | None:
    return st.read(queries.drug, key, st.today())


DRILLS = {"institution": (_institution, "机构 institution", pages.institution),
          "person": (_person_read, "参保人 person", pages.person),
          "drug": (_drug, "药品 drug", pages.drug)}


async def _drill(request: Request, kind: str, key: str, who: Viewer, view: str) -> dict:
    read, name, _page = DRILLS[kind]
    data = await run_in_threadpool(read, _state(request), who, key, view)
    if data is None:
        raise _not_found(name, key)
    return data


@router.get("/api/institution/{code}", summary="institution drill-down: volumes, top drugs, stock as reported, alerts")
async def institution_api(request: Request, code: str, who: Viewer = Depends(viewer)):
    return await _drill(request, "institution", code, who, "api")


@router.get("/api/person/{person_no}", summary="person drill-down (masked ID; every view is journaled)")
async def person_api(request: Request, person_no: str, who: Viewer = Depends(viewer)):
    return await _drill(request, "person", person_no, who, "api")


@router.get("/api/drug/{key}", summary="drug drill-down: where dispensed, to whom")
async def drug_api(request: Request, key: str, who: Viewer = Depends(viewer)):
    return await _drill(request, "drug", key, who, "api")


def _html_or_login(request: Request):
    who = _page_viewer(request)
    if who is None:
        raise HTTPException(303, headers={"location": f"{PREFIX}/login"})
    return who


async def _drill_page(request: Request, kind: str, key: str) -> HTMLResponse:
    who = _html_or_login(request)
    data = await _drill(request, kind, key, who, "page")
    return HTMLResponse(DRILLS[kind][2](data, who.label))


@router.get("/institution/{code}", response_class=HTMLResponse, include_in_schema=False)
async def institution_page(request: Request, code: str):
    return await _drill_page(request, "institution", code)


@router.get("/person/{person_no}", response_class=HTMLResponse, include_in_schema=False)
async def person_page(request: Request, person_no: str):
    return await _drill_page(request, "person", person_no)


@router.get("/drug/{key}", response_class=HTMLResponse, include_in_schema=False)
async def drug_page(request: Request, key: str):
    return await _drill_page(request, "drug", key)


@router.get("/export/{name}", summary="export alerts / institutions / drugs as .csv or .xlsx")
async def export_table(request: Request, name: str, who: Viewer = Depends(viewer)):
    what, _, fmt = name.rpartition(".")
    if fmt not in export.MEDIA:
        raise HTTPException(400, "格式只能是 .csv 或 .xlsx / the format is .csv or .xlsx")
    st = _state(request)
    try:
        header, rows = await run_in_threadpool(st.read, export.table, what, st.today())
    except KeyError:
        raise HTTPException(404, "可导出 alerts / institutions / drugs / exportable: alerts, institutions, drugs") from None
    content = export.render(header, rows, fmt, what)
    filename = f"supervision-{what}-{st.today():%Y%m%d}.{fmt}"
    return Response(content, media_type=export.MEDIA[fmt],
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


def mount(app: FastAPI, engine: Engine, clock) -> None:
    app.state.supervision = State(engine, clock, load(), auth.session_key(engine))
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="supervision-static")
