"""The supervision web application over HTTP (in-process): the session guards every route, bad requests get a clear
zh+en answer and change nothing, exports open in openpyxl, the vendored ECharts is the pinned file with its
licence, and nothing is loaded from another host."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.supervision import auth, rollup
from server.supervision.models import sv_alert
from server.supervision.routes import STATIC
from tests.server.helpers import PH1, PH2, settle_input, trace_codes

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def session(client):
    """A supervisor's cookie, as the login hands it out."""
    state = client.app.state.supervision
    token = auth.issue(state.session_key, auth.Viewer("S42070000001", "jian", "简监管", "supervisor"))
    client.http.cookies.set(auth.COOKIE, token, path="/supervision")
    return token


def test_every_route_needs_a_valid_session(client):
    http = client.http
    r = http.get("/supervision/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/supervision/login"
    for path in ("/supervision/api/board", "/supervision/api/stream", "/supervision/api/alerts",
                 "/supervision/api/person/T0001", "/supervision/export/alerts.csv"):
        assert http.get(path).status_code == 401, path
    assert "请先登录" in http.get("/supervision/api/board").json()["detail"]
    r = http.get("/supervision/person/T0001", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/supervision/login"
    key = client.app.state.supervision.session_key
    good = auth.issue(key, auth.Viewer("S1", "u", "n", "supervisor"))
    body, mac = good.split(".")
    forged = auth.issue(b"another key", auth.Viewer("S1", "u", "n", "supervisor"))
    expired = auth.issue(key, auth.Viewer("S1", "u", "n", "supervisor"), now=time.time() - auth.SESSION_SECONDS - 5)
    for token in (forged, expired, body + "." + mac[::-1], "garbage", body):
        http.cookies.set(auth.COOKIE, token, path="/supervision")
        assert http.get("/supervision/api/board").status_code == 401, token
    http.cookies.set(auth.COOKIE, good, path="/supervision")
    assert http.get("/supervision/api/board").status_code == 200


def test_login_form_refuses_empty_fields_in_both_languages(client):
    r = client.http.post("/supervision/login", content=b"institution=&user=&password=",
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401 and "请填写" in r.text and "required" in r.text
    assert auth.COOKIE not in r.cookies


def test_board_drilldowns_and_exports(client, centre_engine, session):
    assert client.call("2102", settle_input(packs=2, days=56), code=PH1)["infcode"] == 0
    http = client.http
    b = http.get("/supervision/api/board").json()
    assert b["summary"]["today"]["settlements"] == 1 and b["viewer"].startswith("简监管")
    inst = http.get(f"/supervision/api/institution/{PH1}").json()
    assert inst["drugs"][0]["key"] == "D01" and inst["drugs"][0]["boxes"] == 2
    assert inst["stock"] == [] and "未上报库存" in http.get(f"/supervision/institution/{PH1}").text
    # stock if uploaded: a purchase of 3 boxes (3503) and one sold (3505) leave 2 on hand in that batch
    from tests.server.test_stock import purc, sale

    codes = trace_codes("8100011", 3)
    assert client.call("3503", purc(codes, bchno="SV-B1"), code=PH1)["infcode"] == 0
    assert client.call("3505", sale(codes[:1], bchno="SV-B1", docno="SV-S1"), code=PH1)["infcode"] == 0
    inst = http.get(f"/supervision/api/institution/{PH1}").json()
    assert [(x["key"], x["batch"], x["boxes"], x["expires"]) for x in inst["stock"]] == [
        ("D01", "SV-B1", 2.0, "2028-01-09")]
    page = http.get(f"/supervision/institution/{PH1}").text
    assert "SV-B1" in page and "未上报库存" not in page
    assert http.get(f"/supervision/api/institution/{PH2}").json()["stock"] == []  # another pharmacy's is its own
    drug = http.get("/supervision/api/drug/D01").json()
    assert drug["institutions"][0]["code"] == PH1 and drug["recent"][0]["person_no"] == "T0001"
    person = http.get("/supervision/api/person/T0001").json()
    assert person["id_masked"] == "420704********1015" and person["settlements"][0]["total"] == 56.0
    for path in (f"/supervision/institution/{PH1}", "/supervision/drug/D01", "/supervision/person/T0001"):
        page = http.get(path)
        assert page.status_code == 200 and "<script" not in page.text.split("</nav>")[1], path
    got = http.get("/supervision/export/drugs.csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("药品编码") and rows[1][0] == "D01" and float(rows[1][2]) == 2.0
    from openpyxl import load_workbook

    got = http.get("/supervision/export/institutions.xlsx")
    sheet = load_workbook(io.BytesIO(got.content)).active
    assert sheet.cell(2, 1).value == PH1 and sheet.cell(2, 3).value == 1


def test_bad_requests_are_refused_and_change_nothing(client, centre_engine, session):
    from server.models import journal

    http = client.http
    for path, status in (("/supervision/export/alerts.pdf", 400), ("/supervision/export/secrets.csv", 404),
                         ("/supervision/api/institution/NOPE", 404), ("/supervision/api/person/NOPE", 404),
                         ("/supervision/api/drug/NOPE", 404), ("/supervision/api/alerts?status=closed", 400)):
        r = http.get(path)
        assert r.status_code == status, path
        assert re.search(r"[\u4e00-\u9fff]", r.json()["detail"]) and " / " in r.json()["detail"], path

    def counts():
        with centre_engine.connect() as conn:
            return (conn.execute(select(func.count()).select_from(journal)).scalar(),
                    conn.execute(select(sv_alert.c.status, sv_alert.c.assignee)).all())

    rollup.fold(centre_engine)  # the periodic rules raise the seeded persons' follow-up alerts
    before = counts()
    alert_id = http.get("/supervision/api/alerts").json()[0]["id"]
    assert http.post(f"/supervision/api/alerts/{alert_id}", json={"action": "delete"}).status_code == 422
    r = http.post(f"/supervision/api/alerts/{alert_id}", json={"action": "assign", "assignee": "  "})
    assert r.status_code == 400 and "处理人" in r.json()["detail"]
    assert http.post("/supervision/api/alerts/999999", json={"action": "acknowledge"}).status_code == 404
    assert counts() == before
    r = http.post(f"/supervision/api/alerts/{alert_id}", json={"action": "acknowledge", "note": "已核实"})
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    after = counts()
    assert after[0] == before[0] + 1


def test_echarts_is_the_pinned_vendored_copy_with_its_licence():
    notes = (STATIC / "VENDORED.md").read_text(encoding="utf-8")
    name, digest = re.search(r"`(echarts-[\d.]+\.common\.min\.js)`.*sha256 `([0-9a-f]{64})`", notes).groups()
    assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest
    assert "Apache License" in (STATIC / "ECHARTS-LICENSE").read_text(encoding="utf-8")
    assert (STATIC / "ECHARTS-NOTICE").exists()
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert f'src="/supervision/static/{name}"' in html
    for text in (html, (STATIC / "screen.js").read_text(encoding="utf-8"), (STATIC / "screen.css").read_text()):
        assert not re.search(r"(src|href)=\"(https?:)?//", text) and "cdn" not in text.lower()
    assert '"server.supervision" = ["static/*"]' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_login_hands_out_the_session_and_refuses_a_wrong_password(client, centre_engine):
    from server.seed import seed_institutions

    seed_institutions(centre_engine, {
        "institutions": [{"code": "S42070000001", "name": "基金监管科(测试)", "kind": "supervisor"}],
        "staff": [{"institution": "S42070000001", "user": "jian", "name": "简监管", "roles": ["supervisor"],
                   "password": "jianguan-8642"},
                  {"institution": "P42070000001", "user": "jian", "name": "药店员工", "roles": ["supervisor"],
                   "password": "jianguan-8642"}]})
    form = {"content-type": "application/x-www-form-urlencoded"}
    bad = client.http.post("/supervision/login", content="institution=S42070000001&user=jian&password=nope",
                           headers=form)
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text and auth.COOKIE not in bad.cookies
    other = client.http.post("/supervision/login", content="institution=P42070000001&user=jian&password=jianguan-8642",
                             headers=form)
    assert other.status_code == 401 and "经办机构或监管部门" in other.text  # a pharmacy's staff, whatever the role
    ok = client.http.post("/supervision/login", content="institution=S42070000001&user=jian&password=jianguan-8642",
                          headers=form, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/supervision/"
    assert "httponly" in ok.headers["set-cookie"].lower() and "samesite=strict" in ok.headers["set-cookie"].lower()
    assert client.http.get("/supervision/api/board").json()["viewer"].startswith("简监管")
