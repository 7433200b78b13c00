from core.codes.normalize import GS, MAX_LENGTH, Normalized, Refused, normalize


def test_suffixes_and_spaces():
    assert normalize(" 123\r\n") == Normalized("123", None)
    assert normalize("123\t") == Normalized("123", None)


def test_full_width_and_ideographic_space():
    assert normalize("\u3000８１２\u3000") == Normalized("812", None)
    assert normalize("（０１）") == Normalized("(01)", None)


def test_gs_and_its_stand_ins_are_kept_as_gs():
    for standin in ("\x1d", "<GS>", "<gs>", "{GS}", "\u241d"):
        assert normalize(f"10A{standin}21B").text == f"10A{GS}21B"
    assert normalize("10A\x1d").text == "10A\x1d"  # GS is data, never stripped as whitespace


def test_aim_identifiers():
    for aim in ("]C1", "]d2", "]Q3", "]E0", "]e0", "]C0"):
        assert normalize(aim + "123") == Normalized("123", aim)
    assert normalize("]1x") == Normalized("]1x", None)  # digit first: not an AIM identifier


def test_refusals():
    assert normalize("") == Refused("empty", {})
    assert normalize("]d2") == Refused("empty", {})
    assert normalize("a\x00b").error_code == "control_char"
    assert normalize("a\x00b").error_args == {"char": "U+0000"}
    assert normalize("x" * (MAX_LENGTH + 1)).error_code == "too_long"
    assert normalize("x" * 10_000) == Refused("too_long", {"length": 10_000, "limit": MAX_LENGTH})


def test_spaces_only_removed_between_digits():
    assert normalize("81 00 11").text == "810011"
    assert normalize("RX 123").text == "RX 123"
