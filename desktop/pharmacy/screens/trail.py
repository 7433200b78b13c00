"""The 审方 → 调配 → 核对 → 发药 panel (issue 19): the audit verdict and hints the reviewer answers for, the four
steps with who did each (name, licence number, time, "same person as …"), a user and PIN to sign the next step,
and the check's scan box (every box scanned again) or line list (confirm line by line). The rules and the record
are the desk's (core.services.desk.trail over core.rx.trail); this widget only shows them and asks."""
from __future__ import annotations

from core.rx.trail import STEP_NAMES, STEPS
from desktop.common import theme
from desktop.pharmacy.screens.common import message_label, set_tone, title_label
from desktop.qt import Qt, QtWidgets


class TrailPanel(QtWidgets.QWidget):
    def __init__(self, desk, auth, sale, parent=None) -> None:
        super().__init__(parent)
        self.desk, self.auth, self.sale = desk, auth, sale
        self.receipt_no = ""
        self.title = title_label(self.tr("审方 → 调配 → 核对 → 发药"))
        self.verdict = QtWidgets.QLabel(objectName="trail_verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setFont(theme.font(2, bold=True))
        self.steps = QtWidgets.QTableWidget(len(STEPS), 4, objectName="trail_steps")
        self.steps.setHorizontalHeaderLabels([self.tr("人员"), self.tr("执业药师证号"), self.tr("时间"), self.tr("备注")])
        self.steps.setVerticalHeaderLabels([self.tr(STEP_NAMES[s]) for s in STEPS])
        self.steps.horizontalHeader().setStretchLastSection(True)
        self.steps.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.user = QtWidgets.QLineEdit(objectName="trail_user", placeholderText=self.tr("工号"))
        self.pin = QtWidgets.QLineEdit(objectName="trail_pin", placeholderText=self.tr("PIN"))
        self.pin.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.sign = QtWidgets.QPushButton(objectName="trail_sign")
        self.sign.clicked.connect(self.sign_step)
        self.scan = QtWidgets.QLineEdit(objectName="trail_scan", placeholderText=self.tr("核对：逐盒扫码"))
        self.scan.returnPressed.connect(self.scan_box)
        self.lines = QtWidgets.QListWidget(objectName="trail_lines")
        self.lines.itemChanged.connect(self._line_ticked)
        self.progress = QtWidgets.QLabel(objectName="trail_progress")
        self.message = message_label("trail_message")
        who = QtWidgets.QHBoxLayout()
        for w in (self.user, self.pin, self.sign):
            who.addWidget(w)
        layout = QtWidgets.QVBoxLayout(self)
        for w in (self.title, self.verdict, self.steps):
            layout.addWidget(w)
        layout.addLayout(who)
        for w in (self.scan, self.lines, self.progress, self.message):
            layout.addWidget(w)
        self.refresh()

    def refresh(self) -> None:
        trail = self.desk.trail(self.sale)
        tone = {"PASS": "ok", "WARN": "warn", "BLOCK": "bad"}.get(trail.verdict, "")
        hints = "\n".join(trail.hints)
        set_tone(self.verdict, tone, self.tr("审核结果：") + trail.verdict + (("\n" + hints) if hints else ""))
        for row, step in enumerate(STEPS):
            done = trail.by(step)
            same = "、".join(STEP_NAMES[s] for s in done.same_person_as) if done and done.same_person_as else ""
            cells = ("", "", "", "") if done is None else (
                done.name, done.licence or "—", f"{done.at:%H:%M:%S}", self.tr("与{}同一人").format(same) if same else "")
            for col, value in enumerate(cells):
                self.steps.setItem(row, col, QtWidgets.QTableWidgetItem(value))
        nxt = trail.next_step
        self.sign.setText(self.tr("确认") + self.tr(STEP_NAMES[nxt]) if nxt else self.tr("已完成"))
        self.sign.setEnabled(nxt is not None and not (nxt == "hand_out" and not self.receipt_no))
        checking = nxt == "check"
        self.scan.setVisible(checking and trail.check_mode == "scan")
        self.lines.blockSignals(True)
        self.lines.clear()
        for line in trail.lines:
            if trail.check_mode == "confirm" or not line.codes:
                item = QtWidgets.QListWidgetItem(f"L{line.line} {line.drug_name}")
                item.setCheckState(Qt.CheckState.Checked if line.line in trail.confirmed else Qt.CheckState.Unchecked)
                item.setData(256, line.line)
                self.lines.addItem(item)
        self.lines.blockSignals(False)
        self.lines.setVisible(checking and self.lines.count() > 0)
        missing = trail.missing_checks()
        total = sum(len(l.codes) or 1 for l in trail.lines) if trail.check_mode == "scan" else len(trail.lines)
        self.progress.setText(self.tr("已核对 ") + f"{total - len(missing)}/{total}" if checking else "")

    def sign_step(self) -> None:
        from core.services.auth import AuthFailed
        from core.services.ports import DeskError

        trail = self.desk.trail(self.sale)
        try:
            op = self.auth.login(self.user.text().strip(), pin=self.pin.text())
            self.desk.trail_step(self.sale, trail.next_step, op.user_id, receipt_no=self.receipt_no)
        except (DeskError, AuthFailed) as exc:
            set_tone(self.message, "bad", exc.message.zh)
        else:
            set_tone(self.message, "ok", self.tr("已记录"))
        self.pin.clear()
        self.refresh()

    def scan_box(self) -> None:
        ok = self.desk.trail_scan(self.sale, self.scan.text())
        set_tone(self.message, "ok" if ok else "bad", self.tr("核对无误") if ok else self.tr("此码不是本单的药盒"))
        self.scan.clear()
        self.refresh()

    def _line_ticked(self, item: QtWidgets.QListWidgetItem) -> None:
        from core.services.ports import DeskError

        try:
            self.desk.trail_confirm(self.sale, int(item.data(256)))
        except DeskError as exc:
            set_tone(self.message, "bad", exc.message.zh)
        self.refresh()
