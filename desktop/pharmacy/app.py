"""Start the pharmacy shell: settings, the local store, ONE sync terminal on it (core.sync.terminal.Terminal:
stored msgid sequence, outbox and its background sender, start-up recovery) with the link to the centre over
it, staff, the scan route, the window, the event loop. Nothing slow happens before the window is up: start-up
recovery, the background sender, the catalogue and waiting follow-ups start in a worker after it shows
(desk.start) (cold start budget: < 2 s with a 100,000-drug catalogue), then the drug search's
index is built in another. Receipts: PDF always, plus the terminal's receipt printer (device settings) through a
persisted print queue of the desk's own (<app home>/desk-print-queue.json)."""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import replace

from core.services.pharmacy_config import DeskConfig, DeskConfigError

log = logging.getLogger("desktop.pharmacy")


def make_link(config: DeskConfig, engine=None, **kw):
    """The desk's link to the centre: a TerminalCentreLink over the desk's Terminal (on `engine`, the desk's store;
    without one the link opens the store of `config.store_url` itself). `kw` go to the Terminal (clock, sync)."""
    from core.services.sync_link import TerminalCentreLink

    return TerminalCentreLink.for_desk(config, engine, **kw)


def build(config: DeskConfig, *, attach_keyboard: bool = True):
    """Services and window for `config` (the QApplication must exist). Returns (window, engine)."""
    from core.services.auth import Auth
    from core.services.drug_lookup import DrugLookup
    from core.services.pharmacy_desk import PharmacyDesk
    from core.services.pharmacy_shift import ShiftService
    from core.store.db import open_store
    from core.store.paths import app_home, store_url
    from desktop.common import i18n, theme
    from desktop.common.receipt_printing import ReceiptPrinting
    from desktop.common.scan_route import ScanRoute
    from desktop.pharmacy.window import PharmacyWindow

    i18n.set_language(config.language)
    theme.set_base_size(config.font_size)
    engine = open_store(config.store_url or store_url())
    link = None
    if config.server_url:
        link = make_link(config, engine)  # the Terminal starts in desk.start(), off the UI thread
    desk = PharmacyDesk(engine, link, config)
    route = ScanRoute()
    if attach_keyboard:
        route.attach_keyboard()
    printing = ReceiptPrinting.from_settings(config.receipts_folder(), app_home() / "desk-print-queue.json",
                                             desk_printer=config.receipt_printer)
    window = PharmacyWindow(desk, Auth(engine), ShiftService(engine, link, config), config, route=route,
                            printing=printing, lookup=DrugLookup.for_desk(desk, freeze_gc=True))
    printing.setParent(window)
    route.setParent(window)
    return window, engine


def run_pharmacy(server_url: str | None = None, *, config: DeskConfig | None = None,
                 quit_after_ms: int | None = None, on_ready=None) -> int:
    from desktop.common import i18n, theme
    from desktop.qt import QTimer, application

    started = time.perf_counter()
    try:
        config = config or DeskConfig.load()
    except DeskConfigError as exc:
        print(f"onewindow gui: {exc}", file=sys.stderr)
        return 2
    if server_url:
        config = replace(config, server_url=server_url)
    app = application()
    app.setApplicationName("OneWindow")
    i18n.ensure_compiled()
    theme.set_base_size(config.font_size)
    app.setFont(theme.font(0))
    window, engine = build(config)
    if not window.auth.has_users():
        print("onewindow gui: no staff in this store yet: add one with "
              "`onewindow staff add USER --name NAME --role pharmacist --pin 1234` (or run `onewindow demo`)",
              file=sys.stderr)
        window.desk.close()
        engine.dispose()
        return 2
    window.start()
    log.info("pharmacy window up in %.2f s", time.perf_counter() - started)
    if on_ready is not None:
        on_ready(window)
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, app.quit)
    try:
        return app.exec()
    finally:
        window.stop()
        window.desk.close()  # the terminal: its sender thread, its lease
        engine.dispose()


__all__ = ["build", "make_link", "run_pharmacy"]
