"""BurstDetector alone (no Qt): properties over random codes and timings."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.settings import WedgeSettings
from hardware.wedge.burst import BurstDetector, Disposition, Emit, Replay

CODE = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz().-/", min_size=6, max_size=60)


def _run(detector, text, gaps, terminator=None, start=0.0):
    now, effects, dispositions = start, [], []
    for i, ch in enumerate(text):
        if i:
            now += gaps[(i - 1) % len(gaps)]
        out = detector.text(ch, now, (i, ch))
        effects += out.effects
        dispositions.append(out.disposition)
    if terminator:
        now += gaps[0]
        out = detector.terminator(terminator, now)
        effects += out.effects
        dispositions.append(out.disposition)
    effects += detector.expire(now + 10_000)
    return effects, dispositions


@given(CODE, st.lists(st.integers(1, 45), min_size=1, max_size=10), st.sampled_from([None, "\r", "\t"]))
@settings(max_examples=200, deadline=None)
def test_a_fast_burst_is_exactly_one_scan_and_nothing_replays(code, gaps, terminator):
    effects, dispositions = _run(BurstDetector(WedgeSettings()), code, gaps, terminator)
    assert effects == [Emit(code)]
    assert Disposition.PASS not in dispositions


@given(st.text(min_size=1, max_size=30).filter(lambda s: all(c.isprintable() for c in s)),
       st.lists(st.integers(51, 600), min_size=1, max_size=10))
@settings(max_examples=200, deadline=None)
def test_slow_keys_are_replayed_one_by_one_in_order_and_never_a_scan(text, gaps):
    effects, _ = _run(BurstDetector(WedgeSettings()), text, gaps)
    assert all(isinstance(e, Replay) for e in effects)
    replayed = [item for e in effects for item in e.items]
    assert [ch for _, ch in replayed] == list(text)


@given(st.text(alphabet="abc123", min_size=1, max_size=5), st.integers(1, 40))
@settings(max_examples=100, deadline=None)
def test_a_short_fast_burst_is_typing(text, gap):
    effects, _ = _run(BurstDetector(WedgeSettings(min_length=6)), text, [gap], "\r")
    assert effects and all(isinstance(e, Replay) for e in effects)


def test_enter_after_a_scan_within_blanking_is_swallowed_then_passes_later():
    d2 = BurstDetector(WedgeSettings(blanking_ms=150))
    for i, ch in enumerate("81000110000000000001"):
        d2.text(ch, i * 8.0, ch)
    assert d2.terminator("\r", 160.0).disposition is Disposition.SWALLOW
    assert d2.terminator("\n", 168.0).disposition is Disposition.SWALLOW
    assert d2.terminator("\r", 1000.0).disposition is Disposition.PASS
