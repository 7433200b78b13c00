"""What both forms share: the Chinese font, styles, and small text helpers."""
from __future__ import annotations

import datetime as dt

FONT = "STSong-Light"
SEX_ZH = {"1": "男", "2": "女"}
INSUTYPE_ZH = {"310": "职工医保", "390": "城乡居民医保"}
ADMVS_ZH = {"420700": "湖北省鄂州市", "420702": "鄂州市梁子湖区", "420703": "鄂州市华容区", "420704": "鄂州市鄂城区"}


def register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def styles() -> dict:
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    register_font()
    return {
        "annex": ParagraphStyle("annex", fontName=FONT, fontSize=11, leading=14),
        "title": ParagraphStyle("title", fontName=FONT, fontSize=17, leading=24, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=11, leading=15, alignment=TA_LEFT),
        "label": ParagraphStyle("label", fontName=FONT, fontSize=11, leading=15, alignment=TA_CENTER),
        "sign": ParagraphStyle("sign", fontName=FONT, fontSize=11, leading=15, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=9.5, leading=13, alignment=TA_LEFT),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, alignment=TA_LEFT),
    }


def esc(text: str | None) -> str:
    from xml.sax.saxutils import escape

    return escape(text or "").replace("\n", "<br/>")


def cn_date(day: dt.date | None) -> str:
    if day is None:
        return "<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;&#160;</font>年<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;&#160;</font>月<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;&#160;</font>日"
    return f"{day.year} 年 {day.month:02d} 月 {day.day:02d} 日"


def age_on(birth: dt.date | None, day: dt.date) -> str:
    if birth is None:
        return ""
    return str(day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day)))


def parse_day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None
