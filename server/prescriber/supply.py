"""补货建议 for a clinic or hospital (issue 24 item 4, seed 003: 服药品规通过随访信息同步至药房): the page
/prescriber/supply lists, for the logged-in person's institution, the drugs and strengths its patients take (the
latest follow-up or prescription) for the coming month against the stock it reports — 2580 as a signed call of
the institution through the centre's pipeline, like every call of these pages. Doctors and reviewing pharmacists
may read it.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from server.prescriber.routes import PREFIX, STATIC, _api_who, _who, call

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/supply")
async def supply_page(request: Request):
    if _who(request) is None:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    return FileResponse(STATIC / "supply.html", media_type="text/html; charset=utf-8")


@router.get("/api/supply")
async def supply(request: Request, days: int = 30):
    who = _api_who(request)
    if not 7 <= days <= 92:
        return JSONResponse({"ok": False, "err_msg": "天数应为 7–92 / days between 7 and 92"}, 400)
    out = await run_in_threadpool(call, request, who, "2580", {"data": {"days": days}})
    if out.get("infcode") == 0:
        return {"ok": True, **(out.get("output") or {})}
    return JSONResponse({"ok": False, "err_msg": out.get("err_msg") or "查询失败 / the query failed"}, 400)
