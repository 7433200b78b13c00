"""The tests' PDF reader (pdftext.pdf_text) against the PDFs that made the e2e Z report read back empty.

The flake (test_pharmacist_shift_end_to_end, once under load): the Z PDF was valid (poppler's pdftotext read
it) but its compressed page content ended in a CR byte; the reader cut streams with `\\r?\\nendstream`, dropped
that byte, zlib refused the stream and the text was ''. It depends on the bytes only (the Z's times and
amounts), about one PDF in 700 — not on load. Streams are now cut by their /Length.
"""
from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.ui.pharmacy.pdftext import pdf_text

DATA = Path(__file__).parent / "data"


def test_qt_z_report_whose_content_stream_ends_in_cr_reads_back():
    # written by QPdfWriter (desktop.common.receipt_pdf.write_lines_pdf), found by writing Z reports in a loop
    path = DATA / "z_stream_ends_cr.pdf"
    text = pdf_text(path)
    assert "班结报表" in text and "S001170" in text and "1170.70" in text and "对账平" in text, repr(text)
    if shutil.which("pdftotext"):
        poppler = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "S001170" in poppler  # the file is valid: the reader was wrong, not the product


def _content_ending_in_cr() -> tuple[bytes, bytes]:
    """A text content stream whose Flate data ends in 0x0D (deterministic: zlib's output of a fixed text)."""
    for i in range(100_000):
        content = f"BT /F1 8 Tf 0 0 Td <0001> Tj 0 -10 Td <0002> Tj ET % {i}".encode()
        packed = zlib.compress(content)
        if packed.endswith(b"\r"):
            return content, packed
    raise AssertionError("no such stream")


def _pdf(packed: bytes, *, indirect_length: bool) -> bytes:
    length = b"9 0 R" if indirect_length else str(len(packed)).encode()
    cmap = b"begincmap\n2 beginbfchar\n<0001> <62A5>\n<0002> <8868>\nendbfchar\nendcmap"
    parts = [
        b"%PDF-1.4\n",
        b"1 0 obj\n<< /Type /Page /Contents 2 0 R /Resources 3 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Length " + length + b" /Filter /FlateDecode >>\nstream\n" + packed + b"\nendstream\nendobj\n",
        b"3 0 obj\n<< /Font << /F1 4 0 R >> >>\nendobj\n",
        b"4 0 obj\n<< /Type /Font /Subtype /Type0 /ToUnicode 5 0 R >>\nendobj\n",
        b"5 0 obj\n<< /Length " + str(len(cmap)).encode() + b" >>\nstream\n" + cmap + b"\nendstream\nendobj\n",
        b"9 0 obj\n" + str(len(packed)).encode() + b"\nendobj\n",
        b"%%EOF\n",
    ]
    return b"".join(parts)


@pytest.mark.parametrize("indirect_length", [True, False])
def test_stream_ending_in_cr_is_not_cut(tmp_path, indirect_length):
    _content, packed = _content_ending_in_cr()
    path = tmp_path / "cr.pdf"
    path.write_bytes(_pdf(packed, indirect_length=indirect_length))
    assert pdf_text(path) == "报\n表"
