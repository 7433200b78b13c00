"""Receiving by scan on the screen itself: each scan from the scanner's text to its line in the receiving list.

The stock window (desktop.pharmacy.stock) over a terminal on the bench's store (100,000 boxes on hand): each code
goes in through the receiving screen's scan signal (what the scan box emits on Enter), the check runs on the
window's local lane as at the desk, and the time is taken when the box's line is in the table (the UI thread
added it and the count under it). Part of `onewindow bench stock` (budget p99 < 50 ms).
"""
from __future__ import annotations

import os
import time
from pathlib import Path


def scan_to_line(store_url: str, codes: list[str], *, patience_s: float = 10.0) -> list[float]:
    """Milliseconds from each scan to its line on screen (the lines stay: the list grows to len(codes))."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from core.services.stock import StockService
    from core.store.crypto import DataCipher, generate_secret
    from core.sync.config import config_from_dict
    from core.sync.terminal import Terminal
    from desktop.pharmacy.stock.window import StockWindow
    from desktop.qt import QtCore, application

    app = application()
    config = config_from_dict({
        "terminal": {"institution_code": "P42070000001", "institution_name": "bench", "terminal_id": "T01",
                     "terminal_no": 1, "city": "420700", "secret": "bench"},
        "centre": {"url": "http://127.0.0.1:9", "connect_timeout_s": 1.0, "read_timeout_s": 1.0},
    })
    t = Terminal.open(config, store_url, cipher=DataCipher.from_secret(generate_secret()))
    win = StockWindow(StockService(t), operator="bench", export_dir=Path(os.devnull).parent)
    win.resize(1024, 768)
    win.show()
    table = win.receiving.list.table
    times: list[float] = []
    try:
        for code in codes:
            before = table.rowCount()
            t0 = time.perf_counter()
            win.receiving.scan.emit(code)
            deadline = t0 + patience_s
            while table.rowCount() == before:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"scan {code}: no line after {patience_s} s ({win.receiving.message.text()})")
                # sleep in the event loop until something comes (as the shell does), not spin: a spinning UI
                # thread would hold the GIL from the worker that checks the box
                app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        win.runner.wait()
        win.close()
        t.close()
        t.engine.dispose()
    return times


__all__ = ["scan_to_line"]
