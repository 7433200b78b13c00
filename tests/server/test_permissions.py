"""Who may do what at the centre (server.permissions, server.staff), on SQLite and PostgreSQL: a pharmacy's signed
calls to every agency transaction are refused and journaled with nothing else written; kinds hold in --dev too;
experts record their own opinions; the final approver is neither expert; staff passwords lock and re-hash."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select, text

from server.models import journal, staff
from server.permissions import KINDS, MATRIX, REFUSAL, allowed
from tests.server.helpers import AGY, PH1, PH2, STAFF_PASSWORDS, SUP, body_of, envelope

AGENCY_ONLY = sorted(infno for infno, kinds in MATRIX.items() if kinds <= {"agency", "supervisor"})
# Everything a pharmacy may not call, read from the matrix itself: a transaction added later and closed to
# pharmacies is attacked below without anyone listing it here.
NOT_FOR_PHARMACY = sorted(infno for infno, kinds in MATRIX.items() if "pharmacy" not in kinds)
# ...and everything it may call, pinned here as a second review: a transaction opened to pharmacies (a new one, or
# an agency one moved by mistake) fails test_what_a_pharmacy_may_call_is_pinned until someone adds it on purpose.
PHARMACY_MAY = {
    "9001", "9002", "1101", "1162", "1301", "1312", "5203", "5205", "5206", "5301",  # sign-in, person, catalogue
    "2101", "2102", "2103", "2601", "3101", "3102", "3201",  # settling, reversing, reconciling its own sales
    "3501", "3502", "3503", "3504", "3505", "3506", "3507",  # its own stock and sale uploads with trace codes
    "3508", "3509", "3510", "3511", "3512", "3513", "3590",  # reading its own stock; where a drug is stocked
    "7201", "7202", "7203", "7206",  # e-prescriptions found, downloaded, marked dispensed (own settlement)
    "2580", "2586", "2591", "2592", "2596",  # supply list, lifestyle rx shown, reminder opt-out/desk message, 共济 read
}
# the issue's own list of what a pharmacy did as the agency (#15): each must be among the refused
ISSUE_15_ATTACKS = {"2503", "2504", "2513", "2517", "2520", "2521", "2522", "2542", "2530", "2550", "2515"}
# a plausible input for each: the refusal must come before the handler looks at any of it
PAYLOADS = {
    "2503": {"data": {"psn_no": "T0014", "expContent": {"app_no": "BA1"}}},
    "2504": {"data": {"psn_no": "T0001", "opsp_dise_code": "HTN"}},
    "2513": {"data": {"app_no": "BA1", "stage": "expert", "reviewer_code": "E001", "decision": "approve",
                      "history_dx": "x"}},
    "2517": {"data": {"experts": [{"code": "E999", "name": "假专家", "specialty": "心血管"}]}},
    "2521": {"data": {"psn_no": "T0001", "disease": "HTN", "reason": "x"}},
    "2522": {"data": {"psn_no": "T0002", "status": "dead", "death_date": "2020-01-01"}},
    "2542": {"data": {"people": [{"psn_no": "T0001", "disease": "HTN", "since": "2024-01-01"}]}},
}

# tables a refusal may write: its journal entry, the stored refusal (idempotency), the nonce, the 9001 sign-in
REFUSAL_WRITES = {"centre_journal", "centre_message", "centre_nonce", "centre_signin"}
SNAPSHOT_TABLES = ("registration", "person", "centre_expert", "centre_application", "centre_managed", "centre_exit", "settlement")


def _counts(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for t in SNAPSHOT_TABLES:
            out[t] = conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
        out["person_status"] = sorted(tuple(r) for r in conn.execute(text("SELECT person_no, status FROM person")))
    return out


def _every_table(engine) -> dict:
    """Every row of every centre table but those a refusal writes (REFUSAL_WRITES), as sorted text."""
    from sqlalchemy import inspect

    out = {}
    with engine.connect() as conn:
        for t in sorted(set(inspect(conn).get_table_names()) - REFUSAL_WRITES):
            out[t] = sorted(repr(tuple(r)) for r in conn.execute(text(f"SELECT * FROM {t}")))
    return out


def test_what_a_pharmacy_may_call_is_pinned():
    opened = {infno for infno, kinds in MATRIX.items() if "pharmacy" in kinds}
    assert opened == PHARMACY_MAY, (f"opened to pharmacies without review: {sorted(opened - PHARMACY_MAY)}; "
                                    f"closed: {sorted(PHARMACY_MAY - opened)}")
    assert ISSUE_15_ATTACKS <= set(NOT_FOR_PHARMACY)


def test_a_pharmacy_is_refused_everything_it_may_not_call_with_nothing_written_but_the_refusal(
        client, centre_engine):
    """Every transaction the matrix closes to pharmacies (agency, prescriber, kiosk, managing doctors' work),
    signed with the pharmacy's own secret: infcode -1 with the refusal, one `refusal` journal entry each, and every
    other table of the centre row for row as it was."""
    from server.journal import verify

    before = _every_table(centre_engine)
    refused = {}
    for infno in NOT_FOR_PHARMACY:
        out = client.call(infno, PAYLOADS.get(infno, {"data": {}}), PH2)
        assert out["infcode"] == -1 and REFUSAL in out["err_msg"], (infno, out)
        refused[out["_msgid"]] = infno
    assert _every_table(centre_engine) == before
    with centre_engine.connect() as conn:
        rows = conn.execute(select(journal.c.msgid, journal.c.payload, journal.c.fixmedins_code)
                            .where(journal.c.kind == "refusal")).all()
    assert {r.msgid: json.loads(r.payload)["infno"] for r in rows} == refused
    assert {r.fixmedins_code for r in rows} == {PH2}
    assert verify(centre_engine).ok


def test_the_matrix_names_every_transaction_and_only_known_kinds():
    from server.transactions import load_all

    registry = load_all()
    assert set(registry) <= set(MATRIX), f"transactions missing from the matrix: {set(registry) - set(MATRIX)}"
    assert all(kinds <= set(KINDS) for kinds in MATRIX.values())
    for infno in ("2503", "2504", "2513", "2517", "2521", "2522", "2520", "2530", "2550", "2515"):
        assert not allowed("pharmacy", infno) and allowed("agency", infno), infno
    assert allowed("pharmacy", "2102") and allowed("pharmacy", "7206") and not allowed("pharmacy", "7101")
    assert allowed("hospital", "7101") and not allowed("kiosk", "2102") and not allowed(None, "1312")


def test_a_pharmacy_is_refused_every_agency_transaction_and_each_refusal_is_journaled(client, centre_engine):
    from server.journal import verify

    before = _counts(centre_engine)
    refusals = []
    for infno in AGENCY_ONLY:
        out = client.call(infno, PAYLOADS.get(infno, {"data": {}}), PH1)
        assert out["infcode"] == -1 and REFUSAL in out["err_msg"], (infno, out)
        refusals.append(out["_msgid"])
        # the same msgid again: the same refusal (stored), not a second journal entry
        again = client.call(infno, PAYLOADS.get(infno, {"data": {}}), PH1, msgid=out["_msgid"])
        assert again["err_msg"] == out["err_msg"]
    assert _counts(centre_engine) == before  # nothing written: no registration, expert, status or roster
    with centre_engine.connect() as conn:
        rows = conn.execute(select(journal.c.kind, journal.c.msgid, journal.c.payload, journal.c.fixmedins_code)
                            .where(journal.c.kind == "refusal")).all()
    assert sorted(r.msgid for r in rows) == sorted(refusals)
    assert {json.loads(r.payload)["infno"] for r in rows} == set(AGENCY_ONLY) and {r.fixmedins_code for r in rows} == {PH1}
    assert verify(centre_engine).ok
    # the agency itself is not refused by the matrix (its answer may still be a business refusal)
    assert REFUSAL not in client.call("2520", {"data": {}}, AGY).get("err_msg", "")
    assert REFUSAL not in client.call("2520", {"data": {}}, SUP).get("err_msg", "")
    assert REFUSAL in client.call("2522", PAYLOADS["2522"], SUP)["err_msg"]  # a supervisor reads, never changes


def test_kinds_hold_in_dev_mode_where_the_caller_is_the_envelope_code(centre_engine):
    from server.centre import Centre

    centre = Centre(centre_engine, dev=True)
    raw = body_of(envelope("2522", PAYLOADS["2522"], PH2))
    answer = centre.handle(raw, {"content-type": "application/json"})
    assert answer.body["infcode"] == -1 and REFUSAL in answer.body["err_msg"]
    stranger = centre.handle(body_of(envelope("1312", {"data": {}}, "P99999999999")), {})
    assert stranger.body["infcode"] == -1 and "未登记" in stranger.body["err_msg"]


def _mt_in_clerk_review(client, engine):
    """An MT application reviewed by its two drawn experts, each with their own password."""
    from tests.server.test_registration import EXPERTS, upload

    assert client.call("2517", {"data": {"experts": EXPERTS}}, AGY)["infcode"] == 0
    app = client.call("2510", {"data": {"psn_no": "T0014", "scheme": "MT", "diseases": [
        {"opsp_dise_code": "M03900", "diag_code": "I10.x00", "diag_name": "原发性高血压"}]}}, AGY)["output"]["application"]
    upload(client, app["app_no"], b"%PDF-1.4 record", "病历.pdf")
    sub = client.call("2512", {"data": {"app_no": app["app_no"]}}, AGY)["output"]["application"]
    drawn = [r["reviewer_code"] for r in sub["reviews"] if r["stage"] == "expert"]
    review = {"app_no": app["app_no"], "stage": "expert", "decision": "approve", "history_dx": "高血压1级"}
    # the clerk typing the opinion without the expert's password: refused, nothing recorded
    typed = client.call("2513", {"data": {**review, "reviewer_code": drawn[0]}}, AGY)
    assert typed["infcode"] == -1 and "密码错误" in typed["err_msg"]
    wrong = client.call("2513", {"data": {**review, "reviewer_code": drawn[0],
                                          "staff_password": STAFF_PASSWORDS[drawn[1]]}}, AGY)
    assert wrong["infcode"] == -1 and "密码错误" in wrong["err_msg"]
    with engine.connect() as conn:  # both refusals counted towards the lockout (the refusal's transaction commits)
        assert conn.execute(select(staff.c.failed).where(staff.c.user_id == drawn[0])).scalar() == 2
    for code in drawn:
        out = client.call("2513", {"data": {**review, "reviewer_code": code, "staff_password": STAFF_PASSWORDS[code]}}, AGY)
        assert out["infcode"] == 0, out["err_msg"]
    app = out["output"]["application"]
    assert app["status"] == "clerk_review"
    return app["app_no"], drawn


def test_the_final_approver_is_neither_expert(client, centre_engine):
    from server.staff import add_staff

    app_no, drawn = _mt_in_clerk_review(client, centre_engine)
    # one of the experts is also a reviewer: still may not approve an application they reviewed
    with centre_engine.begin() as conn:
        add_staff(conn, AGY, drawn[0], "专家兼复审", ["expert", "reviewer"], password="both-roles-1")
    base = {"psn_no": "T0014", "insutype": "310", "opsp_dise_code": "M03900"}
    own = client.call("2503", {"data": {**base, "expContent": {"app_no": app_no, "staff_user": drawn[0],
                                                              "staff_password": "both-roles-1"}}}, AGY)
    assert own["infcode"] == -1 and "separation of duties" in own["err_msg"]
    clerk = client.call("2503", {"data": {**base, "expContent": {"app_no": app_no, "staff_user": "wang",
                                                                "staff_password": STAFF_PASSWORDS["wang"]}}}, AGY)
    assert clerk["infcode"] == -1 and "reviewer" in clerk["err_msg"]  # a clerk is not a reviewer
    with centre_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM registration r WHERE r.person_no = 'T0014'")).scalar() == 0
    done = client.call("2503", {"data": {**base, "expContent": {"app_no": app_no, "staff_user": "zhao",
                                                               "staff_password": STAFF_PASSWORDS["zhao"]}}}, AGY)
    assert done["infcode"] == 0, done["err_msg"]
    assert done["output"]["application"]["decided_by"] == "zhao"


def test_wrong_passwords_lock_a_centre_account_and_old_hashes_are_upgraded(client, centre_engine):
    from argon2 import PasswordHasher

    from server.staff import StaffAuthError, authenticate, login

    for _ in range(5):
        with pytest.raises(StaffAuthError):
            login(centre_engine, AGY, "zhao", "not-the-password")
    with pytest.raises(StaffAuthError, match="锁定"):
        login(centre_engine, AGY, "zhao", STAFF_PASSWORDS["zhao"])  # locked: even the right password
    with centre_engine.begin() as conn:
        conn.execute(staff.update().where(staff.c.user_id == "zhao").values(locked_until=None, failed=0))
        weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(STAFF_PASSWORDS["jian"])
        conn.execute(staff.update().where(staff.c.user_id == "jian").values(secret_hash=weak))
    who = login(centre_engine, SUP, "jian", STAFF_PASSWORDS["jian"])
    assert (who.kind, who.roles) == ("supervisor", ("supervisor",))
    with centre_engine.connect() as conn:
        upgraded = conn.execute(select(staff.c.secret_hash).where(staff.c.user_id == "jian")).scalar()
        assert upgraded != weak and upgraded.startswith("$argon2id$")
        with pytest.raises(StaffAuthError):  # same answer for a user of another institution
            authenticate(conn, AGY, "jian", STAFF_PASSWORDS["jian"])


def test_server_permissions_prints_the_matrix():
    out = subprocess.run([sys.executable, "-m", "onewindow", "server", "--permissions"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line.split()[1:7] for line in out.stdout.splitlines() if line[:4].isdigit()}
    assert lines["2503"] == ["yes", "-", "-", "-", "-", "-"] and lines["2102"][:4] == ["yes"] * 4
    assert "agency 经办机构" in out.stdout


def test_a_pharmacy_marks_dispensed_only_with_its_own_settlement_for_the_person(client, centre_engine):
    """7206 (#15): another pharmacy must not mark a patient's prescription dispensed (which would lock the patient
    out of it). Without a settlement, with another pharmacy's, with its own for someone else, or with a reversed
    one: refused, journaled, the prescription still waiting. With its own settlement for the person: dispensed."""
    from tests.server.helpers import H2, settle_input

    up = client.call("7101", {
        "rxinfo": {"hosp_rxno": "SEC-7206", "psn_no": "T0001", "valid_days": 3, "med_type": "9901",
                   "rx_type": "long", "diag_codes": ["I10.x00"], "prsc_dr_name": "张医生"},
        "rxdrugdetail": [{"med_list_codg": "XC08CAA321A001010199901", "cnt": 3, "prd_days": 84,
                          "sin_dos_dscr": "5mg", "used_frqu_dscr": "qd"}]}, code=H2)
    assert up["infcode"] == 0, up["err_msg"]
    rx = up["output"]["data"]["hi_rxno"]

    def setl(psn, code, **kw):
        out = client.call("2102", settle_input(psn, **kw), code)
        assert out["infcode"] == 0, out["err_msg"]
        return out["output"]["setlinfo"]["setl_id"]

    d03 = {"key": "D03", "code": "XC09CAE901A001010199903", "price": "41.30", "prefix": "8100033"}
    theirs, other_person = setl("T0001", PH1), setl("T0002", PH2)
    reversed_ = setl("T0001", PH2, drug=d03, dose="150", packs=1, days=28)  # not D01 twice a day
    assert client.call("2103", {"data": {"setl_id": reversed_, "psn_no": "T0001"}}, PH2)["infcode"] == 0
    attempts = {"": "setl_id", theirs: "结算不属于本机构", other_person: "不是同一参保人", reversed_: "结算已撤销"}
    msgids = set()
    for setl_id, words in attempts.items():
        out = client.call("7206", {"data": {"hi_rxno": rx, "setl_id": setl_id}}, PH2)
        assert out["infcode"] == -1 and words in out["err_msg"], (setl_id, out)
        msgids.add(out["_msgid"])
    with centre_engine.connect() as conn:
        journaled = {r.msgid for r in conn.execute(select(journal.c.msgid).where(journal.c.kind == "refusal"))}
        status = conn.execute(text("SELECT status FROM centre_eprescription WHERE rx_id = :r"), {"r": rx}).scalar()
    assert msgids <= journaled and status == "uploaded"
    done = client.call("7206", {"data": {"hi_rxno": rx, "setl_id": theirs}}, PH1)
    assert done["infcode"] == 0 and done["output"]["data"]["rx_stas"] == "dispensed", done["err_msg"]
