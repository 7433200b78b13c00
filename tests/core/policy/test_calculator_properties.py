"""Properties of the settlement arithmetic: shares add up to the total, the fund never pays more than the cap
left, and a reversal restores exactly what the settlement used."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain import Drug, Scheme, SettlementRecord
from core.policy.calculator import line_amounts, period_start, settle, usage_from
from core.policy.profile import bundled_profiles

PROFILES = bundled_profiles()
POLICIES = [(pid, s) for pid, p in PROFILES.items() for s in p.schemes.values()]

cents = st.integers(min_value=0, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))
prices = st.integers(min_value=1, max_value=200_000).map(lambda c: Decimal(c).scaleb(-2))
ratios = st.sampled_from([Decimal("0"), Decimal("0.05"), Decimal("0.10"), Decimal("0.15"), Decimal("0.2")])


@st.composite
def drug_lines(draw):
    drug = Drug(
        key="X", name="x", price=draw(prices), pack_size=draw(st.integers(1, 100)),
        drug_class=draw(st.sampled_from(["甲", "乙", "丙"])), preselfpay_ratio=draw(ratios),
        category=draw(st.sampled_from(["drug", "drug", "drug", "health_food"])),
    )
    split = draw(st.booleans())
    qty = draw(st.integers(1, drug.pack_size)) if split else draw(st.integers(1, 12))
    self_pay = drug.drug_class == "丙" or draw(st.booleans())
    return line_amounts(drug, qty, split, self_pay)


@st.composite
def situations(draw):
    pid, policy = draw(st.sampled_from(POLICIES))
    insutype = draw(st.sampled_from(["310", "390"]))
    level = draw(st.sampled_from(["1", "2", "3", "pharmacy"]))
    diseases = draw(st.lists(st.sampled_from(sorted(policy.disease_caps) or ["none"]), min_size=1, max_size=3, unique=True))
    if policy.person_expense_quota is None and "none" in diseases:
        diseases = sorted(policy.disease_caps)[:1]
    lines = draw(st.lists(drug_lines(), min_size=1, max_size=5))
    history = draw(st.lists(st.tuples(cents, cents, cents, st.integers(0, 400)), max_size=6))
    return policy, insutype, level, diseases, lines, history


DAY = dt.date(2025, 9, 15)


def records(history, scheme):
    return [
        SettlementRecord(f"H{i}", "P", DAY - dt.timedelta(days=days_ago), "F", scheme, fund, deductible, expense)
        for i, (fund, deductible, expense, days_ago) in enumerate(history)
    ]


@settings(max_examples=300, deadline=None)
@given(situations())
def test_shares_add_up_and_the_cap_holds(case):
    policy, insutype, level, diseases, lines, history = case
    usage = usage_from(records(history, policy.scheme), policy.scheme, DAY, policy.cap_period)
    s = settle(policy, insutype, level, diseases, lines, usage, DAY)
    assert s.fund_payment + s.personal_payment == s.total
    assert s.total == sum((l.amount for l in lines), Decimal("0"))
    assert s.fulamt_ownpay + s.preselfpay + s.overlimit + s.eligible == s.total
    assert Decimal("0") <= s.fund_payment <= s.raw_fund
    assert s.personal_payment >= 0
    assert s.deductible_applied <= s.eligible
    if s.cap_basis == "fund_payment":
        assert s.fund_payment <= s.cap_remaining_before
        assert s.cap_used_after == s.cap_used_before + s.fund_payment
    else:
        assert s.expense_counted <= s.cap_remaining_before
        assert s.cap_used_after == s.cap_used_before + s.expense_counted
    for amount in (s.total, s.fund_payment, s.personal_payment):
        assert amount == amount.quantize(Decimal("0.01"))


@settings(max_examples=200, deadline=None)
@given(situations(), st.integers(1, 40))
def test_a_reversal_restores_exactly_what_the_settlement_used(case, later):
    policy, insutype, level, diseases, lines, history = case
    past = records(history, policy.scheme)
    before = usage_from(past, policy.scheme, DAY, policy.cap_period)
    s = settle(policy, insutype, level, diseases, lines, before, DAY)
    mine = SettlementRecord("NEW", "P", DAY, "F", policy.scheme, s.fund_payment, s.deductible_applied, s.expense_counted)
    after = usage_from([*past, mine], policy.scheme, DAY, policy.cap_period)
    assert after.fund_in_period == before.fund_in_period + s.fund_payment
    assert after.deductible_in_year == before.deductible_in_year + s.deductible_applied
    reversed_day = DAY + dt.timedelta(days=later)
    undone = dataclasses.replace(mine, reversed_on=reversed_day)
    assert usage_from([*past, undone], policy.scheme, reversed_day, policy.cap_period) == usage_from(
        past, policy.scheme, reversed_day, policy.cap_period
    )
    # Before the reversal date the settlement still counts.
    assert usage_from([*past, undone], policy.scheme, DAY, policy.cap_period) == after


def test_split_sale_rounds_half_up_per_line():
    irbesartan = Drug(key="D03", name="厄贝沙坦片", price=Decimal("41.30"), pack_size=28, drug_class="乙",
                      preselfpay_ratio=Decimal("0.10"))
    a = line_amounts(irbesartan, 9, True, False)
    assert (a.amount, a.preselfpay, a.eligible) == (Decimal("13.28"), Decimal("1.33"), Decimal("11.95"))


def test_scheme_enum_is_used_for_lookups():
    assert PROFILES["TEST_CITY_A"].scheme(Scheme.LB).max_days_per_rx == 90


# --- dates: the first and last day of a period are where a `>=` turned into `>` pays a cap twice -----------
days = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2031, 12, 31))


def _period_end(day: dt.date, cap_period: str) -> dt.date:
    if cap_period == "year":
        return dt.date(day.year, 12, 31)
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@st.composite
def dated_history(draw, scheme, cap_period):
    """A settlement day and earlier settlements, each on the period's first day, its last day, the same day,
    the day before the period, the year's first day, or any day in the two years before."""
    day = draw(days)
    first, last = period_start(day, cap_period), _period_end(day, cap_period)
    year_first = dt.date(day.year, 1, 1)
    when = st.one_of(
        st.sampled_from([first, day, first - dt.timedelta(days=1), year_first, year_first - dt.timedelta(days=1),
                         last]),
        st.dates(min_value=day - dt.timedelta(days=730), max_value=day),
    )
    rows = draw(st.lists(st.tuples(when, cents, cents, cents, st.booleans()), min_size=1, max_size=6))
    past = [SettlementRecord(f"H{i}", "P", on, "F", scheme, fund, deductible, expense)
            for i, (on, fund, deductible, expense, _) in enumerate(rows)]
    return day, past


