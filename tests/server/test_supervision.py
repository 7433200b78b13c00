"""Supervision aggregates and alerts, fed by real signed transactions (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import delete, desc, select

from core.store.models_history import DispenseRow, SettlementRow
from server.envelope import CST
from server.supervision import alerts, queries, rollup
from server.supervision.models import (
    FOLDED,
    sv_alert,
    sv_day,
    sv_drug_day,
    sv_drug_month,
    sv_hour,
    sv_settlement,
    sv_settlement_drug,
    sv_state,
    sv_trace_day,
)
from server.supervision.rules import load
from tests.server.helpers import D01, PH1, PH2, settle_input, trace_codes

D03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033", "dose": "150"}


def _today() -> dt.date:
    return dt.datetime.now(CST).date()


def _board(engine):
    with engine.connect() as conn:
        return queries.board(conn, _today(), load())


def _sale(codes, setl_id, docno="DOC1"):
    return {"selinfo": {
        "med_list_codg": D01["code"], "fixmedins_hilist_id": "D01", "fixmedins_hilist_name": "苯磺酸氨氯地平片",
        "fixmedins_bchno": "B1", "trdn_flag": "0", "rtal_docno": docno, "sel_retn_cnt": len(codes),
        "sel_retn_time": "2026-01-01 10:00:00", "sel_retn_opter_name": "药师", "setl_id": setl_id,
        "mdtrt_setl_type": "1", "psn_no": "T0001", "drugtracinfo": [{"drug_trac_codg": c} for c in codes]}}


def test_settlement_upload_and_cancel_move_the_panels(client, centre_engine):
    codes = trace_codes(D01["prefix"], 3)
    r = client.call("2102", settle_input(packs=3, codes=codes))
    assert r["infcode"] == 0, r
    setl = r["output"]["setlinfo"]
    rollup.fold_all(centre_engine)
    b = _board(centre_engine)
    assert b["summary"]["today"]["settlements"] == 1 and b["summary"]["month"]["settlements"] == 1
    assert Decimal(str(b["summary"]["today"]["fund"])) == Decimal(setl["hifp_pay"])
    assert Decimal(str(b["summary"]["today"]["personal"])) == Decimal(setl["psn_part_amt"])
    assert b["summary"]["today"]["services"] == 1
    assert b["drugs"]["top"][0]["key"] == "D01" and b["drugs"]["top"][0]["boxes"] == 3
    assert b["trace"]["boxes"] == 3 and b["trace"]["coded_boxes"] == 3 and b["trace"]["uploads_pending"] == 1
    htn = next(x for x in b["fund"]["by_disease"] if x["name"].startswith("高血压"))
    assert Decimal(str(htn["fund"])) == Decimal(setl["hifp_pay"])  # amlodipine is a hypertension drug
    assert b["fund"]["by_institution"][0]["code"] == PH1

    with centre_engine.connect() as conn:  # the drug's drill-down: to whom
        assert [x["setl_id"] for x in queries.drug(conn, "D01", _today())["recent"]] == [setl["setl_id"]]
    assert client.call("3505", _sale(codes, setl["setl_id"]))["infcode"] == 0
    rollup.fold_all(centre_engine)
    b = _board(centre_engine)
    assert b["trace"]["uploads_pending"] == 0 and b["trace"]["uploads"] == 1 and b["trace"]["uploaded_codes"] == 3

    c = client.call("2103", {"data": {"setl_id": setl["setl_id"], "psn_no": "T0001"}})
    assert c["infcode"] == 0, c
    rollup.fold_all(centre_engine)
    b = _board(centre_engine)
    assert b["summary"]["today"]["settlements"] == 0 and b["summary"]["today"]["fund"] == 0
    assert b["drugs"]["top"][0]["boxes"] == 0
    assert b["summary"]["today"]["services"] == 1  # the visit happened; its money did not stay
    with centre_engine.connect() as conn:  # nor is it listed as dispensed
        assert queries.drug(conn, "D01", _today())["recent"] == []


def test_incremental_folds_equal_one_fold_from_scratch(client, centre_engine):
    """Folding entry by entry (as the live screen does) gives the same aggregates as folding all at once."""
    for drug, n in ((D01, 2), (D03, 1)):
        r = client.call("2102", settle_input(drug=drug, packs=n, days=28 * n, dose=drug.get("dose", "5")), code=PH1 if n == 2 else PH2)
        assert r["infcode"] == 0, r.get("err_msg")
        while rollup.fold(centre_engine, batch=1, periodic=False):
            pass
    tables = (sv_hour, sv_day, sv_drug_day, sv_drug_month, sv_trace_day, sv_settlement_drug)

    def snapshot():
        with centre_engine.connect() as conn:
            return {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in tables}

    stepwise = snapshot()
    with centre_engine.begin() as conn:
        for t in (*tables, sv_settlement, sv_state, sv_alert):
            conn.execute(delete(t))
    rollup.fold_all(centre_engine)
    assert snapshot() == stepwise
    assert sum(r[4] for r in stepwise["centre_sv_day"]) == 2  # settlements column


def _dispensed_to(engine, key: str, today: dt.date) -> list[tuple]:
    """The drug page's list the plain way: the settlements themselves (dispense lines of the drug, not reversed,
    last 30 days), newest first — no supervision table involved."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(SettlementRow.settlement_id, SettlementRow.facility_code, SettlementRow.person_no)
            .join(DispenseRow, DispenseRow.settlement_id == SettlementRow.settlement_id)
            .where(DispenseRow.drug_key == key, SettlementRow.reversed_on.is_(None),
                   SettlementRow.date >= today - dt.timedelta(days=30))
            .order_by(desc(SettlementRow.date), desc(SettlementRow.time), desc(SettlementRow.settlement_id))
        ).all()
    return [tuple(r) for r in dict.fromkeys(rows)]


