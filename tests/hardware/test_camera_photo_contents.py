"""The scan vocabulary on what the real photographs hold (../shared/photos), as the camera hands it over.

The camera worker turns an accepted code into a ScanEvent with the decoder's AIM identifier (zxing-cpp: ]Q1 QR,
]d1 Data Matrix, ]C0 Code 128, ]E0 EAN-13) and the screens classify `event.wire_text`. Every photo's expected
text goes that way here: each one gets a verdict with a reason in Chinese and English, EAN-13 numbers read as
commodity barcodes, and none of them is told "scan again" (a whole symbol was read: rescanning gives the same).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from core.codes import Kind
from hardware.events import ScanSource, make_scan_event
from onewindow.benchmarks._decode_images import stills

PHOTOS = Path(__file__).resolve().parents[2] / ".." / "shared" / "photos"
AIM = {"qrcode": "]Q1", "datamatrix": "]d1", "code128": "]C0", "ean13": "]E0"}

pytestmark = pytest.mark.skipif(not PHOTOS.is_dir(), reason="../shared/photos is not there")


def _verdicts():
    out = []
    for symbology, path, expected in stills(PHOTOS):
        event = make_scan_event(expected, ScanSource.CAMERA, symbology=AIM[symbology])
        assert event is not None, path
        out.append((symbology, f"{path.parent.name}/{path.name}", expected, event.classify()))
    return out


def test_every_photo_content_gets_a_verdict_with_a_reason():
    verdicts = _verdicts()
    assert len(verdicts) == 178  # 69 QR, 23 Data Matrix, 19 Code 128, 67 EAN-13 (the photos' README)
    for _, name, _, r in verdicts:
        assert r.error_code != "internal_error", name
        if not r.valid:
            assert r.error is not None and r.error.zh and r.error.en, name


def test_no_photo_content_is_told_to_scan_again():
    # QR codes holding several lines (vCards, a title and a link) were refused as "contains control character
    # U+000A; scan again"; a whole symbol's own text is simply not one of ours.
    # Nor is an 8-digit Code 128 number whose last digit is no GTIN check digit a misread EAN-8: Code 128 has
    # its own check, the number is simply not a product's.
    told = [(name, r.error.en) for _, name, _, r in _verdicts() if r.error and "scan again" in r.error.en]
    assert told == []
    multi_line = [r for _, _, text, r in _verdicts() if "\n" in text]
    assert len(multi_line) >= 9 and {r.error_code for r in multi_line} == {"unrecognised"}


def test_every_ean13_reads_as_its_gtin_or_is_refused_as_a_price_code():
    for symbology, name, text, r in _verdicts():
        if symbology != "ean13":
            continue
        assert r.kind is Kind.COMMODITY_BARCODE and r.fields["gtin"] == "0" + text, name
        if text.startswith("192"):  # the books' price codes: a GS1 prefix allocated to no product
            assert not r.valid and "192" in r.error.en, name
        else:
            assert r.valid, (name, r.error)


def test_a_wedge_scan_with_a_line_break_inside_is_still_told_to_scan_again():
    # No AIM identifier of a whole 2D symbol: a CR inside is two scans run together or a broken scan
    for text in ("8100011\r0000000000001", "]C18100011\n0000000000001", "UI office hours\nhttp://x"):
        r = make_scan_event(text, ScanSource.KEYBOARD).classify()
        assert r.error_code == "control_char", text
