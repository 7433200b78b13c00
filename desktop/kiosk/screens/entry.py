"""The screens before anyone is identified: home, scan (camera), card, busy, message, centre unavailable."""
from __future__ import annotations

from desktop.kiosk.screens.base import CENTER, Page, forget_frame
from desktop.kiosk.widgets import GuideFrame, button, label
from desktop.qt import QtWidgets, Signal


class HomePage(Page):
    name = "home"
    voice_key = "home"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = label("门诊慢特病 · 两病\n自助服务", "homeTitle", "title", align=CENTER)
        self.title.setStyleSheet("font-size: 2.2em;")
        self.hint = label("请选择识别方式", "homeHint", "big", align=CENTER)
        self.scan_button = button("扫医保电子凭证\n（手机上的二维码）", "scanButton", "primary")
        self.card_button = button("刷身份证 / 社保卡\n（放在读卡区）", "cardButton", "primary")
        for b in (self.scan_button, self.card_button):
            b.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        self.grid = QtWidgets.QGridLayout()
        self.grid.setSpacing(32)
        self.offer = label("在这里可以：查看备案登记和到期日 · 查看额度 · 查看下次取药日期 · 查询结算记录 · "
                           "打印结算清单 · 查看两病登记申请进度", "homeOffer", "big", align=CENTER)
        self.privacy = label("为保护隐私，一段时间无操作将自动退出并清除您的信息", "homePrivacy", align=CENTER)
        self.v.addWidget(self.title)
        self.v.addWidget(self.hint)
        self.v.addLayout(self.grid, 3)
        self.v.addWidget(self.offer)
        self.v.addWidget(self.privacy)
        self.orient(True)

    def orient(self, portrait: bool) -> None:
        for b in (self.scan_button, self.card_button):
            self.grid.removeWidget(b)
        if portrait:
            self.grid.addWidget(self.scan_button, 0, 0)
            self.grid.addWidget(self.card_button, 1, 0)
        else:
            self.grid.addWidget(self.scan_button, 0, 0)
            self.grid.addWidget(self.card_button, 0, 1)


class ScanPage(Page):
    """The live camera picture with the guide frame; the QR is read by the camera worker."""

    name = "scan"
    voice_key = "scan"

    def __init__(self, preview: QtWidgets.QWidget | None, parent=None) -> None:
        super().__init__(parent)
        self.title = label("请出示医保电子凭证二维码", "scanTitle", "title", align=CENTER)
        self.steps = label("打开微信或支付宝的“医保电子凭证”，把二维码对准框内，保持不动", "scanSteps", "big",
                           align=CENTER)
        self.stage = QtWidgets.QFrame()
        self.stage.setObjectName("cameraStage")
        self.stage.setStyleSheet("QFrame#cameraStage { background: #202020; border: 3px solid #000; }")
        self.stage.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        stage_layout = QtWidgets.QGridLayout(self.stage)
        stage_layout.setContentsMargins(0, 0, 0, 0)
        self.preview = preview
        if preview is None:
            preview = label("摄像头未连接，请使用读卡器或到窗口办理", "noCamera", "big", align=CENTER)
            preview.setStyleSheet("color: #ffffff;")
        stage_layout.addWidget(preview, 0, 0)
        self.guide = GuideFrame(self.stage, self.preview)
        stage_layout.addWidget(self.guide, 0, 0)
        self.status = label("", "scanStatus", "big", align=CENTER)
        self.v.addWidget(self.title)
        self.v.addWidget(self.steps)
        self.v.addWidget(self.stage, 1)
        self.v.addWidget(self.status)

    def clear(self) -> None:
        self.status.clear()
        self.guide.found = False
        self.guide.update()
        forget_frame(self.preview)


class CardPage(Page):
    name = "card"
    voice_key = "card"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = label("请将身份证或社保卡\n放在读卡区", "cardTitle", "title", align=CENTER)
        self.picture = label("⬇  读卡区在屏幕下方  ⬇", "cardPicture", "title", align=CENTER)
        self.picture.setStyleSheet("font-size: 2em; border: 4px dashed #000; padding: 60px;")
        self.steps = label("卡片放平，听到“嘀”声或看到提示前请不要拿开", "cardSteps", "big", align=CENTER)
        self.status = label("", "cardStatus", "big", align=CENTER)
        self.v.addStretch(1)
        for w in (self.title, self.picture, self.steps, self.status):
            self.v.addWidget(w)
        self.v.addStretch(1)

    def clear(self) -> None:
        self.status.clear()


class BusyPage(Page):
    name = "busy"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.text = label("正在查询，请稍候……", "busyText", "title", align=CENTER)
        self.v.addStretch(1)
        self.v.addWidget(self.text)
        self.v.addStretch(1)


class MessagePage(Page):
    """A result or a problem, in big type, with the next step; `action` is the one button."""

    name = "message"
    action = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.icon = label("", "messageIcon", "title", align=CENTER)
        self.icon.setStyleSheet("font-size: 4em;")
        self.title = label("", "messageTitle", "title", align=CENTER)
        self.text = label("", "messageText", "big", align=CENTER)
        self.button = button("返回首页", "messageButton", "primary")
        self.button.clicked.connect(self.action)
        self.v.addStretch(1)
        for w in (self.icon, self.title, self.text):
            self.v.addWidget(w)
        self.v.addStretch(1)
        self.v.addWidget(self.button)

    def show_message(self, icon: str, title: str, text: str, action: str | None) -> None:
        self.icon.setText(icon)
        self.title.setText(title)
        self.text.setText(text)
        self.button.setVisible(action is not None)
        if action:
            self.button.setText(action)

    def clear(self) -> None:
        for w in (self.icon, self.title, self.text):
            w.clear()


class UnavailablePage(Page):
    """The centre is down: no errors, no buttons that need it — where to go instead."""

    name = "unavailable"
    voice_key = "unavailable"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.icon = label("⚠", "unavailableIcon", "title", align=CENTER)
        self.icon.setStyleSheet("font-size: 5em;")
        self.title = label("服务暂不可用", "unavailableTitle", "title", align=CENTER)
        self.title.setStyleSheet("font-size: 2.4em;")
        self.where = label("", "unavailableWhere", "title", align=CENTER)
        self.where.setStyleSheet("color: #9b1c1c;")
        self.text = label("医保中心暂时连接不上。您的业务可以到人工窗口办理，\n恢复后本机会自动回到首页。", "unavailableText",
                          "big", align=CENTER)
        self.en = label("Service unavailable — please go to the staffed window.", "unavailableEn", align=CENTER)
        self.v.addStretch(1)
        for w in (self.icon, self.title, self.where, self.text, self.en):
            self.v.addWidget(w)
        self.v.addStretch(2)

    def set_window(self, window_no: str) -> None:
        self.where.setText(f"请到 {window_no} 号窗口办理")


__all__ = ["BusyPage", "CardPage", "HomePage", "MessagePage", "ScanPage", "UnavailablePage"]
