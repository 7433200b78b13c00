"""附件2 鄂州市参保人员“两病”门诊用药保障审定表, filled from an application (the centre's 2514 view).

The grid follows the original: 姓名/性别/年龄/身份证号; 家庭住址/参保地; 申报病种 with a box per disease;
专家意见 in two parts (病史及诊断, 治疗方案), each with 签字 and date; 医院意见 with 签章 and date. For a
门诊慢特病 application the experts' opinions fill 专家意见; for 两病 the qualified doctor's diagnosis does.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from core.services.forms.common import ADMVS_ZH, SEX_ZH, age_on, cn_date, esc, parse_day, styles

LB_DISEASES = (("HTN", "高血压"), ("DM", "糖尿病"))


@dataclass(frozen=True)
class Opinion:
    text: str
    signer: str = ""
    day: dt.date | None = None


@dataclass(frozen=True)
class ApprovalForm:
    app_no: str
    scheme: str  # LB / MT
    name: str
    sex: str  # 男 / 女
    age: str
    id_number: str
    address: str
    insured_place: str
    diseases: tuple[tuple[str, str], ...]  # (code, name) applied for
    history: tuple[Opinion, ...] = ()  # 病史及诊断
    plan: tuple[Opinion, ...] = ()  # 治疗方案
    hospital: Opinion = field(default_factory=lambda: Opinion(""))
    hospital_name: str = ""

    @property
    def title(self) -> str:
        if self.scheme == "MT":
            return "鄂州市参保人员门诊慢特病待遇<br/>审定表"
        return "鄂州市参保人员“两病”门诊用药保障<br/>审定表"


def approval_form_from(app: dict, *, certno: str = "", admvs: str = "420700", hospital_name: str = "",
                       today: dt.date | None = None) -> ApprovalForm:
    """An ApprovalForm from a 2514 application view (+ the full ID number from 1101 and the place of insurance)."""
    day = parse_day(app.get("decided_at")) or parse_day(app.get("created_at")) or today or dt.date.today()
    reviews = [r for r in app.get("reviews", []) if r.get("stage") == "expert" and r.get("decision")]
    if reviews:
        history = tuple(Opinion(f"{r.get('reviewer_name') or r['reviewer_code']}：{r['history_dx']}"
                                f"（{'同意' if r['decision'] == 'approve' else '不同意'}）",
                                r.get("reviewer_name") or r["reviewer_code"], parse_day(r.get("decided_at")))
                        for r in reviews)
        plan = tuple(Opinion(f"{r.get('reviewer_name') or r['reviewer_code']}：{r['plan']}", r.get("reviewer_name") or r["reviewer_code"], parse_day(r.get("decided_at")))
                     for r in reviews if r.get("plan"))
    else:
        dx = "；".join(f"{d.get('name', d['code'])}：{d.get('diag_name') or ''}（{d.get('diag_code') or ''}）"
                      for d in app.get("diseases", []))
        doctor = app.get("diag_dr_name") or ""
        history = (Opinion(f"{dx}。诊断医师 {doctor}（{app.get('diag_dr_codg') or ''}），"
                           f"机构 {app.get('ide_fixmedins_no') or ''}", doctor, parse_day(app.get("hosp_ide_date"))),)
        plan = ()
    clerk = [r for r in app.get("reviews", []) if r.get("stage") == "clerk" and r.get("decision")]
    opinion = app.get("hosp_opinion") or ""
    if app.get("status") == "approved":
        eff = app.get("effective_from")
        opinion = (opinion + "。" if opinion else "") + f"同意备案，自 {eff} 起享受待遇" + (
            f"（至 {app['effective_until']}）" if app.get("effective_until") else "")
    hospital = Opinion(opinion, clerk[-1]["reviewer_name"] if clerk else "", parse_day(app.get("decided_at")))
    birth = parse_day(app.get("brdy"))
    return ApprovalForm(
        app_no=app["app_no"], scheme=app.get("scheme", "LB"), name=app.get("psn_name", ""),
        sex=SEX_ZH.get(str(app.get("gend", "")), ""), age=age_on(birth, day), id_number=certno,
        address=app.get("addr", ""), insured_place=ADMVS_ZH.get(admvs, admvs),
        diseases=tuple((d["code"], d.get("name") or d["code"]) for d in app.get("diseases", [])),
        history=history, plan=plan, hospital=hospital, hospital_name=hospital_name,
    )


def _opinions_cell(label: str, items: tuple[Opinion, ...], height: float, width: float, st: dict,
                   sign_word: str = "签字"):
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    body = [Paragraph(f"{label}", st["cell"])]
    for o in items:
        body.append(Paragraph(esc(o.text), st["cell"]))
    signers = "、".join(o.signer for o in items if o.signer)
    day = max((o.day for o in items if o.day), default=None)
    sign = Paragraph(f"{sign_word}：{esc(signers)}<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;</font>{cn_date(day)}", st["sign"])
    inner = Table([[body], [sign]], colWidths=[width], rowHeights=[height - 10 * mm, 10 * mm])
    inner.setStyle(TableStyle([("VALIGN", (0, 0), (-1, 0), "TOP"), ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
    return inner


def write_approval_pdf(form: ApprovalForm, path: str | Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    st = styles()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=14 * mm, title="审定表 " + form.app_no, author="OneWindow 一窗通")
    L = lambda t: Paragraph(t, st["label"])  # noqa: E731
    V = lambda t: Paragraph(esc(t), st["cell"])  # noqa: E731
    if form.scheme == "LB":
        chosen = {c for c, _ in form.diseases}
        boxes = "<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;&#160;</font>".join(f"{'■' if code in chosen else '□'}{name}" for code, name in LB_DISEASES)
    else:
        boxes = "<font name='Helvetica'>&#160;&#160;&#160;&#160;&#160;&#160;</font>".join(f"■{name}（{code}）" for code, name in form.diseases)
    widths = [22 * mm, 26 * mm, 16 * mm, 14 * mm, 16 * mm, 14 * mm, 22 * mm, 44 * mm]
    inner_w = sum(widths[1:]) - 6 * mm  # the nested opinion tables span columns 1-7
    data = [
        [L("姓名"), V(form.name), L("性别"), V(form.sex), L("年龄"), V(form.age), L("身份证号"), V(form.id_number)],
        [L("家庭住址"), V(form.address), "", "", L("参保地"), V(form.insured_place), "", ""],
        [L("申报病种"), Paragraph(boxes, st["cell"]), "", "", "", "", "", ""],
        [L("专家<br/>意见"), _opinions_cell("病史及诊断：", form.history, 70 * mm, inner_w, st), "", "", "", "", "", ""],
        ["", _opinions_cell("治疗方案：", form.plan, 55 * mm, inner_w, st), "", "", "", "", "", ""],
        [L("医院<br/>意见"), _opinions_cell(f"{esc(form.hospital_name)}", (form.hospital,), 45 * mm, inner_w, st, "签章"),
         "", "", "", "", "", ""],
    ]
    table = Table(data, colWidths=widths, rowHeights=[12 * mm, 14 * mm, 12 * mm, 70 * mm, 55 * mm, 45 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, 2), "MIDDLE"), ("VALIGN", (0, 3), (0, -1), "MIDDLE"), ("VALIGN", (1, 3), (-1, -1), "TOP"),
        ("SPAN", (1, 1), (3, 1)), ("SPAN", (5, 1), (7, 1)), ("SPAN", (1, 2), (7, 2)),
        ("SPAN", (0, 3), (0, 4)), ("SPAN", (1, 3), (7, 3)), ("SPAN", (1, 4), (7, 4)), ("SPAN", (1, 5), (7, 5)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    story = [Paragraph("附件 2", st["annex"]), Spacer(1, 4 * mm), Paragraph(form.title, st["title"]), Spacer(1, 6 * mm),
             table, Spacer(1, 3 * mm), Paragraph(f"申请编号：{esc(form.app_no)}", st["small"])]
    doc.build(story)
    return path


__all__ = ["ApprovalForm", "Opinion", "approval_form_from", "write_approval_pdf"]
