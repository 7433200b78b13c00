"""Reminder worklists (refill due, review due, follow-up due) as files a clerk can use: a CSV for the SMS
gateway (手机号, 姓名, 短信内容 — UTF-8 with BOM so Excel opens it) and a printable PDF worklist.

The lists themselves are computed at the centre (server/worklists.py, transaction 2540); fetch them with
CounterService.reminders(...).
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from core.domain.clock import today_cst
from core.services.forms.common import FONT, register_font

KIND_ZH = {"refill": "续配取药", "review": "待遇复审", "followup": "随访"}
SMS_HEADER = ("手机号", "姓名", "人员编号", "类别", "短信内容")


def sms_rows(items: list[dict], *, with_phone_only: bool = False) -> list[tuple[str, ...]]:
    rows = []
    for i in items:
        if with_phone_only and not i.get("tel"):
            continue
        rows.append((i.get("tel", ""), i["psn_name"], i["psn_no"], KIND_ZH.get(i["kind"], i["kind"]), i["message"]))
    return rows


def write_sms_csv(items: list[dict], path: str | Path, *, with_phone_only: bool = False) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SMS_HEADER)
        w.writerows(sms_rows(items, with_phone_only=with_phone_only))
    return path


def write_worklist_pdf(items: list[dict], path: str | Path, *, clerk: str = "", today: dt.date | None = None) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    register_font()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    day = today or today_cst()
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title="提醒工作清单", author="OneWindow 一窗通")
    title = ParagraphStyle("t", fontName=FONT, fontSize=15, leading=20, alignment=1)
    small = ParagraphStyle("s", fontName=FONT, fontSize=9, leading=12)
    head = ["序号", "类别", "姓名", "人员编号", "手机号", "情况", "截止日期", "经办人", "处理"]
    data = [head]
    for n, i in enumerate(items, start=1):
        data.append([str(n), KIND_ZH.get(i["kind"], i["kind"]), Paragraph(i["psn_name"], small), i["psn_no"],
                     i.get("tel", ""), Paragraph(i.get("detail", ""), small), i.get("due", ""), i.get("assignee", ""), ""])
    table = Table(data, colWidths=[12 * mm, 20 * mm, 26 * mm, 24 * mm, 28 * mm, 96 * mm, 24 * mm, 18 * mm, 20 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    who = f"经办人：{clerk}" if clerk else "全部经办人"
    story = [Paragraph("提醒工作清单（续配取药 · 待遇复审 · 随访）", title), Spacer(1, 2 * mm),
             Paragraph(f"{who}<font name='Helvetica'>&#160;&#160;&#160;&#160;</font>日期：{day.isoformat()}"
                       f"<font name='Helvetica'>&#160;&#160;&#160;&#160;</font>共 {len(items)} 条", small),
             Spacer(1, 3 * mm), table]
    doc.build(story)
    return path


__all__ = ["KIND_ZH", "SMS_HEADER", "sms_rows", "write_sms_csv", "write_worklist_pdf"]
