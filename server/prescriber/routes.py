"""Routes of the prescriber form (/prescriber/): login, the form page, and the JSON calls the page makes.

The form is a client of the centre like any hospital system: a patient is looked up with 1101 and a prescription
uploaded with 7101, each as a signed envelope of the doctor's institution through the centre's own pipeline
(`Centre.handle`: permissions, sign-in, idempotency, journal, pre-audit) — the form has no path of its own into
the database. The prescriber's name in 7101 is the logged-in doctor's, never a typed one: the signature the
pharmacy checks then vouches for who prescribed.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from server import reference
from server.models import institution
from server.prescriber import pages, session
from server.prescriber.session import Viewer
from server.signing import sign_headers
from server.weblogin import add_login_routes

PREFIX = "/prescriber"
STATIC = Path(__file__).resolve().parent / "static"
_seq = itertools.count(1)


@dataclass
class State:
    engine: Engine
    clock: object
    key: bytes
    sign_nos: dict[str, str] = field(default_factory=dict)  # institution -> its form's sign-in (9001)
    lock: threading.Lock = field(default_factory=threading.Lock)


router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _state(request: Request) -> State:
    return request.app.state.prescriber


def _who(request: Request) -> Viewer | None:
    return session.read(_state(request).key, request.cookies.get(session.COOKIE))


def _api_who(request: Request) -> Viewer:
    who = _who(request)
    if who is None:
        raise HTTPException(401, "请先登录 / please log in")
    return who


def call(request: Request, who: Viewer, infno: str, payload: dict) -> dict:
    """One transaction as the doctor's institution, signed with its secret, through the centre's pipeline."""
    centre, st = request.app.state.centre, _state(request)
    secret = centre.secret_for(who.institution)
    if secret is None:
        raise HTTPException(403, "机构未登记或已停用 / the institution is not active")
    for attempt in range(2):
        with st.lock:
            sign_no = st.sign_nos.get(who.institution, "")
        if not sign_no and infno != "9001":
            out = call(request, who, "9001", {"signIn": {"opter_no": who.user_id, "ip": "prescriber-form"}})
            sign_no = out["output"]["signinoutb"]["sign_no"] if out.get("infcode") == 0 else ""
            with st.lock:
                st.sign_nos[who.institution] = sign_no
        now = centre.clock()
        env = {"infno": infno, "msgid": f"{who.institution[:12]}{now:%Y%m%d%H%M%S}{next(_seq) % 10000:04d}",
               "mdtrtarea_admvs": centre.admvs, "insuplc_admdvs": centre.admvs, "recer_sys_code": "YBXT",
               "infver": "V1.0", "opter_type": "1", "opter": who.user_id, "opter_name": who.name,
               "inf_time": now.strftime("%Y-%m-%d %H:%M:%S"), "fixmedins_code": who.institution,
               "fixmedins_name": "", "sign_no": sign_no, "input": payload}
        raw = json.dumps(env, ensure_ascii=False).encode()
        body = centre.handle(raw, sign_headers(who.institution, secret, raw)).body
        if attempt == 0 and infno != "9001" and "9001" in str(body.get("err_msg") or ""):
            with st.lock:  # the form's sign-in was signed out or forgotten: sign in again, once
                st.sign_nos.pop(who.institution, None)
            continue
        return body
    return body


add_login_routes(router, prefix=PREFIX, cookie=session.COOKIE, max_age=8 * 3600, form_page=pages.login_form,
                 check=lambda request, *creds: session.login(_state(request).engine, *creds),
                 key_of=lambda request: _state(request).key)


def _role(request: Request, who: Viewer, role: str) -> bool:
    return session.has_role(_state(request).engine, who, role)


def _doctor(request: Request) -> Viewer:
    """The logged-in doctor, for the calls that prescribe (a reviewing pharmacist may not)."""
    who = _api_who(request)
    if not _role(request, who, session.ROLE):
        raise HTTPException(403, "需要处方医师角色 / the doctor role is required")
    return who


@router.get("/")
async def form_page(request: Request):
    who = _who(request)
    if who is None:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    if not await run_in_threadpool(_role, request, who, session.ROLE):  # a reviewing pharmacist: the review page
        return RedirectResponse(f"{PREFIX}/review", status_code=303)
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/api/me")
async def me(request: Request):
    who = _api_who(request)
    st = _state(request)

    def name() -> str:
        with st.engine.connect() as conn:
            return conn.execute(select(institution.c.name).where(institution.c.code == who.institution)).scalar() or ""

    return {"doctor": who.name, "user": who.user_id, "institution": who.institution,
            "institution_name": await run_in_threadpool(name), "kind": who.kind}


@router.get("/api/person")
async def person(request: Request, q: str = ""):
    """A registered patient by ID number (1101) with their registrations (5301), as the hospital's HIS asks."""
    who = _api_who(request)
    q = q.strip().upper()
    if len(q) != 18:
        return JSONResponse({"error": "请输入18位身份证号 / enter the 18-character ID number"}, 400)
    out = await run_in_threadpool(call, request, who, "1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": q}})
    if out.get("infcode") != 0:
        return JSONResponse({"error": out.get("err_msg") or "查无此人 / not found"}, 404)
    base = out["output"].get("baseinfo") or {}
    regs = await run_in_threadpool(call, request, who, "5301", {"data": {"psn_no": base.get("psn_no", "")}})
    rows = (regs.get("output") or {}).get("feedetail") or []
    return {"psn_no": base.get("psn_no"), "name": base.get("psn_name"), "gend": base.get("gend"),
            "age": base.get("age"),
            "registrations": [{"scheme": r["scheme"], "code": r["opsp_dise_code"], "name": r["opsp_dise_name"],
                               "end": r["enddate"]} for r in rows]}