def test_drug_page_lists_what_the_settlements_say(client, centre_engine):
    """The drug drill-down's "to whom, where" (read by drug from centre_sv_settlement_drug) equals a plain query
    over the settlements: each drug's own settlements, boxes as sold, a cancelled one left out, newest first."""
    made = []
    for drug, packs, code, psn in ((D01, 2, PH1, "T0001"), (D03, 1, PH2, "T0001"), (D01, 1, PH2, "T0002"),
                                   (D03, 2, PH1, "T0003")):
        r = client.call("2102", settle_input(psn, drug=drug, packs=packs, days=28 * packs, dose=drug.get("dose", "5")),
                        code=code)
        assert r["infcode"] == 0, r.get("err_msg")
        made.append((drug["key"], packs, r["output"]["setlinfo"]["setl_id"]))
        rollup.fold(centre_engine, batch=1, periodic=False)  # folded as they come, like the live screen
    cancelled = made[2][2]
    c = client.call("2103", {"data": {"setl_id": cancelled, "psn_no": "T0002"}}, code=PH2)
    assert c["infcode"] == 0, c.get("err_msg")
    rollup.fold_all(centre_engine)
    today = _today()
    for key in ("D01", "D03"):
        with centre_engine.connect() as conn:
            recent = queries.drug(conn, key, today)["recent"]
        plain = _dispensed_to(centre_engine, key, today)
        assert plain  # the comparison is over something
        assert sorted((x["setl_id"], x["facility"], x["person_no"]) for x in recent) == sorted(plain)
        assert [x["at"] for x in recent] == sorted((x["at"] for x in recent), reverse=True)
        assert {x["setl_id"]: x["boxes"] for x in recent} == {s: p for k, p, s in made if k == key and s != cancelled}
    assert cancelled not in {x[0] for x in _dispensed_to(centre_engine, "D01", today)}
    with centre_engine.connect() as conn:  # the drug's own rows are there, cancelled or not; the list skips it
        assert {r.setl_id for r in conn.execute(select(sv_settlement_drug).where(sv_settlement_drug.c.drug_key == "D01"))} \
            == {s for k, _p, s in made if k == "D01"}


def test_one_person_two_institutions_raises_multi_fill(client, centre_engine):
    assert client.call("2102", settle_input(drug=D01, packs=1, days=28))["infcode"] == 0
    rollup.fold_all(centre_engine)
    with centre_engine.connect() as conn:
        assert queries.alert_rows(conn) == []
    r = client.call("2102", settle_input(drug=D03, packs=1, days=28, dose="150"), code=PH2)
    assert r["infcode"] == 0, r
    rollup.fold_all(centre_engine)
    with centre_engine.connect() as conn:
        found = [a for a in queries.alert_rows(conn) if a["rule"] == "SV-R01"]
    assert len(found) == 1, found
    a = found[0]
    assert a["severity"] == "high" and sorted(a["evidence"]["institutions"]) == [PH1, PH2]
    assert a["link"] == "/supervision/person/T0001" and "一人多开" in a["title_zh"]
    assert {d["key"]: d["boxes"] for d in _board(centre_engine)["drugs"]["top"]} == {"D01": 1, "D03": 1}
    rollup.fold_all(centre_engine)  # seen again: still one alert
    with centre_engine.connect() as conn:
        assert len([a for a in queries.alert_rows(conn) if a["rule"] == "SV-R01"]) == 1


