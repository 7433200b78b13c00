"""随访 · 家庭医生: sign or end a family-doctor contract, record a measured follow-up visit, and see the person's
timeline (visits, settlements, supply, prescriptions) with the BP/glucose trend and the ≥4-a-year schedule.

The screen only collects and renders: the window sends its requests through core.services.care (which checks a
visit with the centre's own rules first) and hands back the results.
"""
from __future__ import annotations

import datetime as dt

from core.care.visits import ADHERENCE, ASSESSMENT, SMOKING
from desktop.common.trend_chart import TrendChart
from desktop.counter.screens.common import Notice, button, fill, table, title
from desktop.qt import QtCore, QtWidgets, Signal

TONE = {"ok": "ok", "due": "warn", "overdue": "bad"}
NUMBERS = (("sbp", "收缩压 mmHg"), ("dbp", "舒张压 mmHg"), ("fpg", "空腹血糖 mmol/L"), ("rpg", "随机血糖 mmol/L"),
           ("hba1c", "糖化血红蛋白 %"), ("weight_kg", "体重 kg"), ("height_cm", "身高 cm"))


def _date_edit(name: str, day: dt.date) -> QtWidgets.QDateEdit:
    e = QtWidgets.QDateEdit(QtCore.QDate(day.year, day.month, day.day), objectName=name)
    e.setCalendarPopup(True)
    e.setDisplayFormat("yyyy-MM-dd")
    return e


def _day(e: QtWidgets.QDateEdit) -> dt.date:
    d = e.date()
    return dt.date(d.year(), d.month(), d.day())


def _combo(name: str, options: dict[str, str], *, blank: bool = True) -> QtWidgets.QComboBox:
    c = QtWidgets.QComboBox(objectName=name)
    if blank:
        c.addItem("—", "")
    for key, label in options.items():
        c.addItem(label, key)
    return c


