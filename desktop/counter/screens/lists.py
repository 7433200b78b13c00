"""The counter's worklists: 提醒 (refill / review / follow-up, printable and exportable for SMS), 主动发现 (eligible
but not registered, ranked; one click starts an application), 退出预警 (registrations to end; the clerk confirms)."""
from __future__ import annotations

from desktop.counter.screens.common import Notice, button, fill, selected_row, table, title
from desktop.qt import QtWidgets, Signal

INSUTYPE = {"310": "职工", "390": "居民"}


class RemindersScreen(QtWidgets.QWidget):
    refresh_requested = Signal(str, int, bool)  # kinds, refill days, mine only
    print_requested = Signal()
    sms_requested = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remindersScreen")
        self.items: list[dict] = []
        self.kind_checks = {}
        row = QtWidgets.QHBoxLayout()
        for kind, label in (("refill", self.tr("续配取药")), ("review", self.tr("待遇复审")), ("followup", self.tr("随访"))):
            c = QtWidgets.QCheckBox(label, objectName=f"kind_{kind}")
            c.setChecked(True)
            self.kind_checks[kind] = c
            row.addWidget(c)
        self.days = QtWidgets.QSpinBox(objectName="refillDays")
        self.days.setRange(0, 60)
        self.days.setValue(7)
        self.days.setSuffix(self.tr(" 天内用完"))
        self.mine = QtWidgets.QCheckBox(self.tr("只看我的"), objectName="mineOnly")
        self.refresh = button(self.tr("刷新"), "refreshButton", primary=True)
        self.refresh.clicked.connect(self._refresh)
        row.addWidget(self.days)
        row.addWidget(self.mine)
        row.addStretch(1)
        row.addWidget(self.refresh)
        self.table = table([self.tr("类别"), self.tr("姓名"), self.tr("人员编号"), self.tr("手机号"), self.tr("情况"),
                            self.tr("截止"), self.tr("经办人")], "remindersTable")
        self.print_button = button(self.tr("打印工作清单"), "printButton")
        self.sms_button = button(self.tr("导出短信（CSV）"), "smsButton")
        self.print_button.clicked.connect(self.print_requested)
        self.sms_button.clicked.connect(self.sms_requested)
        self.notice = Notice("remindersNotice")
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.notice, 1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.sms_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title(self.tr("提醒 · 续配、复审、随访工作清单")))
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def kinds(self) -> str:
        return ",".join(k for k, c in self.kind_checks.items() if c.isChecked())

    def _refresh(self) -> None:
        self.refresh_requested.emit(self.kinds(), self.days.value(), self.mine.isChecked())

    def show_items(self, items: list[dict]) -> None:
        self.items = items
        tone = {"refill": "warn", "review": "bad", "followup": ""}
        fill(self.table, [[i["kind_name"], i["psn_name"], i["psn_no"], i.get("tel", ""), i["detail"], i["due"],
                           i.get("assignee", "")] for i in items], [tone.get(i["kind"], "") for i in items])


class DiscoveryScreen(QtWidgets.QWidget):
    refresh_requested = Signal()
    apply_requested = Signal(dict)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("discoveryScreen")
        self.people: list[dict] = []
        self.table = table([self.tr("排名"), self.tr("姓名"), self.tr("人员编号"), self.tr("险种"), self.tr("可能符合"),
                            self.tr("得分"), self.tr("最近"), self.tr("依据")], "eligibleTable")
        self.refresh = button(self.tr("刷新"), "refreshButton")
        self.refresh.clicked.connect(self.refresh_requested)
        self.apply_button = button(self.tr("一键发起两病申请"), "applyButton", primary=True)
        self.apply_button.clicked.connect(self._apply)
        self.notice = Notice("discoveryNotice")
        head = QtWidgets.QHBoxLayout()
        head.addWidget(title(self.tr("主动发现 · 符合条件未备案人员（政策找人）")))
        head.addStretch(1)
        self.count = QtWidgets.QLabel(objectName="eligibleCount")
        head.addWidget(self.count)
        head.addWidget(self.refresh)
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.notice, 1)
        bottom.addWidget(self.apply_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(head)
        hint = QtWidgets.QLabel(self.tr("依据：近一年的结算诊断、医保/自费购买降压降糖药、基层卫生机构管理名单；已死亡、停保或已有办理中申请的不列出。"))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def show_people(self, people: list[dict]) -> None:
        self.people = people
        self.count.setText(self.tr("发现 ") + str(len(people)) + self.tr(" 人可能符合条件尚未备案"))
        fill(self.table, [[str(n), p["psn_name"], p["psn_no"], INSUTYPE.get(p["insutype"], p["insutype"]),
                           "、".join(p["disease_names"]), str(p["score"]), p.get("last_seen") or "", p["reasons"]]
                          for n, p in enumerate(people, start=1)])

    def _apply(self) -> None:
        r = selected_row(self.table)
        if 0 <= r < len(self.people):
            self.apply_requested.emit(self.people[r])
        else:
            self.notice.say(self.tr("请先选择一个人"), "warn")


class ExitsScreen(QtWidgets.QWidget):
    refresh_requested = Signal()
    confirm_requested = Signal(str, str)  # psn_no, reason

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exitsScreen")
        self.warnings: list[dict] = []
        self.table = table([self.tr("姓名"), self.tr("人员编号"), self.tr("原因"), self.tr("情况"), self.tr("拟终止日期"),
                            self.tr("涉及备案")], "exitsTable")
        self.refresh = button(self.tr("刷新"), "refreshButton")
        self.refresh.clicked.connect(self.refresh_requested)
        self.verified = QtWidgets.QCheckBox(self.tr("已核实（家庭医生/数据共享）"), objectName="verifiedCheck")
        self.confirm = button(self.tr("确认退出"), "confirmButton", primary=True)
        self.confirm.clicked.connect(self._confirm)
        self.notice = Notice("exitsNotice")
        head = QtWidgets.QHBoxLayout()
        head.addWidget(title(self.tr("退出预警 · 待终止的待遇")))
        head.addStretch(1)
        self.count = QtWidgets.QLabel(objectName="exitsCount")
        head.addWidget(self.count)
        head.addWidget(self.refresh)
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.notice, 1)
        bottom.addWidget(self.verified)
        bottom.addWidget(self.confirm)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def show_warnings(self, warnings: list[dict]) -> None:
        self.warnings = warnings
        self.count.setText(self.tr("待确认退出 ") + str(len(warnings)) + self.tr(" 人"))
        tone = {"death": "bad", "insurance": "warn", "review_overdue": ""}
        fill(self.table, [[w["psn_name"], w["psn_no"], w["reason_name"], w["detail"], w["proposed_end"],
                           "、".join(f"{r['scheme']} {r['disease']}" for r in w["registrations"])] for w in warnings],
             [tone.get(w["reason"], "") for w in warnings])

    def select(self, psn_no: str) -> None:
        for i, w in enumerate(self.warnings):
            if w["psn_no"] == psn_no:
                self.table.selectRow(i)
                return

    def _confirm(self) -> None:
        r = selected_row(self.table)
        if not 0 <= r < len(self.warnings):
            self.notice.say(self.tr("请先选择一条预警"), "warn")
            return
        if not self.verified.isChecked():
            self.notice.say(self.tr("请先核实情况并勾选“已核实”"), "warn")
            return
        w = self.warnings[r]
        self.confirm_requested.emit(w["psn_no"], w["reason"])


__all__ = ["DiscoveryScreen", "ExitsScreen", "RemindersScreen"]
