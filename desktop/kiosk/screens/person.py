"""The identified person's screens: the menu of tasks and the lists (registrations, quota, refills, history,
prescriptions, lifestyle prescription, applications)."""
from __future__ import annotations

import datetime as dt

from core.domain import fmt
from core.services.kiosk import ApplicationView, SettlementView, quota_title
from core.services.ports import PatientCard, RxSummary
from desktop.common.i18n import text
from desktop.kiosk.screens.base import INSURANCE, SCHEME, Page
from desktop.kiosk.widgets import RowList, button, label
from desktop.qt import QtWidgets, Signal


class MenuPage(Page):
    """Who is identified (name, masked ID) and one tile per task."""

    name = "menu"
    personal = True
    voice_key = "menu"
    chosen = Signal(str)

    TILES = (("registrations", "我的备案登记\n和到期日"), ("quota", "额度\n已用 / 剩余"), ("refills", "下次取药日期"),
             ("history", "结算记录"), ("statement", "打印结算清单"), ("pay", "待缴费处方"),
             ("application", "两病登记申请\n和办理进度"), ("care", "健康指导\n生活方式处方"))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.greeting = label("", "greeting", "title")
        self.id_label = label("", "maskedId", "big")
        self.tiles: dict[str, QtWidgets.QPushButton] = {}
        self.grid = QtWidgets.QGridLayout()
        self.grid.setSpacing(20)
        for key, caption in self.TILES:
            b = button(caption, f"tile_{key}", "tile")
            b.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
            b.clicked.connect(lambda _=False, k=key: self.chosen.emit(k))
            self.tiles[key] = b
        self.reminder = label("", "reminderNotice", "big")  # reminders waiting for this person (said once)
        self.reminder.setWordWrap(True)
        self.reminder.hide()
        self.v.addWidget(self.greeting)
        self.v.addWidget(self.id_label)
        self.v.addWidget(self.reminder)
        self.v.addLayout(self.grid, 1)
        self.orient(True)

    def show_reminders(self, messages: list[str]) -> None:
        self.reminder.setText("提醒：" + "\n".join(m.removeprefix("【一窗通】") for m in messages) if messages else "")
        self.reminder.setVisible(bool(messages))

    def orient(self, portrait: bool) -> None:
        cols = 2 if portrait else 4
        for b in self.tiles.values():
            self.grid.removeWidget(b)
        for i, key in enumerate(self.tiles):
            self.grid.addWidget(self.tiles[key], i // cols, i % cols)

    def show_card(self, card: PatientCard) -> None:
        self.greeting.setText(f"{card.name}，您好")
        status = "参保正常" if card.status == "active" else "参保状态异常，请到窗口咨询"
        self.id_label.setText(f"证件号 {card.masked_id}　{INSURANCE.get(card.insurance_type, card.insurance_type)}　{status}")

    def clear(self) -> None:
        self.greeting.clear()
        self.id_label.clear()
        self.show_reminders([])


class ListPage(Page):
    """A title, an optional notice, and rows (registrations, quota, refills, history, prescriptions…)."""

    personal = True

    def __init__(self, name: str, title: str, parent=None) -> None:
        self.name = name
        super().__init__(parent)
        self.title = label(title, f"{name}Title", "title")
        self.notice = label("", f"{name}Notice", "big")
        self.notice.setProperty("role", "big")
        self.notice.hide()
        self.rows = RowList(f"{name}Rows")
        self.v.addWidget(self.title)
        self.v.addWidget(self.notice)
        self.v.addWidget(self.rows, 1)

    def set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def clear(self) -> None:
        self.rows.clear()
        self.set_notice("")

    # ---- renderers ----
    def show_registrations(self, card: PatientCard) -> None:
        self.clear()
        if not card.registrations:
            self.set_notice("您还没有门诊慢特病或两病备案登记。高血压、糖尿病患者可申请两病登记（见“两病登记申请”）。")
        for r in card.registrations:
            if r.end is None:
                end, tone = "长期有效", "good"
            elif not r.active:
                end, tone = f"已于 {r.end:%Y年%m月%d日} 到期，请到窗口办理复审", "bad"
            elif r.days_left is not None and r.days_left <= 90:
                end, tone = f"{r.end:%Y年%m月%d日} 到期（还有 {r.days_left} 天），请及时复审", "bad"
            else:
                end, tone = f"{r.end:%Y年%m月%d日} 到期", "good"
            self.rows.add_row([(f"{r.disease_name}", "value"), (SCHEME.get(r.scheme, r.scheme), "big"),
                               (f"开始：{r.begin:%Y年%m月%d日}", "big"), (f"到期：{end}", tone)])

    def show_quota(self, card: PatientCard) -> None:
        self.clear()
        if not card.quotas:
            self.set_notice("没有可显示的额度（没有有效备案，或本期尚未开始）。")
        for q in card.quotas:
            self.rows.add_row([(text(quota_title(card, q)), "value"),
                               (f"总额度：{fmt(q.cap_total)} 元", "big"), (f"已使用：{fmt(q.used)} 元", "big"),
                               (f"剩余：{fmt(q.left)} 元", "good" if q.left > 0 else "bad")])

    def show_refills(self, card: PatientCard, today: dt.date) -> None:
        self.clear()
        if not card.refills:
            self.set_notice("近期没有取药记录，可以按处方取药。")
        for r in card.refills:
            ok = r.next_allowed <= today
            when = "现在即可取药" if ok else f"{r.next_allowed:%Y年%m月%d日} 起可以再取药"
            self.rows.add_row([(r.drug_name, "value"), (f"上次取药：{r.last_date:%Y年%m月%d日}", "big"),
                               (f"药量可用到：{r.supply_end:%Y年%m月%d日}", "big"), (when, "good" if ok else "bad")])

    def show_history(self, rows: tuple[SettlementView, ...], since: dt.date, until: dt.date) -> None:
        self.clear()
        self.set_notice(f"{since:%Y年%m月%d日} 至 {until:%Y年%m月%d日}，共 {len(rows)} 笔")
        for r in rows:
            head = f"{r.when:%Y年%m月%d日 %H:%M}　{'（已撤销）' if r.reversed else ''}"
            self.rows.add_row([(head, "value"), (r.facility_name or r.facility_code, "big"),
                               ("药品：" + ("、".join(r.drugs) or "-"), "big"),
                               (f"总额 {fmt(r.total)} 元　医保支付 {fmt(r.fund)} 元　个人支付 {fmt(r.personal)} 元",
                                "bad" if r.reversed else "big")])

    def show_prescriptions(self, rows: list[RxSummary], note: str) -> None:
        self.clear()
        self.set_notice(note)
        if not rows:
            self.rows.add_row([("没有待取药的电子处方", "big")])
        for r in rows:
            self.rows.add_row([(f"处方 {r.rx_id}", "value"), (f"开具：{r.issued_at[:16]}", "big"),
                               (f"有效至：{r.valid_until}", "big"), (f"取药码：{r.pickup_code}", "big")])

    def show_lifestyle(self, view) -> None:
        """The person's lifestyle prescription (core.services.kiosk_care.CareView), one row per section."""
        self.clear()
        life = view.lifestyle
        if not life:
            self.set_notice("您目前没有生活方式处方。看病时可请医生开具“药物+生活方式”双处方。")
            return
        self.set_notice(f"{life['title']}　{view.issued_by} {view.doctor} {view.issued_at}")
        self.rows.add_row([("要点", "value"), (life["short"], "good")])
        for sec in life["sections"]:
            self.rows.add_row([(sec["name"], "value"), (sec["text"], "big")])

    def show_applications(self, rows: list[ApplicationView], note: str) -> None:
        self.clear()
        self.set_notice(note)
        for a in rows:
            done = a.status in ("approved",)
            lines = [(f"{SCHEME.get(a.scheme, a.scheme)}：{a.diseases}", "value"),
                     (f"申请号 {a.application_no}　{a.created_on} 登记", "big"),
                     (f"办理状态：{a.status_name}", "good" if done else ("bad" if a.status == "rejected" else "value"))]
            if a.status == "draft":
                lines.append((f"已上传材料 {a.evidence} 份。请到人工窗口补充诊断医师信息后提交审核。", "big"))
            if a.effective_from:
                lines.append((f"待遇自 {a.effective_from} 起享受", "good"))
            if a.steps:
                lines.append(("办理经过：" + "；".join(a.steps), "big"))
            self.rows.add_row(lines)


class ApplicationPage(ListPage):
    """The person's registration applications, and (when the centre takes them) starting a 两病 one.

    Signals:
        apply(str)   the disease to apply for: HTN or DM
    """

    apply = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__("application", "两病登记申请", parent)
        self.start = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.start)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        self.apply_buttons = {}
        for code, caption in (("HTN", "申请高血压登记"), ("DM", "申请糖尿病登记")):
            b = button(caption, f"apply_{code}", "go")
            b.clicked.connect(lambda _=False, c=code: self.apply.emit(c))
            row.addWidget(b)
            self.apply_buttons[code] = b
        self.how = label("需要：医生开具的高血压或糖尿病诊断证明。拍照上传后，请到人工窗口完成登记。", "applyHow", "big")
        self.v.insertWidget(2, self.how)
        self.v.insertWidget(3, self.start)
        self.offer(False)

    def offer(self, on: bool) -> None:
        self.start.setVisible(on)
        self.how.setVisible(on)


__all__ = ["ApplicationPage", "ListPage", "MenuPage"]
