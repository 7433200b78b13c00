"""The scan vocabulary against the GS1 General Specifications (release 24) as read by us, not another parser.

The AI table is checked against an independent listing typed from the specification's AI list (Figure
3.2-1) and its table of element strings with predefined length (Figure 7.8.5-2), both below.
"""
from __future__ import annotations

from datetime import date

import pytest

from core.codes import Kind, classify
from core.codes.gs1_ais import TABLE

GS = "\x1d"
TODAY = date(2026, 12, 7)


def c(text: str):
    return classify(text, today=TODAY)


def _expand(spec: str) -> set[str]:
    out = set()
    for part in spec.split():
        if "-" in part:
            a, b = part.split("-")
            out |= {str(i).zfill(len(a)) for i in range(int(a), int(b) + 1)}
        else:
            out.add(part)
    return out


# Every AI of the General Specifications' list (Figure 3.2-1), ranges written out by hand from it.
ALL_AIS = _expand("""
00-03 10-13 15-17 20-22 235 240-243 250 251 253-255 30
3100-3105 3110-3115 3120-3125 3130-3135 3140-3145 3150-3155 3160-3165
3200-3205 3210-3215 3220-3225 3230-3235 3240-3245 3250-3255 3260-3265 3270-3275 3280-3285 3290-3295
3300-3305 3310-3315 3320-3325 3330-3335 3340-3345 3350-3355 3360-3365 3370-3375
3400-3405 3410-3415 3420-3425 3430-3435 3440-3445 3450-3455 3460-3465 3470-3475 3480-3485 3490-3495
3500-3505 3510-3515 3520-3525 3530-3535 3540-3545 3550-3555 3560-3565 3570-3575
3600-3605 3610-3615 3620-3625 3630-3635 3640-3645 3650-3655 3660-3665 3670-3675 3680-3685 3690-3695
37 3900-3909 3910-3919 3920-3929 3930-3939 3940-3943 3950-3955
400-403 410-417 420-427 4300-4326 4330-4333
7001-7011 7020-7023 7030-7039 7040 7041 710-716 7230-7239 7240-7242 7250-7259
8001-8014 8017-8020 8026 8030 8110-8112 8200 90-99
""")

# Figure 7.8.5-2: element strings whose length (AI + value) is predefined by their first two digits.
PREDEFINED = {"00": 20, "01": 16, "02": 16, "03": 16, "11": 8, "12": 8, "13": 8, "15": 8, "16": 8, "17": 8,
              "20": 4, "31": 10, "32": 10, "33": 10, "34": 10, "35": 10, "36": 10, "41": 16}

# Spot checks in the specification's notation: format, check digit, date layout.
FORMATS = {
    "03": "N14", "253": "N13+X..17", "255": "N13+N..12", "402": "N17", "410": "N13", "414": "N13",
    "421": "N3+X..9", "4307": "X2", "4309": "N20", "4321": "N1", "4324": "N10", "4330": "N6+X..1",
    "7003": "N10", "7007": "N6..12", "7011": "N6+N..4", "7040": "N1+X3", "716": "X..20", "7230": "X2+X..28",
    "7241": "N2", "7250": "N8", "7251": "N12", "7258": "N1+X1+N1", "8003": "N14+X..16", "8006": "N14+N2+N2",
    "8010": "Y..30", "8013": "X..25", "8014": "X..25", "8030": "Z..90", "8112": "X..70", "3950": "N6",
    "3941": "N4", "3912": "N3+N..15",
}


def test_the_ai_table_is_the_specifications_list():
    assert set(TABLE) - ALL_AIS == set(), "AIs the specification does not have"
    assert ALL_AIS - set(TABLE) == set(), "AIs of the specification we do not know"


def test_predefined_lengths_and_formats():
    for ai, spec in TABLE.items():
        if ai[:2] in PREDEFINED:
            assert len(ai) + spec.max == PREDEFINED[ai[:2]] == len(ai) + spec.min, ai
    for ai, fmt in FORMATS.items():
        assert TABLE[ai].fmt == fmt, ai


def test_the_table_is_prefix_free():
    for ai in TABLE:
        for width in range(2, len(ai)):
            assert ai[:width] not in TABLE, (ai, ai[:width])


