"""The composition root: the one place that builds a OneWindow process, in this order —

    settings (core.settings: the site file, upgraded)  ->  logging (onewindow.logs: rotating file, categories)
    ->  store (core.store.db.open_store)  ->  terminal + gateway link (core.services.sync_link)
    ->  devices (hardware.factory.DeviceHub: scanner by kind and gaps, serial port, camera, card reader)
    ->  services (core.services)  ->  the shell that was asked for (pharmacy, counter, kiosk, scan window).

Shells (desktop/) receive what they need and never open the store or build devices themselves; `onewindow
gui`, `onewindow demo` and the benchmarks start shells through here. Nothing slow happens before a window is
up: the desk's start-up recovery, sender and catalogue start in a worker after it shows (desk.start).

    process = start_process("counter", server_url=None)
    window, parts = build_counter(process.desk_config())
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from core.settings import SettingError, SiteSettings
from core.settings.paths import app_home

log = logging.getLogger("onewindow.root")

SHELLS = ("pharmacy", "counter", "kiosk", "scan")


@dataclass
class Process:
    """What every shell of this process shares: the settings as this shell sees them and the log file."""

    shell: str
    settings: SiteSettings
    log_file: Path | None
    server_url: str | None = None  # --server: for this run only, never written to the settings
    # after each save: the shell journals it as a staff action (core.store.staff_journal), with who changed what
    on_saved: Callable[[dict[str, Any]], None] | None = None

    def desk_config(self):
        from dataclasses import replace

        from core.services.pharmacy_config import DeskConfig

        config = DeskConfig.from_settings(self.settings, self.shell)
        return replace(config, server_url=self.server_url) if self.server_url else config

    def kiosk_config(self):
        from dataclasses import replace

        from core.services.kiosk import KioskConfig

        config = KioskConfig.from_settings(self.settings)
        return replace(config, server_url=self.server_url) if self.server_url else config

    def save_settings(self, changes: dict[str, Any]) -> None:
        """A settings screen's changes: validated all together, then written (the shell's own layer for what
        the shell alone reads, like its font size)."""
        fresh = SiteSettings.load(self.settings.path)
        own = {k: v for k, v in changes.items() if k in fresh.shells.get(self.shell, {})}
        fresh.set_many({k: v for k, v in changes.items() if k not in own})
        fresh.set_many(own, self.shell)  # a value this shell already overrides stays this shell's
        fresh.save()
        self.settings = fresh
        if self.on_saved is not None:
            self.on_saved(changes)


def start_process(shell: str, *, server_url: str | None = None, logs: bool = True,
                  settings: SiteSettings | None = None) -> Process:
    """Settings, then logging. SettingError (zh + en, the file and key named) when the settings are bad."""
    from onewindow import logs as logsetup

    settings = settings or SiteSettings.load()
    log_file = logsetup.setup(shell) if logs else None
    if settings.upgraded_from is not None:
        log.info("settings upgraded from version %s into %s", settings.upgraded_from, settings.path)
    return Process(shell, settings, log_file, server_url)


# ------------------------------------------------------------------------------------------------ devices
def device_hub(settings: SiteSettings | None, shell: str, *, queue_file: Path | None = None):
    """The terminal's DeviceHub from the site settings (the QApplication must exist); not started. Device
    settings that cannot be used (e.g. a network printer without an address) give the defaults, said in the log:
    the shell still opens and the settings screen shows what to fix."""
    from hardware.factory import DeviceHub
    from hardware.printing.queue import PrintQueue
    from hardware.settings import DeviceSettings, DeviceSettingsError, device_settings_from

    try:
        devices = device_settings_from(settings, shell) if settings is not None else DeviceSettings()
    except DeviceSettingsError as exc:
        log.error("device settings not usable, default devices instead: %s", exc.en)
        devices = DeviceSettings()
    queue = PrintQueue({}, queue_file or app_home() / f"{shell}-device-queue.json", keep_done=0)
    return DeviceHub(devices, print_queue=queue)


@dataclass
class DeskParts:
    """What a desk shell runs on; `close()` stops it in the right order (devices, terminal, store)."""

    engine: Any
    link: Any = None
    hub: Any = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        if self.hub is not None:
            self.hub.stop()
        for close in self.closers:
            close()
        self.engine.dispose()


def _desk_services(config, engine, link, queue_name: str):
    from core.services.auth import Auth
    from core.services.drug_lookup import DrugLookup
    from core.services.pharmacy_desk import PharmacyDesk
    from core.services.pharmacy_shift import ShiftService
    from desktop.common.receipt_printing import ReceiptPrinting

    desk = PharmacyDesk(engine, link, config)
    # receipts: PDF always, plus the terminal's receipt printer through a persisted print queue of the shell's own
    printing = ReceiptPrinting.from_settings(config.receipts_folder(), app_home() / queue_name,
                                             desk_printer=config.receipt_printer)
    return desk, Auth(engine), ShiftService(engine, link, config), printing, DrugLookup.for_desk(desk, freeze_gc=True)


def journal_settings(process: Process, auth, operator: Callable[[], Any]) -> None:
    """Every settings change of this shell is a staff action in the store's journal: who, which keys and their
    new values (a secret option's value is written as ***)."""
    from core.settings.options import BY_KEY

    def saved(changes: dict[str, Any]) -> None:
        op = operator()
        shown = {k: "***" if k in BY_KEY and BY_KEY[k].secret else changes[k] for k in sorted(changes)}
        auth.log("settings_change", op.user_id if op is not None else None,
                 detail={"shell": process.shell, "changes": shown})

    process.on_saved = saved


def open_settings(window, process: Process, hub=None):
    """F10's 全部设置 dialog over `window` (every setting of this shell, the device panel on the running hub)."""
    from desktop.common.settings_dialog import SettingsDialog
    from desktop.qt import Qt

    dialog = SettingsDialog(process.settings, process.shell, process.save_settings, hub=hub, parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def first_run(process: Process, store_url_: str = "") -> bool:
    """A desk's store without staff: the first-run wizard (institution, centre, secret, first admin, devices).
    True when there is staff now; False when the wizard was cancelled. The QApplication must exist."""
    from core.services.auth import Auth
    from core.settings.paths import config_dir
    from core.settings.secrets import store_secret
    from core.store.db import open_store
    from core.store.paths import store_url
    from desktop.common.first_run import FirstRunWizard

    from core.store.desk import ensure_desk_schema

    engine = open_store(store_url_ or store_url())
    try:
        ensure_desk_schema(engine)
        auth = Auth(engine)
        if auth.has_users():
            return True
        wizard = FirstRunWizard(process.settings, process.shell, save=process.save_settings,
                                store_secret=lambda code, secret: store_secret(code, secret, config_dir()),
                                add_admin=lambda user, name, pin: auth.add_user(user, name, "admin", pin=pin),
                                profiles=_profiles())
        wizard.resize(900, 600)
        wizard.exec()
        return auth.has_users()
    finally:
        engine.dispose()


def kiosk_first_run(process: Process, *, hub=None) -> bool:
    """A kiosk without a supervisor code: the first-run wizard (institution, centre, secret, supervisor code,
    devices). True when the kiosk has a code now; False when the wizard was cancelled. The QApplication must exist."""
    from core.settings.paths import config_dir
    from core.settings.secrets import store_secret
    from desktop.common.first_run import FirstRunWizard

    if process.settings.get("kiosk.supervisor_code_hash", "kiosk"):
        return True
    wizard = FirstRunWizard(process.settings, "kiosk", save=process.save_settings,
                            store_secret=lambda code, secret: store_secret(code, secret, config_dir()),
                            add_admin=None, hub=hub, profiles=_profiles())
    wizard.resize(900, 600)
    wizard.exec()
    return bool(process.settings.get("kiosk.supervisor_code_hash", "kiosk"))


def _profiles() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "resources" / "interface").glob("*.json")))