@router.get("/api/drugs")
async def drugs(request: Request, q: str = ""):
    """Catalogue search by name, code or pinyin initials (苯磺酸氨氯地平片: bhsaldpp)."""
    _api_who(request)
    st, centre = _state(request), request.app.state.centre

    def search() -> list[dict]:
        with st.engine.connect() as conn:
            cat = reference.catalogue(centre, conn)
        return pages.search_drugs(cat.by_key.values(), q)

    return {"drugs": await run_in_threadpool(search)}


@router.get("/api/stock")
async def stock(request: Request, drug: str = ""):
    """Which pharmacies hold this drug (3590, the stock issue's query), and, when none or few do, which hold the same
    substance in another strength — seed 003: the pharmacy had 25 mg, the prescription said 20 mg."""
    who = _api_who(request)
    drug = drug.strip()
    if not drug or len(drug) > 64:
        return JSONResponse({"error": "请给出药品编码 / name a drug"}, 400)
    exact = await run_in_threadpool(call, request, who, "3590", {"data": {"fixmedins_hilist_id": drug}})
    if exact.get("infcode") != 0:
        return JSONResponse({"error": exact.get("err_msg")}, 404)
    st, centre = _state(request), request.app.state.centre

    def atc_of() -> str:
        with st.engine.connect() as conn:
            found = reference.catalogue(centre, conn).by_key.get(drug)
        return (found.atc or "") if found is not None else ""

    others: list[dict] = []
    atc = await run_in_threadpool(atc_of)
    if atc:
        alike = await run_in_threadpool(call, request, who, "3590", {"data": {"atc": atc}})
        others = [r for r in (alike.get("output") or {}).get("data", []) if r["fixmedins_hilist_id"] != drug]
    keep = ("fixmedins_code", "fixmedins_name", "fixmedins_hilist_id", "fixmedins_hilist_name", "spec", "inv_cnt")
    return {"pharmacies": [{k: r[k] for k in keep} for r in exact["output"]["data"]],
            "other_strengths": [{k: r[k] for k in keep} for r in others]}


