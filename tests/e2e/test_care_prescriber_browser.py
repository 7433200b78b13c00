"""The doctor's half of the 双处方 on the prescriber form, in a real browser (Debian Chromium + Selenium) against the
centre served by uvicorn (issue 24): a township clinic's doctor finds 王某, whose registered 高血压 preselects the
library's template; the doctor edits the diet advice and the short form, adds the drug and submits. The clinic's
prescriptions are reviewed at the county hospital (远程审方), so the form says it is held, and no pharmacy lists
or downloads it. The county's pharmacist logs in to the review page (/prescriber/review): the prescription is in
the queue with its lifestyle prescription; returning it without a reason is refused; approved, it leaves the
queue, the clinic's pass rate shows 100 %, and the pharmacy's download carries the edited lifestyle
prescription. An emptied section is refused with the reason and nothing is written; the pharmacist may not
prescribe. Screenshots are compared with tests/ui/screenshots/prescriber_care_*.png (tests/screenshots.py).
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from server.models import eprescription
from server.staff import add_staff
from tests import screenshots
from tests.e2e.test_supervision_browser import _browser, _wait
from tests.server.fixtures import sqlite_centre_copy
from tests.server.helpers import CL1, H2, P01_CERTNO, PH1, Client, LiveServer, RequestsHttp

pytestmark = [pytest.mark.slow]
# CL1 车站路社区卫生服务中心 (a clinic) and H2 the county hospital reviewing its prescriptions
DOCTOR = (CL1, "dr_he", "hexiaoyan-2468")
PHARMACIST = (H2, "ys_li", "shenfang-1357")
DIET = "每天食盐不超过5克；王大爷爱吃的腌菜每周不超过一次。"
SHORT = "少盐、腌菜每周最多一次、每天快走30分钟、每周量血压2次"
# The centre's clock, fixed: the dates, deadlines and the year's visit count on the compared screenshots are the
# same on every run (the test's own signed calls are accepted whatever the skew to the real clock).
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def centre(_templates, tmp_path):
    from server.app import create_app

    engine = sqlite_centre_copy(_templates("sqlite"), tmp_path)
    with engine.begin() as conn:
        add_staff(conn, DOCTOR[0], DOCTOR[1], "何燕", ["doctor"], password=DOCTOR[2])
        add_staff(conn, PHARMACIST[0], PHARMACIST[1], "李审方", ["pharmacist"], password=PHARMACIST[2])
    with LiveServer(create_app(engine=engine, clock=lambda: NOW, window=10**9)) as live:
        yield live, Client(RequestsHttp(live.url), _templates("sqlite").secrets), engine
    engine.dispose()


def _by(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css)


def _all(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def _shot(driver, name: str) -> None:
    driver.execute_script("const v = document.getElementById('verdict'); if (v) v.scrollIntoView({block: 'end'});")
    path = screenshots.out_dir() / f"prescriber_care_{name}.png"
    driver.save_screenshot(str(path))
    screenshots.check_file(path, f"prescriber_care_{name}")


def _type(driver, css: str, text: str) -> None:
    box = _by(driver, css)
    box.clear()
    box.send_keys(text)


def _ok(out: dict) -> dict:
    assert out["infcode"] == 0, out["err_msg"]
    return out["output"]


def _rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(eprescription)).scalar()


def _login(driver, url: str, who: tuple[str, str, str]) -> None:
    driver.get(url + "/prescriber/login")
    for field, value in zip(("institution", "user", "password"), who, strict=True):
        _by(driver, f"#{field}").send_keys(value)
    _by(driver, "#login").click()


def _post(driver, path: str, body: dict) -> int:
    """The HTTP status of a POST the page itself makes (its cookie)."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {method: 'POST', credentials: 'same-origin', headers: {'content-type': 'application/json'},"
        " body: JSON.stringify(arguments[1])}).then((r) => done(r.status));", path, body)


def _words(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split())


def _printed(driver, path) -> str:
    """The page as Chromium prints it (CDP Page.printToPDF), read back by poppler's pdftotext."""
    import base64
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is needed to read the PDF back (apt-get install poppler-utils)", pytrace=False)
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    path.write_bytes(base64.b64decode(pdf["data"]))
    return _words(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)


