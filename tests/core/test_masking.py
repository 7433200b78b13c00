"""The one ID mask (core.domain.masking.mask_id) and every place that shows a masked number using it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.domain.masking import mask_id, mask_name

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("number, shown", [
    ("420704195703121015", "420704********1015"),   # 18-digit ID: region and last four
    ("42070419570312101X", "420704********101X"),
    ("420704570312101", "420704*****2101"),          # 15-digit ID
    ("  420704195703121015 ", "420704********1015"),  # spaces around a pasted number
    ("E12345678", "*****5678"),                      # a short certificate number: the last four
    ("ABC12345678", "*******5678"),
    ("H0123456789012", "H0********9012"),
    ("12345678", "********"),                        # eight or fewer: all hidden
    ("1234", "****"),
    ("", ""),
    (None, ""),
])
def test_mask_id(number, shown):
    assert mask_id(number) == shown


@pytest.mark.parametrize("number", ["420704195703121015", "420704570312101", "E12345678", "H0123456789012",
                                    "12345678", "123456789"])
def test_the_mask_keeps_the_length_and_hides_at_least_half_of_a_short_number(number):
    shown = mask_id(number)
    assert len(shown) == len(number)
    hidden = shown.count("*")
    assert hidden == len(number) - 10 if len(number) >= 15 else hidden * 2 >= len(number)
    # the birth date of an ID never shows
    if len(number) == 18:
        assert number[6:14] not in shown


def test_every_shell_and_the_centre_mask_with_the_same_function():
    """The divergent copies are gone: the card reader, the counter's person, the centre's work lists and
    supervision, the kiosk and the desk all give the same masked text for one number."""
    from core.codes import classify
    from core.services.registration import PersonView
    from hardware.cards import CardRead

    number = "420704195703121015"
    expected = "420704********1015"
    assert CardRead(kind="id_card", id_number=number, name="王某").masked_id == expected
    person = PersonView.__new__(PersonView)
    object.__setattr__(person, "certno", number)
    assert person.masked == expected
    assert classify(number).fields["masked"] == expected


def test_no_module_masks_by_hand():
    """No other function builds a masked number from slices and stars (what the divergent copies did)."""
    offenders = []
    for root in ("core", "desktop", "server", "hardware", "onewindow"):
        for path in (REPO / root).rglob("*.py"):
            if path.name == "masking.py":
                continue  # the one ID mask and the one name mask
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and isinstance(node.left, ast.Constant)
                        and node.left.value == "*" and not isinstance(node.right, ast.Constant)):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == [], offenders


@pytest.mark.parametrize("name, shown", [("张三丰", "张**"), ("王某", "王*"), ("李", "李*"), ("", ""), (None, "")])
def test_mask_name(name, shown):
    assert mask_name(name) == shown

