"""随访 for a clinic's or hospital's doctor (issue 24 item 1, the prescriber side): the page /prescriber/care finds a
patient by ID number, shows the family-doctor contract, the ≥4-a-year schedule and the timeline (visits,
contracts, settlements, supply, prescriptions), signs or ends a contract, and records a measured follow-up visit
— 2560/2561/2562/2563 as signed calls of the doctor's institution, the doctor taken from the login (never typed).
The centre checks every value (core.care.visits): an out-of-range one is refused naming the field, nothing written.
"""
from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from server.prescriber.routes import PREFIX, STATIC, _doctor, _who, call

router = APIRouter(prefix=PREFIX, include_in_schema=False)
MAX_BODY = 16_000
VISIT_FIELDS = ("psn_no", "visit_date", "place", "sbp", "dbp", "fpg", "rpg", "hba1c", "weight_kg", "height_cm",
                "smoking", "cigarettes", "adherence", "adverse", "assessment", "next_visit", "referral", "note",
                "drugs")


def _answer(out: dict) -> dict | JSONResponse:
    if out.get("infcode") == 0:
        return {"ok": True, **(out.get("output") or {})}
    return JSONResponse({"ok": False, "err_msg": out.get("err_msg") or "请求失败 / the call failed"}, 400)


async def _body(request: Request) -> dict | None:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return None
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


_BAD = JSONResponse({"ok": False, "err_msg": "表单有误 / the form could not be read; nothing was written"}, 400)


@router.get("/care")
async def care_page(request: Request):
    if _who(request) is None:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    await run_in_threadpool(_doctor, request)
    return FileResponse(STATIC / "care.html", media_type="text/html; charset=utf-8")


@router.get("/api/care/timeline")
async def timeline(request: Request, psn: str = ""):
    who = await run_in_threadpool(_doctor, request)
    return _answer(await run_in_threadpool(call, request, who, "2563", {"data": {"psn_no": psn[:30]}}))


@router.post("/api/care/sign")
async def sign(request: Request):
    who = await run_in_threadpool(_doctor, request)
    body = await _body(request)
    if body is None:
        return _BAD
    data = {k: str(body.get(k) or "") for k in ("psn_no", "team", "sign_date", "tel")}
    data |= {"doctor_code": who.user_id, "doctor_name": who.name}
    return _answer(await run_in_threadpool(call, request, who, "2560", {"data": data}))


@router.post("/api/care/end")
async def end(request: Request):
    who = await run_in_threadpool(_doctor, request)
    body = await _body(request)
    if body is None:
        return _BAD
    data = {k: str(body.get(k) or "") for k in ("psn_no", "end_date", "reason")}
    return _answer(await run_in_threadpool(call, request, who, "2561", {"data": data}))


@router.post("/api/care/visit")
async def visit(request: Request):
    who = await run_in_threadpool(_doctor, request)
    body = await _body(request)
    if body is None:
        return _BAD
    data = {k: body[k] for k in VISIT_FIELDS if body.get(k) not in (None, "")}
    data |= {"doctor": who.name, "doctor_code": who.user_id}
    return _answer(await run_in_threadpool(call, request, who, "2562", {"data": data}))
