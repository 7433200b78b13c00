"""One or more worked examples per kind, and the traps of barcode.md (suffixes, IME, AIM prefixes, GS)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from core.codes import MAX_LENGTH, Kind, ScanResult, classify

TODAY = date(2025, 6, 1)
TRACE = "81000110000000000001"  # from the shared vectors' test catalogue
ID_X = "42070419500202153X"  # shared vectors patient, check character X


def c(text, **kw) -> ScanResult:
    return classify(text, today=TODAY, **kw)


# --- trace codes ---

@pytest.mark.parametrize("text", [TRACE, TRACE + "\r", TRACE + "\n", TRACE + "\r\n", TRACE + "\t", f"  {TRACE} ",
                                  "８１０００１１００００００００００００１", "]C0" + TRACE, "]d1" + TRACE,
                                  "8100011 0000 0000 0000 1"])
def test_trace_code_in_every_disguise(text):
    r = c(text)
    assert (r.kind, r.valid, r.error) == (Kind.TRACE_CODE, True, None)
    assert r.fields["code"] == TRACE and r.fields["product_prefix"] == "8100011"
    assert r.input == text  # the original, untouched


def test_aim_prefix_is_kept_as_symbology():
    assert c("]C0" + TRACE).fields["symbology"] == "]C0"
    assert "symbology" not in c(TRACE).fields


def test_twenty_digits_not_starting_with_8_is_an_invalid_trace_code():
    r = c("61000110000000000001")
    assert (r.kind, r.valid, r.error_code) == (Kind.TRACE_CODE, False, "trace_prefix")
    assert r.fields["product_prefix"] == "6100011"


@pytest.mark.parametrize("text", [TRACE[:-1], TRACE + "9"])
def test_trace_code_with_a_digit_lost_or_doubled(text):
    r = c(text)
    assert (r.kind, r.valid, r.error_code) == (Kind.TRACE_CODE, False, "trace_length")
    assert str(len(text)) in r.error.zh and str(len(text)) in r.error.en


# --- commodity barcodes ---

@pytest.mark.parametrize("text,guess", [("6901234567892", "EAN-13"), ("96385074", "EAN-8"),
                                        ("036000291452", "UPC-A"), ("16901234567899", "GTIN-14"),
                                        ("]E06901234567892", "EAN-13")])
def test_commodity_barcodes_are_not_trace_codes(text, guess):
    r = c(text)
    assert (r.kind, r.valid) == (Kind.COMMODITY_BARCODE, True)
    assert r.fields["symbology_guess"] == guess and len(r.fields["gtin"]) == 14
    assert r.fields["hint"] == "commodity_not_trace"
    assert r.hint.zh == "这是商品条码，请扫描药品追溯码"
    assert "traceability code" in r.hint.en


def test_commodity_barcode_wrong_check_digit():
    r = c("6901234567893")
    assert (r.kind, r.valid, r.error_code) == (Kind.COMMODITY_BARCODE, False, "ean_check_digit")
    assert r.fields["gtin"] == "06901234567893"


def test_a_code128_number_with_no_gtin_check_digit_is_no_misread_commodity_barcode():
    # Code 128 checks itself: "check digit wrong; scan again" would send the user round in circles
    assert c("]C015182881").error_code == "unrecognised" and c("]C06901234567893").kind is Kind.UNKNOWN
    assert c("]E06901234567893").error_code == "ean_check_digit"  # an EAN symbol misread: scan again
    assert c("]C06901234567892").valid  # a right GTIN stays a commodity barcode whatever carries it


def test_a_2d_symbol_holding_several_lines_is_unrecognised_not_scan_again():
    for text in ("]Q1BEGIN:VCARD\nN:Kennedy;Steve\nEND:VCARD", "]d1Hello\r\nWorld", "]Q1\x01\x10AD:SUB:x;;"):
        assert c(text).error_code == "unrecognised", text
    assert c("]C1810001100\n00000000001").error_code == "control_char"  # a 1D scan broken in two


# --- ID cards ---

@pytest.mark.parametrize("text", [ID_X, ID_X.lower(), "４２０７０４１９５００２０２１５３ｘ", ID_X + "\r\n"])
def test_id_card_with_x_in_any_case_or_width(text):
    r = c(text)
    assert (r.kind, r.valid) == (Kind.ID_CARD, True)
    assert r.fields == {"number": ID_X, "masked": "420704********153X", "format": "id18", "region": "420704",
                        "sex": "1", "birth_date": "1950-02-02"}


def test_id_card_female_and_display_is_masked():
    r = c("420704195208081829")  # sequence 182: even -> female
    assert r.valid and r.fields["sex"] == "2"
    assert r.display_text == "420704********1829"


def test_id_card_wrong_check_digit():
    r = c("42070419500202153" + "0")
    assert (r.kind, r.valid, r.error_code) == (Kind.ID_CARD, False, "id_check_digit")
    assert r.fields["region"] == "420704"


def test_id_card_impossible_birth_date():
    from core.codes.build import id_number
    from core.codes.checksums import id_check_char

    body = "420704" + "19990230" + "123"  # 30 February
    r = c(body + id_check_char(body))
    assert (r.kind, r.valid, r.error_code) == (Kind.ID_CARD, False, "id_birth_date")
    assert "19990230" in r.error.zh and "birth_date" not in r.fields
    assert c(id_number("420704", date(2000, 2, 29), 1)).valid  # a real leap day


def test_id_card_birth_in_the_future_and_unknown_province():
    from core.codes.build import id_number

    r = c(id_number("420704", date(2025, 6, 2), 1))
    assert (r.valid, r.error_code) == (False, "id_birth_future")
    r = c(id_number("990704", date(1980, 1, 1), 1))
    assert (r.kind, r.valid, r.error_code) == (Kind.ID_CARD, False, "id_region")


def test_old_fifteen_digit_id_card():
    r = c("420704500202153")
    assert (r.kind, r.valid) == (Kind.ID_CARD, True)
    assert r.fields["format"] == "id15" and r.fields["birth_date"] == "1950-02-02"
    assert r.fields["number"] == ID_X and r.fields["sex"] == "1"


# --- GS1 ---

GS = "\x1d"


@pytest.mark.parametrize("text", [
    f"0106901234567892172612001012345{GS}21SN001",
    f"]d20106901234567892172612001012345{GS}21SN001",
    f"]d2{GS}0106901234567892172612001012345{GS}21SN001",
    "0106901234567892172612001012345<GS>21SN001",
    "(01)06901234567892(17)261200(10)12345(21)SN001",
    "(01) 06901234567892 (17) 261200 (10) 12345 (21) SN001",
    "]d2(01)06901234567892(17)261200(10)12345(21)SN001",
    "]Q3(01)06901234567892(17)261200(10)12345(21)SN001",
    "（０１）０６９０１２３４５６７８９２（１７）２６１２００（１０）１２３４５（２１）ＳＮ００１",
])
def test_gs1_raw_and_bracketed_with_day_00(text):
    r = c(text)
    assert (r.kind, r.valid, r.error) == (Kind.GS1, True, None), r.error
    f = r.fields
    assert (f["gtin"], f["expiry"], f["batch"], f["serial"]) == ("06901234567892", "2026-12-31", "12345", "SN001")
    assert f["ais"] == {}
    assert f["hri"] == "(01)06901234567892(17)261200(10)12345(21)SN001"


def test_gs1_other_ais_and_nhrn():
    text = f"]C1010690123456789211250101{GS}70032612312359{GS}71012345678{GS}305{GS}10AB-1{GS}21X"
    r = c(text)
    assert r.valid, r.error
    assert r.fields["ais"] == {"11": "250101", "7003": "2612312359", "710": "12345678", "30": "5"}
    assert (r.fields["batch"], r.fields["serial"]) == ("AB-1", "X")
    assert r.fields["symbology"] == "]C1"


def test_gs1_sscc_is_a_logistics_label_with_its_fields():
    r = c("(00)106141411234567897(37)12")
    assert (r.kind, r.valid, r.error_code) == (Kind.GS1, False, "sscc_not_trace")
    assert r.fields["sscc"] == "106141411234567897" and r.fields["ais"] == {"37": "12"}
    assert r.error.zh == "物流码，请扫描药盒上的追溯码"


def test_gs1_wrong_gtin_check_digit_stays_gs1():
    r = c("(01)06901234567893(17)261231")
    assert (r.kind, r.valid, r.error_code) == (Kind.GS1, False, "gs1_check_digit")
    assert r.fields["gtin"] == "06901234567893" and r.fields["expiry"] == "2026-12-31"


@pytest.mark.parametrize("expiry", ["261331", "260230", "260132"])
def test_gs1_impossible_expiry(expiry):
    r = c(f"(01)06901234567892(17){expiry}")
    assert (r.kind, r.valid, r.error_code) == (Kind.GS1, False, "gs1_bad_date")


def test_gs1_expiry_day_00_in_february_of_a_leap_year():
    assert c("(01)06901234567892(17)280200").fields["expiry"] == "2028-02-29"


@pytest.mark.parametrize("text,code", [
    ("(01)0690123456789", "gs1_truncated"),
    ("(01)06901234567892(99", "gs1_too_long"),  # "(99" without ")" is read as part of the GTIN
    ("(01)06901234567892(10)ABCDEFGHIJKLMNOPQRSTUVWXYZ", "gs1_too_long"),
    ("(01)06901234567892(10)A(10)B", "gs1_duplicate_ai"),
    ("]d2" + "2312", "gs1_unknown_ai"),  # nothing read before the AI we do not know
    ("]d2" + "0106901234567892" + "17" + "2612", "gs1_truncated"),
    ("]d2", "empty"),
    ("(01)06901234567892(10)批号", "gs1_bad_value"),
])
def test_gs1_structural_errors(text, code):
    r = c(text)
    assert r.valid is False and r.error_code == code, (r.error_code, r.error)


def test_gs1_without_marker_when_scanner_dropped_it():
    r = c("0106901234567892172612311ABC")  # no GS, no AIM, no brackets: 1ABC is not an AI
    assert r.kind is Kind.GS1 and r.valid and r.fields["expiry"] == "2026-12-31"  # what was read stands ...
    assert r.fields["warning"] == {"code": "gs1_unknown_ai", "pos": 25, "ai": "1ABC", "unread": 4}  # ... and why not all
    r = c("010690123456789217261231" + "10ABC")
    assert r.kind is Kind.GS1 and r.valid and r.fields["batch"] == "ABC"


# --- e-vouchers, pickup codes, social security cards ---

def test_evoucher_ours_and_opaque():
    ours = c("NHSAEV1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_")
    assert (ours.kind, ours.valid, ours.fields["format"]) == (Kind.EVOUCHER, True, "onewindow")
    signed = c("NHSAEV1.j67n9qerDXdRXs6k0U4tGUFWPDlUva6mSG0eqaQeCGZcbjhfozmKiCz.2Fxl0jWbkj_ZUa7S-5eFq9K0574-80L5f760UA4Sp2k")
    assert (signed.kind, signed.valid) == (Kind.EVOUCHER, True)  # <body>.<sig>, as the centre issues them
    opaque = c("Q2hpbmEgaGVhbHRoY2FyZSBlLXZvdWNoZXIgdGVzdA+/AB12==")
    assert (opaque.kind, opaque.valid, opaque.fields["format"]) == (Kind.EVOUCHER, True, "opaque")
    upper = c("E5B1A0F3C2D4" * 6)
    assert upper.kind is Kind.EVOUCHER
    assert "number" not in ours.fields and ours.fields["length"] == 46


def test_evoucher_case_flipped_and_malformed():
    r = c("nhsaev1.aBcDeFgHiJkLmNoPqRsTuVwXyZ")
    assert (r.kind, r.valid, r.error_code) == (Kind.EVOUCHER, False, "evoucher_case_flipped")
    for damaged in ("NHSAEV1.short", "NHSAEV1.AbCdEfGhIjKlMnOpQrSt.", "NHSAEV1.AbCdEfGhIjKlMnOpQrSt+/"):
        r = c(damaged)
        assert (r.kind, r.valid, r.error_code) == (Kind.EVOUCHER, False, "evoucher_malformed")


@pytest.mark.parametrize("text", ["RX12345678", "rx2025ABCD0001", "RX" + "9" * 24, "RX20250601120000ABCDEF0123"])
def test_rx_token(text):
    r = c(text)
    assert (r.kind, r.valid, r.fields["token"]) == (Kind.RX_TOKEN, True, text.upper())


@pytest.mark.parametrize("text,field", [("X00000019", "card_no"), ("b7k334774", "card_no"),
                                        ("639900D15600000500BF7C7A48FB4966", "card_sn"),
                                        ("330182d156000005001d9deadf188001", "card_sn")])
def test_social_security_card(text, field):
    r = c(text)
    assert (r.kind, r.valid) == (Kind.SS_CARD, True)
    assert r.fields[field] == text.upper() and r.fields["format"] == field


# --- refusals ---

@pytest.mark.parametrize("text", ["", "   ", "\r\n", "\t"])
def test_empty(text):
    r = c(text)
    assert (r.kind, r.valid, r.error_code) == (Kind.UNKNOWN, False, "empty")
    assert r.to_dict()["error"] == {"zh": "空输入", "en": "empty input"}


@pytest.mark.parametrize("text", [TRACE + "\x00", "\x07" + TRACE, "\x1b[31m" + TRACE, "8100011\r0000000000001",
                                  "\x02" + TRACE + "\x03", "a\x7fb", "a\x85b"])
def test_control_characters_are_refused(text):
    r = c(text)
    assert (r.kind, r.valid, r.error_code) == (Kind.UNKNOWN, False, "control_char")
    assert "U+" in r.error.zh


def test_ten_thousand_characters_of_junk():
    junk = "".join(chr(33 + (i * 7919) % 90) for i in range(10_000))
    r = c(junk)
    assert (r.kind, r.valid, r.error_code) == (Kind.UNKNOWN, False, "too_long")
    assert "10000" in r.error.en
    assert c("A" * (MAX_LENGTH + 1)).error_code == "too_long"


@pytest.mark.parametrize("value", [None, 12345, 1.5, b"81000110000000000001", ["x"], {"a": 1}, object()])
def test_non_str_input(value):
    r = classify(value)
    assert (r.kind, r.valid, r.error_code) == (Kind.UNKNOWN, False, "not_text")
    assert type(value).__name__ in r.error.en
    json.dumps(r.to_dict())


@pytest.mark.parametrize("text", ["hello", "123", "9" * 30, "二维码", "٨١٠٠٠١١٠٠٠٠٠٠٠٠٠٠٠٠١", "(hello)", "]X"])
def test_unknown(text):
    r = c(text)
    assert (r.kind, r.valid) == (Kind.UNKNOWN, False)
    if r.error_code != "empty":
        assert r.error.as_dict() == {"zh": "无法识别的条码", "en": "unrecognised code"}


def test_to_dict_shape_and_copy():
    r = c(f"]d20106901234567892172612001012345{GS}21SN001")
    d = r.to_dict()
    assert list(d) == ["input", "kind", "valid", "fields", "error"]
    assert d["kind"] == "gs1" and d["error"] is None
    d["fields"]["ais"]["99"] = "x"
    assert r.fields["ais"] == {}
    bad = c("6901234567893").to_dict()
    assert set(bad["error"]) == {"zh", "en"}


def test_a_bug_in_a_parser_becomes_an_invalid_result(monkeypatch, caplog):
    from core.codes import trace

    def boom(text):
        raise RuntimeError("bug")

    monkeypatch.setattr(trace, "parse", boom)
    r = c(TRACE)
    assert (r.kind, r.valid, r.error_code) == (Kind.UNKNOWN, False, "internal_error")
    # Logged at ERROR, without the scanned content (it could be an ID number).
    records = [rec for rec in caplog.records if rec.name == "onewindow.codes"]
    assert records and TRACE not in records[0].getMessage()
    caplog.clear()
