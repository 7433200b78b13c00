"""远程审方 at the reviewing hospital (issue 24, seed 003): the page /prescriber/review where a pharmacist of the
county hospital works through the queue of township clinics' prescriptions routed to it (2574) — each with its
diagnosis, drugs, lifestyle prescription and deadline, late ones marked — approves one (it circulates) or returns
it with a reason (the clinic sees it, no pharmacy does), and reads the pass rate per clinic (2572).

Like the form, the page is a client of the centre: 2570/2571/2572 are signed envelopes of the pharmacist's
institution through the centre's pipeline (permissions, journal), and the reviewer recorded is the logged-in
pharmacist, never a typed name. Only staff with the pharmacist role (server.staff) may use it.
"""
from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from server.prescriber import session
from server.prescriber.routes import PREFIX, STATIC, _api_who, _role, _who, call
from server.prescriber.session import Viewer

router = APIRouter(prefix=PREFIX, include_in_schema=False)
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})?$")


def _pharmacist(request: Request) -> Viewer:
    who = _api_who(request)
    if not _role(request, who, session.REVIEWER):
        raise HTTPException(403, "需要审方药师角色 / the reviewing pharmacist role is required")
    return who


def _answer(out: dict) -> dict | JSONResponse:
    if out.get("infcode") == 0:
        return {"ok": True, **(out.get("output") or {})}
    return JSONResponse({"ok": False, "err_msg": out.get("err_msg") or "审方请求失败 / the review call failed"}, 400)


@router.get("/review")
async def review_page(request: Request):
    who = _who(request)
    if who is None:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    await run_in_threadpool(_pharmacist, request)
    return FileResponse(STATIC / "review.html", media_type="text/html; charset=utf-8")


@router.get("/api/review/queue")
async def queue(request: Request):
    who = await run_in_threadpool(_pharmacist, request)
    return _answer(await run_in_threadpool(call, request, who, "2570", {"data": {}}))


class Decision(BaseModel):
    hi_rxno: str = Field(min_length=1, max_length=40)
    decision: str = Field(pattern="^(approve|return)$")
    reason: str = Field(default="", max_length=500)


@router.post("/api/review/decide")
async def decide(request: Request):
    who = await run_in_threadpool(_pharmacist, request)
    try:
        d = Decision.model_validate_json(await request.body())
    except ValidationError:
        return JSONResponse({"ok": False, "err_msg": "审方意见不完整 / the decision is incomplete; nothing was written"},
                            400)
    payload = {"data": {**d.model_dump(), "reviewer_code": who.user_id, "reviewer_name": who.name}}
    return _answer(await run_in_threadpool(call, request, who, "2571", payload))


@router.get("/api/review/rate")
async def rate(request: Request, since: str = "", until: str = ""):
    who = await run_in_threadpool(_pharmacist, request)
    if not (_DAY.match(since) and _DAY.match(until)):
        return JSONResponse({"ok": False, "err_msg": "日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD"}, 400)
    return _answer(await run_in_threadpool(call, request, who, "2572", {"data": {"since": since, "until": until}}))
