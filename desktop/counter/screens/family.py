"""家庭共济 · the bindings of the person identified at the counter (the account holder): the open bindings listed
(the relative masked), a form to bind a relative (their ID number, the relation, the holder's own credential
scanned or typed to confirm) and ending a binding once the clerk has confirmed it with the holder.

The screen only collects and renders; desktop/counter/family_actions.py sends the requests through
core.services.family off the UI thread.
"""
from __future__ import annotations

from core.services.family import RELATIONS
from desktop.counter.screens.common import Notice, button, fill, selected_row, table, title
from desktop.qt import QtWidgets, Signal

NO_PERSON = "请先在“办理”页识别参保人（账户持有人）"


class FamilyScreen(QtWidgets.QWidget):
    bind_requested = Signal(dict)  # {"relative_certno", "relation", "credential"}
    end_requested = Signal(dict)  # {"relative_psn_no", "credential"}

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("familyScreen")
        self.rows: list[dict] = []
        self.person_label = QtWidgets.QLabel(self.tr(NO_PERSON), objectName="familyPerson")
        self.bindings = table([self.tr("亲属"), self.tr("关系"), self.tr("持有人"), self.tr("绑定时间")], "bindingsTable")
        self.relative = QtWidgets.QLineEdit(objectName="relativeCertno", placeholderText=self.tr("亲属身份证号"))
        self.relation = QtWidgets.QComboBox(objectName="relation")
        self.relation.addItem("—", "")
        for key, label in RELATIONS.items():
            self.relation.addItem(label, key)
        # the holder's own e-voucher, ID card or social security card: the scanner types into this field
        self.credential = QtWidgets.QLineEdit(objectName="holderCredential",
                                              placeholderText=self.tr("持有人本人电子凭证/身份证/社保卡（扫码或输入）"))
        self.bind_button = button(self.tr("绑定共济"), "bindButton", primary=True)
        self.confirm_end = QtWidgets.QCheckBox(self.tr("已与持有人确认结束所选绑定"), objectName="confirmEnd")
        self.end_button = button(self.tr("结束绑定"), "endBindingButton")
        self.notice = Notice("familyNotice")
        self.bind_button.clicked.connect(lambda: self.bind_requested.emit(self.bind_request()))
        self.end_button.clicked.connect(self._end)
        form_box = QtWidgets.QGroupBox(self.tr("绑定亲属（账户持有人本人确认）"))
        form = QtWidgets.QFormLayout(form_box)
        form.addRow(self.tr("亲属身份证号"), self.relative)
        form.addRow(self.tr("亲属关系"), self.relation)
        form.addRow(self.tr("持有人凭证"), self.credential)
        form.addRow("", self.bind_button)
        end_row = QtWidgets.QHBoxLayout()
        end_row.addWidget(self.confirm_end)
        end_row.addStretch(1)
        end_row.addWidget(self.end_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title(self.tr("家庭共济 · 职工个人账户绑定近亲属")))
        layout.addWidget(self.person_label)
        layout.addWidget(self.bindings, 1)
        layout.addLayout(end_row)
        layout.addWidget(form_box)
        layout.addWidget(self.notice)

    def bind_request(self) -> dict:
        return {"relative_certno": self.relative.text().strip(), "relation": self.relation.currentData() or "",
                "credential": self.credential.text().strip()}

    def _end(self) -> None:
        r = selected_row(self.bindings)
        if r < 0:
            self.notice.say(self.tr("请先在列表中选择要结束的绑定 / choose the binding to end"), "warn")
            return
        if not self.confirm_end.isChecked():
            self.notice.say(self.tr("请先与持有人确认并勾选“已与持有人确认结束所选绑定” / confirm with the holder first"),
                            "warn")
            return
        self.end_requested.emit({"relative_psn_no": self.rows[r]["relative_psn_no"],
                                 "credential": self.credential.text().strip()})

    def show_person(self, name: str, psn_no: str) -> None:
        self.person_label.setText(self.tr("账户持有人：") + f"{name}（{psn_no}）" if psn_no else self.tr(NO_PERSON))

    def show_bindings(self, rows: list[dict]) -> None:
        """rows: {"relative", "relative_psn_no", "relation", "holder", "since"} (the relative already masked)."""
        self.rows = rows
        fill(self.bindings, [[r["relative"], r["relation"], r["holder"], r["since"]] for r in rows])
        self.confirm_end.setChecked(False)

    def clear_form(self) -> None:
        self.relative.clear()
        self.relation.setCurrentIndex(0)
        self.credential.clear()


__all__ = ["FamilyScreen"]
