"""Every window and dialog of every shell on one screen of a given size, in a process of its own (Qt's offscreen
platform with that screen): `python -m tests.ui.fit_every_window 1366x768 REPORT.json`.

The shells are built by the composition root from a site file (a centre URL that answers nothing: the desks get
their terminal, the stock window and the counter's 结算 page, nothing is sent), shown as `onewindow gui` shows
them, then every page is visited and every dialog opened the way the shell opens it. For each: its size, the
least size its layout needs, whether it lies on the screen, and desktop.common.fit.problems (off the screen,
outside its window, text cut). tests/ui/test_shells_fit.py reads the report."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def main(size: str, out: Path) -> int:
    from onewindow.commands.gui import offscreen_screen

    offscreen_screen(size)
    home = Path(tempfile.mkdtemp(prefix="onewindow-fit-"))
    os.environ["ONEWINDOW_HOME"] = str(home)
    from core.services.auth import Operator
    from core.settings import SiteSettings
    from desktop.common.fit import problems, settle, show_fitted
    from desktop.qt import QtGui, QtWidgets, application
    from onewindow import root

    app = application()
    SiteSettings.load().set_many({
        "centre.url": "http://127.0.0.1:9", "signing.secret": "fit", "store.url": f"sqlite:///{home / 'store.db'}",
        "devices.camera.kind": "none", "devices.card_reader.kind": "simulator", "display.customer": "window",
        "kiosk.voice": "off"}).save()
    report: dict[str, dict] = {}
    avail = app.primaryScreen().availableGeometry()

    def measure(name: str, w: QtWidgets.QWidget) -> None:
        settle()
        need = w.minimumSizeHint().expandedTo(w.minimumSize())
        report[name] = {"size": [w.width(), w.height()], "needs": [need.width(), need.height()],
                        "on_screen": avail.contains(w.frameGeometry()), "problems": problems(w)}

    def dialogs_of(w: QtWidgets.QWidget) -> list[QtWidgets.QDialog]:
        return [d for d in w.findChildren(QtWidgets.QDialog) if d.isVisible()]

    def close_dialogs(w: QtWidgets.QWidget) -> None:
        for d in dialogs_of(w):
            d.close()
        settle()

    boss = Operator("S01", "张主管", "supervisor")
    # ---------------------------------------------------------------------------------------------- pharmacy
    process = root.start_process("pharmacy", logs=False)
    window, parts = root.build_pharmacy(process.desk_config(), process=process)
    show_fitted(window)
    window.ask_login()
    for d in dialogs_of(window):
        measure(f"pharmacy/dialog/{d.objectName() or type(d).__name__}", d)
    close_dialogs(window)
    window.state.operator = boss
    from desktop.pharmacy.window import PAGES

    for page in PAGES:
        window.go(page)
        measure(f"pharmacy/{page}", window)
    from desktop.pharmacy.drug_search import DrugSearchDialog

    window.go("sale")
    DrugSearchDialog(28, parent=window).open()  # as SearchFlow.find_drug opens it over a sale (Ctrl+F)
    window.settings.more.emit()  # F10 screen -> 设备与全部设置
    for d in dialogs_of(window):
        measure(f"pharmacy/dialog/{d.objectName() or type(d).__name__}", d)
    close_dialogs(window)
    for key in [s for s in window.findChildren(QtGui.QShortcut) if s.key().toString() == "Ctrl+K"]:
        key.activated.emit()  # 进销存
    for w in QtWidgets.QApplication.topLevelWidgets():
        if w.isVisible() and w is not window and w.objectName() in ("stockWindow", "customerDisplay"):
            measure(f"pharmacy/{w.objectName()}", w)
            w.close()
    wizard = _wizard(process, "pharmacy", parts.hub)
    measure("pharmacy/dialog/firstRunWizard", wizard)
    wizard.close()
    window.stop()
    window.close()
    parts.close()
    # ---------------------------------------------------------------------------------------------- counter
    process = root.start_process("counter", logs=False)
    window, parts = root.build_counter(process.desk_config(), process=process)
    show_fitted(window)
    window.ask_login()
    for d in dialogs_of(window):
        measure(f"counter/dialog/{d.objectName()}", d)
    close_dialogs(window)
    window.set_operator(boss)
    from desktop.counter.window import PAGES as COUNTER_PAGES

    for page, _label in COUNTER_PAGES:
        window.go(page)
        measure(f"counter/{page}", window)
    window.go("apply")
    root.open_settings(window, process, parts.hub)
    for d in dialogs_of(window):
        measure(f"counter/dialog/{d.objectName()}", d)
    close_dialogs(window)
    window.runner.wait(10000)
    window.desk_page.close_desk()
    window.close()
    parts.close()
    # ---------------------------------------------------------------------------------------------- kiosk
    process = root.start_process("kiosk", logs=False)
    window, link = root.build_kiosk(process.kiosk_config(), process=process, fullscreen=False)
    show_fitted(window)
    for name in list(window.pages):
        if name in ("scan", "photo"):
            continue  # the camera pages: the camera is off in this site file (their layout is the paper page's)
        window.go(name, push=False)
        measure(f"kiosk/{name}", window)
    window.pages["admin"].settings.emit()
    for d in dialogs_of(window):
        measure(f"kiosk/dialog/{d.objectName()}", d)
    close_dialogs(window)
    wizard = _wizard(process, "kiosk", window.devices.hub)
    measure("kiosk/dialog/firstRunWizard", wizard)
    wizard.close()
    window.stop()
    window.devices.hub.stop()
    link.close()
    out.write_text(json.dumps({"screen": [avail.width(), avail.height()], "windows": report}, ensure_ascii=False,
                              indent=1), encoding="utf-8")
    return 0


def _wizard(process, shell: str, hub):
    """The first-run wizard as onewindow.root.first_run opens it (not run: shown)."""
    from desktop.common.first_run import FirstRunWizard
    from desktop.common.fit import settle

    wizard = FirstRunWizard(process.settings, shell, save=lambda _c: None, store_secret=lambda _c, _s: "",
                            add_admin=(lambda *_a: None) if shell != "kiosk" else None, hub=hub,
                            profiles=("onewindow",))
    wizard.resize(900, 600)
    wizard.show()
    settle()
    return wizard


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