def _settings_access(window, process: Process | None, parts: DeskParts) -> None:
    """Pharmacy: the settings screen's (F10, supervisor) 设备与全部设置 button; counter: F11 for a supervisor (F10 is
    its 家庭共济 page; on 结算 the desk's own F10 settings screen applies)."""
    if process is None:
        return
    if process.shell == "pharmacy":
        window.settings.more.connect(lambda: open_settings(window, process, parts.hub))
        return
    from desktop.qt import QtWidgets

    def counter_settings() -> None:
        op = getattr(window, "operator", None)
        if op is None or op.role not in ("supervisor", "admin"):
            QtWidgets.QMessageBox.information(window, "设置 · Settings",
                                              "设置需要主管或管理员登录。\nSettings need a supervisor or admin login.")
            return
        open_settings(window, process, parts.hub)

    window.add_key("F11", counter_settings, "设置")


def _attach(route, hub, parts: DeskParts) -> None:
    if hub is not None:
        route.connect_source(hub.scanned)
        hub.start()  # the wedge filter on the QApplication, the serial port, the camera thread
        parts.hub = hub


def build_pharmacy(config, *, process: Process | None = None, devices: bool = True):
    """The pharmacy shell for `config` (the QApplication must exist). Returns (window, DeskParts)."""
    from core.services.sync_link import TerminalCentreLink
    from core.store.db import open_store
    from core.store.paths import store_url
    from desktop.common import i18n, theme
    from desktop.common.scan_route import ScanRoute
    from desktop.pharmacy.window import PharmacyWindow

    i18n.set_language(config.language)
    theme.set_base_size(config.font_size)
    engine = open_store(config.store_url or store_url())
    # ONE sync terminal on the desk's store; it starts in desk.start(), off the UI thread
    link = TerminalCentreLink.for_desk(config, engine) if config.server_url else None
    desk, auth, shifts, printing, lookup = _desk_services(config, engine, link, "desk-print-queue.json")
    if process is not None:
        desk.apply_rx_settings(process.settings)  # prescription cache bounds, the trail's staffing and check
    route = ScanRoute()
    window = PharmacyWindow(desk, auth, shifts, config, route=route, printing=printing, lookup=lookup)
    printing.setParent(window)
    route.setParent(window)
    parts = DeskParts(engine, link, closers=[desk.close])
    if process is not None:
        window.save_settings = process.save_settings
        journal_settings(process, auth, lambda: window.state.operator)
    _attach(route, device_hub(process.settings if process else None, "pharmacy") if devices else None, parts)
    # F9 on the paper prescription entry photographs the slip with the camera that scans boxes (the hub's, if any)
    window.camera_frames = lambda: parts.hub.camera if parts.hub is not None else None
    _settings_access(window, process, parts)
    _stock_access(window, link, auth, process)
    _customer_display(window, process)
    return window, parts


