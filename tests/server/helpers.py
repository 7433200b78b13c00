"""Helpers for centre tests: PostgreSQL admin connection, and a signed platform client."""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json

import pytest

from server.signing import sign_headers

PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=5"
PH1, PH2, CL1, H2, H3, CTR = "P42070000001", "P42070000002", "H42070000011", "H42070000021", "H42070000031", "H42070000032"
# resources/demo/institutions.json: the agency (经办机构), the supervisor (监管) and a kiosk, with centre staff
AGY, SUP, KSK = "A42070000001", "S42070000001", "K42070000001"
STAFF_PASSWORDS = {"wang": "jingban-1111", "zhao": "fushen-1357", "E001": "zhuanjia-E001", "E002": "zhuanjia-E002",
                   "E003": "zhuanjia-E003", "E004": "zhuanjia-E004", "E005": "zhuanjia-E005", "jian": "jianguan-8642"}
P01_CERTNO = "420704195703121015"  # 两病 resident, hypertension (T0001)
CALL = "/fsi/api/rsfComIfsService/callService"

_seq = itertools.count(1)


def pg_url(dbname: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"


@contextlib.contextmanager
def pg_admin():
    import psycopg

    try:
        conn = psycopg.connect(PG_DSN, autocommit=True)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL is required on 127.0.0.1:5432 (database test) for the centre tests: {exc}",
                    pytrace=False)
    try:
        yield conn
    finally:
        conn.close()


def new_msgid(code: str) -> str:
    now = dt.datetime.now()
    return f"{code[:12]}{now:%Y%m%d%H%M%S}{next(_seq) % 10000:04d}"


def envelope(infno: str, payload: dict, code: str, *, msgid: str | None = None, sign_no: str = "", **extra) -> dict:
    env = {
        "infno": infno,
        "msgid": msgid or new_msgid(code),
        "mdtrtarea_admvs": "420700",
        "insuplc_admdvs": "420700",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "OP01",
        "opter_name": "测试员",
        "inf_time": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        "fixmedins_code": code,
        "fixmedins_name": "测试机构",
        "sign_no": sign_no,
        "input": payload,
    }
    env.update(extra)
    return env


def body_of(env: dict) -> bytes:
    return json.dumps(env, ensure_ascii=False).encode()


class Client:
    """Sends signed envelopes; signs in per institution on first business call."""

    def __init__(self, http, secrets: dict[str, str], *, app=None, path: str = CALL) -> None:
        self.http, self.secrets, self.app, self.path = http, secrets, app, path
        self.sign_nos: dict[str, str] = {}

    def post_raw(self, body: bytes, headers: dict | None = None):
        return self.http.post(self.path, content=body, headers=headers or {"content-type": "application/json"})

    def post_raw_to(self, path: str, body: bytes, headers: dict):
        return self.http.post(path, content=body, headers=headers)

    def send(self, env: dict, *, sign: bool = True, secret: str | None = None):
        body = body_of(env)
        code = env.get("fixmedins_code", "")
        headers = sign_headers(code, secret or self.secrets[code], body) if sign else {"content-type": "application/json"}
        return self.post_raw(body, headers)

    def sign_in(self, code: str = PH1) -> str:
        r = self.send(envelope("9001", {"signIn": {"opter_no": "OP01", "mac": "", "ip": "127.0.0.1"}}, code))
        data = r.json()
        assert data["infcode"] == 0, data
        self.sign_nos[code] = data["output"]["signinoutb"]["sign_no"]
        return self.sign_nos[code]

    def call(self, infno: str, payload: dict, code: str = PH1, *, msgid: str | None = None, **extra) -> dict:
        if code not in self.sign_nos and infno not in ("9001",):
            self.sign_in(code)
        env = envelope(infno, payload, code, msgid=msgid, sign_no=self.sign_nos.get(code, ""), **extra)
        r = self.send(env)
        data = r.json()
        data["_status"] = r.status_code
        data["_msgid"] = env["msgid"]
        return data


_code_seq = itertools.count(1)


def trace_codes(prefix: str, n: int) -> list[str]:
    """Fresh synthetic 20-digit codes with a product prefix (unique within the test session)."""
    import os

    base = (os.getpid() % 10000) * 10**6
    return [f"{prefix}{base + next(_code_seq):013d}" for _ in range(n)]


D01 = {"key": "D01", "code": "XC08CAA321A001010199901", "price": "28.00", "prefix": "8100011"}


def settle_input(psn_no: str = "T0001", *, drug: dict = D01, packs: int = 3, days: int = 84, codes=None,
                 med_type: str = "9901", diag: str = "I10.x00", dose: str = "5", times: str = "1") -> dict:
    codes = trace_codes(drug["prefix"], packs) if codes is None else codes
    total = f"{float(drug['price']) * packs:.2f}"
    return {
        "druginfo": {"psn_no": psn_no, "mdtrt_cert_type": "", "mdtrt_cert_no": "", "medfee_sumamt": total,
                     "insutype": "390", "med_type": med_type, "dise_codg": "HTN", "acct_used_flag": "0",
                     "expContent": {"long_rx_confirmed": True}},
        "drugdetail": [{
            "feedetl_sn": "1", "rxno": "RX1", "med_list_codg": drug["code"], "medins_list_codg": drug["key"],
            "det_item_fee_sumamt": total, "cnt": packs, "pric": drug["price"], "prd_days": days,
            "sin_dos_dscr": dose, "used_frqu_dscr": "qd", "trdn_flag": "0",
            "drugtracinfo": [{"drug_trac_codg": c} for c in codes],
            "expContent": {"dose": dose, "times_per_day": times},
        }],
        "diseinfo": [{"diag_code": diag, "diag_name": "高血压"}],
    }


class LiveServer:
    """uvicorn on a free loopback port in a thread; `url` is its base address."""

    def __init__(self, app) -> None:
        import socket
        import threading

        import uvicorn

        self.sock = socket.socket()  # bound once and served as it is (not closed and bound again by uvicorn)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(2048)
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False,
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "LiveServer":
        import time

        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


class RequestsHttp:
    """The requests library behind the Client interface (base URL + path)."""

    def __init__(self, base: str) -> None:
        import requests

        self.base = base
        self.session = requests.Session()

    def post(self, path: str, content: bytes, headers: dict):
        return self.session.post(self.base + path, data=content, headers=headers, timeout=60)

    def get(self, path: str):
        return self.session.get(self.base + path, timeout=60)


def ok(r: dict) -> dict:
    """The output of an answer that must have succeeded (its err_msg shown when it did not)."""
    assert r["infcode"] == 0, r.get("err_msg")
    return r["output"]


def refused(r: dict, *words: str) -> str:
    """The err_msg of an answer that must have been refused, holding every one of words."""
    assert r["infcode"] != 0, r
    for w in words:
        assert w in r["err_msg"], r["err_msg"]
    return r["err_msg"]