def test_settlement_without_3505_alerts_after_the_limit(client, centre_engine):
    r = client.call("2102", settle_input(packs=1, days=28))
    assert r["infcode"] == 0
    rules = load()
    now = dt.datetime.now(CST).replace(tzinfo=None)
    rollup.fold(centre_engine, rules=rules, now=now)
    with centre_engine.connect() as conn:
        assert not [a for a in queries.alert_rows(conn) if a["rule"] == "SV-R04"]
    later = now + dt.timedelta(hours=rules["SV-R04"]["limit_hours"], minutes=1)
    rollup.fold(centre_engine, rules=rules, now=later)
    with centre_engine.connect() as conn:
        found = [a for a in queries.alert_rows(conn) if a["rule"] == "SV-R04"]
    assert len(found) == 1 and found[0]["evidence"]["setl_id"] == r["output"]["setlinfo"]["setl_id"]


def test_robust_z_flags_a_day_far_above_the_pharmacys_own_history():
    history = [10, 12, 9, 11, 10, 13, 10, 11, 12, 9, 10, 11, 10, 12]
    assert alerts.robust_z(11, history) < 1
    assert alerts.robust_z(40, history) > 3.5
    assert alerts.robust_z(40, [10] * 14) is None  # no spread: no score, no alert
    assert alerts.robust_z(40, [10, 11]) is None  # too little history


def test_acknowledge_and_assign_are_journaled_and_bad_actions_change_nothing(client, centre_engine):
    from server.journal import verify
    from server.models import journal

    rules = load()
    with centre_engine.begin() as conn:
        assert alerts.raise_alert(conn, rules, "SV-R03", "X", at="2026-12-01 10:00:00", title_zh="t", title_en="t",
                                  evidence={})
        alert_id = conn.execute(select(sv_alert.c.id)).scalar()
    with centre_engine.begin() as conn:
        alerts.handle(conn, alert_id, "assign", who="A1/li", institution="A1", assignee="稽核科 张三",
                      at="2026-12-01T10:00:00+08:00")
    for bad in (("assign", ""), ("delete", "x")):
        try:
            with centre_engine.begin() as conn:
                alerts.handle(conn, alert_id, bad[0], who="A1/li", institution="A1", assignee=bad[1],
                              at="2026-12-01T10:01:00+08:00")
        except alerts.AlertError as exc:
            assert "/" in str(exc)  # Chinese / English
        else:
            raise AssertionError(f"{bad} was accepted")
    with centre_engine.connect() as conn:
        row = conn.execute(select(sv_alert).where(sv_alert.c.id == alert_id)).one()
        entries = conn.execute(select(journal.c.kind, journal.c.payload).where(journal.c.kind == "supervision.alert")).all()
    assert row.status == "assigned" and row.assignee == "稽核科 张三"
    assert len(entries) == 1 and json.loads(entries[0].payload)["action"] == "assign"
    assert verify(centre_engine).ok


def test_cap_rule_reads_the_settlements_own_cap_figures(client, centre_engine):
    """SV-R05 reads cap_total/cap_used_after from the stored 2102 answer: with the near-cap ratio lowered below
    what one settlement uses, that settlement raises it, with the answer's figures as evidence."""
    from server.supervision.rules import RULES_FILE, parse

    r = client.call("2102", settle_input(packs=1, days=28))
    assert r["infcode"] == 0, r.get("err_msg")
    ext = r["output"]["setlinfo"]["expContent"]
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    used_share = float(ext["cap_used_after"]) / float(ext["cap_total"])
    data["rules"]["SV-R05"]["near_ratio"] = used_share * 2  # not yet near
    rollup.fold_all(centre_engine, rules=parse(data))
    with centre_engine.connect() as conn:
        assert not [a for a in queries.alert_rows(conn) if a["rule"] == "SV-R05"]
    data["rules"]["SV-R05"]["near_ratio"] = used_share / 2  # now one settlement is "near": fold it again
    with centre_engine.begin() as conn:
        for t in FOLDED:
            conn.execute(delete(t))
    rollup.fold_all(centre_engine, rules=parse(data))
    with centre_engine.connect() as conn:
        found = [a for a in queries.alert_rows(conn) if a["rule"] == "SV-R05"]
    assert found and found[-1]["evidence"]["cap_total"] == float(ext["cap_total"])
    assert "接近" in found[-1]["title_zh"] and found[-1]["link"] == "/supervision/person/T0001"