# --- an AI we do not know costs only what follows it ---

def test_an_unknown_ai_keeps_gtin_expiry_and_batch():
    r = c("]d2" + "0106901234567892" + "17271231" + "10LOT7" + GS + "2345X")
    assert (r.kind, r.valid) == (Kind.GS1, True)
    assert (r.fields["gtin"], r.fields["expiry"], r.fields["batch"]) == ("06901234567892", "2027-12-31", "LOT7")
    assert r.fields["warning"]["code"] == "gs1_unknown_ai" and r.fields["warning"]["ai"] == "2345"
    assert "2345" in r.warning.zh and "unknown GS1 application identifier" in r.warning.en


@pytest.mark.parametrize("ai,value", [("716", "IT123456"), ("8030", "bWVkaWNpbmU-_"), ("7250", "19800101"),
                                       ("4300", "ACME"), ("03", "06901234567892"), ("7252", "2"),
                                       ("7241", "01"), ("8014", "MUDI1")])
def test_ais_new_in_the_current_table_are_read(ai, value):
    r = c(f"]d2" + "0106901234567892" + "17271231" + ai + value + GS + "10B1")
    assert r.valid, r.error
    assert r.fields["ais"][ai] == value and r.fields["batch"] == "B1" and "warning" not in r.fields


def test_an_unknown_ai_in_brackets_is_skipped_and_reading_goes_on():
    r = c("(01)06901234567892(9999)x(10)B")
    assert r.valid and r.fields["batch"] == "B" and r.fields["unknown"] == {"9999": "x"}


def test_nothing_read_before_the_unknown_ai_is_still_an_error():
    r = c("]d2" + "2345ABC")
    assert (r.valid, r.error_code) == (False, "gs1_unknown_ai")


# --- expiry, dates, decimals, check digits ---

@pytest.mark.parametrize("text,expiry,source", [
    ("(01)06901234567892(17)270600", "2027-06-30", "17"),
    ("(01)06901234567892(7003)2706151430", "2027-06-15", "7003"),
    ("(01)06901234567892(15)270600", "2027-06-30", "15"),
    ("(01)06901234567892(15)270101(17)270600", "2027-06-30", "17"),  # use-by wins over best-before
])
def test_expiry_from_17_then_7003_then_15(text, expiry, source):
    r = c(text)
    assert r.valid and (r.fields["expiry"], r.fields["expiry_source"]) == (expiry, source)


def test_7003_gives_the_hour_too():
    assert c("(01)06901234567892(7003)2706151430").fields["expiry_time"] == "14:30"


@pytest.mark.parametrize("ai,value", [("7003", "2706152430"), ("7003", "2706151460"), ("7003", "2702301200"),
                                       ("7003", "2706001200"), ("7006", "270230"), ("7006", "270600"),
                                       ("7007", "270101261231"), ("7007", "271301"), ("7011", "2701011299"),
                                       ("4324", "2701012500"), ("7250", "19800230"), ("8008", "27010125")])
def test_dates_and_times_are_real(ai, value):
    r = c(f"(01)06901234567892({ai}){value}")
    assert (r.valid, r.error_code) == (False, "gs1_bad_date"), value


@pytest.mark.parametrize("ai,value", [("7006", "270215"), ("7007", "270101"), ("7007", "270101270105"),
                                       ("7011", "270101"), ("7011", "2701011200"), ("8008", "2701012359")])
def test_good_dates_pass(ai, value):
    assert c(f"(01)06901234567892({ai}){value}").valid


@pytest.mark.parametrize("ai", ["3106", "3109", "3206", "3956", "3944"])
def test_more_decimals_than_a_measure_has_is_an_error(ai):
    for text in (f"(01)06901234567892({ai})000100", "]d2" + "0106901234567892" + ai + "000100"):
        r = c(text)
        assert (r.valid, r.error_code) == (False, "gs1_bad_decimals"), text


def test_decimals_up_to_five_are_fine():
    assert c("(01)06901234567892(3105)000100").valid and c("(01)06901234567892(3929)1000").valid


