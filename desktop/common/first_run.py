"""首次设置 · First run: the wizard a desk shell (pharmacy, counter) opens when its store has no staff yet, and
the kiosk when it has no supervisor code yet (without one nobody could leave or set up the kiosk).

Pages: institution (code, name, terminal) → centre (URL, interface profile, the signing secret the centre
issued) → first administrator (user, name, PIN) → devices (the device panel: scanner test field, printer test
page), when the shell has a DeviceHub. Finishing writes the site settings through `save(changes)` (validated by the
registry: a bad value is named on the page and nothing is written), keeps the secret out of the settings file
(`store_secret(code, secret)` returns the reference: the OS keyring when available, else a file encrypted with
the data key) and adds the administrator through `add_admin(user, name, pin)`. The kiosk has no staff: its page
asks for the supervisor code (6–12 digits, twice), stored as a hash in kiosk.supervisor_code_hash.
"""
from __future__ import annotations

from typing import Any, Callable

from core.settings import SettingError, SiteSettings
from desktop.qt import QtWidgets


class FirstRunWizard(QtWidgets.QWizard):
    def __init__(self, settings: SiteSettings, shell: str, *, save: Callable[[dict[str, Any]], None],
                 store_secret: Callable[[str, str], str], add_admin: Callable[[str, str, str], None] | None, hub=None,
                 profiles: tuple[str, ...] = (), parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setWindowTitle("一窗通 · 首次设置 First run")
        self.shell, self._save, self._store_secret, self._add_admin = shell, save, store_secret, add_admin
        get = lambda key: str(settings.get(key, shell))  # noqa: E731
        self.code = QtWidgets.QLineEdit(get("institution.code"), objectName="institutionCode")
        self.name = QtWidgets.QLineEdit(get("institution.name"), objectName="institutionName")
        self.terminal = QtWidgets.QLineEdit(get("terminal.id"), objectName="terminalId")
        self.url = QtWidgets.QLineEdit(get("centre.url"), objectName="centreUrl")
        self.url.setPlaceholderText("http://centre:8700")
        self.profile = QtWidgets.QComboBox(objectName="interfaceProfile")
        self.profile.addItems(list(profiles) or [get("centre.interface_profile")])
        self.profile.setCurrentText(get("centre.interface_profile"))
        self.secret = QtWidgets.QLineEdit(objectName="signingSecret")
        self.secret.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.admin_user = QtWidgets.QLineEdit("admin", objectName="adminUser")
        self.admin_name = QtWidgets.QLineEdit("管理员", objectName="adminName")
        self.admin_pin = QtWidgets.QLineEdit(objectName="adminPin")
        self.admin_pin.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.message = QtWidgets.QLabel(objectName="firstRunMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.addPage(_page("机构 · Institution", "定点机构编号、名称和本机终端号（打印在票据号前）",
                           [("机构编号 Code", self.code), ("机构名称 Name", self.name), ("终端号 Terminal", self.terminal)]))
        self.addPage(_page("医保中心 · Centre", "中心地址、接口规范和中心发给本机构的签名密钥（密钥存入系统钥匙串或加密文件）",
                           [("中心地址 URL", self.url), ("接口规范 Profile", self.profile),
                            ("签名密钥 Secret", self.secret)]))
        self.code_again = QtWidgets.QLineEdit(objectName="supervisorCodeAgain")
        self.code_again.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        if shell == "kiosk":  # the supervisor code: 5 taps in the corner + the code leave the kiosk
            self.admin_pin.setObjectName("supervisorCode")
            self.addPage(_page("管理码 · Supervisor code", "工作人员退出自助机、打开设置时输入的数字管理码",
                               [("管理码（6–12 位数字）", self.admin_pin), ("再输一次 Again", self.code_again)],
                               self.message))
        else:
            self.addPage(_page("管理员 · First administrator", "第一个管理员账号（之后用它添加其他员工）",
                               [("用户名 User", self.admin_user), ("姓名 Name", self.admin_name),
                                ("PIN（6–8 位数字）", self.admin_pin)], self.message))
        if hub is not None:
            from desktop.devices.settings_panel import DeviceSettingsPanel

            devices = QtWidgets.QWizardPage()
            devices.setTitle("设备测试 · Devices")
            devices.setSubTitle("扫一个码、打印测试页（可跳过，之后在 F10 设置中修改）")
            box = QtWidgets.QVBoxLayout(devices)
            box.addWidget(DeviceSettingsPanel(hub))
            self.addPage(devices)

    def changes(self) -> dict[str, Any]:
        return {"institution.code": self.code.text().strip(), "institution.name": self.name.text().strip(),
                "terminal.id": self.terminal.text().strip(), "centre.url": self.url.text().strip(),
                "centre.interface_profile": self.profile.currentText()}

    def finish(self) -> bool:
        """Validate and write everything; False (with the reason on the page) leaves the settings as they were."""
        try:
            from core.settings import option

            changes = {key: option(key).validate(value) for key, value in self.changes().items()}
            pin = self.admin_pin.text()
            if self.shell == "kiosk":
                from core.services.kiosk import hash_code

                if not (pin.isdigit() and 6 <= len(pin) <= 12):
                    raise SettingError("管理码应为 6–12 位数字", "the supervisor code is 6 to 12 digits")
                if pin != self.code_again.text():
                    raise SettingError("两次输入的管理码不一致", "the two supervisor codes differ")
                changes["kiosk.supervisor_code_hash"] = hash_code(pin)
            elif not (pin.isdigit() and 6 <= len(pin) <= 8):
                raise SettingError("管理员 PIN 应为 6–8 位数字", "the administrator's PIN is 6 to 8 digits")
            if self.secret.text().strip():
                changes["signing.secret_ref"] = self._store_secret(changes["institution.code"], self.secret.text())
            self._save(changes)
            if self.shell != "kiosk" and self._add_admin is not None:
                self._add_admin(self.admin_user.text().strip(), self.admin_name.text().strip(), pin)
        except (SettingError, ValueError, OSError) as exc:
            zh, en = (exc.zh, exc.en) if isinstance(exc, SettingError) else ("无法完成设置", str(exc))
            self.message.setText(f"✗ {zh}\n{en}")
            return False
        return True

    def accept(self) -> None:  # the Finish button
        if self.finish():
            super().accept()


def _page(title: str, subtitle: str, rows, extra: QtWidgets.QWidget | None = None) -> QtWidgets.QWizardPage:
    page = QtWidgets.QWizardPage()
    page.setTitle(title)
    page.setSubTitle(subtitle)
    form = QtWidgets.QFormLayout(page)
    for label, widget in rows:
        form.addRow(label, widget)
    if extra is not None:
        form.addRow(extra)
    return page


__all__ = ["FirstRunWizard"]
