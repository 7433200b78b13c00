"""Cases the public vectors do not contain (the rule catalogue's other vectors, built from their titles):
the engine must be general, not tuned to the 40 public answers."""
from __future__ import annotations

from decimal import Decimal

from core.domain import Verdict
from tests.core.audit.conftest import hits, make_case

D01 = {"line": 1, "drug": "D01", "qty": 1, "days": 28, "sig": {"dose": 5, "times_per_day": 1},
       "trace_codes": ["81000110000000008001"]}


def rx(date, lines, diagnoses=("I10.x00",), **extra):
    return {"rx_date": date, "diagnoses": list(diagnoses), "long_rx_confirmed": True, "lines": lines, **extra}


def test_registration_ending_within_30_days_warns_and_settles(audit):
    r = audit(make_case(patient="P04", requested_scheme="MT", settlement={"date": "2026-06-15", "facility": "PH1"},
                        prescription=rx("2026-06-15", [D01]),
                        history={"settlements": [{"setl_id": "S1", "date": "2026-01-10", "facility": "PH1",
                                                  "scheme": "MT", "fund": "0.00", "deductible_applied": "300.00"}]}))
    assert hits(r) == {("ELG-005", "WARN", None)}
    assert r.verdict == Verdict.WARN
    assert r.settlement.fund_payment == Decimal("19.60")  # 28.00 x 70 % (resident, pharmacy)


def test_suspended_insurance_blocks(audit):
    line = {**D01, "drug": "D02", "days": 20, "sig": {"dose": 500, "times_per_day": 3},
            "trace_codes": ["81000220000000008001"]}
    r = audit(make_case(patient="P08", requested_scheme="MT", prescription=rx("2025-09-15", [line], ("E11.900",))))
    assert hits(r) == {("ELG-002", "BLOCK", None)}
    assert r.verdict == Verdict.BLOCK and r.settlement is None and r.scheme.value == "MT"


def test_two_dihydropyridines_warn_on_the_later_line(audit):
    nifedipine = {"line": 2, "drug": "D04", "qty": 4, "days": 28, "sig": {"dose": 30, "times_per_day": 1},
                  "trace_codes": [f"8100044000000000800{i}" for i in range(4)]}
    r = audit(make_case(prescription=rx("2025-09-15", [D01, nifedipine])))
    assert hits(r) == {("DRG-005", "WARN", 2)}
    assert r.settlement.total == Decimal("112.00") and r.settlement.fund_payment == Decimal("56.00")


def test_female_only_drug_for_a_man_blocks_the_line(audit):
    fuke = {"line": 2, "drug": "D07", "qty": 1, "days": 10, "trace_codes": ["81000770000000008001"]}
    r = audit(make_case(patient="P03", requested_scheme="MT", prescription=rx("2025-09-15", [D01, fuke])))
    assert hits(r) == {("CAT-003", "BLOCK", 2), ("DRG-001", "BLOCK", 2)}


def test_drug_restricted_to_level_two_is_self_pay_at_level_one(audit):
    lira = {"line": 1, "drug": "D12", "qty": 1, "days": 10, "sig": {"dose": 1.8, "times_per_day": 1},
            "trace_codes": ["81001220000000008001"]}
    metformin = {"line": 2, "drug": "D02", "qty": 1, "days": 20, "sig": {"dose": 500, "times_per_day": 3},
                 "trace_codes": ["81000220000000008002"]}
    r = audit(make_case(patient="P03", requested_scheme="MT", settlement={"date": "2025-09-20", "facility": "CL1"},
                        prescription=rx("2025-09-20", [lira, metformin], ("E11.900",)),
                        history={"settlements": [{"setl_id": "S1", "date": "2025-04-10", "facility": "CL1",
                                                  "scheme": "MT", "fund": "0.00", "deductible_applied": "200.00"}]}))
    assert hits(r) == {("CAT-006", "WARN", 1)}
    assert r.line(1).verdict.value == "SELF_PAY"
    assert r.settlement.total == Decimal("324.00") and r.settlement.fund_payment == Decimal("21.60")


def test_insulin_days_of_supply_come_from_units(audit):
    insulin = {"line": 1, "drug": "D11", "qty": 3, "days": 90, "sig": {"dose": 10, "times_per_day": 1},
               "trace_codes": [f"8100111000000000800{i}" for i in range(3)]}
    r = audit(make_case(patient="P02", prescription=rx("2025-09-15", [insulin], ("E11.900",))))
    assert hits(r) == set()
    assert r.settlement.total == Decimal("210.00") and r.settlement.fund_payment == Decimal("113.40")
    too_many = {**insulin, "qty": 4, "trace_codes": [f"8100111000000000800{i}" for i in range(4)]}
    assert ("QTY-003", "BLOCK", 1) in hits(audit(make_case(patient="P02", prescription=rx("2025-09-15", [too_many], ("E11.900",)))))


