"""The crash dialog: an exception nobody caught is logged (with the last log lines), then shown with the log
file's name and an "open log folder" button, in Chinese and English. `open_log_folder()` is the same action
for the settings screens."""
from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from desktop.qt import QtCore, QtGui, QtWidgets

log = logging.getLogger("onewindow.gui.crash")
_log_file: Path | None = None


def install(log_file: Path | None) -> None:
    global _log_file
    _log_file = log_file
    sys.excepthook = _excepthook


def open_log_folder() -> bool:
    from core.settings.paths import log_dir

    folder = _log_file.parent if _log_file else log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(folder)))


def crash_text(exc: BaseException) -> str:
    where = str(_log_file) if _log_file else "（未写日志文件 / no log file）"
    return (f"内部错误，已记录在日志文件：\n{where}\n请联系管理员并提供该文件。\n\n"
            f"Internal error, logged in:\n{where}\nPlease send this file to support.\n\n{type(exc).__name__}: {exc}")


def _excepthook(kind, exc, tb) -> None:
    log.critical("uncaught exception:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
    app = QtWidgets.QApplication.instance()
    if app is None or QtCore.QThread.currentThread() is not app.thread():
        return
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Critical, "一窗通 · 内部错误 Internal error",
                                crash_text(exc))
    box.setObjectName("crashDialog")
    open_button = box.addButton("打开日志文件夹 · Open log folder", QtWidgets.QMessageBox.ButtonRole.ActionRole)
    box.addButton(QtWidgets.QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is open_button:
        open_log_folder()


__all__ = ["crash_text", "install", "open_log_folder"]
