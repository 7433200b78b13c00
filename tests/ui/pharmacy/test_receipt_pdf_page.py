"""The receipt PDF is one continuous 80 mm page whose height follows the content (a roll is cut, not paged):
the totals are never split from their lines, and the Chinese text is drawn with a CJK font (no boxes).
Checked with poppler's own tools, as a reader of the file sees it."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.common.receipt_pdf import write_lines_pdf, write_pdf
from tests.ui.pharmacy.test_receipt_printing import content

pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (.ci/run installs them)")


def pdf_pages(path: Path) -> tuple[int, float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    return pages, w * 25.4 / 72, h * 25.4 / 72


def long_receipt():
    """Twenty lines with two codes each: on the old fixed-height pages the totals went to a second page."""
    base = content()
    lines = tuple(replace(base.lines[0], name=f"苯磺酸氨氯地平片{i}") for i in range(20))
    return replace(base, lines=lines)


def test_a_long_receipt_is_one_page_of_80_mm_with_its_totals(qtbot, tmp_path):
    short = write_pdf(content(), tmp_path / "short.pdf")
    long = write_pdf(long_receipt(), tmp_path / "long.pdf")
    s_pages, s_w, s_h = pdf_pages(short)
    l_pages, l_w, l_h = pdf_pages(long)
    assert (s_pages, l_pages) == (1, 1)
    assert abs(s_w - 80) < 0.5 and abs(l_w - 80) < 0.5
    assert l_h > s_h + 100  # the height follows the content (19 more lines of three rows each)
    text = subprocess.run(["pdftotext", "-layout", str(long), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "\f" not in text.rstrip("\f")  # no page break inside
    for needle in ("诊慢特病购药小票", "苯磺酸氨氯地平片19", "医疗费总额", "统筹基金支付", "找零", "结算ID"):
        assert needle in _fold(text), needle
    fonts = subprocess.run(["pdffonts", str(long)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CJK|WenQuanYi|Noto Sans SC", fonts), fonts  # the Chinese has a font that has it
    for line in fonts.splitlines()[2:]:
        assert " yes " in line, line  # embedded: a reader without the font still sees the characters


def test_the_short_receipt_ends_below_its_last_line(qtbot, tmp_path):
    """The page is not cut short either: the last line (the settlement id) is drawn inside the page."""
    path = write_pdf(content(), tmp_path / "r.pdf")
    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(path), str(tmp_path / "page")], check=True)
    pgm = next(tmp_path.glob("page*.pgm")).read_bytes()
    width, height = map(int, pgm.split(b"\n")[1].split())
    pixels = pgm[-width * height:]
    inked = [y for y in range(height) if min(pixels[y * width:(y + 1) * width]) < 128]
    assert inked and inked[-1] < height - 2  # white below the last line: nothing was cut off


def test_x_and_z_reports_are_one_page_too(qtbot, tmp_path):
    lines = ["Z 报表 No.1", *(f"第{i}行 医疗费总额 12.00" for i in range(80)), "校验 0123456789abcdef"]
    pages, width, height = pdf_pages(write_lines_pdf(lines, tmp_path / "z.pdf"))
    assert pages == 1 and abs(width - 80) < 0.5 and height > 200


def _fold(text: str) -> str:
    """pdftotext writes some CJK characters as their Kangxi-radical look-alikes (⼩ for 小, ⾦ for 金; the
    font maps both to one glyph): fold those back so that a needle matches what a reader sees."""
    import unicodedata

    return unicodedata.normalize("NFKC", text)
