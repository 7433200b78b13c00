"""Choosing a font that has Chinese glyphs (Qt's default on a bare Linux falls back to boxes).

`pick_cjk_family` is plain Python over a list of family names so that `onewindow selftest`'s child process
and the shells agree on what counts as a CJK font.
"""
from __future__ import annotations

from collections.abc import Iterable

# Best first: the sans faces people read at a counter, per platform, then anything else with CJK glyphs.
PREFERRED = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "PingFang SC",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans SC",
    "SimHei",
    "Noto Serif CJK SC",
    "SimSun",
    "NSimSun",
)
_MARKERS = ("cjk", "wenquanyi", "yahei", "simsun", "simhei", "pingfang", "source han", "han sans", "hei", "song")


def cjk_families(families: Iterable[str]) -> list[str]:
    """The families among `families` that look like CJK fonts, preferred ones first."""
    names = list(families)
    lowered = {name.lower(): name for name in names}
    chosen = [lowered[p.lower()] for p in PREFERRED if p.lower() in lowered]
    chosen += [n for n in names if n not in chosen and any(m in n.lower() for m in _MARKERS)]
    return chosen


def pick_cjk_family(families: Iterable[str]) -> str | None:
    found = cjk_families(families)
    return found[0] if found else None


def ui_font(point_size: int, *, bold: bool = False):
    """A QFont in the best CJK family present (Qt's default family when none is)."""
    from desktop.qt import QtGui

    family = pick_cjk_family(QtGui.QFontDatabase.families())
    font = QtGui.QFont(family) if family else QtGui.QFont()
    font.setPointSize(point_size)
    font.setBold(bold)
    return font
