"""The ordinary insured purchase in the local engine and at the desk (issue 17), without a centre:
core.audit.ordinary.evaluate_sale (the centre's order: chronic-only rules off, core.policy.ordinary's figures with the
year's OP usage from the history), the desk's med_type choice, a sale growing by the boxes scanned, and the account
check made before anything is written. Vectors of our own: ORDINARY_CASES (amounts worked out by hand in each row)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from core.audit.history import MemoryHistory
from core.audit.ordinary import evaluate_sale
from core.domain import AuditRequest, Prescription, PrescriptionLine, Scheme, SettlementRecord
from core.i18n import message
from core.policy.ordinary import is_ordinary
from core.policy.profile import bundled_profiles
from core.services.desk.accounts import OFFLINE, check_account
from core.services.desk.ordinary import ORDINARY_DAYS, check_ordinary, grown, ordinary_sale, scheme_for
from core.services.pharmacy_sale import CodeCheck, apply_check, check_scan
from core.services.ports import DeskError, PatientCard, Payment
from core.services.world import load_world
from tests.server.helpers import trace_codes

WORLD = load_world(Path(__file__).resolve().parents[3] / "resources" / "demo" / "world.json")
PROFILE = bundled_profiles()["TEST_CITY_A"]
DAY = dt.date(2026, 12, 7)
PH1 = WORLD.facilities["PH1"]
D = WORLD.catalogue
Z = Decimal("0.00")


def _request(person, lines, *, rx_no: str = "") -> AuditRequest:
    rx = Prescription(rx_no=rx_no, rx_date=DAY, diagnoses=(), lines=tuple(
        PrescriptionLine(no, key, qty, ORDINARY_DAYS,
                         trace_codes=tuple(trace_codes(D[key].trace_prefix, qty)) if D[key].trace_prefix else ())
        for no, (key, qty) in enumerate(lines, start=1)))
    return AuditRequest(person, PH1, rx, Scheme.OP, DAY, dt.time(10, 0), PROFILE.profile_id)


def _op(day, fund, ded, *, reversed_on=None, scheme=Scheme.OP) -> SettlementRecord:
    return SettlementRecord(f"S{day}{fund}", "T0014", day, PH1.code, scheme, Decimal(fund), Decimal(ded),
                            reversed_on=reversed_on)


# (id, person, med_type, lines [(drug, boxes)], earlier settlements, fund, personal) — by hand:
ORDINARY_CASES = [
    ("41 account only, unregistered employee", "P14", "41", [("D01", 2), ("D06", 1)], [], "0.00", "70.00"),
    ("41 account only, registered patient", "P02", "41", [("D01", 1)], [], "0.00", "28.00"),
    ("11 first purchase: all deductible", "P14", "11", [("D01", 3)], [], "0.00", "84.00"),
    # 280.00 eligible: 200.00 deductible, (280 - 200) x 0.60 = 48.00
    ("11 deductible then ratio", "P14", "11", [("D01", 10)], [], "48.00", "232.00"),
    # deductible met this year: 280 x 0.60 = 168.00; last year's and a reversed settlement do not count
    ("11 deductible met", "P14", "11", [("D01", 10)],
     [_op(dt.date(2026, 3, 1), "60.00", "200.00"), _op(dt.date(2025, 12, 30), "900.00", "200.00"),
      _op(dt.date(2026, 6, 1), "500.00", "0", reversed_on=dt.date(2026, 6, 2))], "168.00", "112.00"),
    # cap 1500.00, 1400.00 used: raw 168.00 -> 100.00
    ("11 annual cap", "P14", "11", [("D01", 10)], [_op(dt.date(2026, 2, 1), "1400.00", "200.00")], "100.00", "180.00"),
    # a chronic (LB) settlement uses neither the OP deductible nor its cap
    ("11 chronic usage apart", "P14", "11", [("D01", 10)], [_op(dt.date(2026, 2, 1), "1400.00", "0", scheme=Scheme.LB)],
     "48.00", "232.00"),
    # resident 390: deductible 100.00, ratio 0.50: (280 - 100) x 0.50 = 90.00
    ("11 resident ratio", "P01", "11", [("D01", 10)], [], "90.00", "190.00"),
]


@pytest.mark.parametrize("case", ORDINARY_CASES, ids=[c[0] for c in ORDINARY_CASES])
def test_local_engine_ordinary_vectors(case):
    _id, who, med_type, lines, history, fund, personal = case
    person = WORLD.patients[who]
    history = [SettlementRecord(h.settlement_id, person.person_no, h.date, h.facility_code, h.scheme, h.fund,
                                h.deductible_applied, reversed_on=h.reversed_on) for h in history]
    result = evaluate_sale(_request(person, lines, rx_no="RX1"), MemoryHistory(history), PROFILE, D,
                           med_type=med_type)
    assert result.verdict.value != "BLOCK", result.hits
    s = result.settlement
    assert s.scheme == Scheme.OP and (str(s.fund_payment), str(s.personal_payment)) == (fund, personal), result.arithmetic
    assert s.fund_payment + s.personal_payment == s.total


def test_chronic_only_rules_are_off_and_general_ones_stay():
    person = WORLD.patients["P14"]  # no registration at all
    chronic = evaluate_sale(replace(_request(person, [("D01", 1)]), requested_scheme=Scheme.LB), MemoryHistory(),
                            PROFILE, D)
    assert "ELG-003" in {h.rule for h in chronic.hits} and chronic.verdict.value == "BLOCK"
    ordinary = evaluate_sale(_request(person, [("D01", 1)]), MemoryHistory(), PROFILE, D, med_type="41")
    assert not {h.rule for h in ordinary.hits} & {"ELG-003", "ELG-004", "BEN-001", "QTY-001"}, ordinary.hits
    assert ordinary.verdict.value != "BLOCK"
    goods = evaluate_sale(_request(person, [("D09", 1)]), MemoryHistory(), PROFILE, D, med_type="41")
    assert goods.verdict.value == "BLOCK", goods.hits  # health goods are never insured: the general rule stays


def test_the_desk_chooses_the_med_type_from_the_profile():
    assert is_ordinary(PROFILE, "41") and is_ordinary(PROFILE, "11")
    assert not is_ordinary(PROFILE, "14") and not is_ordinary(PROFILE, "9901") and not is_ordinary(PROFILE, "")
    assert (scheme_for(PROFILE, "11", "LB"), scheme_for(PROFILE, "14", "MT"), scheme_for(PROFILE, "", "LB")) == (
        "OP", "MT", "LB")


def _card(person, *, online=True, balance="500.00") -> PatientCard:
    return PatientCard(person, "", person.insurance_type, "active", (), (), (), (), online, "02", person.id_number,
                       Decimal(balance))


def test_a_sale_grows_by_the_boxes_scanned():
    sale = ordinary_sale(_card(WORLD.patients["P14"]), day=DAY)
    assert (sale.scheme, sale.med_type, sale.lines) == ("OP", "41", ())
    a, b = trace_codes("8100011", 2)
    first = check_scan(sale, a)
    assert not first.accepted and first.reason.key == "desk.scan.other_product"
    find = {("trace", "8100011"): D["D01"], ("trace", "8100066"): D["D06"]}.get

    def scan(s, code):
        check = check_ordinary(s, code, check_scan(s, code), find, lambda bigger: check_scan(bigger, code))
        return check, apply_check(check.extra.get("sale", s), check)

    check, sale = scan(sale, a)
    assert check.accepted and [(l.no, l.drug.key, l.qty, l.codes) for l in sale.lines] == [(1, "D01", 1, (a,))]
    check, sale = scan(sale, b)  # its line is complete: one box more
    assert check.accepted and [(l.qty, l.codes) for l in sale.lines] == [(2, (a, b))]
    check, same = scan(sale, a)  # the same box again: refused, nothing grows
    assert not check.accepted and check.reason.key == "desk.scan.twice" and same.lines == sale.lines
    check, same = scan(sale, "81999990000000000001")
    assert not check.accepted and check.reason.key == "desk.ordinary.unknown_box" and same.lines == sale.lines
    check, sale = scan(sale, trace_codes("8100066", 1)[0])
    assert [(l.no, l.drug.key, l.qty) for l in sale.lines] == [(1, "D01", 2), (2, "D06", 1)]
    assert grown(sale, D["D01"]).line(1).qty == 3  # pure: grown() itself never adds a code
    refused = CodeCheck("x", "", "trace_code", None, False, "bad", message("desk.scan.commodity"))
    assert check_ordinary(sale, "x", refused, find, lambda s: refused) is refused  # other refusals stand


def test_an_empty_ordinary_sale_says_to_scan_a_box():
    from core.services.desk.rules import settle_blockers

    sale = ordinary_sale(_card(WORLD.patients["P14"]), day=DAY)
    assert [m.key for m in settle_blockers(sale, None, card_online=True, shift_open=True)] == ["desk.ordinary.empty"]
    assert [m.key for m in settle_blockers(sale, None, card_online=True, shift_open=False)] == [
        "desk.ordinary.empty", "desk.shift.none"]


def test_account_check_before_anything_is_written():
    employee, resident = WORLD.patients["P14"], WORLD.patients["P01"]
    check_account(Payment(account=Decimal("70.00")), _card(employee, balance="70.00"), Decimal("70.00"))
    check_account(Payment(), _card(employee, online=False), Decimal("70.00"))  # cash: nothing to check
    with pytest.raises(DeskError) as short:
        check_account(Payment(account=Decimal("70.00")), _card(employee, balance="69.99"), Decimal("70.00"))
    assert "余额不足" in short.value.message.zh and "69.99" in short.value.message.zh
    assert "would go negative" in short.value.message.en
    # more than the personal share is capped at it (the pay step's F8), not refused
    check_account(Payment(account=Decimal("90.00")), _card(employee, balance="70.00"), Decimal("70.00"))
    with pytest.raises(DeskError) as offline:
        check_account(Payment(account=Decimal("1.00")), _card(employee, online=False), Decimal("70.00"))
    assert offline.value.message == OFFLINE and "现金" in OFFLINE.zh and "cash" in OFFLINE.en
    with pytest.raises(DeskError) as none:
        check_account(Payment(account=Decimal("1.00")), _card(resident, balance="0.00"), Decimal("28.00"))
    assert "无个人账户" in none.value.message.zh


def test_the_desk_opens_41_without_a_prescription_and_refuses_11_or_a_chronic_code(tmp_path):
    from tests.ui.pharmacy.fixtures import close_desks, make_desk

    d = make_desk(tmp_path, None, None)  # standalone: opening a sale needs no centre
    try:
        card = _card(WORLD.patients["P14"], online=False)
        sale = d.desk.open_ordinary_sale(card)
        assert (sale.scheme, sale.med_type, sale.person_no) == ("OP", "41", "T0014")
        with pytest.raises(DeskError) as needs_rx:
            d.desk.open_ordinary_sale(card, "11")
        assert needs_rx.value.message.key == "desk.ordinary.needs_rx" and "须凭处方" in needs_rx.value.message.zh
        with pytest.raises(DeskError) as chronic:
            d.desk.open_ordinary_sale(card, "14")
        assert chronic.value.message.key == "desk.ordinary.not_ordinary"
    finally:
        close_desks()
