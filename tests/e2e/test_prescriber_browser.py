"""The prescriber form in a real browser (Debian Chromium + Selenium, like the supervision screen) against the
centre served by uvicorn, with pharmacies asking over signed HTTP (issue #19, seed 000).

A doctor of 市中心医院 logs in, finds the patient by ID number, writes the issue's bad prescription (a man, a
women-only drug, a health food, an unrelated diagnosis, 200 days): BLOCKed, every hit shown, and no pharmacy ever
lists it. A long supply without assessment WARNs: it circulates once the doctor ticks every warning, with the
acknowledgement and the doctor's name (from the login, not typed) signed into it. A future date is refused.
Screenshots are compared with tests/ui/screenshots/prescriber_*.png (tests/screenshots.py).
"""
from __future__ import annotations


import pytest

from core.rx.signature import verify
from server.rx_keys import keys_by_id
from tests import screenshots
from tests.e2e.test_supervision_browser import _browser, _wait
from tests.server.fixtures import sqlite_centre_copy
from tests.server.helpers import H3, P01_CERTNO, PH1, PH2, Client, LiveServer, RequestsHttp, envelope, trace_codes

pytestmark = [pytest.mark.slow]
DOCTOR = ("H42070000031", "dr_zhang", "yisheng-2468")  # resources/demo/institutions.json


@pytest.fixture
def centre(_templates, tmp_path):
    from server.app import create_app

    engine = sqlite_centre_copy(_templates("sqlite"), tmp_path)
    with LiveServer(create_app(engine=engine)) as live:
        yield live, Client(RequestsHttp(live.url), _templates("sqlite").secrets)
    engine.dispose()


def _by(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css)