def _same_period(a: dt.date, b: dt.date, cap_period: str) -> bool:
    return a.year == b.year and (cap_period == "year" or a.month == b.month)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(POLICIES), st.data())
def test_usage_counts_every_earlier_settlement_of_the_period_including_its_first_day(pair, data):
    _, policy = pair
    day, past = data.draw(dated_history(policy.scheme, policy.cap_period))
    usage = usage_from(past, policy.scheme, day, policy.cap_period)
    # an oracle that does not compare dates with `>=`: same calendar year (and month), not after `day`
    in_period = [s for s in past if s.date <= day and _same_period(s.date, day, policy.cap_period)]
    in_year = [s for s in past if s.date <= day and s.date.year == day.year]
    assert usage.fund_in_period == sum((s.fund for s in in_period), Decimal("0"))
    assert usage.expense_in_period == sum((s.expense_counted for s in in_period), Decimal("0"))
    assert usage.deductible_in_year == sum((s.deductible_applied for s in in_year), Decimal("0"))


@settings(max_examples=300, deadline=None)
@given(situations(), days, st.booleans())
def test_the_cap_is_never_paid_twice_across_a_period_boundary(case, day, on_first_day):
    """Spend the whole cap on the period's first (or last) day; a second settlement later in the same period
    gets no fund beyond what is left, and one in the next period starts afresh."""
    policy, insutype, level, diseases, lines, _ = case
    first, last = period_start(day, policy.cap_period), _period_end(day, policy.cap_period)
    spent_on = first if on_first_day else last
    s1 = settle(policy, insutype, level, diseases, lines, usage_from([], policy.scheme, spent_on, policy.cap_period),
                spent_on)
    by_fund = policy.cap_basis == "fund_payment"
    mine = SettlementRecord("FIRST", "P", spent_on, "F", policy.scheme, s1.cap_total if by_fund else Decimal("0"),
                            Decimal("0"), Decimal("0") if by_fund else s1.cap_total)
    s2 = settle(policy, insutype, level, diseases, lines,
                usage_from([mine], policy.scheme, last, policy.cap_period), last)
    assert s2.fund_payment == 0, f"cap spent on {spent_on} paid again on {last}"
    nxt = last + dt.timedelta(days=1)
    s3 = settle(policy, insutype, level, diseases, lines, usage_from([mine], policy.scheme, nxt, policy.cap_period), nxt)
    assert s3.cap_used_before == 0