class Line(BaseModel):
    drug: str = Field(min_length=1, max_length=64)
    cnt: str = Field(min_length=1, max_length=10)
    days: int = Field(ge=1, le=366)
    dose: str = Field(default="", max_length=60)
    freq: str = Field(default="", max_length=60)
    way: str = Field(default="", max_length=60)


class Lifestyle(BaseModel):
    template_id: str = Field(min_length=1, max_length=40)
    sections: dict[str, str] = Field(default_factory=dict, max_length=12)  # only the sections the doctor edited
    short: str = Field(default="", max_length=200)


class Upload(BaseModel):
    hosp_rxno: str = Field(min_length=1, max_length=40)
    psn_no: str = Field(min_length=1, max_length=30)
    med_type: str = Field(default="", max_length=6)
    rx_type: str = Field(default="ordinary", max_length=20)
    dise_codg: str = Field(default="", max_length=30)
    dise_name: str = Field(default="", max_length=100)
    dept: str = Field(default="", max_length=50)
    prsc_time: str = Field(default="", max_length=19)
    valid_days: int = Field(default=3, ge=1, le=90)
    lines: list[Line] = Field(min_length=1, max_length=50)
    ack: list[str] = Field(default_factory=list, max_length=40)
    lifestyle: Lifestyle | None = None


@router.get("/api/lifestyle")
async def lifestyle(request: Request):
    """The lifestyle prescription library: section names and, per disease class (with the registration codes it
    covers), its templates in Chinese and English."""
    _api_who(request)
    from core.care.lifestyle import load_library

    lib = await run_in_threadpool(load_library)
    return {"sections": lib.section_names, "classes": lib.catalogue()}


@router.post("/api/upload")
async def upload(request: Request):
    who = await run_in_threadpool(_doctor, request)
    raw = await request.body()
    try:
        u = Upload.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        return JSONResponse({"ok": False, "err_msg": f"表单有误：{'.'.join(map(str, first['loc']))} {first['msg']} / "
                             "the form is incomplete; nothing was written"}, 400)
    payload: dict = {
        "rxinfo": {"hosp_rxno": u.hosp_rxno, "psn_no": u.psn_no, "med_type": u.med_type, "rx_type": u.rx_type,
                   "dise_codg": u.dise_codg, "dise_name": u.dise_name, "diag_codes": [u.dise_codg] if u.dise_codg else [],
                   "prsc_dr_name": who.name, "prsc_dept_name": u.dept, "prsc_time": u.prsc_time,
                   "valid_days": u.valid_days},
        "rxdrugdetail": [{"medins_list_codg": ln.drug, "cnt": ln.cnt, "prd_days": ln.days, "sin_dos_dscr": ln.dose,
                          "used_frqu_dscr": ln.freq, "medc_way_dscr": ln.way} for ln in u.lines]}
    if u.ack:
        payload["warn_ack"] = {"rules": u.ack, "by": who.name}
    if u.lifestyle is not None:
        payload["lifestyle"] = u.lifestyle.model_dump(exclude_defaults=True)
    out = await run_in_threadpool(call, request, who, "7101", payload)
    output = out.get("output") or {}
    if out.get("infcode") == 0:
        return {"ok": True, **output.get("data", {})}
    return {"ok": False, "err_msg": out.get("err_msg"), "preaudit": output.get("preaudit")}


def new_rxno(today: dt.date) -> str:
    return f"WEB{today:%Y%m%d}{secrets.token_hex(4).upper()}"


@router.get("/api/rxno")
async def rxno(request: Request):
    """A fresh hospital prescription number for a new form (kept by the page across an acknowledgement)."""
    _api_who(request)
    return {"hosp_rxno": new_rxno(_state(request).clock().date())}


def mount(app: FastAPI, engine: Engine, clock) -> None:
    from server.prescriber import care, review, supply

    app.state.prescriber = State(engine, clock, session.key(engine))
    app.include_router(router)
    app.include_router(review.router)
    app.include_router(supply.router)
    app.include_router(care.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="prescriber-static")