def _all(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def _add_drug(driver, query: str, key: str, cnt: str, days: str, dose: str = "", freq: str = "qd") -> None:
    box = _by(driver, "#drug-q")
    box.clear()
    box.send_keys(query)
    _wait(driver, lambda d: any(e.is_displayed() for e in _all(d, f'#suggest div[data-key="{key}"]')),
          what=f"{key} found by {query}")
    _by(driver, f'#suggest div[data-key="{key}"]').click()
    n = len(_all(driver, "#lines tbody tr"))
    for field, value in (("cnt", cnt), ("days", days), ("dose", dose), ("freq", freq)):
        cell = _by(driver, f'#lines input[data-line="{n}"][data-field="{field}"]')
        cell.clear()
        cell.send_keys(value)


def _shot(driver, name: str) -> None:
    driver.execute_script("const v = document.getElementById('verdict'); if (v) v.scrollIntoView({block: 'end'});")
    path = screenshots.out_dir() / f"prescriber_{name}.png"
    driver.save_screenshot(str(path))
    screenshots.check_file(path, f"prescriber_{name}")


def _listed(client, code: str) -> list[str]:
    out = client.call("7202", {"data": {"psn_no": "T0001"}}, code=code)
    assert out["infcode"] == 0, out["err_msg"]
    return [r["hi_rxno"] for r in out["output"]["data"]]


def test_doctor_writes_blocked_warned_and_bad_prescriptions(centre):
    live, client = centre
    driver = _browser()
    try:
        driver.get(live.url + "/prescriber/")
        _wait(driver, lambda d: "/prescriber/login" in d.current_url, what="redirect to the login")
        for field, value in zip(("institution", "user", "password"), (*DOCTOR[:2], "wrong-password"), strict=True):
            _by(driver, f"#{field}").send_keys(value)
        _by(driver, "#login").click()
        _wait(driver, lambda d: "用户名或密码错误" in d.page_source, what="the refusal")
        _by(driver, "#password").send_keys(DOCTOR[2])
        _by(driver, "#login").click()
        _wait(driver, lambda d: "张明医生" in _by(d, "#who").text, what="the form")
        assert "市中心医院" in _by(driver, "#who").text

        _by(driver, "#certno").send_keys(P01_CERTNO)
        _by(driver, "#find").click()
        _wait(driver, lambda d: "T0001" in _by(d, "#patient").text, what="the patient")
        assert "王某" in _by(driver, "#patient").text and "高血压" in _by(driver, "#patient").text

        # the prescription: BLOCKed at upload, every hit shown
        _by(driver, "#dise_codg").send_keys("J45.900")
        _by(driver, "#dise_name").send_keys("哮喘")
        _add_drug(driver, "fkqj", "D07", "1", "30")  # 妇科千金片 by pinyin initials
        _add_drug(driver, "鱼油", "D09", "1", "30")
        _add_drug(driver, "D01", "D01", "8", "200", "5mg")
        _by(driver, "#submit").click()
        _wait(driver, lambda d: _all(d, '#verdict[data-verdict="BLOCK"]'), what="the BLOCK verdict")
        shown = {e.get_attribute("data-rule") for e in _all(driver, "#verdict li.hit")}
        assert shown >= {"DRG-001", "CAT-002", "CAT-004", "QTY-001"}, shown
        assert "不能流转" in _by(driver, "#verdict").text and "妇科千金片" in _by(driver, "#verdict").text
        _shot(driver, "blocked")
        assert _listed(client, PH1) == [] and _listed(client, PH2) == []

        # a new prescription: 56 days without assessment WARNs; it circulates once acknowledged. The form shows
        # which pharmacies hold the drug (3590): PH2 received 3 boxes of D01, nobody holds D03
        received = client.call("3503", {"purcinfo": {
            "med_list_codg": "XC08CAA321A001010199901", "fixmedins_hilist_id": "D01", "fixmedins_hilist_name": "苯磺酸氨氯地平片",
            "fixmedins_bchno": "B-1", "spler_name": "九州通医药", "manu_lotnum": "L2601", "manu_date": "2026-01-10",
            "expy_end": "2099-01-09", "finl_trns_pric": "20.00", "purc_retn_cnt": 3, "purc_invo_no": "INV1",
            "purc_retn_stoin_time": "2026-12-07 09:00:00", "purc_retn_opter_name": "库管",
            "drugtracinfo": [{"drug_trac_codg": c} for c in trace_codes("8100011", 3)]}}, code=PH2)
        assert received["infcode"] == 0, received["err_msg"]
        _by(driver, "#new").click()
        _wait(driver, lambda d: not _all(d, "#lines tbody tr") and not _all(d, "#verdict"), what="a fresh form")
        _by(driver, "#dise_codg").clear()
        _by(driver, "#dise_codg").send_keys("I10.x00")
        _add_drug(driver, "bhsaldp", "D01", "2", "56", "5mg")
        _wait(driver, lambda d: "有货" in _by(d, '[data-stock="D01"]').text, what="the stock of D01")
        assert "仁和药店(测试) 3盒" in _by(driver, '[data-stock="D01"]').text
        _by(driver, "#submit").click()
        _wait(driver, lambda d: _all(d, '#verdict[data-verdict="WARN"]'), what="the WARN verdict")
        assert not _by(driver, "#ack-submit").is_enabled()  # every warning must be ticked first
        _shot(driver, "warn")
        for tick in _all(driver, "#verdict input[data-ack]"):
            tick.click()
        _by(driver, "#ack-submit").click()
        _wait(driver, lambda d: _all(d, "#hi-rxno"), what="the circulating prescription")
        rx = _by(driver, "#hi-rxno").text
        assert "QTY-002" in _by(driver, "#verdict").text and "张明医生" in _by(driver, "#verdict").text
        _shot(driver, "circulating")
        assert _listed(client, PH1) == [rx] == _listed(client, PH2)
        row = client.call("7202", {"data": {"psn_no": "T0001"}}, code=PH1)["output"]["data"][0]
        assert row["prsc_dr_name"] == "张明医生" and row["fixmedins_code"] == H3 and row["preaudit"] == "WARN"
        signin = client.send(envelope("9001", {"signIn": {"opter_no": "OP01"}}, PH1)).json()
        dl = client.call("7203", {"data": {"hi_rxno": rx}})["output"]
        verify(dl, keys_by_id(signin["output"]["rx_sign_keys"]))
        assert dl["preaudit"]["ack"]["by"] == "张明医生" and dl["preaudit"]["ack"]["rules"] == ["QTY-002"]

        # bad input: a date in the future is refused with the reason, nothing circulates
        _by(driver, "#new").click()
        _wait(driver, lambda d: not _all(d, "#verdict"), what="a fresh form")
        driver.execute_script("document.getElementById('prsc_time').value = '2099-01-01'")
        _add_drug(driver, "D01", "D01", "1", "28", "5mg")
        _by(driver, "#submit").click()
        _wait(driver, lambda d: _all(d, '#verdict[data-verdict="REFUSED"]'), what="the refusal")
        assert "晚于当前时间" in _by(driver, "#refusal").text
        _shot(driver, "refused")
        assert _listed(client, PH1) == [rx]
    finally:
        driver.quit()
