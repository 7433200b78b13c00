"""Sign-in and sign-out routes shared by the centre's web applications (the supervision screen, the prescriber
form): a urlencoded form read by hand (FastAPI's Form() would need python-multipart for three text fields), the
application's own login check run off the event loop, and an HMAC-signed session cookie (server.supervision.auth)
that is HttpOnly, SameSite=Strict and scoped to the application's prefix, so neither application accepts the
other's cookie."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from server.supervision.auth import LoginRefused, Viewer, issue

MAX_FORM_BYTES = 4096  # three short text fields; anything bigger is not a login


def add_login_routes(router: APIRouter, *, prefix: str, cookie: str, max_age: int,
                     form_page: Callable[..., str],
                     check: Callable[[Request, str, str, str], Viewer],
                     key_of: Callable[[Request], bytes]) -> None:
    """GET/POST `prefix`/login and POST `prefix`/logout. `check(request, institution, user, password)` returns the
    viewer or raises LoginRefused with the message the form shows; `form_page(error, institution, user)` renders
    the form."""

    @router.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_page():
        return HTMLResponse(form_page())

    @router.post("/login", include_in_schema=False)
    async def login(request: Request):
        raw = await request.body()
        if len(raw) > MAX_FORM_BYTES:
            return HTMLResponse(form_page("表单过大 / form too large"), status_code=413)
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        institution, user, password = form.get("institution", ""), form.get("user", ""), form.get("password", "")
        try:
            who = await run_in_threadpool(check, request, institution, user, password)
        except LoginRefused as exc:
            return HTMLResponse(form_page(str(exc), institution, user), status_code=401)
        resp = RedirectResponse(f"{prefix}/", status_code=303)
        resp.set_cookie(cookie, issue(key_of(request), who), max_age=max_age, httponly=True, samesite="strict",
                        path=prefix)
        return resp

    @router.post("/logout", include_in_schema=False)
    async def logout():
        resp = RedirectResponse(f"{prefix}/login", status_code=303)
        resp.delete_cookie(cookie, path=prefix)
        return resp