def test_clinic_doctor_attaches_an_edited_lifestyle_prescription_held_for_review(centre, tmp_path):
    live, client, engine = centre
    _ok(client.call("2574", {"data": {"clinic_code": CL1, "hours": 24}}, code=H2))
    driver = _browser()
    try:
        _login(driver, live.url, DOCTOR)
        _wait(driver, lambda d: "何燕" in _by(d, "#who").text, what="the form")
        _by(driver, "#certno").send_keys(P01_CERTNO)
        _by(driver, "#find").click()
        _wait(driver, lambda d: "T0001" in _by(d, "#patient").text, what="the patient")
        # 王某's registered 高血压 picks the library's template; its parts are on the form to edit
        _wait(driver, lambda d: _all(d, '#ls-sections textarea[data-section="diet"]'), what="the lifestyle template")
        assert _by(driver, "#lifestyle").get_attribute("value") == "HTN-1"
        assert "每天食盐不超过5克" in _by(driver, '#ls-sections textarea[data-section="diet"]').get_attribute("value")
        _type(driver, '#ls-sections textarea[data-section="diet"]', DIET)
        _type(driver, '#ls-sections textarea[data-section="short"]', SHORT)
        _type(driver, "#dise_codg", "I10.x00")
        box = _by(driver, "#drug-q")
        box.send_keys("D01")
        _wait(driver, lambda d: any(e.is_displayed() for e in _all(d, '#suggest div[data-key="D01"]')), what="D01")
        _by(driver, '#suggest div[data-key="D01"]').click()
        cell = _by(driver, '#lines input[data-line="1"][data-field="dose"]')
        cell.send_keys("5mg")

        # an emptied part is refused with the reason; nothing is written
        before = _rows(engine)
        _type(driver, '#ls-sections textarea[data-section="sleep"]', " ")
        _by(driver, "#submit").click()
        _wait(driver, lambda d: _all(d, '#verdict[data-verdict="REFUSED"]'), what="the refusal")
        refusal = _by(driver, "#refusal").text
        assert "“睡眠与情绪”一栏内容为空" in refusal and "lifestyle.sections.sleep" in refusal, refusal
        assert _rows(engine) == before
        _shot(driver, "refused")

        # the sleep advice as the library has it; submitted, the prescription waits for the county's pharmacist
        sleep = _by(driver, '#ls-sections textarea[data-section="sleep"]')
        _type(driver, '#ls-sections textarea[data-section="sleep"]', sleep.get_attribute("data-template"))
        _by(driver, "#submit").click()
        _wait(driver, lambda d: _all(d, "#hi-rxno"), what="the uploaded prescription")
        verdict = _by(driver, "#verdict")
        assert verdict.get_attribute("data-status") == "review" and "远程审方" in verdict.text
        assert "高血压 生活方式处方（通用）" in _by(driver, "#rx-lifestyle").text
        rx = _by(driver, "#hi-rxno").text
        _shot(driver, "held")
        # printed, the prescription carries the lifestyle prescription as edited (the PDF read back)
        printed = _printed(driver, tmp_path / "rx.pdf")
        assert rx in printed and "苯磺酸氨氯地平片" in printed, printed
        assert _words("生活方式处方：高血压 生活方式处方（通用）") in printed and _words(DIET) in printed
        assert _words(SHORT) in printed and _words("审核通过后方可取药") in printed
        assert _words("提交审核并开具") not in printed  # the sheet alone, not the form

        # not circulating: the pharmacy neither lists nor downloads it
        listed = _ok(client.call("7202", {"data": {"psn_no": "T0001"}}, code=PH1))["data"]
        assert rx not in {x["hi_rxno"] for x in listed}
        held = client.call("7203", {"data": {"hi_rxno": rx}}, code=PH1)
        assert held["infcode"] != 0 and "尚未流转" in held["err_msg"]

        # the county hospital's pharmacist: the review page, not the form
        driver.delete_all_cookies()
        _login(driver, live.url, PHARMACIST)
        _wait(driver, lambda d: d.current_url.endswith("/prescriber/review") and _all(d, f'tr[data-rx="{rx}"]'),
              what="the review queue")
        row = _by(driver, f'tr[data-rx="{rx}"]')
        assert "高血压 生活方式处方（通用）" in row.text and "何燕" in row.text and "5mg" in row.text
        assert "李审方" in _by(driver, "#who").text
        assert _post(driver, "/prescriber/api/upload", {}) == 403  # a reviewing pharmacist does not prescribe
        _by(driver, f'button[data-return="{rx}"]').click()  # no reason given
        _wait(driver, lambda d: "理由" in _by(d, "#message").text, what="the refusal")
        assert _all(driver, f'tr[data-rx="{rx}"]')  # still waiting
        _shot(driver, "review_queue")
        _by(driver, f'button[data-approve="{rx}"]').click()
        _wait(driver, lambda d: "已通过" in _by(d, "#message").text and not _all(d, f'tr[data-rx="{rx}"]'),
              what="the approval")
        _wait(driver, lambda d: _all(d, f'#rate tr[data-clinic="{CL1}"]'), what="the pass rate")
        assert _by(driver, f'#rate tr[data-clinic="{CL1}"] td.rate').text == "100.0%"
        _shot(driver, "review_done")
    finally:
        driver.quit()

    got = _ok(client.call("7203", {"data": {"hi_rxno": rx}}, code=PH1))
    assert got["rxinfo"]["prsc_dr_name"] == "何燕"
    life = got["lifestyle"]
    assert life["template_id"] == "HTN-1" and life["short"] == SHORT
    parts = {p["section"]: p for p in life["sections"]}
    assert parts["diet"]["text"] == DIET and parts["diet"]["edited"]
    assert not parts["sleep"]["edited"] and not parts["exercise"]["edited"]  # only what the doctor changed


