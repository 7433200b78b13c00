"""The doctor's sig read as numbers (core.rx.dose): what is read, what is refused."""
from decimal import Decimal

import pytest

from core.domain import Drug
from core.rx.dose import SigError, parse_dose, parse_frequency, sig_for

TABLET = Drug("D01", "苯磺酸氨氯地平片", Decimal("28"), 28, unit="片", strength=Decimal("5"), strength_unit="mg")


@pytest.mark.parametrize("text, amount, unit", [("5mg", "5", "mg"), ("0.5 g", "0.5", "g"), ("1片", "1", "片"),
                                                ("5", "5", ""), (" 10 IU ", "10", "iu")])
def test_doses_read(text, amount, unit):
    d = parse_dose(text)
    assert d is not None and d.amount == Decimal(amount) and d.unit == unit


@pytest.mark.parametrize("text", ["five mg", "5 furlongs", "-5mg", "0mg", "5mg 2", "1e3mg", "１/２片"])
def test_doses_refused(text):
    with pytest.raises(SigError, match="单次剂量"):
        parse_dose(text)


@pytest.mark.parametrize("text, times", [("qd", "1"), ("BID", "2"), ("t.i.d.", "3"), ("每日三次", "3"), ("一日2次", "2"),
                                         ("3次/日", "3"), ("q8h", "3"), ("qod", "0.5")])
def test_frequencies_read(text, times):
    assert parse_frequency(text) == Decimal(times)


def test_as_needed_and_empty_have_no_daily_amount():
    assert parse_frequency("") is None and parse_frequency("prn") is None and parse_dose("") is None


@pytest.mark.parametrize("text", ["sometimes", "每日很多次", "q7x"])
def test_frequencies_refused(text):
    with pytest.raises(SigError, match="频次"):
        parse_frequency(text)


def test_sig_in_the_strength_unit():
    assert sig_for(TABLET, "5mg", "bid").dose == Decimal("5")
    assert sig_for(TABLET, "0.005g", "qd").dose == Decimal("5")
    assert sig_for(TABLET, "2片", "qd").dose == Decimal("10")
    assert sig_for(TABLET, "5", "tid").times_per_day == Decimal("3")
    assert sig_for(TABLET, "1袋", "qd") is None  # a unit the strength cannot turn into mg: no dose check
    assert sig_for(TABLET, "", "qd") is None
