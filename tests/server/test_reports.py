"""附件4/5/6 from a month of settlements made through 2102 at the centre (on SQLite and PostgreSQL): every cell
of every form is checked against figures taken from the settlements' own answers, and the 合计 amounts against
the settlement table."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from core.store.models import SettlementRow
from server.envelope import CST
from server.reports.monthly import monthly
from tests.server.helpers import AGY, CL1, CTR, D01, H2, H3, PH1, PH2, Client, trace_codes

D02 = {"key": "D02", "code": "XA10BAE021A001010199902", "price": "24.00", "prefix": "8100022", "dose": "500", "times": "2",
       "days": 30, "disease": "DM"}
D03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033", "dose": "150", "times": "1",
       "days": 28, "disease": "HTN"}
D05 = {"key": "D05", "code": "XA10BFA903A001010199905", "price": "30.00", "prefix": "8100055", "dose": "50", "times": "1",
       "days": 30, "disease": "DM"}
A01 = {**D01, "dose": "5", "times": "1", "days": 28, "disease": "HTN"}
LEVEL = {CL1: "level1", CTR: "level1", H2: "level2", H3: "level3", PH1: "pharmacy", PH2: "pharmacy"}
INSUTYPE = {"T0001": "390", "T0012": "390", "T0002": "310", "T0011": "310", "T0003": "310"}
CENT = Decimal("0.01")


def settle_body(psn: str, lines: list[tuple[dict, int]], *, med_type: str = "9901") -> dict:
    details, total = [], Decimal("0")
    for n, (drug, packs) in enumerate(lines, start=1):
        amount = Decimal(drug["price"]) * packs
        total += amount
        details.append({
            "feedetl_sn": str(n), "rxno": "RX1", "med_list_codg": drug["code"], "medins_list_codg": drug["key"],
            "det_item_fee_sumamt": f"{amount:.2f}", "cnt": packs, "pric": drug["price"], "prd_days": drug["days"] * packs,
            "sin_dos_dscr": drug["dose"], "used_frqu_dscr": "qd", "trdn_flag": "0",
            "drugtracinfo": [{"drug_trac_codg": c} for c in trace_codes(drug["prefix"], packs)],
            "expContent": {"dose": drug["dose"], "times_per_day": drug["times"]},
        })
    diag = [{"diag_code": "I10.x00", "diag_name": "高血压"}, {"diag_code": "E11.900", "diag_name": "2型糖尿病"}]
    return {"druginfo": {"psn_no": psn, "medfee_sumamt": f"{total:.2f}", "insutype": INSUTYPE[psn], "med_type": med_type,
                         "acct_used_flag": "0", "expContent": {"long_rx_confirmed": True}},
            "drugdetail": details, "diseinfo": diag}


@pytest.fixture
def clocked(centre_db, centre_engine):
    """A centre whose clock the test sets (signatures accepted whatever the skew)."""
    from fastapi.testclient import TestClient

    from server.app import create_app

    now = {"t": dt.datetime(2026, 3, 1, 9, 0, tzinfo=CST)}
    app = create_app(engine=centre_engine, clock=lambda: now["t"], window=10**9)
    with TestClient(app) as http:
        yield Client(http, centre_db.secrets, app=app), now


# (day, institution, person, lines); dates in 2026
PLAN = [
    ("02-27", CL1, "T0011", [(A01, 1)]),           # February: not in the March report
    ("03-02", CL1, "T0001", [(A01, 1)]),
    ("03-03", H2, "T0002", [(D03, 1)]),
    ("03-05", PH1, "T0012", [(A01, 1), (D02, 1)]),  # both diseases in one settlement: split by line
    ("03-10", H3, "T0002", [(D05, 1)]),
    ("03-12", CL1, "T0011", [(A01, 2)]),
    ("03-16", H2, "T0001", [(A01, 1)]),
    ("03-20", H3, "T0001", [(D03, 1)]),
    ("03-21", CTR, "T0012", [(D02, 1)]),
    ("03-25", PH2, "T0002", [(A01, 1)]),            # cancelled the same day (2103): not counted
    ("03-26", PH2, "T0002", [(A01, 1)]),
    ("03-27", H3, "T0003", [(A01, 1)]),             # 门诊慢特病 (med_type 14): not in a 两病 report
    ("04-01", CL1, "T0011", [(D03, 1)]),            # April: not in the March report
]
ROSTER = {  # unit -> [(psn, disease, since, until)]
    CL1: [("T0014", "HTN", "2025-06-01", ""), ("T0002", "HTN", "2025-01-01", "2026-02-28")],
    CTR: [("T0001", "HTN", "2024-01-01", ""), ("T0005", "DM", "2025-09-01", ""), ("T0012", "HTN", "2024-01-01", ""),
          ("T0012", "DM", "2024-01-01", ""), ("T0011", "HTN", "2026-04-10", "")],
}


def _half_up(d: Decimal) -> Decimal:
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def run_month(client: Client, now: dict) -> dict:
    """Settle the plan; return the expected March figures built from the answers: (insutype, disease, level)."""
    expected = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for unit, rows in ROSTER.items():
        out = client.call("2542", {"data": {"people": [{"psn_no": p, "disease": d, "since": s, "until": u}
                                                       for p, d, s, u in rows]}}, unit)
        assert out["infcode"] == 0, out["err_msg"]
    for day, code, psn, lines in PLAN:
        now["t"] = dt.datetime.fromisoformat(f"2026-{day}T10:00:00").replace(tzinfo=CST)
        body = settle_body(psn, lines, med_type="14" if psn == "T0003" else "9901")
        r = client.call("2102", body, code)
        assert r["infcode"] == 0, (day, psn, r["err_msg"])
        if day == "03-25":
            c = client.call("2103", {"data": {"setl_id": r["output"]["setlinfo"]["setl_id"], "psn_no": psn}}, code)
            assert c["infcode"] == 0, c["err_msg"]
            continue
        if not day.startswith("03") or psn == "T0003":
            continue
        setl = r["output"]["setlinfo"]
        fund = Decimal(setl["hifp_pay"])
        cut = {c["feedetl_sn"]: c for c in r["output"]["detlcutinfo"]}
        fee = {"HTN": Decimal("0"), "DM": Decimal("0")}
        elig = {"HTN": Decimal("0"), "DM": Decimal("0")}
        for n, (drug, _packs) in enumerate(lines, start=1):
            fee[drug["disease"]] += Decimal(cut[str(n)]["det_item_fee_sumamt"])
            elig[drug["disease"]] += Decimal(cut[str(n)]["inscp_scp_amt"])
        htn_fund = _half_up(fund * elig["HTN"] / (elig["HTN"] + elig["DM"]))
        funds = {"HTN": htn_fund, "DM": fund - htn_fund}
        assert fee["HTN"] + fee["DM"] == Decimal(setl["medfee_sumamt"])
        for dis in ("HTN", "DM"):
            key = (INSUTYPE[psn], dis, LEVEL[code])
            expected[key][0] += fee[dis]
            expected[key][1] += funds[dis]
    return expected


COUNTS = {  # form -> row -> (insured, registered), reasoned from the seeded world and ROSTER (see the docstring of
    # server/reports/monthly.py): 390 HTN known = T0001 T0012 T0006 (LB) + T0004 T0010 T0013 (MT 高血压病); DM known
    # = T0012 (LB) + T0005 (roster). 310 HTN known = T0002 T0011 (LB) + T0003 (MT) + T0014 (roster); DM known =
    # T0002 (LB) + T0003 T0008 (MT 糖尿病).
    "4": {"高血压": (6, 3), "糖尿病": (2, 1), "合计": (7, 3)},
    "5": {"高血压": (4, 2), "糖尿病": (3, 1), "合计": (5, 2)},
}


def test_monthly_reports_every_cell(clocked, centre_engine):
    client, now = clocked
    expected = run_month(client, now)
    levels = ("level1", "level2", "level3", "pharmacy")
    for form, insutype in (("4", "390"), ("5", "310")):
        now["t"] = dt.datetime(2026, 4, 2, 9, 0, tzinfo=CST)
        report = client.call("2550", {"data": {"month": "2026-03", "form": form}}, AGY)
        assert report["infcode"] == 0, report["err_msg"]
        rep = report["output"]["report"]
        assert [r["disease"] for r in rep["rows"]] == ["高血压", "糖尿病", "合计"]
        for row in rep["rows"]:
            assert (row["insured"], row["registered"]) == COUNTS[form][row["disease"]], (form, row["disease"])
            diseases = {"高血压": ["HTN"], "糖尿病": ["DM"], "合计": ["HTN", "DM"]}[row["disease"]]
            grand = [Decimal("0"), Decimal("0")]
            for lv in levels:
                want = [sum((expected[(insutype, d, lv)][i] for d in diseases), Decimal("0")) for i in (0, 1)]
                got = [Decimal(row[lv]["medfee"]), Decimal(row[lv]["reimbursed"])]
                assert got == want, (form, row["disease"], lv)
                grand = [grand[0] + want[0], grand[1] + want[1]]
            assert [Decimal(row["total"]["medfee"]), Decimal(row["total"]["reimbursed"])] == grand, (form, row["disease"])
        assert all(Decimal(v["medfee"]) == 0 for v in rep["unattributed"].values())
        # 合计 reconciles with the settlement table itself
        with centre_engine.connect() as conn:
            rows = conn.execute(select(SettlementRow.total, SettlementRow.fund, SettlementRow.person_no).where(
                SettlementRow.scheme == "LB", SettlementRow.date >= dt.date(2026, 3, 1),
                SettlementRow.date <= dt.date(2026, 3, 31), SettlementRow.reversed_on.is_(None))).all()
        mine = [r for r in rows if INSUTYPE[r.person_no] == insutype]
        total = rep["rows"][2]["total"]
        assert Decimal(total["medfee"]) == sum((r.total for r in mine), Decimal("0"))
        assert Decimal(total["reimbursed"]) == sum((r.fund for r in mine), Decimal("0"))
        assert rep["settlements"] == len(mine)
    six = client.call("2550", {"data": {"month": "2026-03", "form": "6"}}, AGY)["output"]["report"]
    assert [(r["no"], r["unit_code"], r["htn"], r["dm"], r["total"]) for r in six["rows"]] == [
        (1, CL1, 1, 0, 1), (2, CTR, 2, 2, 3), ("合计", "", 3, 2, 4)]
    assert six["rows"][0]["unit"] == "社区卫生服务中心(一级,测试)"
    # the same numbers straight from the database (what `onewindow report monthly --db` prints)
    with centre_engine.connect() as conn:
        assert monthly(conn, "2026-03", "6") == six
    bad = client.call("2550", {"data": {"month": "2026-13", "form": "4"}}, AGY)
    assert bad["infcode"] != 0 and "YYYY-MM" in bad["err_msg"]
