"""附件3 （医疗机构）慢性病用药连续（外配）处方.

Laid out like the original slip (A5): the patient lines, 临床诊断, 开方日期, the drugs (Rp), the signature lines
(医生, 收费, 配药药师, 复核药师, 盖章), the three notes — the second one states the pickup rule with the
profile's window ("上一次剩余用药量不超过15日（含）内凭本处方配取") — the applicant's statement, and a schedule of
the earliest date of each pickup under that rule. The audit engine enforces the same rule at every pickup
(DUP-001 提前取药, profile `rx.refill_window_days`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from core.services.forms.common import cn_date, esc, styles


@dataclass(frozen=True)
class RxLine:
    name: str
    spec: str
    quantity: str  # "1盒"
    usage: str  # "口服 5mg 每日1次"
    days: int  # supply of one pickup


@dataclass(frozen=True)
class ContinuousRx:
    institution: str
    name: str
    sex: str
    age: str
    category: str  # 人员类别
    outpatient_no: str
    department: str
    address: str
    tel: str
    diagnosis: str
    rx_date: dt.date
    lines: tuple[RxLine, ...]
    doctor: str = ""
    fills: int = 3  # pickups this prescription allows (the first one included)
    window_days: int = 15  # a refill only when the last supply has at most this many days left
    lifestyle: dict | None = None  # the lifestyle half of the 双处方 (core.care.lifestyle.attach): a second page
    qr: str = ""  # the centre's signed QR (7110, core.rx.signature.qr_text): the pharmacy dispenses by scanning it
    rx_no: str = ""  # the centre's prescription number printed under the QR


def pickup_schedule(rx_date: dt.date, days: int, fills: int, window: int) -> list[tuple[int, dt.date, dt.date]]:
    """[(pickup number, earliest day, supply runs out)]: the first pickup on the prescription day, each next one
    as soon as the previous supply has `window` days or fewer left (supply chains: it starts when the last ends)."""
    out = []
    start = rx_date
    earliest = rx_date
    for n in range(1, fills + 1):
        end = start + dt.timedelta(days=days)
        out.append((n, earliest, end))
        earliest = end - dt.timedelta(days=window)
        start = end
    return out


def write_continuous_rx_pdf(rx: ContinuousRx, path: str | Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    st = styles()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(path), pagesize=A5, leftMargin=11 * mm, rightMargin=11 * mm, topMargin=9 * mm,
                            bottomMargin=8 * mm, title="慢性病用药连续（外配）处方", author="OneWindow 一窗通")
    width = A5[0] - 22 * mm

    def u(value: str, n: int = 6) -> str:
        text = esc(value) if value else "<font name='Helvetica'>&#160;&#160;&#160;</font>" * n
        return f"<u>\u2002{text}\u2002</u>"

    def line(*pairs: tuple[str, str]) -> Paragraph:
        return Paragraph("<font name='Helvetica'>&#160;&#160;&#160;</font>".join(f"{k}{u(v)}" for k, v in pairs), st["body"])

    name = f"（{esc(rx.institution)}）" if rx.institution else "（医疗机构）"
    # a long institution name goes on its own line, the form's name stays whole (one 13.5 pt line holds 24 CJK
    # characters: the brackets, 9 of the name and the 13 of the form's name)
    title = name + ("<br/>" if len(rx.institution) > 9 else "") + "慢性病用药连续（外配）处方"
    story = [Paragraph("附件 3", st["annex"]), Spacer(1, 1 * mm),
             Paragraph(title, st["title"].clone("t3", fontSize=13.5, leading=19)), Spacer(1, 2 * mm),
             line(("姓名", rx.name), ("性别", rx.sex), ("年龄", rx.age), ("人员类别", rx.category)),
             line(("门诊号", rx.outpatient_no), ("科别", rx.department)),
             line(("地址", rx.address), ("电话", rx.tel)),
             line(("临床诊断", rx.diagnosis)),
             Paragraph(f"开方日期<font name='Helvetica'>&#160;&#160;&#160;</font>{cn_date(rx.rx_date)}", st["body"]),
             HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceBefore=2, spaceAfter=2),
             Paragraph("<b>Rp</b>", st["body"].clone("rp", fontSize=14, leading=18))]
    for i, l in enumerate(rx.lines, start=1):
        story.append(Paragraph(f"{i}. {esc(l.name)} {esc(l.spec)} × {esc(l.quantity)}", st["body"]))
        story.append(Paragraph(f"<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;</font>用法：{esc(l.usage)}；"
                               f"每次配取 {l.days} 天量", st["body"]))
    days = min((l.days for l in rx.lines), default=28)
    sched = pickup_schedule(rx.rx_date, days, rx.fills, rx.window_days)
    data = [["配取次序", "最早配取日期", "本次用药至"]] + [
        [f"第 {n} 次", d.isoformat() + ("（开方当日）" if n == 1 else f"（剩余≤{rx.window_days}日）"), e.isoformat()]
        for n, d, e in sched]
    table = Table(data, colWidths=[22 * mm, 56 * mm, 30 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    story += [Spacer(1, 2 * mm), table, Spacer(1, 2 * mm),
              HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceBefore=1, spaceAfter=2)]
    sig = Table([
        [Paragraph(f"医<font name='Helvetica'>&#160;&#160;&#160;</font>生：{u(rx.doctor)}", st["body"]), ""],
        [Paragraph(f"收<font name='Helvetica'>&#160;&#160;&#160;</font>费{u('')}", st["body"]), Paragraph(f"配药药师：{u('')}", st["body"])],
        [Paragraph("（机构）<font name='Helvetica'>&#160;&#160;&#160;</font>盖<font name='Helvetica'>&#160;&#160;&#160;</font>章", st["body"]), Paragraph(f"复核药师：{u('')}", st["body"])],
    ], colWidths=[width / 2, width / 2])
    sig.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story += [sig, Spacer(1, 2 * mm),
              Paragraph("注意：1.本处方根据有关规定由患者自愿申请开具；", st["small"]),
              Paragraph(f"<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;</font>2.本处方须在上一次剩余用药量不超过{rx.window_days}日（含）内凭本处方配取；",
                        st["small"]),
              Paragraph("<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;</font>3.期间如果病情发生变化，请及时就医。", st["small"]), Spacer(1, 2 * mm),
              Paragraph("本人已充分了解慢性病连续处方政策及注意事项，要求开具慢性病连续处方。", st["small"]),
              Paragraph(f"处方申请人：{u('', 5)}", st["small"].clone("applicant", alignment=2)),
              Spacer(1, 1.5 * mm),
              Paragraph("（本处方一式二份，一份由开具处方的医疗机构留存，一份交由患者。）", st["small"])]
    if rx.lifestyle:
        story += lifestyle_page(rx, st)

    def first_page(canvas, _doc) -> None:
        if not rx.qr:
            return
        from reportlab.graphics import renderPDF
        from reportlab.graphics.barcode.qr import QrCodeWidget
        from reportlab.graphics.shapes import Drawing

        # top right, in the margin beside the title: the form's own layout is left as the original slip has it
        size = 22 * mm
        widget = QrCodeWidget(rx.qr, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, canvas, A5[0] - 9 * mm - size, A5[1] - 6 * mm - size)
        canvas.setFont("Helvetica", 5.5)  # above the code, clear of the centred title
        canvas.drawRightString(A5[0] - 10 * mm, A5[1] - 4.5 * mm, rx.rx_no)

    doc.build(story, onFirstPage=first_page)
    return path


def lifestyle_page(rx: ContinuousRx, st) -> list:
    """The lifestyle prescription printed with the drug prescription (药物+生活方式 双处方), on its own page."""
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    life = rx.lifestyle or {}
    out = [PageBreak(), Paragraph(esc(life.get("title", "生活方式处方")), st["title"].clone("tl", fontSize=13.5, leading=19)),
           Paragraph(f"姓名 {esc(rx.name)}　开方日期 {cn_date(rx.rx_date)}　医生 {esc(rx.doctor)}", st["body"]),
           Spacer(1, 2)]
    for sec in life.get("sections", []):
        out.append(Paragraph(f"<b>{esc(sec['name'])}</b>：{esc(sec['text'])}", st["body"]))
    out += [Spacer(1, 4), Paragraph(f"要点：{esc(life.get('short', ''))}", st["small"])]
    return out


__all__ = ["ContinuousRx", "RxLine", "lifestyle_page", "pickup_schedule", "write_continuous_rx_pdf"]
