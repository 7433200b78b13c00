"""The kiosk's screens: one task per screen, Chinese first, big type. Each screen renders values it is given
and emits what the person chose; the window (desktop.kiosk.window) decides what happens next. Every screen
that shows a person's data has `clear()`, which removes that data from its widgets (the idle wipe)."""
from __future__ import annotations

import datetime as dt

from core.domain import fmt
from core.services.kiosk import ApplicationView, SettlementView, quota_title
from core.services.ports import PatientCard, RxSummary
from desktop.common.i18n import text
from desktop.kiosk.widgets import GuideFrame, Keypad, RowList, button, label
from desktop.qt import QtWidgets, Qt, Signal

SCHEME = {"LB": "两病（高血压、糖尿病）", "MT": "门诊慢特病"}
INSURANCE = {"310": "职工医保", "390": "居民医保"}
CENTER = Qt.AlignmentFlag.AlignCenter


def _portrait(w: QtWidgets.QWidget) -> bool:
    top = w.window()
    return top.height() >= top.width()


def forget_frame(preview) -> None:
    """The last camera picture can show a person's phone or papers: drop it from the preview widget.
    (hardware.camera.preview.CameraPreview keeps it in `_frame` and has no clear() yet.)"""
    if preview is not None and hasattr(preview, "_frame"):
        preview._frame = None
        preview.update()


