"""Start the counter shell: settings (<app home>/counter.json, the desk's settings format), the local store (staff,
the embedded settlement desk), the link to the centre over core.sync's transport, the scan route, the window.

    onewindow gui --shell counter [--server URL]
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

from core.services.pharmacy_config import DeskConfig, DeskConfigError
from core.store.paths import app_home

log = logging.getLogger("desktop.counter")

CONFIG_FILE = "counter.json"
DEFAULTS = DeskConfig(institution="H42070000032", institution_name="门诊慢特病管理服务中心", terminal="C01")


def load_config(path: Path | None = None) -> DeskConfig:
    path = path or app_home() / CONFIG_FILE
    if not path.exists():
        return DEFAULTS
    return DeskConfig.load(path)


def build(config: DeskConfig, *, attach_keyboard: bool = True, forms_dir: Path | None = None):
    """Services and window for `config` (the QApplication must exist). Returns (window, engine)."""
    from core.services.auth import Auth
    from core.services.drug_lookup import DrugLookup
    from core.services.pharmacy_desk import PharmacyDesk
    from core.services.pharmacy_shift import ShiftService
    from core.services.registration import CounterService
    from core.store.db import open_store
    from core.store.desk import ensure_desk_schema
    from core.store.paths import store_url
    from desktop.common import i18n, theme
    from desktop.common.receipt_printing import ReceiptPrinting
    from desktop.common.scan_route import ScanRoute
    from desktop.counter.screens.settle import SettlePage
    from desktop.counter.window import CounterWindow
    from desktop.pharmacy.app import make_link
    from desktop.pharmacy.window import PharmacyWindow

    i18n.set_language(config.language)
    theme.set_base_size(config.font_size)
    engine = open_store(config.store_url or store_url())
    ensure_desk_schema(engine)
    auth = Auth(engine)
    link = make_link(config, engine) if config.server_url else None  # one sync terminal, on the counter's store
    forms = forms_dir or app_home() / "forms"
    svc = CounterService(link, forms_dir=forms, institution_name=config.institution_name)
    settle = None
    if link is not None:
        desk = PharmacyDesk(engine, link, config)
        # settlement receipts: PDF always, plus this counter's receipt printer (device settings) through its own queue
        printing = ReceiptPrinting.from_settings(config.receipts_folder(), app_home() / "counter-print-queue.json",
                                                 desk_printer=config.receipt_printer)
        desk_window = PharmacyWindow(desk, auth, ShiftService(engine, link, config), config, route=ScanRoute(),
                                     printing=printing, lookup=DrugLookup.for_desk(desk, freeze_gc=True))
        printing.setParent(desk_window)
        settle = SettlePage(desk_window)
    route = ScanRoute()
    if attach_keyboard:
        route.attach_keyboard()
    window = CounterWindow(svc, auth, route=route, title_name=config.institution_name, settle_widget=settle)
    route.setParent(window)
    return window, engine


def run_counter(server_url: str | None = None, *, config: DeskConfig | None = None, quit_after_ms: int | None = None,
                on_ready=None) -> int:
    from desktop.common import i18n, theme
    from desktop.qt import QTimer, application

    started = time.perf_counter()
    try:
        config = config or load_config()
    except DeskConfigError as exc:
        print(f"onewindow gui: {exc}", file=sys.stderr)
        return 2
    if server_url:
        config = replace(config, server_url=server_url)
    if not config.server_url:
        print("onewindow gui: no centre configured: the counter opens, but registration, lists and reports need "
              f"--server URL (or server_url in {app_home() / CONFIG_FILE})", file=sys.stderr)
    app = application()
    app.setApplicationName("OneWindow")
    i18n.ensure_compiled()
    theme.set_base_size(config.font_size)
    app.setFont(theme.font(0))
    window, engine = build(config)
    if not window.auth.has_users():
        # First run: the window opens (a setup state) without a login; nobody can act until staff exist.
        print("onewindow gui: no staff in this store yet: add one with "
              "`onewindow staff add USER --name NAME --role clerk --pin 1234` (or run `onewindow demo`)", file=sys.stderr)
        window.auth = None
    window.start()
    log.info("counter window up in %.2f s", time.perf_counter() - started)
    if on_ready is not None:
        on_ready(window)
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, app.quit)
    try:
        return app.exec()
    finally:
        window.runner.wait(10000)
        if window.desk_page is not None:
            window.desk_page.close_desk()
        engine.dispose()


__all__ = ["CONFIG_FILE", "build", "load_config", "run_counter"]
