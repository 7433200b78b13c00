"""What an attacker with one pharmacy's secret sends, on SQLite and PostgreSQL: every input gets a clean refusal
(infcode -1, or 400/401 with a message), never a 500 or a traceback, and nothing is written.

Deep JSON nesting, oversized and non-ASCII signature headers, decimal overflow in 2102 and 3201 (as a number
and as text), another institution's msgid prefix, future prescription and fee dates, a validity before the
prescription date; and `scan-parse --json` with 100,000 nested brackets (exit 2)."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from sqlalchemy import text

from server.envelope import CST
from server.signing import sign_headers
from tests.server.helpers import PH1, PH2, body_of, envelope, settle_input

TABLES = ("centre_message", "centre_journal", "settlement", "centre_nonce")


def _counts(engine) -> dict:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}


def _signed(client, env: dict, raw: bytes | None = None):
    body = raw if raw is not None else body_of(env)
    return body, sign_headers(PH1, client.secrets[PH1], body)


def test_deep_nesting_and_bad_headers_are_refused_before_anything_is_written(client, centre_engine):
    client.sign_in(PH1)
    before = _counts(centre_engine)
    deep = ('{"infno": "1101", "input": ' + "[" * 5000 + "]" * 5000 + "}").encode()
    body, headers = _signed(client, {}, deep)
    r = client.post_raw(body, headers)
    assert r.status_code == 400 and "nested too deeply" in r.json()["err_msg"]
    env = envelope("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "420704195703121015"}}, PH1,
                   sign_no=client.sign_nos[PH1])
    body, headers = _signed(client, env)
    for name, value in (("x-tif-timestamp", "9" * 5000), ("x-tif-nonce", "n" * 300),
                        ("x-tif-timestamp", b"17\xff00".decode("latin-1"))):
        bad = dict(headers, **{name: value})
        r = client.http.post(client.path, content=body, headers={k: v.encode("latin-1") for k, v in bad.items()})
        assert r.status_code == 401 and r.json()["infcode"] == -1, (name, r.status_code, r.text[:200])
        assert "Traceback" not in r.text
    assert _counts(centre_engine) == before


@pytest.mark.parametrize("as_text", [False, True])
def test_decimal_overflow_in_2102_and_3201_is_a_clean_refusal(client, centre_engine, as_text):
    client.sign_in(PH1)
    before = _counts(centre_engine)
    huge = "1e309"
    body = settle_input("T0001")
    raw = json.dumps(envelope("2102", body, PH1, sign_no=client.sign_nos[PH1]), ensure_ascii=False)
    raw = raw.replace(f'"medfee_sumamt": "{body["druginfo"]["medfee_sumamt"]}"',
                      f'"medfee_sumamt": {json.dumps(huge) if as_text else huge}')
    assert huge in raw
    r = client.post_raw(raw.encode(), sign_headers(PH1, client.secrets[PH1], raw.encode()))
    assert r.status_code in (200, 400) and r.json()["infcode"] == -1, r.text[:300]
    day = dt.datetime.now(CST).date().isoformat()
    stmt = {"data": {"insutype": "310", "stmt_begndate": day, "stmt_enddate": day, "medfee_sumamt": "0", "fund_pay_sumamt": "0",
                     "fixmedins_setl_cnt": 0}}
    raw = json.dumps(envelope("3201", stmt, PH1, sign_no=client.sign_nos[PH1]))
    raw = raw.replace('"fund_pay_sumamt": "0"', f'"fund_pay_sumamt": {json.dumps(huge) if as_text else huge}')
    r = client.post_raw(raw.encode(), sign_headers(PH1, client.secrets[PH1], raw.encode()))
    assert r.status_code in (200, 400) and r.json()["infcode"] == -1 and "Traceback" not in r.text, r.text[:300]
    assert "range" in r.json()["err_msg"] or "超出" in r.json()["err_msg"], r.json()["err_msg"]
    after = _counts(centre_engine)
    assert after["settlement"] == before["settlement"] and after["centre_journal"] == before["centre_journal"]


def test_a_msgid_of_another_institution_is_refused(client, centre_engine):
    out = client.call("2102", settle_input("T0001"), PH1, msgid=f"{PH2}20261207120000{1:04d}")
    assert out["infcode"] == -1 and "must start with" in out["err_msg"]
    with centre_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM settlement WHERE settlement_id LIKE :p"),
                            {"p": f"{PH2}%"}).scalar() == 0


@pytest.mark.parametrize("field,value,words", [
    ("rx_date", "9999-12-31", "in the future"),
    ("fee_ocur_time", "9999-12-31 10:00:00", "in the future"),
    ("rx_valid_until", "0001-01-01", "valid until a day before"),
])
def test_future_and_inverted_prescription_dates_are_refused(client, centre_engine, field, value, words):
    body = settle_input("T0001")
    if field == "fee_ocur_time":
        body["drugdetail"][0]["fee_ocur_time"] = value
    else:
        body["druginfo"]["expContent"][field] = value
    before = _counts(centre_engine)["settlement"]
    for infno in ("2101", "2102"):
        out = client.call(infno, body, PH1)
        assert out["infcode"] == -1 and words in out["err_msg"], out["err_msg"]
    assert _counts(centre_engine)["settlement"] == before
    # a few minutes of clock skew are tolerated
    soon = (dt.datetime.now(CST) + dt.timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S")
    body = settle_input("T0001")
    body["drugdetail"][0]["fee_ocur_time"] = soon
    assert client.call("2101", body, PH1)["infcode"] == 0


def test_scan_parse_with_100000_nested_brackets_exits_2():
    deep = "[" * 100_000 + "]" * 100_000
    out = subprocess.run([sys.executable, "-m", "onewindow", "scan-parse", "--json", "-"], input=deep,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "nested too deeply" in out.stderr and "Traceback" not in out.stderr
