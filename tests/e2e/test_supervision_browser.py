"""The supervision big screen in a real browser: Debian's Chromium driven by Selenium (chromium-driver), against the
centre served by uvicorn on a loopback port, with settlements sent as signed HTTP messages like any client.

Log in, see the panels with the seeded settlements, send a settlement and watch the number change live (Server-
Sent Events), see the staged 一人多开 alert appear, drill down to the person (journaled read, masked ID), the
institution and the drug, export the alerts as XLSX; screenshots of each page at 1920x1080 and 1366x768 go to the
test's temp dir.
"""
from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from tests.server.fixtures import sqlite_centre_copy
from tests.server.helpers import PH1, PH2, Client, LiveServer, RequestsHttp, settle_input

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
D03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033"}
SIZES = ((1920, 1080), (1366, 768))

pytestmark = [pytest.mark.slow]


def _browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Chromium and chromium-driver are required (Debian: apt-get install chromium chromium-driver; "
                    ".ci/run installs them)", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--lang=zh-CN",
                 "--window-size=1920,1080", "--hide-scrollbars"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    _viewport(driver, *SIZES[0])
    # a wall display whose machine is set far from Beijing (UTC-12: never the same hour as CST)
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Etc/GMT+12"})
    return driver


def _clock_is_beijing_time(shown: str) -> bool:
    """The screen's clock ("2026/12/8 09:41:07") against the centre's CST clock, read around it."""
    import datetime as dt

    from server.envelope import CST

    at = dt.datetime.strptime(shown.strip(), "%Y/%m/%d %H:%M:%S").replace(tzinfo=CST)
    return abs((dt.datetime.now(CST) - at).total_seconds()) < 120


def _viewport(driver, w: int, h: int) -> None:
    """The page's own size exactly (a headless window's outer size is not its viewport)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": False})


def _shots(driver, out: Path, name: str) -> None:
    for w, h in SIZES:
        _viewport(driver, w, h)
        # ECharts redraws on the window's resize event: wait for a frame after it
        driver.execute_async_script("window.dispatchEvent(new Event('resize'));"
                                    "requestAnimationFrame(() => requestAnimationFrame(arguments[0]));")
        driver.save_screenshot(str(out / f"{name}-{w}x{h}.png"))
    _viewport(driver, *SIZES[0])


@pytest.fixture
def centre(_templates, tmp_path):
    from server.app import create_app

    engine = sqlite_centre_copy(_templates("sqlite"), tmp_path)
    app = create_app(engine=engine)
    with LiveServer(app) as live:
        yield live, engine, Client(RequestsHttp(live.url), _templates("sqlite").secrets)
    engine.dispose()


@pytest.fixture
def supervisor(centre):
    """A supervisor of the supervisor institution, as the demo has one."""
    from server.seed import seed_institutions

    live, engine, _client = centre
    seed_institutions(engine, {
        "institutions": [{"code": "S42070000001", "name": "基金监管科(测试)", "kind": "supervisor"}],
        "staff": [{"institution": "S42070000001", "user": "jian", "name": "简监管", "roles": ["supervisor"],
                   "password": "jianguan-8642"}]})
    return "S42070000001", "jian", "jianguan-8642"


def _wait(driver, predicate, timeout: float = 30.0, what: str = ""):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # the pages re-render their tables on live updates: an element read a moment ago may be gone, so look again
    return WebDriverWait(driver, timeout, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: predicate(d), what)


def _text(driver, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id).text


def test_big_screen_live_alert_drilldown_export(centre, supervisor, tmp_path):
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    live, engine, client = centre
    shots = tmp_path / "screens"
    shots.mkdir()
    for psn in ("T0001", "T0002"):  # the seeded data the screen must show
        r = client.call("2102", settle_input(psn, packs=1, days=28), code=PH1)
        assert r["infcode"] == 0, r.get("err_msg")

    driver = _browser()
    try:
        driver.get(live.url + "/supervision/")
        _wait(driver, lambda d: "/supervision/login" in d.current_url, what="redirect to the login")
        driver.find_element(By.ID, "institution").send_keys(supervisor[0])
        driver.find_element(By.ID, "user").send_keys(supervisor[1])
        driver.find_element(By.ID, "password").send_keys("wrong-password")
        driver.find_element(By.ID, "login").click()
        _wait(driver, lambda d: "用户名或密码错误" in d.page_source, what="the refusal")
        _shots(driver, shots, "login-refused")
        driver.find_element(By.ID, "password").send_keys(supervisor[2])
        driver.find_element(By.ID, "login").click()
        _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "1",
              what="the board drawn")
        assert _clock_is_beijing_time(_text(driver, "clock")), _text(driver, "clock")
        assert _text(driver, "kpi-today-settlements") == "2"
        assert _text(driver, "kpi-month-settlements") == "2"
        _wait(driver, lambda d: d.find_element(By.ID, "live").get_attribute("class") == "live on", what="SSE open")
        _shots(driver, shots, "screen")

        # a settlement over HTTP: the count changes on the open screen without a reload
        r = client.call("2102", settle_input("T0001", drug=D03, packs=1, days=28, dose="150"), code=PH2)
        assert r["infcode"] == 0, r.get("err_msg")
        sent = time.monotonic()
        _wait(driver, lambda d: _text(d, "kpi-today-settlements") == "3", what="live update")
        latency = time.monotonic() - sent
        print(f"live update {latency:.2f} s after the settlement's answer")
        # the same person at a second institution within the window: 一人多开
        alert = _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#alerts li[data-rule='SV-R01'] a"),
                      what="the SV-R01 alert")[0]
        assert "一人多开" in alert.text and "T0001" in alert.text
        _shots(driver, shots, "screen-live-alert")

        alert.click()
        _wait(driver, lambda d: "/supervision/person/T0001" in d.current_url, what="person drill-down")
        page = driver.page_source
        assert "本次查看已记入日志" in page and "SV-R01" in page
        assert "420704195703121015" not in page and "420704********1015" in page  # masked ID only
        _shots(driver, shots, "person")

        driver.get(live.url + f"/supervision/institution/{PH2}")
        _wait(driver, lambda d: "机构" in d.title, what="institution page")
        assert "D03" in driver.page_source or "厄贝沙坦" in driver.page_source
        _shots(driver, shots, "institution")
        driver.get(live.url + "/supervision/drug/D01")
        _wait(driver, lambda d: "药品" in d.title, what="drug page")
        assert "T0002" in driver.page_source
        _shots(driver, shots, "drug")

        # assign the alert from the alerts page (journaled below)
        driver.get(live.url + "/supervision/alerts?status=open")
        row = _wait(driver, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "tbody tr") if "SV-R01" in r.text],
                    what="the alert in the list")[0]
        row.find_element(By.NAME, "assignee").send_keys("稽核科 张三")
        row.find_element(By.CSS_SELECTOR, "button[value='assign']").click()
        _wait(driver, lambda d: any("SV-R01" in r.text and "assigned → 稽核科 张三" in r.text
                                    for r in d.find_elements(By.CSS_SELECTOR, "tbody tr")), what="assigned")
        _shots(driver, shots, "alerts")

        # export with the browser's own session
        cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
        import requests

        got = requests.get(live.url + "/supervision/export/alerts.xlsx", cookies=cookies, timeout=30)
        assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxml")
        rows = list(load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
        assert rows[0][1].startswith("规则") and any(r[1] == "SV-R01" for r in rows[1:])
        assert requests.get(live.url + "/supervision/export/alerts.xlsx", timeout=30).status_code == 401
    finally:
        driver.quit()

    from sqlalchemy import select

    from server.models import journal

    with engine.connect() as conn:
        reads = [json.loads(p) for k, p in conn.execute(select(journal.c.kind, journal.c.payload))
                 if k == "supervision.read"]
    assert reads and reads[-1]["person_no"] == "T0001" and reads[-1]["who"] == "S42070000001/jian"
    with engine.connect() as conn:
        handled = [json.loads(p) for k, p in conn.execute(select(journal.c.kind, journal.c.payload))
                   if k == "supervision.alert"]
    assert [(h["rule"], h["action"], h["assignee"]) for h in handled] == [("SV-R01", "assign", "稽核科 张三")]
    for name in ("login-refused", "screen", "screen-live-alert", "person", "institution", "drug", "alerts"):
        for w, h in SIZES:
            assert (shots / f"{name}-{w}x{h}.png").stat().st_size > 10_000
