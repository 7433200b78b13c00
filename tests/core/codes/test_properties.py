"""Property tests: build a valid code, classify it, get its fields back; classify never raises."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from core.codes import Kind, ScanResult, build, classify
from core.codes.gs1_ais import TABLE
from core.codes.idcard import PROVINCES
from core.i18n import has_key

TODAY = date(2025, 6, 1)
_PLACEHOLDER = re.compile(r"\{(type|length|limit|char|region|date|pos|ai|need|max|value)\}")

regions = st.builds(lambda p, rest: p + rest, st.sampled_from(sorted(PROVINCES)),
                    st.text("0123456789", min_size=4, max_size=4))
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
digits = st.text("0123456789", min_size=1, max_size=1)
# Batch and serial values from GS1 set 82, without "(" so the bracketed form stays unambiguous.
gs1_values = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-./_", min_size=1, max_size=20)


@given(regions, births, st.integers(0, 999), st.booleans())
def test_id_number_round_trip(region, born, sequence, lower):
    number = build.id_number(region, born, sequence)
    r = classify(number.lower() if lower else number, today=TODAY)
    assert (r.kind, r.valid) == (Kind.ID_CARD, True), r.error
    assert r.fields["number"] == number
    assert r.fields["region"] == region
    assert r.fields["birth_date"] == born.isoformat()
    assert r.fields["sex"] == ("1" if sequence % 2 else "2")


@given(regions, births, st.integers(0, 999), st.integers(1, 10))
def test_id_number_with_a_changed_last_character_is_invalid(region, born, sequence, shift):
    number = build.id_number(region, born, sequence)
    alphabet = "0123456789X"
    wrong = number[:17] + alphabet[(alphabet.index(number[17]) + shift) % 11]
    r = classify(wrong, today=TODAY)
    assert (r.kind, r.valid, r.error_code) == (Kind.ID_CARD, False, "id_check_digit")


@given(st.text("0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_ean13_round_trip_and_single_digit_errors(body, shift):
    code = build.gtin(body)
    r = classify(code)
    allocated = not 140 <= int(code[:3]) <= 199  # GS1 keeps 140-199 for future use: no product has one
    assert (r.kind, r.valid, r.fields["gtin"]) == (Kind.COMMODITY_BARCODE, allocated, "0" + code)
    assert allocated or r.error_code == "ean_prefix_unassigned"
    wrong = code[:-1] + str((int(code[-1]) + shift) % 10)
    assert classify(wrong).error_code == "ean_check_digit"


@given(st.text("0123456789", min_size=6, max_size=6), st.integers(0, 10**13 - 1),
       st.sampled_from(["", "\r", "\n", "\r\n", "\t"]), st.booleans())
def test_trace_code_round_trip(prefix_tail, serial, suffix, full_width):
    code = build.trace_code("8" + prefix_tail, serial)
    text = "".join(chr(0xFF10 + int(d)) for d in code) if full_width else code
    r = classify(text + suffix)
    assert (r.kind, r.valid) == (Kind.TRACE_CODE, True)
    assert r.fields == {"code": code, "product_prefix": "8" + prefix_tail}


@given(st.text("0123456789", min_size=13, max_size=13),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2049, 12, 31)),
       gs1_values, gs1_values, st.booleans(), st.booleans(), st.sampled_from(["", "]d2", "]C1", "]Q3"]))
def test_gs1_round_trip(body, expiry, batch, serial, bracketed, day_00, aim):
    gtin = build.gtin(body)
    text = aim + build.gs1_element_string(gtin, expiry, batch, serial, bracketed=bracketed, day_00=day_00)
    r = classify(text, today=TODAY)
    assert (r.kind, r.valid) == (Kind.GS1, True), r.error
    expected_day = (expiry.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1) if day_00 else expiry
    assert r.fields["gtin"] == gtin
    assert r.fields["expiry"] == expected_day.isoformat()
    assert (r.fields["batch"], r.fields["serial"]) == (batch, serial)
    # The canonical form reads back to the same fields.
    again = classify(r.fields["hri"], today=TODAY)
    assert {k: again.fields[k] for k in ("gtin", "expiry", "batch", "serial")} == \
        {k: r.fields[k] for k in ("gtin", "expiry", "batch", "serial")}


def _check(result: ScanResult) -> None:
    assert isinstance(result, ScanResult)
    assert isinstance(result.kind, Kind)
    assert result.valid == (result.error is None) == (result.error_code is None)
    if result.error_code:
        assert has_key(f"codes.{result.error_code}")
        assert not _PLACEHOLDER.search(result.error.zh + result.error.en)  # every placeholder filled
    d = result.to_dict()
    assert list(d) == ["input", "kind", "valid", "fields", "error"]
    json.dumps(d)
    json.dumps(d, ensure_ascii=False).encode("utf-8", "backslashreplace")


SCANNERISH = "0123456789８１X x()（）]CdQE\x1d\r\n\t<GS>{}RXNHSAEV1.-_=+/ABCDEF\x00\x07\x1b"


@given(st.one_of(st.text(), st.text(SCANNERISH), st.text(SCANNERISH, min_size=15, max_size=40),
                 st.binary(), st.integers(), st.none(), st.floats(), st.lists(st.text(max_size=3))))
def test_classify_never_raises(value):
    _check(classify(value, today=TODAY))


@given(st.sampled_from(["]d2", "]C1", "(01)", "01", "NHSAEV1.", "RX", "8", "4207041950", ""]), st.text(SCANNERISH))
def test_classify_never_raises_near_real_prefixes(prefix, rest):
    _check(classify(prefix + rest, today=TODAY))


def test_ai_table_is_prefix_free():
    ais = sorted(TABLE)
    for short in ais:
        clashes = [longer for longer in ais if longer != short and longer.startswith(short)]
        assert not clashes, (short, clashes)
    assert all(spec.min <= spec.max for spec in TABLE.values())
