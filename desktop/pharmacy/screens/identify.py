"""Step 1 and 2: identify the patient (IdentifyScreen), the patient card and the e-prescriptions (RxScreen)."""
from __future__ import annotations

from core.services.ports import PatientCard, RxSummary
from desktop.common import theme
from desktop.common.patient_card import PatientCardWidget
from desktop.pharmacy.screens.common import ScanBox, message_label, set_tone, title_label
from desktop.qt import Qt, QtWidgets, Signal


class IdentifyScreen(QtWidgets.QWidget):
    def __init__(self) -> None:
        super().__init__(objectName="identifyScreen")
        self.box = ScanBox(self.tr("扫描医保电子凭证，或读/输入身份证号、社保卡号，回车"), "identifyBox")
        self.message = message_label("identifyMessage")
        self.held = QtWidgets.QLabel(objectName="heldLabel")
        self.held.setFont(theme.font(1))
        hint = QtWidgets.QLabel(self.tr("F2 新顾客 · F3 退货 · F4 班次 · F9 取回挂单 · F10 设置 · Ctrl+L 退出登录"))
        hint.setStyleSheet("color: #555;")
        hint.setFont(theme.font(0))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title_label(self.tr("第一步：识别参保人")))
        layout.addWidget(self.box)
        layout.addWidget(self.message)
        layout.addWidget(self.held)
        layout.addStretch(2)
        layout.addWidget(hint)
        self.setFocusProxy(self.box)

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)


# ---------------------------------------------------------------------------------------------- prescriptions
class RxScreen(QtWidgets.QWidget):
    picked = Signal(str)  # rx_id

    def __init__(self) -> None:
        super().__init__(objectName="rxScreen")
        self.card = PatientCardWidget()
        self.list = QtWidgets.QListWidget(objectName="rxList")
        self.list.setFont(theme.font(2))
        self.list.setSpacing(4)
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._activated)
        self.pickup = ScanBox(self.tr("或输入取药码，回车"), "pickupBox")
        self.pickup.setFont(theme.font(3))
        self.message = message_label("rxMessage")
        right = QtWidgets.QVBoxLayout()
        right.addWidget(title_label(self.tr("第二步：选择处方")))
        right.addWidget(QtWidgets.QLabel(self.tr("待取电子处方（↑↓ 选择，回车下载）")))
        right.addWidget(self.list, 1)
        right.addWidget(self.pickup)
        right.addWidget(self.message)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(self.card, 5)
        layout.addLayout(right, 4)
        self.setFocusProxy(self.list)

    def show_card(self, card: PatientCard | None) -> None:
        self.card.show_card(card)

    def show_rxs(self, rxs: list[RxSummary]) -> None:
        self.list.clear()
        issuer, until, code = self.tr("开方机构"), self.tr("有效至"), self.tr("取药码")
        doctor, dated, cached = self.tr("医师"), self.tr("开方日期"), self.tr("（离线缓存）")
        for rx in rxs:
            head = f"{rx.rx_id}{cached if rx.cached else ''}\n{issuer} {rx.issuer_name or rx.issuer}"
            if rx.doctor:
                head += f" · {doctor} {rx.doctor}"
            item = QtWidgets.QListWidgetItem(
                f"{head}\n{dated} {rx.rx_date or rx.issued_at[:10]} · {until} {rx.valid_until} · "
                f"{code} {rx.pickup_code}" + "".join(f"\n  {d}" for d in rx.drugs))
            item.setData(Qt.ItemDataRole.UserRole, rx.rx_id)
            self.list.addItem(item)
        if rxs:
            self.list.setCurrentRow(0)
        self.setFocusProxy(self.list if rxs else self.pickup)  # nothing to pick: the keys go to the pickup code

    def _activated(self, item: QtWidgets.QListWidgetItem) -> None:
        self.picked.emit(item.data(Qt.ItemDataRole.UserRole))

    def show_message(self, tone: str, text_: str) -> None:
        set_tone(self.message, tone, text_)