def _customer_display(window, process: Process | None) -> None:
    """The customer-facing display when the site configured one (display.customer): it listens to the desk's
    event bus; the desk publishes whether or not it is there."""
    mode = str(process.settings.get("display.customer", "pharmacy")) if process is not None else "off"
    if mode == "off":
        return
    from desktop.pharmacy.customer_display import CustomerDisplay, place

    display = CustomerDisplay(window.display_bus, shop=window.config.institution_name, parent=window)
    window.customer_display = display
    place(display, mode, int(process.settings.get("display.customer_screen", "pharmacy")))


def _stock_access(window, link, auth, process: Process | None) -> None:
    """Ctrl+K opens the stock window (进销存, desktop/pharmacy/stock) on the desk's one terminal, for the operator
    logged in at the desk; supervisors confirm counts and changes with their user and secret (Auth.approve)."""
    if link is None:
        return
    from core.services.stock import StockService, StockSettings
    from desktop.pharmacy.stock.window import StockWindow
    from desktop.qt import QtWidgets

    settings = StockSettings.from_site(process.settings) if process is not None else StockSettings()
    service = StockService(link.t, settings)
    opened: list = []

    def open_stock() -> None:
        op = window.state.operator
        if op is None:
            QtWidgets.QMessageBox.information(window, "进销存 · Stock", "请先登录。\nPlease log in first.")
            return

        def approve(user: str, secret: str) -> str:
            return auth.approve(user, secret, permission="stock.confirm", operator=op, ref="stock").user_id

        if opened:
            opened[0].close()
        w = StockWindow(service, operator=op.user_id, operator_name=op.name, approve=approve)
        w.setWindowTitle("进销存 · Stock")
        opened[:] = [w]
        w.resize(1000, 720)
        w.show()

    window.add_key("Ctrl+K", open_stock, "进销存")  # listed by F1 with the desk's own keys


