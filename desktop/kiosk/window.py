"""KioskWindow: the self-service shell. Touch only, full screen, locked down, one task per screen.

    window = KioskWindow(service, config, devices)      # devices: camera source factory, card reader, print queue
    window.start()                                      # lockdown + idle watch + centre check; full screen if asked

Flow: home -> (scan | card) -> menu -> registrations / quota / refills / history / statement -> print ->
done; the footer's big 返回 goes one screen back, 重新开始 (and the menu's 完成) wipes the person and returns
home. With a person (or any screen but home) showing, `idle_ms` without a touch starts a countdown overlay;
at zero the person is wiped from every widget. A centre that cannot be reached shows the "go to window N"
screen and nothing that needs the centre is attempted until a probe succeeds again.

All service calls go through desktop.common.worker.Runner; a result that arrives after a wipe (an older
session generation) is dropped unseen.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.domain.clock import CST
from core.services import kiosk_care
from core.services.kiosk import KioskConfig, KioskError, KioskOffline, KioskService, period_presets
from core.services.ports import PatientCard
from desktop.common.i18n import text
from desktop.common.scan_route import ScanRoute
from desktop.common.worker import Failure, Runner
from desktop.kiosk import screens
from desktop.kiosk.guard import IdleWatch, Lockdown, SupervisorGate
from desktop.kiosk.statement_print import print_a4, purge_old, statement_receipt, write_a4_pdf
from desktop.kiosk.theme import KioskTheme
from desktop.kiosk.voice import Voice, make_voice, voice_status
from desktop.kiosk.widgets import CountdownOverlay, button, label
from desktop.qt import QtGui, QtWidgets, Qt, QTimer, Signal

log = logging.getLogger("onewindow.gui.kiosk")

CORNER_TAPS = 5
CORNER_WINDOW_S = 4.0
NO_IDLE_PAGES = ("home", "unavailable", "supervisor", "admin")


@dataclass
class KioskDevices:
    """camera_source() -> a hardware.camera FrameSource (or None); card_reader: hardware.cards.CardReader;
    print_queue: hardware.printing.queue.PrintQueue with a "receipt" device."""

    camera_source: Callable[[], Any] | None = None
    card_reader: Any = None
    print_queue: Any = None


def jpeg_bytes(image, longest: int = 1600, quality: int = 80) -> bytes:
    """A QImage as JPEG, its longer side at most `longest` px (a photo of a paper, not a poster)."""
    from desktop.qt import QtCore

    if max(image.width(), image.height()) > longest:
        image = image.scaled(longest, longest, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    buf = QtCore.QBuffer()
    buf.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "JPG", quality)
    return bytes(buf.data())


def _read_card(reader) -> tuple[str, Any]:
    from hardware.cards import CardReaderError

    try:
        return "card", reader.read(timeout_s=0.3)
    except CardReaderError as exc:
        return "error", exc


class KioskWindow(QtWidgets.QWidget):
    """Signals:
        left(int)   the supervisor left the kiosk (exit code 0: the watchdog does not restart the shell)
    """

    left = Signal(int)
    reminded = Signal(int)  # reminders shown on the menu after identification (count; for tests)

    def __init__(self, service: KioskService, config: KioskConfig, devices: KioskDevices | None = None, *,
                 voice: Voice | None = None, route: ScanRoute | None = None, idle_ms: int | None = None,
                 countdown_s: int | None = None, tick_ms: int = 1000, status_interval_ms: int = 15000,
                 fullscreen: bool = False, today: Callable[[], dt.date] | None = None) -> None:
        super().__init__()
        self.setObjectName("kioskRoot")
        self.setWindowTitle("一窗通 自助服务")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.service, self.config = service, config
        self.devices = devices or KioskDevices()
        self.voice = voice or make_voice(config.voice, config.voice_dir)
        self.today = today or (lambda: dt.datetime.now(CST).date())
        self.fullscreen = fullscreen
        self.setProperty("kioskFullScreen", fullscreen)
        self.theme = KioskTheme(config.text_px, config.target_px)
        self.runner = Runner(self)
        self.route = route or ScanRoute(self)
        self.route.scanned.connect(self.on_scan)
        self.gate = SupervisorGate(config.supervisor_code_hash)
        self.lockdown = Lockdown(self, self)
        self.idle = IdleWatch(idle_ms or config.idle_seconds * 1000, countdown_s or config.countdown_seconds,
                              tick_ms=tick_ms, parent=self)
        self.idle.countdown.connect(self._countdown)
        self.idle.cancelled.connect(self._countdown_cancelled)
        self.idle.expired.connect(lambda: self.finish("idle"))
        self.card: PatientCard | None = None
        self.generation = 0
        self.history: list[str] = []
        self.identifying = False
        self.span: tuple[dt.date, dt.date] | None = None
        self.print_job: str | None = None
        self.photo = None
        self.apply_disease = ""
        self.last_pdf = None
        self.exit_code: int | None = None
        self.camera = None
        self._corner_taps: list[float] = []
        self._reading = False
        self.presets = period_presets(self.today())
        self._build()
        self.status_timer = QTimer(self)
        self.status_timer.setObjectName("kiosk-centre-check")
        self.status_timer.setInterval(status_interval_ms)
        self.status_timer.timeout.connect(self.check_centre)
        self.clock_timer = QTimer(self)
        self.clock_timer.setObjectName("kiosk-clock")
        self.clock_timer.setInterval(1000)
        self.clock_timer.timeout.connect(self._tick_clock)
        self.card_timer = QTimer(self)
        self.card_timer.setObjectName("kiosk-card-poll")
        self.card_timer.setInterval(500)
        self.card_timer.timeout.connect(self._poll_card)
        if self.devices.print_queue is not None:
            self.devices.print_queue.job_done.connect(self._print_done)
            self.devices.print_queue.job_failed.connect(self._print_failed)
        self.apply_theme()
        self.go("home", push=False)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QtWidgets.QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        header = QtWidgets.QFrame(objectName="header")
        h = QtWidgets.QHBoxLayout(header)
        h.setContentsMargins(16, 8, 16, 8)
        self.corner = button("一窗通", "supervisorCorner", "primary")
        self.corner.setStyleSheet("border: none;")
        self.corner.clicked.connect(self._corner_tap)
        self.title = label(self.config.institution_name, "headerTitle", "big", wrap=False)
        self.title.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.clock = label("", "clock", "big", wrap=False)
        self.bigger = button("大字 A+", "biggerButton", "bar")
        self.bigger.clicked.connect(self.toggle_scale)
        self.voice_button = button("", "voiceButton", "bar")
        self.voice_button.clicked.connect(self.toggle_voice)
        for b in (self.bigger, self.voice_button):
            b.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Fixed)
        self.corner.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Fixed)
        h.addWidget(self.corner)
        h.addWidget(self.title, 1)
        h.addWidget(self.clock)
        h.addWidget(self.voice_button)
        h.addWidget(self.bigger)
        root.addWidget(header)

        self.stack = QtWidgets.QStackedWidget(objectName="pages")
        preview = photo_preview = None
        if self.devices.camera_source is not None:
            from hardware.camera.preview import CameraPreview

            preview = CameraPreview(beep=True)  # a beep when the code is read
            photo_preview = CameraPreview(beep=False)
            photo_preview.setObjectName("photoPreview")
        self.pages: dict[str, screens.Page] = {}
        formats = {"receipt": ("receipt",), "a4": ("a4",), "both": ("receipt", "a4")}[self.config.printer]
        if self.devices.print_queue is None:
            formats = tuple(f for f in formats if f != "receipt") or ("a4",)
        for page in (
            screens.HomePage(), screens.ScanPage(preview), screens.CardPage(), screens.BusyPage(),
            screens.MessagePage(), screens.UnavailablePage(), screens.MenuPage(),
            screens.ListPage("registrations", "我的备案登记"), screens.ListPage("quota", "本期额度"),
            screens.ListPage("refills", "下次取药日期"), screens.ListPage("history", "结算记录（近一年）"),
            screens.ListPage("pay", "待缴费处方"), screens.ListPage("care", "健康指导 · 生活方式处方"),
            screens.ApplicationPage(), screens.PhotoPage(photo_preview),
            screens.StatementPage(self.presets, formats), screens.PeriodPage(self.today),
            screens.SupervisorPage(), screens.AdminPage(),
        ):
            self.pages[page.name] = page
            # Each screen sits in a scroll area: the window may always take the screen's size (portrait or
            # landscape, any text scale), and a screen that does not fit scrolls instead of being cut off.
            holder = QtWidgets.QScrollArea(objectName=f"holder_{page.name}")
            holder.setWidgetResizable(True)
            holder.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
            holder.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            holder.setWidget(page)
            QtWidgets.QScroller.grabGesture(holder.viewport(), QtWidgets.QScroller.ScrollerGestureType.TouchGesture)
            self.stack.addWidget(holder)
        p = self.pages
        p["home"].scan_button.clicked.connect(lambda: self.go("scan"))
        p["home"].card_button.clicked.connect(lambda: self.go("card"))
        p["message"].action.connect(self._message_action)
        p["unavailable"].set_window(self.config.window_no)
        p["menu"].chosen.connect(self.on_tile)
        p["statement"].period.connect(self.on_period)
        p["statement"].output.connect(self.on_print)
        p["period"].chosen.connect(self._custom_period)
        p["application"].apply.connect(self.on_apply)
        p["photo"].take.connect(self.take_photo)
        p["photo"].retake.connect(self.retake_photo)
        p["photo"].submit.connect(self.submit_application)
        p["supervisor"].code.connect(self._check_code)
        p["admin"].leave.connect(self.leave)
        p["admin"].resume.connect(lambda: self.go("home", push=False))
        root.addWidget(self.stack, 1)

        footer = QtWidgets.QFrame(objectName="footer")
        f = QtWidgets.QHBoxLayout(footer)
        f.setContentsMargins(24, 14, 24, 14)
        f.setSpacing(24)
        self.back_button = button("◀  返回上一步", "backButton", "bar")
        self.restart_button = button("⟲  重新开始", "restartButton", "stop")
        self.back_button.clicked.connect(self.back)
        self.restart_button.clicked.connect(lambda: self.finish("restart"))
        f.addWidget(self.back_button)
        f.addWidget(self.restart_button)
        self.footer = footer
        root.addWidget(footer)
        self.overlay = CountdownOverlay(self)
        self.overlay.keep.connect(self.idle.poke)

    def apply_theme(self) -> None:
        palette = self.palette()
        palette.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor("#ffffff"))
        palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor("#000000"))
        self.setPalette(palette)
        self.setStyleSheet(self.theme.stylesheet())
        self.setFont(self.theme.font())
        self.voice_button.setText("语音 开" if self.voice.enabled else "语音 关")
        self.bigger.setText(f"大字 {'A+' if self.theme.scale < 1.5 else 'A'}")

    def toggle_scale(self) -> None:
        self.theme.next_scale()
        self.apply_theme()

    def toggle_voice(self) -> None:
        self.voice.enabled = not self.voice.enabled
        self.apply_theme()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        portrait = self.height() >= self.width()
        for page in self.pages.values():
            page.orient(portrait)
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.rect())

    def _tick_clock(self) -> None:
        self.clock.setText(dt.datetime.now(CST).strftime("%H:%M"))

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.lockdown.install()
        self.idle.install()
        self.clock_timer.start()
        self._tick_clock()
        self.status_timer.start()
        purge_old(self.config.statement_folder(), self.config.statement_keep_hours)
        if self.fullscreen:
            self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
            self.showFullScreen()
        else:
            self.show()
        self.check_centre()
        backend, note = voice_status(self.config.voice, self.config.voice_dir)
        zh = {"qt": "Qt 语音合成", "prerecorded": "预录提示音", "off": "无声（未安装语音模块，也没有预录提示音）"}[backend]
        problem = getattr(self.service.link, "problem", "")
        self.pages["admin"].info.setText(
            f"语音提示：{zh}\n终端：{self.config.terminal_id}　机构：{self.config.institution}　"
            f"中心：{self.config.server_url or '未配置'}" + (f"\n配置问题：{problem}" if problem else "") + f"\n\n{note}")
        self.voice.say("home")

    def stop(self) -> None:
        self.status_timer.stop()
        self.clock_timer.stop()
        self.card_timer.stop()
        self._stop_camera()
        self.idle.uninstall()
        self.lockdown.uninstall()
        self.voice.stop()
        self.runner.wait(10000)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self.lockdown.unlocked:
            self.lockdown.refuse("closeEvent")
            event.ignore()
            return
        super().closeEvent(event)

    def leave(self) -> None:
        """The supervisor leaves the kiosk: exit code 0 tells the watchdog not to restart the shell."""
        log.info("kiosk: left by the supervisor")
        self.exit_code = 0
        self.lockdown.unlock()
        self.stop()
        self.close()
        self.left.emit(0)

    # ------------------------------------------------------------------ navigation
    @property
    def page(self) -> str:
        return self.current().name

    def current(self) -> screens.Page | None:
        holder = self.stack.currentWidget()
        return holder.widget() if holder is not None else None

    def go(self, name: str, *, push: bool = True) -> None:
        current = self.current()
        if current is not None and push and current.name not in ("busy", "message") and current.name != name:
            self.history.append(current.name)
        if current is not None and current.name in ("scan", "photo") and name != current.name:
            self._stop_camera()
        if current is not None and current.name == "card" and name != "card":
            self.card_timer.stop()
        page = self.pages[name]
        self.stack.setCurrentWidget(page.parentWidget().parentWidget())
        if name in ("scan", "photo"):
            self._start_camera(page)
        elif name == "card":
            self.pages["card"].clear()
            self.card_timer.start()
        if name in ("home", "menu"):
            self.history.clear()
        self.idle.arm(name not in NO_IDLE_PAGES)
        at_home = name in ("home", "unavailable")
        self.footer.setVisible(not at_home)
        self.back_button.setVisible(not at_home and name not in ("admin", "menu", "busy"))
        self.restart_button.setVisible(not at_home and name not in ("supervisor", "admin"))
        self.restart_button.setText("✔  完成，退出" if self.card is not None else "⟲  重新开始")
        if page.voice_key:
            self.voice.say(page.voice_key)

    def back(self) -> None:
        while self.history:
            name = self.history.pop()
            if self.pages[name].personal and self.card is None:
                continue
            self.go(name, push=False)
            return
        self.go("menu" if self.card is not None else "home", push=False)

    def _message(self, icon: str, title: str, body: str, action: str | None = "返回", then: str = "back") -> None:
        self.pages["message"].show_message(icon, title, body, action)
        self._then = then
        self.go("message", push=False)

    def _message_action(self) -> None:
        then = getattr(self, "_then", "back")
        if then == "home":
            self.finish("message")
        elif then == "menu" and self.card is not None:
            self.go("menu", push=False)
        else:
            self.back()

    # ------------------------------------------------------------------ privacy
    def finish(self, reason: str, *, home: bool = True) -> None:
        """Forget the person: every screen cleared, results still in flight dropped, back to the home screen."""
        had = self.card is not None
        self.generation += 1
        self.card = None
        self.span = None
        self.identifying = False
        self.print_job = None
        self.photo = None
        self.apply_disease = ""
        self._stop_camera()
        self.overlay.hide()
        self.idle.arm(False)
        for page in self.pages.values():
            page.clear()
        self.history.clear()
        purge_old(self.config.statement_folder(), self.config.statement_keep_hours)
        log.info("kiosk: session ended (%s)", reason)
        if home:
            self.go("home", push=False)
        if had and reason in ("idle", "finish", "restart"):
            self.voice.say("wiped")

    def _countdown(self, seconds: int) -> None:
        if not self.overlay.isVisible():
            self.voice.say("countdown")
        self.overlay.show_seconds(seconds)

    def _countdown_cancelled(self) -> None:
        self.overlay.hide()

    # ------------------------------------------------------------------ calls
    def _call(self, fn, *args, done, lane: str = "remote", busy: bool = True, **kw) -> None:
        gen = self.generation

        def ok(value):
            if gen == self.generation:
                done(value)

        def bad(f: Failure):
            if gen == self.generation:
                self._failed(f)

        if busy:
            current = self.current().name
            if current not in ("busy", "message", "menu", "home") and (not self.history or self.history[-1] != current):
                self.history.append(current)
            self.go("busy", push=False)
        self.runner.run(fn, *args, done=ok, failed=bad, lane=lane, **kw)

    def _failed(self, f: Failure) -> None:
        self.identifying = False
        if isinstance(f.error, KioskOffline):
            self.finish("offline", home=False)
            self.go("unavailable", push=False)
            return
        self._message("⚠", "没有办成", text(f.message), "返回", "back")
        self.voice.say("error")

    def check_centre(self) -> None:
        gen = self.generation
        self.runner.run(self.service.check_centre, lane="local",
                        done=lambda ok: self._centre_state(ok, gen), failed=lambda f: None)

    def _centre_state(self, ok: bool, gen: int) -> None:
        if ok:
            if self.page == "unavailable":
                self.go("home", push=False)
            return
        if self.page in ("supervisor", "admin", "unavailable") or gen != self.generation:
            return
        log.info("kiosk: centre unreachable, showing the unavailable screen")
        self.finish("offline", home=False)
        self.go("unavailable", push=False)

    # ------------------------------------------------------------------ identify
    def on_scan(self, text_: str, _at: float = 0.0) -> None:
        if self.card is not None or self.identifying or self.page not in ("home", "scan", "card"):
            return
        self.identifying = True
        if self.page == "scan":
            self.pages["scan"].guide.found = True
            self.pages["scan"].status.setText("已识别二维码，正在查询……")
        self._call(self.service.identify, text_, done=self._identified)

    def _identified(self, card: PatientCard) -> None:
        self.identifying = False
        self.card = card
        self.pages["menu"].show_card(card)
        self.history.clear()
        self.go("menu", push=False)
        self._call(kiosk_care.desk_messages, self.service, card, busy=False,
                   done=lambda messages: (self.pages["menu"].show_reminders(messages), self.reminded.emit(len(messages))))

    def _start_camera(self, page) -> None:
        if page.name == "scan":
            page.clear()
        if self.devices.camera_source is None or self.camera is not None:
            return
        from hardware.camera.worker import CameraWorker

        source = self.devices.camera_source()
        if source is None:
            return
        self.camera = CameraWorker(source, device="camera", parent=self)
        self.camera.scanned.connect(self.route.submit_event)
        if page.preview is not None:
            self.camera.frame_ready.connect(page.preview.show_frame)
        if page.name == "scan":
            self.camera.error.connect(lambda _m: page.status.setText("摄像头故障，请改用读卡器或到窗口办理"))
        self.camera.start()

    def _stop_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera.deleteLater()
            self.camera = None

    def _poll_card(self) -> None:
        reader = self.devices.card_reader
        if reader is None:
            self.pages["card"].status.setText("读卡器未连接，请改用电子凭证或到窗口办理")
            return
        if self._reading or self.identifying:
            return
        self._reading = True
        gen = self.generation
        self.runner.run(_read_card, reader, lane="local", done=lambda r: self._card_read(r, gen),
                        failed=lambda f: setattr(self, "_reading", False))

    def _card_read(self, result: tuple[str, Any], gen: int) -> None:
        self._reading = False
        if gen != self.generation or self.page != "card":
            return
        kind, value = result
        if kind == "error":
            self.pages["card"].status.setText(f"读卡失败：{value.zh}，请重新放卡")
            return
        if value is None or self.identifying:
            return
        self.identifying = True
        self.card_timer.stop()
        self._call(self.service.identify_card, value, done=self._identified)

    # ------------------------------------------------------------------ tasks
    def on_tile(self, key: str) -> None:
        card = self.card
        if card is None:
            self.go("home", push=False)
            return
        p = self.pages
        if key == "finish":
            self.finish("finish")
        elif key == "registrations":
            p["registrations"].show_registrations(card)
            self.go("registrations")
        elif key == "quota":
            p["quota"].show_quota(card)
            self.go("quota")
        elif key == "refills":
            p["refills"].show_refills(card, self.today())
            self.go("refills")
        elif key == "history":
            until = self.today()
            since = until - dt.timedelta(days=365)
            self._call(self.service.history, card, since, until,
                       done=lambda rows: (p["history"].show_history(rows, since, until), self.go("history", push=False)))
        elif key == "statement":
            p["statement"].set_period(self.span)
            self.go("statement")
        elif key == "pay":
            self._call(lambda: (self.service.prescriptions(card), self.service.capabilities()), done=self._show_pay)
        elif key == "application":
            self._call(self._applications, card, done=self._show_applications)
        elif key == "care":
            self._call(kiosk_care.care_view, self.service, card,
                       done=lambda view: (p["care"].show_lifestyle(view), self.go("care", push=False)))

    def _show_pay(self, value) -> None:
        rows, caps = value
        note = "" if caps.pay_own_share else (
            f"本机暂不支持缴费。请持处方到定点药店取药时缴纳个人自付部分，或到 {self.config.window_no} 号窗口缴费。")
        self.pages["pay"].show_prescriptions(rows, note)
        self.go("pay", push=False)

    def _applications(self, card: PatientCard):
        try:
            rows = self.service.applications(card)
        except KioskOffline:
            raise
        except KioskError as exc:
            return [], text(exc.message), False
        caps = self.service.capabilities()
        open_lb = any(a.scheme == "LB" and a.status in ("draft", "expert_review", "clerk_review") for a in rows)
        registered = {r.disease for r in card.registrations if r.scheme == "LB" and r.active}
        can_apply = caps.application_submit and caps.application_evidence and not open_lb and registered != {"HTN", "DM"}
        return rows, "", can_apply

    def _show_applications(self, value) -> None:
        rows, note, can_apply = value
        page = self.pages["application"]
        if not rows and not note:
            note = "没有查到您的登记申请。"
        page.show_applications(rows, note)
        registered = {r.disease for r in self.card.registrations if r.active} if self.card else set()
        for code, b in page.apply_buttons.items():
            b.setVisible(code not in registered)
        page.offer(can_apply)
        self.go("application", push=False)

    def on_apply(self, disease: str) -> None:
        if self.card is None:
            return
        self.apply_disease = disease
        self.photo = None
        page = self.pages["photo"]
        page.clear()
        page.disease.setText({"HTN": "申请：两病 · 高血压", "DM": "申请：两病 · 糖尿病"}[disease])
        self.go("photo")

    def take_photo(self) -> None:
        page = self.pages["photo"]
        frame = getattr(page.preview, "_frame", None) if page.preview is not None else None
        if frame is None or frame.image.isNull():
            page.steps.setText("摄像头还没有画面，请稍候再拍")
            return
        self.photo = frame.image.copy()
        self._stop_camera()
        page.show_still(self.photo)

    def retake_photo(self) -> None:
        self.photo = None
        page = self.pages["photo"]
        page.show_live()
        self._start_camera(page)

    def submit_application(self) -> None:
        if self.card is None or self.photo is None:
            return
        jpeg = jpeg_bytes(self.photo)
        self.photo = None
        self._call(self.service.start_application, self.card, self.apply_disease, jpeg, done=self._applied)

    def _applied(self, view) -> None:
        self.pages["photo"].clear()
        self._message("✔", "申请已登记", f"申请号 {view.application_no}（{view.status_name}）。\n请带上诊断证明原件到 "
                      f"{self.config.window_no} 号窗口，补充诊断医师信息后提交审核。", "返回菜单", "menu")

    def on_period(self, key: str) -> None:
        if key == "custom":
            self.pages["period"].clear()
            self.go("period")
            return
        _, since, until = self.presets[int(key)]
        self.span = (since, until)
        self.pages["statement"].set_period(self.span)

    def _custom_period(self, span) -> None:
        self.span = span
        self.pages["statement"].set_period(span)
        self.go("statement", push=False)
        if self.history and self.history[-1] == "statement":
            self.history.pop()

    def on_print(self, kind: str) -> None:
        if self.card is None or self.span is None:
            return
        since, until = self.span
        self._call(self.service.statement, self.card, since, until, done=lambda st: self._print(st, kind))

    def _print(self, st, kind: str) -> None:
        self.voice.say("printing")
        if kind == "receipt":
            job = self.devices.print_queue.submit(statement_receipt(st), device="receipt")
            self.print_job = job.id
            self._message("…", "正在打印", f"共 {st.count} 笔结算，请稍候……", None)
            return
        path = write_a4_pdf(st, self.config.statement_folder())
        self.last_pdf = path
        if self.config.a4_printer:
            try:
                print_a4(st, self.config.a4_printer)
            except OSError as exc:
                log.info("A4 statement not printed: %s", exc)
                self._message("⚠", "打印机暂不可用", f"请到 {self.config.window_no} 号窗口打印结算清单", "返回", "menu")
                return
        self._printed(st.count)

    def _printed(self, count: int | None = None) -> None:
        self.voice.say("printed")
        body = "请取走您的结算清单。" + (f"（共 {count} 笔）" if count is not None else "")
        self._message("✔", "打印完成", body, "返回菜单", "menu")

    def _print_done(self, job) -> None:
        if job.id == self.print_job:
            self.print_job = None
            self._printed()

    def _print_failed(self, job) -> None:
        if job.id == self.print_job:
            self.print_job = None
            self._message("⚠", "打印失败", f"打印机缺纸或故障，请到 {self.config.window_no} 号窗口打印", "返回菜单", "menu")

    # ------------------------------------------------------------------ supervisor
    def _corner_tap(self) -> None:
        now = time.monotonic()
        self._corner_taps = [t for t in self._corner_taps if now - t < CORNER_WINDOW_S] + [now]
        if len(self._corner_taps) >= CORNER_TAPS:
            self._corner_taps.clear()
            self.finish("supervisor")
            self.pages["supervisor"].clear()
            self.go("supervisor", push=False)

    def _check_code(self, code: str) -> None:
        page = self.pages["supervisor"]
        gen = self.generation
        self.runner.run(self.gate.check, code, lane="local",
                        done=lambda refusal: self._code_checked(refusal, gen), failed=lambda f: None)
        page.error.setText("正在验证……")

    def _code_checked(self, refusal, gen: int) -> None:
        if gen != self.generation or self.page != "supervisor":
            return
        if refusal is not None:
            self.pages["supervisor"].error.setText(text(refusal))
            return
        self.pages["supervisor"].clear()
        self.go("admin", push=False)


__all__ = ["KioskDevices", "KioskWindow"]
