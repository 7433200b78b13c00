"""The verdict panel: the audit's verdict, every hit with its explanation, the acknowledgements WARN hits
need, and the settlement preview (total, fund share, personal share, cap left after this sale).

Renders a core.services.ports.AuditView. A WARN hit is a checkable row: Space (or a click) asks for the
acknowledgement through `ack_requested(rule, line, restricted)`; the shell checks who may give it (a
supervisor for restricted ones), logs it, and calls `set_acked`. BLOCK rows are not checkable.
"""
from __future__ import annotations

from decimal import Decimal

from core.domain import fmt
from core.services.ports import AuditView, HitView
from desktop.common import screen_log, theme
from desktop.common.i18n import text
from desktop.qt import Qt, QtGui, QtWidgets, Signal


class VerdictPanel(QtWidgets.QFrame):
    ack_requested = Signal(str, object, bool)  # rule, line (int | None), restricted

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictPanel")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.badge = QtWidgets.QLabel(objectName="verdictBadge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setFont(theme.font(8, bold=True))
        self.badge.setMinimumHeight(int(theme.base_size() * 3.4))
        self.source = QtWidgets.QLabel(objectName="verdictSource")
        self.source.setStyleSheet("color: #555;")
        self.note = QtWidgets.QLabel(objectName="verdictNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {theme.TONES['warn']};")
        self.hits = QtWidgets.QListWidget(objectName="hitList")
        self.hits.setWordWrap(True)
        self.hits.setFont(theme.font(0))
        self.hits.itemChanged.connect(self._item_changed)
        self.hits.setSpacing(2)
        self.figures = QtWidgets.QGridLayout()
        self.values: dict[str, QtWidgets.QLabel] = {}
        names = [("total", self.tr("医疗费总额")), ("fund", self.tr("统筹基金支付")), ("personal", self.tr("个人负担")),
                 ("self_pay", self.tr("全自费/先行自付")), ("cap_before", self.tr("本期剩余额度（本次前）")),
                 ("cap_after", self.tr("本次后剩余额度"))]
        for row, (key, label) in enumerate(names):
            name = QtWidgets.QLabel(label)
            name.setFont(theme.font(1))
            value = QtWidgets.QLabel("-", objectName=f"fig_{key}")
            value.setFont(theme.font(3 if key in ("fund", "personal") else 1, bold=key in ("fund", "personal", "total")))
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.figures.addWidget(name, row, 0)
            self.figures.addWidget(value, row, 1)
            self.values[key] = value
        title = QtWidgets.QLabel(self.tr("审核结果"))
        title.setFont(theme.font(1, bold=True))
        preview = QtWidgets.QLabel(self.tr("结算预览"))
        preview.setFont(theme.font(1, bold=True))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.badge)
        layout.addWidget(self.source)
        layout.addWidget(self.note)
        layout.addWidget(self.hits, 1)
        layout.addWidget(preview)
        layout.addLayout(self.figures)
        self.view: AuditView | None = None
        self._hits: list[HitView] = []
        self._acked: set[tuple[str, int | None]] = set()
        self.show_view(None)

    # ---- rendering ----
    def show_pending(self, note: str) -> None:
        self.badge.setText(self.tr("审核中…"))
        self.badge.setStyleSheet("background: #eeeeee; color: #444; border-radius: 6px;")
        self.source.setText(note)

    def show_view(self, view: AuditView | None, acked: set | frozenset = frozenset(), *, incomplete: bool = False) -> None:
        self.view = view
        self._acked = set(acked)
        self.hits.blockSignals(True)
        self.hits.clear()
        self._hits = []
        if view is None:
            self.badge.setText(self.tr("待审核"))
            self.badge.setStyleSheet("background: #eeeeee; color: #444; border-radius: 6px;")
            self.source.clear()
            self.note.hide()
            for v in self.values.values():
                v.setText("-")
            self.hits.blockSignals(False)
            return
        tone = theme.VERDICT_TONE.get(view.verdict, "")
        label = {"PASS": self.tr("通过 PASS"), "WARN": self.tr("警告 WARN"), "BLOCK": self.tr("拦截 BLOCK")}[view.verdict]
        if incomplete and view.verdict == "PASS":  # nothing against it so far, but boxes are still missing
            label, tone = self.tr("扫码未完成"), "warn"
        self.badge.setText(label)
        self.badge.setStyleSheet(f"background: {theme.TONE_BG[tone]}; color: {theme.TONES[tone]}; "
                                 f"border: 2px solid {theme.TONES[tone]}; border-radius: 6px;")
        if view.source == "centre" and getattr(view, "offline", False):  # the centre could not be reached
            self.source.setText(self.tr("离线预结算（本地计算，待中心确认）"))
        else:
            self.source.setText(self.tr("中心审核（预结算）") if view.source == "centre" else self.tr("本地审核"))
        self.note.setText(text(view.note))
        self.note.setVisible(view.note is not None)
        if not view.hits:
            item = QtWidgets.QListWidgetItem(self.tr("无审核提示"))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.hits.addItem(item)
        for h in sorted(view.hits, key=lambda h: ("BLOCK", "WARN", "INFO").index(h.severity)):
            where = self.tr("第{0}行").replace("{0}", str(h.line)) if h.line else self.tr("整单")
            sev = {"BLOCK": self.tr("拦截"), "WARN": self.tr("警告"), "INFO": self.tr("提示")}[h.severity]
            supervisor = self.tr("需主管确认")
            extra = f"  [{supervisor}]" if h.restricted else ""
            item = QtWidgets.QListWidgetItem(f"{sev} {h.rule} · {where}{extra}\n{text(h.message)}")
            htone = {"BLOCK": "bad", "WARN": "warn", "INFO": ""}[h.severity]
            item.setForeground(QtGui.QColor(theme.TONES[htone]))
            item.setBackground(QtGui.QColor(theme.TONE_BG[htone]))
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if h.severity == "WARN":
                flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setCheckState(Qt.CheckState.Checked if (h.rule, h.line) in self._acked else Qt.CheckState.Unchecked)
            item.setFlags(flags)
            item.setData(Qt.ItemDataRole.UserRole, len(self._hits))
            self._hits.append(h)
            self.hits.addItem(item)
        f = view.figures
        if f is None:
            for v in self.values.values():
                v.setText("-")
        else:
            self.values["total"].setText(fmt(f.total))
            self.values["fund"].setText(fmt(f.fund))
            self.values["personal"].setText(fmt(f.personal))
            self.values["self_pay"].setText(f"{fmt(f.full_self_pay)} / {fmt(f.pre_self_pay)}")
            self.values["cap_before"].setText(_opt(f.cap_left_before))
            self.values["cap_after"].setText(_opt(f.cap_left_after))
        self.hits.blockSignals(False)
        screen_log.shown("verdict", view.verdict, view.source + ("/offline" if getattr(view, "offline", False) else ""),
                         ",".join(sorted({h.rule for h in view.hits})) or "-", "incomplete" if incomplete else "")

    def set_acked(self, rule: str, line: int | None, acked: bool) -> None:
        if acked:
            self._acked.add((rule, line))
        else:
            self._acked.discard((rule, line))
        self.hits.blockSignals(True)
        for i in range(self.hits.count()):
            item = self.hits.item(i)
            idx = item.data(Qt.ItemDataRole.UserRole)
            if idx is not None and (self._hits[idx].rule, self._hits[idx].line) == (rule, line):
                item.setCheckState(Qt.CheckState.Checked if acked else Qt.CheckState.Unchecked)
        self.hits.blockSignals(False)

    def pending_acks(self) -> list[HitView]:
        return [h for h in self._hits if h.severity == "WARN" and (h.rule, h.line) not in self._acked]

    def _item_changed(self, item: QtWidgets.QListWidgetItem) -> None:
        idx = item.data(Qt.ItemDataRole.UserRole)
        if idx is None:
            return
        hit = self._hits[idx]
        wanted = item.checkState() == Qt.CheckState.Checked
        # Undo the tick until the shell confirms it (a supervisor may have to approve).
        self.set_acked(hit.rule, hit.line, (hit.rule, hit.line) in self._acked)
        if wanted:
            self.ack_requested.emit(hit.rule, hit.line, hit.restricted)


def _opt(value: Decimal | None) -> str:
    return "-" if value is None else fmt(value)


__all__ = ["VerdictPanel"]