def build_counter(config, *, process: Process | None = None, devices: bool = True, forms_dir: Path | None = None):
    """The counter shell (the QApplication must exist). Returns (window, DeskParts)."""
    from core.services.registration import CounterService
    from core.services.sync_link import TerminalCentreLink
    from core.store.db import open_store
    from core.store.desk import ensure_desk_schema
    from core.store.paths import store_url
    from desktop.common import i18n, theme
    from desktop.common.scan_route import ScanRoute
    from desktop.counter.screens.settle import SettlePage
    from desktop.counter.window import CounterWindow
    from desktop.pharmacy.window import PharmacyWindow

    i18n.set_language(config.language)
    theme.set_base_size(config.font_size)
    engine = open_store(config.store_url or store_url())
    ensure_desk_schema(engine)
    link = TerminalCentreLink.for_desk(config, engine) if config.server_url else None
    svc = CounterService(link, forms_dir=forms_dir or app_home() / "forms", institution_name=config.institution_name)
    parts = DeskParts(engine, link)
    settle = None
    from core.services.auth import Auth

    auth = Auth(engine)
    if link is not None:
        desk, auth, shifts, printing, lookup = _desk_services(config, engine, link, "counter-print-queue.json")
        desk_window = PharmacyWindow(desk, auth, shifts, config, route=ScanRoute(), printing=printing, lookup=lookup)
        printing.setParent(desk_window)
        settle = SettlePage(desk_window)
    route = ScanRoute()
    window = CounterWindow(svc, auth, route=route, title_name=config.institution_name, settle_widget=settle)
    route.setParent(window)
    if process is not None:
        journal_settings(process, auth, lambda: window.operator)
    _attach(route, device_hub(process.settings if process else None, "counter") if devices else None, parts)
    if settle is not None:  # the settle page's paper prescriptions are photographed with the counter's camera
        desk_window.camera_frames = lambda: parts.hub.camera if parts.hub is not None else None
    _settings_access(window, process, parts)
    return window, parts


def kiosk_devices(settings: SiteSettings | None, *, hub=None):
    """A kiosk's devices from the site settings, through its DeviceHub like every shell's: the keyboard-wedge QR
    scan head (the usual built-in kiosk scanner: fast keys + Return) or a serial one, the card reader and the
    receipt printer. The camera stays the kiosk's own (opened only while the scan or photo screen shows), so the
    hub is built without it. Returns a started hub inside KioskDevices (`devices.hub.stop()` at the end). A bad
    device setting: the default devices, said in the log (the settings screen shows what to fix)."""
    from dataclasses import replace

    from desktop.kiosk.window import KioskDevices
    from hardware.camera.sources import source_from_settings

    if hub is None:
        # keep_done=0: a printed statement is personal data; it is not kept in the queue file once on paper.
        hub = device_hub(settings or SiteSettings.load(), "kiosk", queue_file=app_home() / "kiosk-print-queue.json")
    camera_settings = hub.settings.camera
    hub.apply(replace(hub.settings, camera=replace(camera_settings, kind="none")))
    hub.start()
    camera = (lambda: source_from_settings(camera_settings)) if camera_settings.kind != "none" else None
    has_printer = hub.print_queue.printer("receipt") is not None
    return KioskDevices(camera_source=camera, card_reader=hub.card_reader,
                        print_queue=hub.print_queue if has_printer else None, hub=hub)


def build_kiosk(config, *, devices=None, process: Process | None = None, fullscreen: bool = True):
    """Service, devices and window of the kiosk (the QApplication must exist). Returns (window, link)."""
    from core.services.kiosk import KioskLink, KioskService
    from desktop.kiosk.window import KioskWindow

    link = KioskLink(config)
    service = KioskService(link, config)
    if devices is None:
        devices = kiosk_devices(process.settings if process else None)
    window = KioskWindow(service, config, devices, fullscreen=fullscreen)
    if devices.hub is not None:  # scans of the wedge / serial scan head go where the camera's go
        window.route.connect_source(devices.hub.scanned)
    if process is not None:  # after the supervisor code: the kiosk's settings, the device panel on its hub
        window.pages["admin"].settings.connect(lambda: open_settings(window, process, devices.hub))
    return window, link


