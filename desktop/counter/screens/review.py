"""审核: the queue of applications under review. For a 门诊慢特病 application the two drawn experts' opinions are
recorded (病史及诊断, 治疗方案, 同意/不同意); then the clerk re-reviews: 复审通过 writes the registration (2503),
effective from the date the policy says, or 退回 rejects it.

The opinions (up to 2,000 characters each) wrap inside their cells and every row is as tall as its text: the
table takes the height of all its rows and the right-hand side scrolls as a whole (Tab moves through it and
scrolls to the focused field; in the table the arrow keys move row by row and scroll too)."""
from __future__ import annotations

from desktop.common import theme
from desktop.counter.screens.common import Notice, button, fill, selected_row, table, title
from desktop.qt import QEvent, QObject, Qt, QtGui, QtWidgets, Signal

DECISION = {"approve": "同意", "reject": "不同意", None: "待评审"}


class ReviewScreen(QtWidgets.QWidget):
    refresh_requested = Signal()
    opened = Signal(str)  # app_no
    expert_opinion = Signal(str, str, str, str, str)  # expert code, decision, history, plan, the expert's password
    approve_requested = Signal(str, str, str)  # opinion, re-reviewer's user, their password
    reject_requested = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewScreen")
        self.items: list[dict] = []
        self.app: dict | None = None
        self.queue = table([self.tr("申请编号"), self.tr("姓名"), self.tr("待遇"), self.tr("病种"), self.tr("状态"),
                            self.tr("评审专家")], "queueTable")
        self.queue.itemSelectionChanged.connect(self._picked)
        self.refresh = button(self.tr("刷新"), "refreshButton")
        self.refresh.clicked.connect(self.refresh_requested)
        self.count = QtWidgets.QLabel(objectName="queueCount")
        self.detail = QtWidgets.QLabel(objectName="reviewDetail")
        self.detail.setWordWrap(True)
        self.detail.setFont(theme.font(1))
        # who (stage, name, when) in one narrow column, the decision, then the two texts sharing the rest
        self.reviews = table([self.tr("评审"), self.tr("意见"), self.tr("病史及诊断"), self.tr("治疗方案")], "reviewsTable",
                             stretch_last=False)
        self.reviews.setFont(theme.font(1))
        self.reviews.setVerticalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.reviews.setTabKeyNavigation(False)  # arrows move between rows, Tab goes on to the expert's fields
        h = self.reviews.horizontalHeader()
        for col in (2, 3):  # the opinion texts share what the short columns leave, and wrap in it
            h.setSectionResizeMode(col, QtWidgets.QHeaderView.ResizeMode.Stretch)
        h.sectionResized.connect(lambda *_: self._fit_reviews())
        self.reviews.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reviews.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reviews.currentCellChanged.connect(lambda row, *_: self._show_row(row))
        # expert opinion
        self.expert = QtWidgets.QComboBox(objectName="expertCombo")
        self.history = QtWidgets.QPlainTextEdit(objectName="historyEdit")
        self.history.setPlaceholderText(self.tr("病史及诊断"))
        self.plan = QtWidgets.QPlainTextEdit(objectName="planEdit")
        self.plan.setPlaceholderText(self.tr("治疗方案"))
        for w in (self.history, self.plan):
            w.setMaximumHeight(int(theme.base_size() * 5))
        # the expert types their own centre password: the centre records the opinion as theirs (server.staff)
        self.expert_password = QtWidgets.QLineEdit(objectName="expertPassword")
        self.expert_password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.expert_password.setPlaceholderText(self.tr("专家本人密码"))
        self.agree = button(self.tr("专家同意"), "expertAgree", primary=True)
        self.disagree = button(self.tr("专家不同意"), "expertDisagree")
        self.agree.clicked.connect(lambda: self._expert("approve"))
        self.disagree.clicked.connect(lambda: self._expert("reject"))
        ebox = QtWidgets.QGroupBox(self.tr("专家评审（系统随机抽取两名专家，独立评审）"))
        ef = QtWidgets.QFormLayout(ebox)
        ef.addRow(self.tr("评审专家"), self.expert)
        ef.addRow(self.tr("病史及诊断"), self.history)
        ef.addRow(self.tr("治疗方案"), self.plan)
        ef.addRow(self.tr("专家密码"), self.expert_password)
        eb = QtWidgets.QHBoxLayout()
        eb.addStretch(1)
        eb.addWidget(self.disagree)
        eb.addWidget(self.agree)
        ef.addRow("", eb)
        # clerk re-review
        self.opinion = QtWidgets.QLineEdit(objectName="opinionEdit")
        self.opinion.setPlaceholderText(self.tr("经办复审意见"))
        self.approve = button(self.tr("复审通过，备案"), "approveButton", primary=True)
        self.reject = button(self.tr("退回"), "rejectButton")
        # the final approver logs in here: a reviewer, never one of the two experts (checked at the centre)
        self.approver_user = QtWidgets.QLineEdit(objectName="approverUser")
        self.approver_user.setPlaceholderText(self.tr("复审人工号"))
        self.approver_password = QtWidgets.QLineEdit(objectName="approverPassword")
        self.approver_password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.approver_password.setPlaceholderText(self.tr("复审人密码"))
        self.approve.clicked.connect(lambda: self.approve_requested.emit(
            self.opinion.text().strip(), self.approver_user.text().strip(), self.approver_password.text()))
        self.reject.clicked.connect(lambda: self.reject_requested.emit(self.opinion.text().strip()))
        cbox = QtWidgets.QGroupBox(self.tr("经办复审"))
        # the opinion on a line of its own: beside the login and the buttons it was squeezed to "经…" (issue #21)
        cv = QtWidgets.QVBoxLayout(cbox)
        cv.addWidget(self.opinion)
        cl = QtWidgets.QHBoxLayout()
        cv.addLayout(cl)
        cl.addWidget(self.approver_user)
        cl.addWidget(self.approver_password)
        cl.addWidget(self.reject)
        cl.addWidget(self.approve)
        self.expert_box, self.clerk_box = ebox, cbox
        self.notice = Notice("reviewNotice")
        head = QtWidgets.QHBoxLayout()
        head.addWidget(title(self.tr("审核 · 专家评审与经办复审")))
        head.addStretch(1)
        head.addWidget(self.count)
        head.addWidget(self.refresh)
        left = QtWidgets.QVBoxLayout()
        left.addLayout(head)
        left.addWidget(self.queue)
        pane = QtWidgets.QWidget(objectName="reviewPane")
        right = QtWidgets.QVBoxLayout(pane)
        right.setContentsMargins(0, 0, 4, 0)
        right.addWidget(self.detail)
        right.addWidget(self.reviews)
        right.addWidget(ebox)
        right.addWidget(cbox)
        right.addWidget(self.notice)
        right.addStretch(1)
        self.pane = QtWidgets.QScrollArea(objectName="reviewScroll")
        self.pane.setWidgetResizable(True)
        self.pane.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.pane.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pane.setWidget(pane)
        pane.installEventFilter(self)  # a new width re-wraps the opinions
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.pane, 1)
        self.show_application(None)

    def show_queue(self, items: list[dict]) -> None:
        self.items = items
        self.count.setText(self.tr("待审核 ") + str(len(items)) + self.tr(" 件"))
        scheme = {"LB": self.tr("两病"), "MT": self.tr("门诊慢特病")}
        fill(self.queue, [[a["app_no"], a["psn_name"], scheme.get(a["scheme"], a["scheme"]),
                           "、".join(d["name"] for d in a["diseases"]), a["status_name"],
                           "、".join(f"{r['reviewer_name']}({DECISION.get(r['decision'], r['decision'])})"
                                    for r in a.get("reviews", []) if r["stage"] == "expert")] for a in items])

    def select(self, app_no: str) -> None:
        for i, a in enumerate(self.items):
            if a["app_no"] == app_no:
                self.queue.selectRow(i)
                return

    def _picked(self) -> None:
        r = selected_row(self.queue)
        if 0 <= r < len(self.items):
            self.opened.emit(self.items[r]["app_no"])

    def show_application(self, app: dict | None) -> None:
        self.app = app
        self.expert.clear()
        if app is None:
            self.detail.setText(self.tr("从左侧选择一个申请"))
            fill(self.reviews, [])
            self._fit_reviews()
            self.expert_box.setEnabled(False)
            self.clerk_box.setEnabled(False)
            return
        diseases = "、".join(f"{d['name']}（{d.get('diag_code') or '-'}）" for d in app["diseases"])
        ev = len([e for e in app.get("evidence", []) if e["complete"]])
        doctor = f"　{self.tr('诊断医师')} {app['diag_dr_name']}（{app['ide_fixmedins_no']}）" if app.get("diag_dr_name") else ""
        self.detail.setText(f"<b>{app['app_no']}</b>　{app['psn_name']}　{diseases}<br/>"
                            f"{self.tr('状态')}：{app['status_name']}　{self.tr('材料')} {ev} {self.tr('份')}{doctor}")
        stage = {"expert": self.tr("专家"), "clerk": self.tr("经办")}
        reviews = app.get("reviews", [])
        fill(self.reviews, [["\n".join(x for x in (f"{stage.get(r['stage'], r['stage'])} {r['reviewer_name'] or r['reviewer_code']}",
                                                   (r.get("decided_at") or "")[5:16]) if x),
                             DECISION.get(r["decision"], r["decision"]), r.get("history_dx", ""), r.get("plan", "")]
                            for r in reviews])
        for row in range(self.reviews.rowCount()):  # long texts read from the top of the row
            for col in range(self.reviews.columnCount()):
                self.reviews.item(row, col).setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for row, r in enumerate(reviews):
            tone = {"approve": "ok", "reject": "bad"}.get(r["decision"], "warn")
            item = self.reviews.item(row, 1)
            item.setForeground(QtGui.QColor(theme.TONES[tone]))
            item.setFont(theme.font(1, bold=True))
        self._fit_reviews()
        pending = [r for r in app.get("reviews", []) if r["stage"] == "expert" and r["decision"] is None]
        for r in pending:
            self.expert.addItem(f"{r['reviewer_name']}（{r['reviewer_code']}）", r["reviewer_code"])
        self.expert_box.setEnabled(app["status"] == "expert_review" and bool(pending))
        self.clerk_box.setEnabled(app["status"] == "clerk_review")

    # ---- the opinions table: every row as tall as its text, the table as tall as its rows ----
    def _fit_reviews(self) -> None:
        t = self.reviews
        t.resizeRowsToContents()
        rows = sum(t.rowHeight(r) for r in range(t.rowCount()))
        empty = int(theme.base_size() * 4)  # room for two short rows before any opinion is in
        t.setFixedHeight(t.horizontalHeader().height() + max(rows, empty) + 2 * t.frameWidth())

    def _show_row(self, row: int) -> None:
        """Arrow keys in the table: the row stays in view (the pane scrolls, not the table)."""
        if row < 0:
            return
        top = sum(self.reviews.rowHeight(r) for r in range(row)) + self.reviews.horizontalHeader().height()
        origin = self.reviews.mapTo(self.pane.widget(), self.reviews.rect().topLeft())
        y = origin.y() + top
        self.pane.ensureVisible(0, y + self.reviews.rowHeight(row) // 2, 0, self.reviews.rowHeight(row) // 2 + 8)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.pane.widget() and event.type() == QEvent.Type.Resize:
            self._fit_reviews()
        return super().eventFilter(obj, event)

    def _expert(self, decision: str) -> None:
        code = self.expert.currentData()
        if code:
            self.expert_opinion.emit(code, decision, self.history.toPlainText().strip(), self.plan.toPlainText().strip(),
                                     self.expert_password.text())
            self.expert_password.clear()

    def clear_opinion(self) -> None:
        self.history.clear()
        self.plan.clear()
        self.expert_password.clear()
        self.approver_password.clear()


__all__ = ["ReviewScreen"]
