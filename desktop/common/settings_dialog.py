"""全部设置 · All settings: one dialog every shell opens (pharmacy: F10 → 设备与全部设置; counter: F10).

Tab "设置": the shell's effective settings from the one settings registry (core.settings) — value, where it came
from, what it means — the offline floor limits and cache ages among them. A value typed into the table is
validated by its declaration (an unknown value: the message in Chinese and English, the cell back as it was)
and written through `save(changes)` (the composition root's Process.save_settings): no file is edited by hand.
Tab "设备": the device panel (desktop/devices/settings_panel.py: scanner kind and gaps, a scan test field,
printer test page, camera), applied to the running DeviceHub at once.
"打开日志文件夹" opens the log folder (desktop.common.crash).
"""
from __future__ import annotations

import json
from typing import Any, Callable

from core.settings import SettingError, SiteSettings
from desktop.common import crash
from desktop.qt import Qt, QtWidgets

# settings read once at start (the terminal's sync configuration, the store): saved now, used after a restart
LIVE_PREFIXES = ("devices.", "ui.", "receipt.")


class SettingsDialog(QtWidgets.QDialog):
    def __init__(self, settings: SiteSettings, shell: str, save: Callable[[dict[str, Any]], None], *, hub=None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("全部设置 · All settings")
        self.settings, self.shell, self._save = settings, shell, save
        self.table = QtWidgets.QTableWidget(0, 4, objectName="settingsTable")
        self.table.setHorizontalHeaderLabels(["设置 Key", "值 Value", "来源 Source", "说明"])
        self.table.horizontalHeader().setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.message = QtWidgets.QLabel(objectName="settingsMessage")
        self.message.setWordWrap(True)
        tabs = QtWidgets.QTabWidget(objectName="settingsTabs")
        page = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(page)
        box.addWidget(QtWidgets.QLabel(f"{settings.path}  ·  双击“值”修改（改动立即校验并保存）"))
        box.addWidget(self.table, 1)
        tabs.addTab(page, "设置 Settings")
        self.devices = None
        if hub is not None:
            from desktop.devices.settings_panel import DeviceSettingsPanel

            self.devices = DeviceSettingsPanel(hub)
            # it scrolls rather than make the dialog taller than the screen (over the kiosk its big print cascades
            # into the dialog: 1339x1087 at 1366x768 before)
            scroll = QtWidgets.QScrollArea(objectName="devicesScroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
            scroll.setWidget(self.devices)
            tabs.addTab(scroll, "设备 Devices")
        logs = QtWidgets.QPushButton("打开日志文件夹 · Open log folder", objectName="openLogFolder")
        logs.clicked.connect(crash.open_log_folder)
        close = QtWidgets.QPushButton("关闭 · Close (Esc)")
        close.clicked.connect(self.accept)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(logs)
        row.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addLayout(row)
        self._filling = False
        self.fill()
        self.table.itemChanged.connect(self._edited)
        screen = self.screen().availableGeometry()
        self.resize(min(1200, screen.width() - 40), min(700, screen.height() - 60))

    def fill(self) -> None:
        self._filling = True
        rows = self.settings.all_effective(self.shell)
        self.table.setRowCount(len(rows))
        for i, eff in enumerate(rows):
            shown = "********" if eff.option.secret and eff.value else json.dumps(eff.value, ensure_ascii=False)
            cells = [eff.option.key, shown, eff.source, f"{eff.option.zh} · {eff.option.en}"]
            for j, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                editable = j == 1 and not eff.option.secret
                flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                item.setFlags(flags | Qt.ItemFlag.ItemIsEditable if editable else flags)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self._filling = False

    def row_of(self, key: str) -> int:
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).text() == key:
                return i
        raise KeyError(key)

    def _edited(self, item: QtWidgets.QTableWidgetItem) -> None:
        if self._filling or item.column() != 1:
            return
        key = self.table.item(item.row(), 0).text()
        text = item.text()
        try:
            value = json.loads(text) if text[:1] in '"[' else text  # the cell shows JSON; a bare word is fine too
            opt = self.settings.effective(key).option
            value = opt.validate(value) if not isinstance(value, str) or opt.kind == "text" else opt.parse(value)
            self._save({key: value})
            self.settings = SiteSettings.load(self.settings.path)
        except (SettingError, ValueError, OSError) as exc:
            zh, en = (exc.zh, exc.en) if isinstance(exc, SettingError) else ("无法保存", str(exc))
            self.say(f"✗ {zh}\n{en}", "#b3261e")
            self.fill()
            return
        later = "" if key.startswith(LIVE_PREFIXES) else "（下次启动生效 · takes effect at the next start）"
        self.say(f"✓ {key} 已保存 · saved {later}", "#1b7f3b")
        self.fill()

    def say(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour};")


__all__ = ["SettingsDialog"]
