"""Start the kiosk shell, and keep it running.

`onewindow gui --shell kiosk [--server URL]` runs `run_watchdog`: the shell itself runs in a child process
(`python -m desktop.kiosk run …`) and is started again whenever it ends in any way other than the
supervisor's "退出自助机" (exit code 0) — a crash, an abort, a kill. Restarts back off (1 s, doubling to
60 s) when the shell keeps dying within a minute of starting, so a broken install does not spin a CPU.

`run_kiosk` is the child: settings (<app home>/kiosk.json and devices.json), the link to the centre
(core.services.kiosk over core.sync's transport), the devices (camera, card reader, receipt printer from
hardware/), the window full screen and locked down.
"""
from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

log = logging.getLogger("desktop.kiosk")

BACKOFF_START_S = 1.0
BACKOFF_MAX_S = 60.0
HEALTHY_AFTER_S = 60.0


def child_command(server_url: str | None = None, quit_after_ms: int | None = None, windowed: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "desktop.kiosk", "run"]
    if server_url:
        cmd += ["--server", server_url]
    if quit_after_ms is not None:
        cmd += ["--quit-after", str(quit_after_ms)]
    if windowed:
        cmd.append("--windowed")
    return cmd


def run_watchdog(command: Sequence[str], *, max_restarts: int | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> int:
    """Run `command` until it exits 0; restart it otherwise. Returns 0, or the last exit code when
    `max_restarts` (tests) is used up."""
    backoff = BACKOFF_START_S
    restarts = 0
    while True:
        started = clock()
        try:
            rc = subprocess.call(list(command))
        except KeyboardInterrupt:
            return 130
        if rc == 0:
            log.info("kiosk shell left by the supervisor")
            return 0
        if rc == 2:
            log.error("kiosk shell refused to start (exit code 2: bad settings): not restarting it")
            return 2
        ran = clock() - started
        log.error("kiosk shell ended with exit code %s after %.1f s: restarting it", rc, ran)
        if max_restarts is not None and restarts >= max_restarts:
            return rc
        restarts += 1
        backoff = BACKOFF_START_S if ran >= HEALTHY_AFTER_S else min(backoff * 2, BACKOFF_MAX_S) if restarts > 1 else backoff
        sleep(backoff)


def build(config, *, devices=None, fullscreen: bool = True):
    """Service, devices and window for `config` (the QApplication must exist)."""
    from core.services.kiosk import KioskLink, KioskService
    from desktop.kiosk.window import KioskDevices, KioskWindow

    link = KioskLink(config)
    service = KioskService(link, config)
    if devices is None:
        devices = devices_from_settings()
    window = KioskWindow(service, config, devices, fullscreen=fullscreen)
    return window, link


def devices_from_settings() -> "KioskDevices":
    from desktop.kiosk.window import KioskDevices
    from hardware.camera.sources import source_from_settings
    from hardware.cards import CardReaderError, card_reader_from_settings
    from hardware.printing.queue import PrintQueue
    from hardware.printing.transports import printer_from_settings
    from hardware.settings import DeviceSettingsError, load_device_settings
    from core.store.paths import app_home

    try:
        s = load_device_settings()
    except DeviceSettingsError as exc:
        log.error("device settings: %s: the kiosk runs without camera, card reader and receipt printer", exc.en)
        return KioskDevices()
    camera = (lambda: source_from_settings(s.camera)) if s.camera.kind != "none" else None
    try:
        reader = card_reader_from_settings(s.card_reader)
    except CardReaderError as exc:
        log.error("card reader: %s", exc.en)
        reader = None
    printer = printer_from_settings(s.printer, "receipt")
    # keep_done=0: a printed statement is personal data; it is not kept in the queue file once on paper.
    queue = PrintQueue({"receipt": printer} if printer else {}, app_home() / "kiosk-print-queue.json", keep_done=0)
    queue.start()
    return KioskDevices(camera_source=camera, card_reader=reader, print_queue=queue if printer else None)


def run_kiosk(server_url: str | None = None, *, quit_after_ms: int | None = None, fullscreen: bool = True) -> int:
    from core.services.kiosk import KioskConfig
    from desktop.qt import QTimer, application

    try:
        config = KioskConfig.load()
    except (ValueError, TypeError) as exc:
        print(f"onewindow kiosk: bad kiosk.json: {exc}", file=sys.stderr)
        return 2
    if server_url:
        config = replace(config, server_url=server_url)
    app = application()
    app.setApplicationName("OneWindow kiosk")
    app.setQuitOnLastWindowClosed(False)  # only the supervisor's exit ends the shell
    window, link = build(config, fullscreen=fullscreen)
    window.left.connect(app.exit)
    window.start()
    if quit_after_ms is not None:
        def quit_now() -> None:
            window.lockdown.unlock()
            window.stop()
            app.exit(0)

        QTimer.singleShot(quit_after_ms, quit_now)
    try:
        return app.exec()
    finally:
        window.stop()
        if window.devices.print_queue is not None:
            window.devices.print_queue.stop()
        link.close()


__all__ = ["build", "child_command", "devices_from_settings", "run_kiosk", "run_watchdog"]
