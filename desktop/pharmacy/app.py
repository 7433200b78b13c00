"""Start the pharmacy shell: settings, the local store, the link to the centre, staff, the scan route, the
window, the event loop. Nothing slow happens before the window is up: the catalogue and waiting follow-ups
sync in a worker after it shows (cold start budget: < 2 s with a 100,000-drug catalogue)."""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import replace

from core.services.pharmacy_config import DeskConfig, DeskConfigError

log = logging.getLogger("desktop.pharmacy")


def make_link(config: DeskConfig):
    """The desk's link to the centre, over core.sync's transport (one transport in the process)."""
    from core.services.centre_sync import SyncCentreLink

    return SyncCentreLink.for_desk(config)


def build(config: DeskConfig, *, attach_keyboard: bool = True):
    """Services and window for `config` (the QApplication must exist). Returns (window, engine)."""
    from core.services.auth import Auth
    from core.services.pharmacy_desk import PharmacyDesk
    from core.services.pharmacy_shift import ShiftService
    from core.store.db import open_store
    from core.store.paths import store_url
    from desktop.common import i18n, theme
    from desktop.common.scan_route import ScanRoute
    from desktop.pharmacy.window import PharmacyWindow

    i18n.set_language(config.language)
    theme.set_base_size(config.font_size)
    engine = open_store(config.store_url or store_url())
    link = None
    if config.server_url:
        link = make_link(config)
    desk = PharmacyDesk(engine, link, config)
    route = ScanRoute()
    if attach_keyboard:
        route.attach_keyboard()
    window = PharmacyWindow(desk, Auth(engine), ShiftService(engine, link, config), config, route=route)
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
        window.status_timer.stop()
        window.runner.wait(10000)
        engine.dispose()


__all__ = ["build", "make_link", "run_pharmacy"]