def test_uncoded_stock_warns_instead_of_blocking(audit):
    line = {**D01, "trace_codes": [], "uncoded_stock": True}
    r = audit(make_case(prescription=rx("2025-09-15", [line])))
    assert hits(r) == {("TRC-001", "WARN", 1)}
    assert r.verdict == Verdict.WARN and r.settlement.fund_payment == Decimal("14.00")


def test_third_split_sale_from_an_emptied_box_blocks(audit):
    line = {**D01, "qty": 14, "days": 14, "split": True, "trace_codes": ["81000110000000008046"]}
    sales = [{"date": "2025-08-01", "units": 14, "split": True, "setl_id": "A", "facility": "PH1"},
             {"date": "2025-08-15", "units": 14, "split": True, "setl_id": "B", "facility": "PH1"}]
    r = audit(make_case(prescription=rx("2025-09-15", [line]),
                        history={"trace_registry": {"81000110000000008046": {"sales": sales}}}))
    assert hits(r) == {("TRC-006", "BLOCK", 1)}


def test_code_of_another_product_blocks(audit):
    line = {**D01, "trace_codes": ["81000220000000008001"]}
    assert hits(audit(make_case(prescription=rx("2025-09-15", [line])))) == {("TRC-004", "BLOCK", 1)}


def test_31_december_is_charged_to_the_old_year(audit):
    line = {**D01, "qty": 3, "days": 84, "trace_codes": [f"8100011000000000810{i}" for i in range(3)]}
    r = audit(make_case(settlement={"date": "2025-12-31", "facility": "PH1"}, prescription=rx("2025-12-31", [line]),
                        history={"settlements": [{"setl_id": "S1", "date": "2025-03-01", "facility": "PH1",
                                                  "scheme": "LB", "fund": "390.00"}]}))
    assert r.settlement.period == "2025" and r.settlement.fund_payment == Decimal("10.00")
    assert hits(r) == {("BEN-002", "INFO", None)}


def test_reversing_a_december_sale_in_january_frees_only_the_old_year(audit):
    line = {**D01, "qty": 3, "days": 84, "trace_codes": [f"8100011000000000820{i}" for i in range(3)]}
    hist = {"settlements": [
        {"setl_id": "DEC", "date": "2025-12-28", "facility": "PH1", "scheme": "LB", "fund": "42.00", "reversed_on": "2026-01-03"},
        {"setl_id": "JAN", "date": "2026-01-02", "facility": "PH1", "scheme": "LB", "fund": "380.00"},
    ]}
    r = audit(make_case(settlement={"date": "2026-01-05", "facility": "PH1"}, prescription=rx("2026-01-05", [line]), history=hist))
    assert r.settlement.cap_used_before == Decimal("380.00") and r.settlement.fund_payment == Decimal("20.00")


def test_a_reversed_settlement_gives_back_its_deductible(audit):
    metformin = {"line": 1, "drug": "D02", "qty": 4, "days": 80, "sig": {"dose": 500, "times_per_day": 3},
                 "trace_codes": [f"8100022000000000830{i}" for i in range(4)]}
    hist = {"settlements": [{"setl_id": "S1", "date": "2025-03-01", "facility": "CL1", "scheme": "MT", "fund": "0.00",
                             "deductible_applied": "200.00", "reversed_on": "2025-03-05"}]}
    r = audit(make_case(patient="P03", requested_scheme="MT", settlement={"date": "2025-09-20", "facility": "CL1"},
                        prescription=rx("2025-09-20", [metformin], ("E11.900",)), history=hist))
    assert r.settlement.deductible_used_before == Decimal("0.00")
    assert r.settlement.deductible_applied == Decimal("96.00")  # eligible 96 < deductible 200
    assert ("BEN-003", "INFO", None) in hits(r)