# ------------------------------------------------------------------------------------------------ running
def _application(process: Process):
    from desktop.common import crash
    from desktop.qt import application

    app = application()
    app.setApplicationName("OneWindow")
    crash.install(process.log_file)
    return app


def run_shell(shell: str, server_url: str | None = None, *, quit_after_ms: int | None = None,
              screenshot: Path | None = None, on_ready=None, fullscreen: bool = True, config=None,
              parent_pid: int = 0) -> int:
    """`onewindow gui --shell NAME`: build the process and the shell, run the event loop, close everything.
    `config` (the demo's) replaces the shell's view of the site settings."""
    started = time.perf_counter()
    try:
        process = start_process(shell, server_url=server_url)
        watch = None
        if shell == "kiosk" and parent_pid and screenshot is None:
            # from the first moment (the wizard included): a shell whose watchdog is gone closes
            watch = _parent_watch(_application(process), parent_pid)
        if config is None and shell == "kiosk" and screenshot is None and quit_after_ms is None:
            _application(process)
            if not kiosk_first_run(process):
                print("onewindow gui: 首次设置未完成（自助机需要管理码） / first-run set-up not finished (the kiosk needs "
                      "a supervisor code)", file=sys.stderr)
                return 2  # the watchdog does not restart a shell that refused to start
        if config is None and shell in ("pharmacy", "counter") and screenshot is None and quit_after_ms is None:
            _application(process)
            if not first_run(process, process.desk_config().store_url):
                print("onewindow gui: 首次设置未完成 / first-run set-up not finished", file=sys.stderr)
                return 2
        if config is None and shell in ("pharmacy", "counter"):
            config = process.desk_config()
        elif config is None and shell == "kiosk":
            config = process.kiosk_config()
    except (SettingError, ValueError) as exc:
        print(f"onewindow gui: {exc}", file=sys.stderr)
        return 2
    if shell == "pharmacy":
        return _run_desk(process, config, build_pharmacy, quit_after_ms, screenshot, on_ready, started)
    if shell == "counter":
        return _run_desk(process, config, build_counter, quit_after_ms, screenshot, on_ready, started)
    if shell == "kiosk":
        return _run_kiosk(process, config, quit_after_ms, screenshot, fullscreen, watch)
    return _run_scan(process, quit_after_ms, screenshot)


def _finish(app, window, quit_after_ms: int | None, screenshot: Path | None) -> int:
    from desktop.qt import QTimer

    if screenshot is not None:
        _shoot(window, screenshot)
        return 0
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, app.quit)
    return app.exec()


