"""TRC-002 over random baskets: one box code on two lines of a sale (wherever the lines are, however many boxes
each has) sells one box twice; the later line is refused, the first keeps its box. At the centre every line of a
message — one prescription or several in one basket — is audited as one sale (tests/e2e/test_centre_http.py)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain import Verdict
from tests.core.audit.conftest import hits, make_case


@st.composite
def baskets(draw):
    """Lines of amlodipine with 1–3 boxes each (distinct codes), then one box code copied onto a later line."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=5))
    serial = iter(range(1000))
    lines = [{"line": no, "drug": "D01", "qty": n, "days": 28 * n, "sig": {"dose": 5, "times_per_day": 1},
              "trace_codes": [f"8100011{7000000000000 + next(serial):013d}" for _ in range(n)]}
             for no, n in enumerate(sizes, start=1)]
    first = draw(st.integers(0, len(lines) - 2))
    later = draw(st.integers(first + 1, len(lines) - 1))
    code = draw(st.sampled_from(lines[first]["trace_codes"]))
    at = draw(st.integers(0, len(lines[later]["trace_codes"]) - 1))
    lines[later]["trace_codes"][at] = code
    return lines, first + 1, later + 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # audit: stateless
@given(baskets())
def test_a_code_on_two_lines_refuses_the_later_line_only(audit, basket):
    lines, first, later = basket
    r = audit(make_case(prescription={"rx_date": "2025-09-15", "diagnoses": ["I10.x00"], "long_rx_confirmed": True,
                                      "lines": lines}))
    twice = {h for h in hits(r) if h[0] == "TRC-002"}
    assert twice == {("TRC-002", "BLOCK", later)}, (first, later, hits(r))
    assert r.verdict == Verdict.BLOCK