def test_monthly_quota_resets_next_month(audit):
    lines = [D01, {"line": 2, "drug": "D13", "qty": 4, "days": 28, "sig": {"dose": 200, "times_per_day": 1},
                   "trace_codes": [f"8100133000000000840{i}" for i in range(4)]}]
    hist = {"settlements": [{"setl_id": "S1", "date": "2025-09-12", "facility": "PH1", "scheme": "MT", "fund": "280.00",
                             "expense_counted": "400.00"}]}
    r = audit(make_case(profile="TEST_CITY_B", patient="P10", requested_scheme="MT",
                        settlement={"date": "2025-10-12", "facility": "PH1"}, prescription=rx("2025-10-12", lines), history=hist))
    d = r.settlement.to_dict()
    assert d["period"] == "2025-10" and d["expense_used_before"] == "0.00" and d["fund_payment"] == "280.00"


def test_card_used_in_another_city_minutes_earlier_warns(audit):
    hist = {"settlements": [{"setl_id": "S1", "date": "2025-09-15", "time": "09:45", "facility": "OTH", "scheme": "LB",
                             "fund": "14.00"}]}
    r = audit(make_case(settlement={"date": "2025-09-15", "time": "10:00", "facility": "PH1"}, history=hist))
    assert hits(r) == {("FRD-001", "WARN", None)}
    later = audit(make_case(settlement={"date": "2025-09-15", "time": "10:31", "facility": "PH1"}, history=hist))
    assert hits(later) == set()


def test_refill_one_day_too_early_blocks(audit):
    line = {**D01, "qty": 3, "days": 84, "trace_codes": [f"8100011000000000850{i}" for i in range(3)]}
    hist = {"dispenses": [{"date": "2025-08-01", "facility": "PH1", "drug": "D01", "days": 84}]}
    early = audit(make_case(settlement={"date": "2025-10-08", "facility": "PH1"}, prescription=rx("2025-10-08", [line]), history=hist))
    assert hits(early) == {("DUP-001", "BLOCK", 1)} and early.line(1).remaining_supply_days_before == 16
    on_time = audit(make_case(settlement={"date": "2025-10-09", "facility": "PH1"}, prescription=rx("2025-10-09", [line]), history=hist))
    assert hits(on_time) == set()


def test_profile_can_switch_a_rule_off_or_change_its_severity(world, audit):
    import dataclasses

    from core.policy.profile import RuleSetting

    base = world.profiles["TEST_CITY_A"]
    line = {**D01, "trace_codes": []}
    world.profiles["X_OFF"] = dataclasses.replace(base, profile_id="X_OFF", rules={"TRC-001": RuleSetting(enabled=False)})
    world.profiles["X_WARN"] = dataclasses.replace(base, profile_id="X_WARN",
                                                   rules={"TRC-001": RuleSetting(severity=__import__("core.domain", fromlist=["Severity"]).Severity.WARN)})
    try:
        assert hits(audit(make_case(profile="X_OFF", prescription=rx("2025-09-15", [line])))) == set()
        assert hits(audit(make_case(profile="X_WARN", prescription=rx("2025-09-15", [line])))) == {("TRC-001", "WARN", 1)}
    finally:
        del world.profiles["X_OFF"], world.profiles["X_WARN"]


def test_one_box_code_on_two_lines_of_one_prescription_blocks_the_second(audit):
    """A code scanned on two lines sells one box twice (TRC-002), even with no sale of it recorded anywhere."""
    code = "81000110000000008501"
    second = {**D01, "line": 2, "trace_codes": [code]}
    r = audit(make_case(prescription=rx("2025-09-15", [{**D01, "trace_codes": [code]}, second])))
    assert ("TRC-002", "BLOCK", 2) in hits(r) and ("TRC-002", "BLOCK", 1) not in hits(r)
    assert r.verdict == Verdict.BLOCK
    # the same two lines with two boxes' codes pass the trace rules
    ok = audit(make_case(prescription=rx("2025-09-15", [{**D01, "trace_codes": [code]},
                                                         {**second, "trace_codes": ["81000110000000008502"]}])))
    assert not {h for h in hits(ok) if h[0].startswith("TRC")}


def test_the_cap_spent_on_the_first_day_of_the_year_counts(audit):
    """History on 1 January is in the year's cap: 390 used leaves 10 (a `>` for `>=` would pay 400 again)."""
    line = {**D01, "qty": 3, "days": 84, "trace_codes": [f"8100011000000000860{i}" for i in range(3)]}
    r = audit(make_case(settlement={"date": "2025-06-10", "facility": "PH1"}, prescription=rx("2025-06-10", [line]),
                        history={"settlements": [{"setl_id": "S1", "date": "2025-01-01", "facility": "PH1",
                                                  "scheme": "LB", "fund": "390.00"}]}))
    assert r.settlement.cap_used_before == Decimal("390.00") and r.settlement.fund_payment == Decimal("10.00")
