"""Start the GUI: one QApplication, the app-wide CJK font, one window, the event loop."""
from __future__ import annotations

from desktop.fonts import ui_font
from desktop.qt import QTimer, application
from desktop.scan_window import ScanWindow


def run_scan_window(shell: str, server_url: str | None = None, quit_after_ms: int | None = None) -> int:
    app = application()
    app.setApplicationName("OneWindow")
    app.setFont(ui_font(12))
    window = ScanWindow(shell, server_url)
    window.show()
    if quit_after_ms is not None:
        # Lets an installer or CI prove the window comes up, then leave without a user.
        QTimer.singleShot(quit_after_ms, app.quit)
    return app.exec()