class Page(QtWidgets.QWidget):
    """A screen. `name` is its id in the window's stack; `personal` screens show a person's data."""

    name = ""
    personal = False
    voice_key = ""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"page_{self.name}")
        self.setProperty("kioskPage", True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.v = QtWidgets.QVBoxLayout(self)
        self.v.setContentsMargins(40, 28, 40, 28)
        self.v.setSpacing(24)

    def clear(self) -> None:
        pass

    def orient(self, portrait: bool) -> None:
        pass


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
        self.guide = GuideFrame(self.stage)
        stage_layout.addWidget(self.guide, 0, 0)
        self.status = label("", "scanStatus", "big", align=CENTER)
        self.v.addWidget(self.title)
        self.v.addWidget(self.steps)
        self.v.addWidget(self.stage, 1)
        self.v.addWidget(self.status)

    def clear(self) -> None:
        self.status.clear()
        self.guide.found = False
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
        for key, text in self.TILES:
            b = button(text, f"tile_{key}", "tile")
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
        for code, text in (("HTN", "申请高血压登记"), ("DM", "申请糖尿病登记")):
            b = button(text, f"apply_{code}", "go")
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


class PhotoPage(Page):
    """A photo of the diagnosis: the live camera, 拍照, then the still with 重拍 / 提交.

    Signals:
        take()     拍照
        retake()   重拍
        submit()   提交申请
    """

    name = "photo"
    personal = True
    take = Signal()
    retake = Signal()
    submit = Signal()

    def __init__(self, preview: QtWidgets.QWidget | None, parent=None) -> None:
        super().__init__(parent)
        self.title = label("拍摄诊断证明", "photoTitle", "title", align=CENTER)
        self.steps = label("把医生开具的诊断证明平放在摄像头下，文字朝上，然后点“拍照”", "photoSteps", "big",
                           align=CENTER)
        self.stage = QtWidgets.QStackedWidget()
        self.stage.setObjectName("photoStage")
        self.stage.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        self.preview = preview
        self.stage.addWidget(preview or label("摄像头未连接，请到窗口办理", "noPhotoCamera", "big", align=CENTER))
        self.still = QtWidgets.QLabel(objectName="photoStill")
        self.still.setAlignment(CENTER)
        self.still.setStyleSheet("background: #202020;")
        self.still.setMinimumSize(200, 200)
        self.still.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored)
        self.stage.addWidget(self.still)
        self.disease = label("", "photoDisease", "value", align=CENTER)
        row = QtWidgets.QHBoxLayout()
        row.setSpacing(16)
        self.take_button = button("拍照", "takePhoto", "primary")
        self.retake_button = button("重拍", "retakePhoto", "bar")
        self.submit_button = button("提交申请", "submitPhoto", "go")
        self.take_button.clicked.connect(self.take)
        self.retake_button.clicked.connect(self.retake)
        self.submit_button.clicked.connect(self.submit)
        for b in (self.take_button, self.retake_button, self.submit_button):
            row.addWidget(b)
        for w in (self.title, self.steps, self.disease):
            self.v.addWidget(w)
        self.v.addWidget(self.stage, 1)
        self.v.addLayout(row)
        self.show_live()

    def show_live(self) -> None:
        self.stage.setCurrentIndex(0)
        self.take_button.show()
        self.retake_button.hide()
        self.submit_button.hide()

    def show_still(self, image) -> None:
        from desktop.qt import QtGui

        pix = QtGui.QPixmap.fromImage(image)
        self.still.setPixmap(pix.scaled(max(200, self.stage.width()), max(200, self.stage.height()),
                                        Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.stage.setCurrentIndex(1)
        self.take_button.hide()
        self.retake_button.show()
        self.submit_button.show()

    def clear(self) -> None:
        self.still.clear()
        self.disease.clear()
        forget_frame(self.preview)
        self.show_live()


class StatementPage(Page):
    """Pick a period (presets, or 自定义 with the keypad), then how to print it.

    Signals:
        period(str)   a preset's index as text, or "custom"
        output(str)   "receipt" or "a4"
    """

    name = "statement"
    personal = True
    period = Signal(str)
    output = Signal(str)

    def __init__(self, presets: list[tuple[str, dt.date, dt.date]], formats: tuple[str, ...], parent=None) -> None:
        super().__init__(parent)
        self.title = label("打印结算清单", "statementTitle", "title")
        self.step1 = label("第一步：选择期间", "statementStep1", "big")
        self.grid = QtWidgets.QGridLayout()
        self.grid.setSpacing(16)
        self.preset_buttons = []
        for i, (text, _, _) in enumerate(presets):
            b = button(text, f"preset_{i}", "bar")
            b.clicked.connect(lambda _=False, k=str(i): self.period.emit(k))
            self.preset_buttons.append(b)
        self.custom_button = button("自定义期间", "preset_custom", "bar")
        self.custom_button.clicked.connect(lambda: self.period.emit("custom"))
        self.preset_buttons.append(self.custom_button)
        self.chosen = label("", "statementChosen", "value")
        self.step2 = label("第二步：选择打印方式", "statementStep2", "big")
        row = QtWidgets.QHBoxLayout()
        row.setSpacing(16)
        self.receipt_button = button("小票打印", "printReceipt", "go")
        self.a4_button = button("A4 纸打印", "printA4", "go")
        self.receipt_button.clicked.connect(lambda: self.output.emit("receipt"))
        self.a4_button.clicked.connect(lambda: self.output.emit("a4"))
        self.receipt_button.setVisible("receipt" in formats)
        self.a4_button.setVisible("a4" in formats)
        row.addWidget(self.receipt_button)
        row.addWidget(self.a4_button)
        for w in (self.title, self.step1):
            self.v.addWidget(w)
        self.v.addLayout(self.grid)
        self.v.addWidget(self.chosen)
        self.v.addWidget(self.step2)
        self.v.addLayout(row)
        self.v.addStretch(1)
        self.orient(True)
        self.set_period(None)

    def orient(self, portrait: bool) -> None:
        cols = 2 if portrait else 3
        for b in self.preset_buttons:
            self.grid.removeWidget(b)
        for i, b in enumerate(self.preset_buttons):
            self.grid.addWidget(b, i // cols, i % cols)

    def set_period(self, span: tuple[dt.date, dt.date] | None) -> None:
        self.chosen.setText(f"已选：{span[0]:%Y年%m月%d日} 至 {span[1]:%Y年%m月%d日}" if span else "尚未选择期间")
        for b in (self.receipt_button, self.a4_button):
            b.setEnabled(span is not None)

    def clear(self) -> None:
        self.set_period(None)


class PeriodPage(Page):
    """A custom period typed on the keypad as two months (YYYYMM).

    Signals:
        chosen(object)   (since, until) dates
    """

    name = "period"
    personal = True
    chosen = Signal(object)

    def __init__(self, today_fn, parent=None) -> None:
        super().__init__(parent)
        self.today_fn = today_fn
        self.title = label("自定义期间（按月）", "periodTitle", "title")
        self.hint = label("先点“开始月份”或“结束月份”，再用数字键输入 6 位年月，例如 202601", "periodHint", "big")
        self.start_button = button("开始月份：", "periodStart", "bar")
        self.end_button = button("结束月份：", "periodEnd", "bar")
        self.start_button.clicked.connect(lambda: self._pick("start"))
        self.end_button.clicked.connect(lambda: self._pick("end"))
        self.error = label("", "periodError", "bad")
        self.keypad = Keypad(max_length=6)
        self.keypad.changed.connect(self._typed)
        self.keypad.submitted.connect(self._submit)
        self.values = {"start": "", "end": ""}
        self.field = "start"
        self.fields = QtWidgets.QWidget()
        fv = QtWidgets.QVBoxLayout(self.fields)
        fv.setContentsMargins(0, 0, 0, 0)
        fv.setSpacing(24)
        for w in (self.title, self.hint, self.start_button, self.end_button, self.error):
            fv.addWidget(w)
        fv.addStretch(1)
        self.body = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(32)
        self.body.addWidget(self.fields)
        self.body.addWidget(self.keypad, 1)
        self.v.addLayout(self.body)
        self._render()

    def orient(self, portrait: bool) -> None:
        self.body.setDirection(QtWidgets.QBoxLayout.Direction.TopToBottom if portrait
                               else QtWidgets.QBoxLayout.Direction.LeftToRight)

    def _pick(self, which: str) -> None:
        self.field = which
        self.keypad.value = self.values[which]
        self._render()

    def _typed(self, value: str) -> None:
        self.values[self.field] = value
        if self.field == "start" and len(value) == 6:
            self.field = "end"
            self.keypad.value = self.values["end"]
        self._render()

    def _render(self) -> None:
        for key, b, text in (("start", self.start_button, "开始月份"), ("end", self.end_button, "结束月份")):
            mark = "  ◀ 正在输入" if self.field == key else ""
            b.setText(f"{text}：{self.values[key] or '______'}{mark}")

    def _month(self, text: str) -> dt.date | None:
        if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12 or int(text[:4]) < 2000:
            return None
        return dt.date(int(text[:4]), int(text[4:]), 1)

    def _submit(self, _value: str) -> None:
        a, b = self._month(self.values["start"]), self._month(self.values["end"])
        if a is None or b is None:
            self.error.setText("请输入 6 位年月，例如 202601")
            return
        if b < a:
            self.error.setText("结束月份不能早于开始月份")
            return
        nxt = dt.date(b.year + (b.month == 12), b.month % 12 + 1, 1)
        until = min(nxt - dt.timedelta(days=1), self.today_fn())
        if until < a:
            self.error.setText("开始月份不能晚于本月")
            return
        self.error.clear()
        self.chosen.emit((a, until))

    def clear(self) -> None:
        self.values = {"start": "", "end": ""}
        self.field = "start"
        self.keypad.value = ""
        self.error.clear()
        self._render()


class SupervisorPage(Page):
    """The supervisor code on the keypad (shown as dots).

    Signals:
        code(str)   确定 with what was typed
    """

    name = "supervisor"
    code = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = label("管理员验证", "supervisorTitle", "title", align=CENTER)
        self.hint = label("请输入管理码。工作人员专用。", "supervisorHint", "big", align=CENTER)
        self.dots = label("", "supervisorDots", "title", align=CENTER)
        self.error = label("", "supervisorError", "bad", align=CENTER)
        self.keypad = Keypad(max_length=12, secret=True)
        self.keypad.changed.connect(lambda _v: self.dots.setText(self.keypad.shown() or "　"))
        self.keypad.submitted.connect(self._submit)
        self.fields = QtWidgets.QWidget()
        fv = QtWidgets.QVBoxLayout(self.fields)
        fv.setContentsMargins(0, 0, 0, 0)
        fv.setSpacing(24)
        fv.addStretch(1)
        for w in (self.title, self.hint, self.dots, self.error):
            fv.addWidget(w)
        fv.addStretch(1)
        self.body = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(32)
        self.body.addWidget(self.fields)
        self.body.addWidget(self.keypad, 1)
        self.v.addLayout(self.body)

    def orient(self, portrait: bool) -> None:
        self.body.setDirection(QtWidgets.QBoxLayout.Direction.TopToBottom if portrait
                               else QtWidgets.QBoxLayout.Direction.LeftToRight)

    def _submit(self, value: str) -> None:
        self.keypad.clear()
        self.code.emit(value)

    def clear(self) -> None:
        self.keypad.clear()
        self.error.clear()


class AdminPage(Page):
    """After a correct supervisor code: leave the kiosk, or go back to serving."""

    name = "admin"
    leave = Signal()
    resume = Signal()
    settings = Signal()  # 设置: the composition root opens the settings dialog (kiosk's settings, log folder)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = label("管理员菜单", "adminTitle", "title", align=CENTER)
        self.info = label("", "adminInfo", "big")
        self.leave_button = button("退出自助机程序", "leaveButton", "stop")
        self.resume_button = button("返回自助服务", "resumeButton", "go")
        self.settings_button = button("设置与日志", "settingsButton", "go")
        self.leave_button.clicked.connect(self.leave)
        self.resume_button.clicked.connect(self.resume)
        self.settings_button.clicked.connect(self.settings)
        for w in (self.title, self.info, self.settings_button, self.leave_button, self.resume_button):
            self.v.addWidget(w)
        self.v.addStretch(1)


__all__ = [
    "AdminPage", "ApplicationPage", "PhotoPage", "BusyPage", "CardPage", "HomePage", "ListPage", "MenuPage", "MessagePage", "Page", "PeriodPage",
    "ScanPage", "StatementPage", "SupervisorPage", "UnavailablePage",
]