def test_clinic_reads_its_supply_list_from_follow_ups(centre):
    """补货建议 on /prescriber/supply: the clinic's signed patients' follow-up drugs, in boxes for the month."""
    live, client, _engine = centre
    today = NOW.date()
    for psn, dose in (("T0001", "5mg"), ("T0002", "10mg")):
        _ok(client.call("2560", {"data": {"psn_no": psn, "team": "车站路家庭医生团队", "doctor_code": "D001",
                                          "doctor_name": "何燕", "sign_date": today.isoformat()}}, code=CL1))
        _ok(client.call("2562", {"data": {"psn_no": psn, "visit_date": (today - dt.timedelta(days=1)).isoformat(),
                                          "place": "车站路卫生室", "doctor": "何燕", "sbp": 132, "dbp": 82,
                                          "assessment": "controlled",
                                          "drugs": [{"drug_key": "D01", "dose": dose, "freq": "qd"}]}}, code=CL1))
    driver = _browser()
    try:
        _login(driver, live.url, DOCTOR)
        _wait(driver, lambda d: "何燕" in _by(d, "#who").text, what="the form")
        driver.get(live.url + "/prescriber/supply")
        _wait(driver, lambda d: _all(d, 'tr[data-drug="D01"]'), what="the supply list")
        cells = [c.text for c in _all(driver, 'tr[data-drug="D01"] td')]
        # 1 + 2 tablets a day of 28 a box for 30 days: 90/28 → 4 boxes; the clinic reports no stock
        assert cells[0] == "苯磺酸氨氯地平片" and cells[2:6] == ["2", "4", "—", "4"], cells
        assert "未上报库存" in _by(driver, "#summary").text and "2 人" in _by(driver, "#summary").text
        _shot(driver, "supply")
        _type(driver, "#days", "60")
        _by(driver, "#go").click()
        _wait(driver, lambda d: _by(d, 'tr[data-drug="D01"] td.suggest').text == "7", what="60 days: 180/28 → 7")
    finally:
        driver.quit()


def _set(driver, field: str, value: str) -> None:
    """A date (or any) input's value as the page reads it (a date picker takes no typed ISO text)."""
    driver.execute_script("document.getElementById(arguments[0]).value = arguments[1]", field, value)


def test_doctor_signs_and_records_four_visits_one_refused(centre):
    """随访 on /prescriber/care: the clinic's doctor signs 王某, records four measured visits (a systolic of 1400 is
    refused naming the field, nothing written) and sees them on the timeline with the contract."""
    from server.models_chronic import followup

    live, client, engine = centre

    def visits() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(followup)).scalar()

    today = NOW.date()
    driver = _browser()
    try:
        _login(driver, live.url, DOCTOR)
        _wait(driver, lambda d: "何燕" in _by(d, "#who").text, what="the form")
        driver.get(live.url + "/prescriber/care")
        _by(driver, "#certno").send_keys(P01_CERTNO)
        _by(driver, "#find").click()
        _wait(driver, lambda d: "未签约" in _by(d, "#contract").text, what="the patient's contract")
        _type(driver, "#team", "车站路家庭医生团队")
        _type(driver, "#tel", "13800000001")
        _set(driver, "sign_date", today.isoformat())
        _by(driver, "#sign").click()
        _wait(driver, lambda d: "签约中" in _by(d, "#contract").text, what="the contract")
        assert "何燕" in _by(driver, "#contract").text  # the doctor from the login
        before = visits()
        days = [today - dt.timedelta(days=90 * n) for n in (3, 2, 1, 0)]
        values = [("156", "96", "8.1"), ("148", "92", "7.4"), ("1400", "88", "6.9"), ("142", "88", "6.9"),
                  ("134", "84", "6.3")]
        recorded = 0
        for sbp, dbp, fpg in values:
            _set(driver, "visit_date", days[min(recorded, 3)].isoformat())
            _type(driver, "#place", "车站路卫生室")
            for field, value in (("sbp", sbp), ("dbp", dbp), ("fpg", fpg), ("weight_kg", "68"), ("height_cm", "165")):
                _type(driver, f"#{field}", value)
            _by(driver, "#save").click()
            if sbp == "1400":
                _wait(driver, lambda d: "收缩压" in _by(d, "#message").text, what="the refusal")
                assert "systolic" in _by(driver, "#message").text and visits() == before + recorded
                _shot(driver, "visit_refused")
                continue
            recorded += 1
            _wait(driver, lambda d, n=recorded: len(_all(d, 'tr[data-kind="visit"]')) == n, what=f"visit {recorded}")
        assert visits() == before + 4
        assert "随访已保存" in _by(driver, "#message").text
        first = _by(driver, 'tr[data-kind="visit"]').text  # newest first
        assert "134/84" in first and "6.3" in first
        assert _all(driver, 'tr[data-kind="contract"]')
        _shot(driver, "visits")
    finally:
        driver.quit()
    tl = _ok(client.call("2563", {"data": {"psn_no": "T0001"}}, code=CL1))
    assert [t["sbp"] for t in tl["trend"]] == [156, 148, 142, 134]
    assert {v["visit"]["doctor"] for v in tl["events"] if v["kind"] == "visit"} == {"何燕"}
