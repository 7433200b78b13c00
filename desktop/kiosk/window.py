"""KioskWindow: the self-service shell. Touch only, full screen, locked down, one task per screen.

    window = KioskWindow(service, config, devices)      # devices: camera source factory, card reader, print queue
    window.start()                                      # lockdown + idle watch + centre check; full screen if asked

Flow: home -> (scan | card) -> menu -> registrations / quota / refills / history / statement -> print ->
done; the footer's big 返回 goes one screen back, 重新开始 (and the menu's 完成) wipes the person and returns
home. With a person (or any screen but home) showing, `idle_ms` without a touch starts a countdown overlay;
at zero the person is wiped from every widget. A centre that cannot be reached shows the "go to window N"
screen and nothing that needs the centre is attempted until a probe succeeds again.

All service calls go through desktop.common.worker.Runner; a result that arrives after a wipe (an older
session generation) is dropped unseen. What is done for the person (identify, tasks, printing, the supervisor)
is in desktop.kiosk.flows; the screens are desktop.kiosk.screens.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.domain.clock import CST
from core.services.kiosk import KioskConfig, KioskOffline, KioskService, period_presets
from core.services.ports import PatientCard
from desktop.common.i18n import text
from desktop.common.scan_route import ScanRoute
from desktop.common.worker import Failure, Runner
from desktop.kiosk import screens
from desktop.kiosk.flows import IdentifyFlow, PrintFlow, SupervisorFlow, TaskFlow, jpeg_bytes
from desktop.kiosk.guard import IdleWatch, Lockdown, SupervisorGate
from desktop.kiosk.statement_print import purge_old
from desktop.kiosk.theme import KioskTheme
from desktop.kiosk.voice import Voice, make_voice
from desktop.kiosk.widgets import CountdownOverlay, button, label
from desktop.qt import QtGui, QtWidgets, Qt, QTimer, Signal

log = logging.getLogger("onewindow.gui.kiosk")

NO_IDLE_PAGES = ("home", "unavailable", "supervisor", "admin")


@dataclass
class KioskDevices:
    """camera_source() -> a hardware.camera FrameSource (or None); card_reader: hardware.cards.CardReader;
    print_queue: hardware.printing.queue.PrintQueue with a "receipt" device; hub: the hardware.factory.DeviceHub
    these came from (its `scanned` carries the keyboard-wedge and serial scan heads; onewindow.root wires it)."""

    camera_source: Callable[[], Any] | None = None
    card_reader: Any = None
    print_queue: Any = None
    hub: Any = None


class KioskWindow(IdentifyFlow, TaskFlow, PrintFlow, SupervisorFlow, QtWidgets.QWidget):
    """Signals:
        left(int)   the supervisor left the kiosk (exit code 0: the watchdog does not restart the shell)
    """

    left = Signal(int)
    reminded = Signal(int)  # reminders shown on the menu after identification (count; for tests)

    def __init__(self, service: KioskService, config: KioskConfig, devices: KioskDevices | None = None, *,
                 voice: Voice | None = None, route: ScanRoute | None = None, idle_ms: int | None = None,
                 countdown_s: int | None = None, tick_ms: int = 1000, status_interval_ms: int = 15000,
                 fullscreen: bool = False, today: Callable[[], dt.date] | None = None,
                 now: Callable[[], dt.datetime] | None = None) -> None:
        super().__init__()
        self.setObjectName("kioskRoot")
        self.setWindowTitle("一窗通 自助服务")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.service, self.config = service, config
        self.devices = devices or KioskDevices()
        self.voice = voice or make_voice(config.voice, config.voice_dir)
        self.now = now or (lambda: dt.datetime.now(CST))  # the header clock (tests pin it: screenshots compare)
        self.today = today or (lambda: self.now().date())
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
        # "语音 开" only when something really speaks; a silent kiosk says so and cannot be switched on
        self.voice_button.setText("语音 开" if self.voice.enabled else "语音 关")
        self.voice_button.setEnabled(self.voice.can_speak)
        self.bigger.setText(f"大字 {'A+' if self.theme.scale < 1.5 else 'A'}")

    def toggle_scale(self) -> None:
        self.theme.next_scale()
        self.apply_theme()

    def toggle_voice(self) -> None:
        self.voice.set_enabled(not self.voice.enabled)
        self.apply_theme()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        portrait = self.height() >= self.width()
        for page in self.pages.values():
            page.orient(portrait)
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.rect())

    def _tick_clock(self) -> None:
        self.clock.setText(self.now().strftime("%H:%M"))

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
        # what this kiosk's voice is (not a fresh probe: the supervisor sees the voice the kiosk really uses)
        backend, note = self.voice.backend, self.voice.note
        zh = {"qt": "Qt 语音合成", "prerecorded": "预录提示音（espeak-ng 录制）",
              "off": "无声（没有语音模块，也没有预录提示音或播放程序）"}.get(backend, backend)
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


__all__ = ["KioskDevices", "KioskWindow", "jpeg_bytes"]