def _shoot(window, screenshot: Path) -> None:
    """The PNG, and beside it (PNG name + .fit.json) what does not fit on this screen (tests and support)."""
    import json

    from desktop.common.fit import problems, save_screenshot

    save_screenshot(window, screenshot)
    screen = window.screen().availableGeometry()
    report = {"screen": [screen.width(), screen.height()], "window": [window.width(), window.height()],
              "maximized": window.isMaximized() or window.isFullScreen(), "problems": problems(window)}
    screenshot.with_name(screenshot.name + ".fit.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    for problem in report["problems"]:
        log.warning("does not fit the %sx%s screen: %s", *report["screen"], problem)


def _run_desk(process: Process, config, build, quit_after_ms, screenshot, on_ready, started) -> int:
    from desktop.common import i18n, theme
    from desktop.common.fit import show_fitted

    app = _application(process)
    i18n.ensure_compiled()
    theme.set_base_size(config.font_size)
    app.setFont(theme.font(0))
    if not config.server_url and process.shell == "counter":
        print("onewindow gui: 未配置医保中心：登记、名单和报表需要 --server URL 或 `onewindow config set centre.url URL` / "
              "no centre configured: registration, lists and reports need --server URL", file=sys.stderr)
    window, parts = build(config, process=process, devices=screenshot is None)
    role = "pharmacist" if process.shell == "pharmacy" else "clerk"
    if not window.auth.has_users():
        print("onewindow gui: 本机还没有工作人员：请先运行 "
              f"`onewindow staff add USER --name NAME --role {role} --pin 1234`（或 `onewindow demo`） / "
              "no staff in this store yet: add one with `onewindow staff add` (or run `onewindow demo`)",
              file=sys.stderr)
        if process.shell == "pharmacy" and screenshot is None:
            parts.close()
            return 2
        window.auth = None if process.shell == "counter" else window.auth
    try:
        if screenshot is None:
            window.start()
        else:  # the first screen as a clerk meets it: the window with the login over it, nothing started
            show_fitted(window)
            if window.auth is not None:
                window.ask_login()
        show_fitted(window)
        log.info("%s window up in %.2f s", process.shell, time.perf_counter() - started)
        if on_ready is not None:
            on_ready(window)
        return _finish(app, window, quit_after_ms, screenshot)
    finally:
        if process.shell == "pharmacy":
            window.stop()
        elif screenshot is None:
            window.runner.wait(10000)
            if window.desk_page is not None:
                window.desk_page.close_desk()
        parts.close()


def _parent_watch(app, parent_pid: int):
    """Watch the kiosk's watchdog process: when it is gone every event loop ends (the wizard's too)."""
    from desktop.kiosk.app import parent_alive
    from desktop.kiosk.guard import ParentWatch

    watch = ParentWatch(lambda: parent_alive(parent_pid), parent=app)
    watch.orphaned.connect(lambda: app.exit(0))
    watch.start()
    return watch


def _run_kiosk(process: Process, config, quit_after_ms, screenshot, fullscreen, watch=None) -> int:
    app = _application(process)
    app.setApplicationName("OneWindow kiosk")
    app.setQuitOnLastWindowClosed(False)  # only the supervisor's exit ends the shell
    window, link = build_kiosk(config, process=process, fullscreen=fullscreen and screenshot is None,
                               devices=None if screenshot is None else __import__(
                                   "desktop.kiosk.window", fromlist=["KioskDevices"]).KioskDevices())
    window.left.connect(app.exit)
    try:
        if screenshot is not None:
            from desktop.common.fit import show_fitted

            show_fitted(window)
            _shoot(window, screenshot)
            return 0
        window.start()

        def quit_now() -> None:
            window.lockdown.unlock()
            window.stop()
            window.close()
            app.exit(0)

        if watch is not None:  # the watchdog that started this shell: the window goes when it goes
            watch.orphaned.connect(quit_now)
        if quit_after_ms is not None:
            from desktop.qt import QTimer

            QTimer.singleShot(quit_after_ms, quit_now)
        return app.exec()
    finally:
        window.stop()
        if window.devices.hub is not None:
            window.devices.hub.stop()  # the wedge filter, the serial port, the card reader, the print queue
        elif window.devices.print_queue is not None:
            window.devices.print_queue.stop()
        link.close()


def build_scan(process: Process):
    """The scan window (the QApplication must exist): its panel reads what the keyboard-wedge scanner types; F10
    opens the settings of the scan shell (the table: the device panel belongs to the shells that run a hub)."""
    from desktop.qt import QtGui
    from desktop.scan_window import ScanWindow

    window = ScanWindow("scan", process.server_url)
    QtGui.QShortcut(QtGui.QKeySequence("F10"), window, lambda: open_settings(window, process))
    window.statusBar().showMessage(window.statusBar().currentMessage() + "  ·  F10 设置 Settings")
    return window


def _run_scan(process: Process, quit_after_ms, screenshot) -> int:
    from desktop.common.fit import show_fitted
    from desktop.fonts import ui_font

    app = _application(process)
    app.setFont(ui_font(process.settings.get("ui.font_size", "scan")))
    window = build_scan(process)
    show_fitted(window)
    return _finish(app, window, quit_after_ms, screenshot)


__all__ = ["DeskParts", "Process", "SHELLS", "build_counter", "build_kiosk", "build_pharmacy", "build_scan", "device_hub",
           "kiosk_devices", "open_settings", "run_shell", "start_process"]