class CareScreen(QtWidgets.QWidget):
    sign_requested = Signal(dict)
    end_requested = Signal(str)  # reason
    visit_requested = Signal(dict)
    refresh_requested = Signal()

    def __init__(self, today: dt.date | None = None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("careScreen")
        today = today or dt.date.today()
        self.person_label = QtWidgets.QLabel(self.tr("请先在“办理”页识别参保人"), objectName="carePerson")
        self.contract_label = QtWidgets.QLabel("", objectName="contractLabel")
        self.contract_label.setWordWrap(True)
        # contract
        self.team = QtWidgets.QLineEdit(objectName="team", placeholderText=self.tr("签约团队"))
        self.doctor_code = QtWidgets.QLineEdit(objectName="doctorCode", placeholderText=self.tr("医生编码"))
        self.doctor_name = QtWidgets.QLineEdit(objectName="doctorName", placeholderText=self.tr("医生姓名"))
        self.tel = QtWidgets.QLineEdit(objectName="tel", placeholderText=self.tr("手机号（短信提醒）"))
        self.sign_date = _date_edit("signDate", today)
        self.sign_button = button(self.tr("签约"), "signButton", primary=True)
        self.end_reason = QtWidgets.QLineEdit(objectName="endReason", placeholderText=self.tr("解约原因"))
        self.end_button = button(self.tr("解约"), "endButton")
        self.sign_button.clicked.connect(lambda: self.sign_requested.emit(self.contract_request()))
        self.end_button.clicked.connect(lambda: self.end_requested.emit(self.end_reason.text()))
        contract_box = QtWidgets.QGroupBox(self.tr("家庭医生签约"))
        cl = QtWidgets.QGridLayout(contract_box)
        for i, w in enumerate((self.team, self.doctor_code, self.doctor_name, self.tel, self.sign_date, self.sign_button)):
            cl.addWidget(w, 0, i)
        cl.addWidget(self.contract_label, 1, 0, 1, 4)
        cl.addWidget(self.end_reason, 1, 4)
        cl.addWidget(self.end_button, 1, 5)
        # visit
        self.visit_date = _date_edit("visitDate", today)
        self.place = QtWidgets.QLineEdit(objectName="place")
        self.visit_doctor = QtWidgets.QLineEdit(objectName="visitDoctor")
        self.numbers = {k: QtWidgets.QLineEdit(objectName=k) for k, _ in NUMBERS}
        self.smoking = _combo("smoking", SMOKING)
        self.adherence = _combo("adherence", ADHERENCE)
        self.assessment = _combo("assessment", ASSESSMENT)
        self.adverse = QtWidgets.QLineEdit(objectName="adverse", placeholderText=self.tr("无则不填"))
        self.next_visit = _date_edit("nextVisit", today + dt.timedelta(days=90))
        self.referral = QtWidgets.QLineEdit(objectName="referral", placeholderText=self.tr("无则不填"))
        self.save_button = button(self.tr("保存随访"), "saveVisit", primary=True)
        self.save_button.clicked.connect(lambda: self.visit_requested.emit(self.visit_request()))
        visit_box = QtWidgets.QGroupBox(self.tr("随访记录"))
        form = QtWidgets.QFormLayout(visit_box)
        form.addRow(self.tr("随访日期"), self.visit_date)
        form.addRow(self.tr("随访地点"), self.place)
        form.addRow(self.tr("随访医生"), self.visit_doctor)
        for key, label in NUMBERS:
            form.addRow(self.tr(label), self.numbers[key])
        form.addRow(self.tr("吸烟"), self.smoking)
        form.addRow(self.tr("服药依从性"), self.adherence)
        form.addRow(self.tr("药物不良反应"), self.adverse)
        form.addRow(self.tr("评估"), self.assessment)
        form.addRow(self.tr("下次随访"), self.next_visit)
        form.addRow(self.tr("转诊"), self.referral)
        form.addRow("", self.save_button)
        # timeline
        self.schedule_label = QtWidgets.QLabel("", objectName="scheduleLabel")
        self.chart = TrendChart()
        self.timeline = table([self.tr("日期"), self.tr("类别"), self.tr("机构/地点"), self.tr("内容")], "timelineTable")
        self.notice = Notice("careNotice")
        right = QtWidgets.QVBoxLayout()
        right.addWidget(self.schedule_label)
        right.addWidget(self.chart, 2)
        right.addWidget(self.timeline, 3)
        body = QtWidgets.QHBoxLayout()
        body.addWidget(visit_box, 2)
        body.addLayout(right, 3)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title(self.tr("随访 · 家庭医生签约、随访记录、健康时间线")))
        layout.addWidget(self.person_label)
        layout.addWidget(contract_box)
        layout.addLayout(body, 1)
        layout.addWidget(self.notice)

    def contract_request(self) -> dict:
        return {"team": self.team.text(), "doctor_code": self.doctor_code.text(), "doctor_name": self.doctor_name.text(),
                "tel": self.tel.text(), "day": _day(self.sign_date)}

    def visit_request(self) -> dict:
        req = {"visit_date": _day(self.visit_date).isoformat(), "place": self.place.text(),
               "doctor": self.visit_doctor.text(), "smoking": self.smoking.currentData() or None,
               "adherence": self.adherence.currentData() or None, "assessment": self.assessment.currentData() or None,
               "adverse": self.adverse.text(), "next_visit": _day(self.next_visit).isoformat(),
               "referral": self.referral.text()}
        for key, edit in self.numbers.items():
            req[key] = edit.text().strip() or None
        return req

    def show_person(self, name: str, psn_no: str) -> None:
        self.person_label.setText(f"{name}（{psn_no}）" if psn_no else self.tr("请先在“办理”页识别参保人"))

    def show_timeline(self, tl: dict) -> None:
        c = tl.get("contract")
        self.contract_label.setText(
            self.tr("签约中：") + f"{c['team']} {c['doctor_name']}（{c['sign_date']} 起）" if c else self.tr("未签约家庭医生"))
        s = tl["schedule"]
        self.schedule_label.setText(
            f"今年已随访 {s['visits_this_year']} 次（全年不少于 {s['required_per_year']} 次，本季度末应达 "
            f"{s['expected_by_quarter_end']} 次） · 下次随访 {s['next_due']} · {s['status_name']}")
        tone = TONE[s["status"]]
        from desktop.common import theme

        self.schedule_label.setStyleSheet(f"color: {theme.TONES.get(tone, '#000')}; background: "
                                          f"{theme.TONE_BG.get(tone, '#fff')}; padding: 4px; font-weight: bold;")
        self.chart.set_points(tl["trend"])
        fill(self.timeline, [[e["date"], e["kind_name"], e["where"], e["summary"]] for e in tl["events"]])

    def clear_visit(self) -> None:
        for edit in (*self.numbers.values(), self.adverse, self.referral):
            edit.clear()


__all__ = ["CareScreen"]