@pytest.mark.parametrize("ai,good,bad", [("410", "6901234567892", "6901234567891"),
                                          ("414", "6901234567892", "6901234567899"),
                                          ("402", "12345678901234560", "12345678901234561"),
                                          ("253", "6901234567892ABC", "6901234567893ABC"),
                                          ("8003", "06901234567892S1", "06901234567891S1")])
def test_check_digits_of_locations_and_keys(ai, good, bad):
    assert c(f"(01)06901234567892({ai}){good}").valid
    r = c(f"(01)06901234567892({ai}){bad}")
    assert (r.valid, r.error_code) == (False, "gs1_check_digit")


# --- GS1 Digital Link ---

def test_a_digital_link_reads_as_the_datamatrix_on_the_same_pack():
    link = c("https://id.gs1.org/01/06901234567892/10/LOT%2F7/21/S1?17=271231&linkType=gs1:pip")
    matrix = c("]d2" + "0106901234567892" + "10LOT/7" + GS + "21S1" + GS + "17271231")
    assert (link.kind, link.valid) == (Kind.GS1, True)
    for key in ("gtin", "batch", "serial", "expiry"):
        assert link.fields[key] == matrix.fields[key], key
    assert link.fields["digital_link"] == "id.gs1.org"


def test_a_digital_link_with_a_path_before_and_a_short_gtin():
    r = c("https://pharma.example.cn/p/q/01/6901234567892?10=A1&7003=2706151430")
    assert r.valid and r.fields["gtin"] == "06901234567892" and r.fields["expiry"] == "2027-06-15"


def test_a_digital_link_with_a_wrong_check_digit_or_a_bad_date_is_not_valid():
    assert c("https://id.gs1.org/01/06901234567893").error_code == "gs1_check_digit"
    assert c("https://id.gs1.org/01/06901234567892?17=271332").error_code == "gs1_bad_date"


def test_other_web_addresses_are_not_gs1():
    for text in ("http://google.com/m", "https://example.com/01", "https://example.com/shop/item/5"):
        assert c(text).kind is not Kind.GS1, text


# --- Caps Lock, SSCC, AIM-prefixed trace codes, ID numbers in groups ---

def test_caps_lock_on_a_gs1_scan_is_told_by_its_identifier():
    flipped = c("]D2" + "0106901234567892" + "17271231" + "10lot7" + GS + "21s1")  # sent: ]d2 …LOT7 …S1
    assert (flipped.kind, flipped.valid, flipped.error_code) == (Kind.GS1, False, "gs1_case_flipped")
    assert flipped.fields["gtin"] == "06901234567892" and "大写锁定" in flipped.error.zh
    assert c("]c1" + "0106901234567892").error_code == "gs1_case_flipped"
    assert c("]d2" + "0106901234567892" + "10lot7").valid  # lower case in a batch is allowed as such


@pytest.mark.parametrize("text", ["00106141411234567897", "106141411234567897", "(00)106141411234567897",
                                  "]C1" + "00106141411234567897"])
def test_an_sscc_is_a_logistics_label(text):
    r = c(text)
    assert (r.kind, r.valid, r.error_code) == (Kind.GS1, False, "sscc_not_trace")
    assert r.error.zh == "物流码，请扫描药盒上的追溯码" and r.fields["sscc"] == "106141411234567897"


def test_a_mistyped_id_number_keeps_its_id_message():
    r = c("420704198001010046")  # check character wrong; an ID's province and birth date
    assert (r.kind, r.error_code) == (Kind.ID_CARD, "id_check_digit")


@pytest.mark.parametrize("symbology", ["]C1", "]C0", "]d2"])
def test_an_aim_prefixed_plain_trace_code_is_a_trace_code(symbology):
    r = c(symbology + "81000110000000000001")
    assert (r.kind, r.valid) == (Kind.TRACE_CODE, True)
    assert r.fields["symbology"] == symbology and r.fields["product_prefix"] == "8100011"


@pytest.mark.parametrize("text", ["420704 19800101 004X", "420704 1980 0101 004x", "4207041980 0101004X"])
def test_an_id_number_typed_in_groups_may_end_in_x(text):
    r = c(text)
    assert (r.kind, r.valid, r.fields["number"]) == (Kind.ID_CARD, True, "42070419800101004X")
