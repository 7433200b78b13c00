"""The patient card: who is served, what they are registered for, what is left of their quota, when each
drug may be refilled, and what to warn about. Renders a core.services.ports.PatientCard; decides nothing."""
from __future__ import annotations

from core.domain import fmt
from core.services.ports import PatientCard
from desktop.common import theme
from desktop.common.i18n import text
from desktop.qt import Qt, QtWidgets


class PatientCardWidget(QtWidgets.QFrame):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientCard")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.name_label = QtWidgets.QLabel(objectName="nameLabel")
        self.name_label.setFont(theme.font(6, bold=True))
        self.id_label = QtWidgets.QLabel(objectName="idLabel")
        self.id_label.setFont(theme.font(2))
        self.insurance_label = QtWidgets.QLabel(objectName="insuranceLabel")
        self.insurance_label.setFont(theme.font(1))
        self.source_label = QtWidgets.QLabel(objectName="sourceLabel")
        self.warnings_label = QtWidgets.QLabel(objectName="warningsLabel")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setFont(theme.font(1, bold=True))
        self.warnings_label.setStyleSheet(f"color: {theme.TONES['warn']}; background: {theme.TONE_BG['warn']}; padding: 4px;")
        self.regs = self._table([self.tr("待遇"), self.tr("病种"), self.tr("开始"), self.tr("到期")], "regsTable")
        self.quotas = self._table([self.tr("待遇"), self.tr("期间"), self.tr("限额"), self.tr("已用"), self.tr("剩余")], "quotaTable")
        self.refills = self._table([self.tr("药品"), self.tr("上次取药"), self.tr("用药至"), self.tr("可再取药")], "refillTable")
        layout = QtWidgets.QVBoxLayout(self)
        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.name_label)
        head.addWidget(self.id_label)
        head.addStretch(1)
        head.addWidget(self.source_label)
        layout.addLayout(head)
        layout.addWidget(self.insurance_label)
        layout.addWidget(self.warnings_label)
        for title, table in ((self.tr("备案（登记）"), self.regs), (self.tr("本期额度"), self.quotas),
                             (self.tr("下次取药日期"), self.refills)):
            label = QtWidgets.QLabel(title)
            label.setFont(theme.font(0, bold=True))
            layout.addWidget(label)
            layout.addWidget(table)
        layout.addStretch(1)
        self.card: PatientCard | None = None

    def _table(self, headers: list[str], name: str) -> QtWidgets.QTableWidget:
        t = QtWidgets.QTableWidget(0, len(headers), objectName=name)
        t.setHorizontalHeaderLabels(headers)
        t.verticalHeader().hide()
        t.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        t.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        t.setFont(theme.font(0))
        t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return t

    @staticmethod
    def _fill(table: QtWidgets.QTableWidget, rows: list[list[str]], tones: list[str] | None = None) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QtWidgets.QTableWidgetItem(value)
                if tones and tones[r]:
                    item.setForeground(theme_color(tones[r]))
                table.setItem(r, c, item)
        table.resizeRowsToContents()
        height = table.horizontalHeader().height() + sum(table.rowHeight(i) for i in range(table.rowCount())) + 4
        table.setFixedHeight(max(height, table.horizontalHeader().height() + 8))

    def scheme_name(self, scheme: str) -> str:
        return {"LB": self.tr("两病"), "MT": self.tr("门诊慢特病")}.get(scheme, scheme)

    def insurance_name(self, code: str) -> str:
        return {"310": self.tr("职工基本医疗保险"), "390": self.tr("城乡居民基本医疗保险")}.get(code, code)

    def show_card(self, card: PatientCard | None) -> None:
        self.card = card
        if card is None:
            for w in (self.name_label, self.id_label, self.insurance_label, self.source_label, self.warnings_label):
                w.clear()
            for t in (self.regs, self.quotas, self.refills):
                t.setRowCount(0)
            return
        self.name_label.setText(card.name)
        self.id_label.setText(card.masked_id)
        status = self.tr("参保正常") if card.status == "active" else self.tr("参保状态异常")
        balance = self.tr("个人账户余额")
        self.insurance_label.setText(f"{self.insurance_name(card.insurance_type)} · {status} · "
                                     f"{balance} {fmt(card.balance)}")
        self.source_label.setText(self.tr("在线") if card.online else self.tr("离线缓存"))
        self.source_label.setStyleSheet(f"color: {theme.TONES['ok' if card.online else 'warn']};")
        self.warnings_label.setText("\n".join(f"⚠ {text(w)}" for w in card.warnings))
        self.warnings_label.setVisible(bool(card.warnings))
        regs, tones = [], []
        for r in card.registrations:
            regs.append([self.scheme_name(r.scheme), r.disease_name, r.begin.isoformat(),
                         r.end.isoformat() if r.end else self.tr("长期")])
            tones.append("" if r.active and (r.days_left is None or r.days_left > 30) else ("warn" if r.active else "bad"))
        self._fill(self.regs, regs, tones)
        self._fill(self.quotas, [[self.scheme_name(q.scheme), q.period, fmt(q.cap_total), fmt(q.used), fmt(q.left)]
                                 for q in card.quotas])
        self._fill(self.refills, [[r.drug_name, r.last_date.isoformat(), r.supply_end.isoformat(),
                                   r.next_allowed.isoformat()] for r in card.refills])


def theme_color(tone: str):
    from desktop.qt import QtGui

    return QtGui.QColor(theme.TONES.get(tone, "#000"))


__all__ = ["PatientCardWidget"]
