"""The composition root: the shells get their devices from the one settings file, through DeviceHub."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SiteSettings
from onewindow import logs
from onewindow.root import build_counter, build_pharmacy, start_process

pytestmark = pytest.mark.ui


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONEWINDOW_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("build, shell", [(build_pharmacy, "pharmacy"), (build_counter, "counter")])
def test_desk_shells_run_the_site_s_scanner_settings(qtbot, home, build, shell):
    SiteSettings.load().set_many({"devices.scanner.wedge.max_gap_ms": 120, "devices.scanner.wedge.prefix": "\u0002",
                                  "devices.camera.kind": "none", "devices.card_reader.kind": "none",
                                  "store.url": f"sqlite:///{home / 'store.db'}"}).save()
    process = start_process(shell, logs=False)
    config = process.desk_config()
    window, parts = build(config, process=process)
    qtbot.addWidget(window)
    try:
        wedge = parts.hub.wedge.settings
        assert (wedge.max_gap_ms, wedge.prefix) == (120, "\u0002")
        # a scan from the hub reaches the shell's one scan route
        got = []
        window.route.scanned.connect(lambda text, _at: got.append(text))
        parts.hub.scanned.emit("81000110000000000001")
        assert got == ["81000110000000000001"]
    finally:
        if shell == "pharmacy":
            window.stop()
        parts.close()


def test_logging_setup_writes_the_log_folder_and_keeps_recent_lines(home):
    import logging

    path = logs.setup("unit", console=False)
    try:
        logging.getLogger("onewindow.gui.unit").info("hello log")
        assert path == home / "logs" / "unit.log"
        for handler in logging.getLogger().handlers:
            handler.flush()
        assert "hello log" in path.read_text(encoding="utf-8")
        assert any("onewindow.gui.unit" in line and "hello log" in line for line in logs.recent_lines())
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "_onewindow", False):
                root.removeHandler(handler)
                handler.close()


def test_crash_text_names_the_log_file(home):
    from desktop.common import crash

    crash.install(home / "logs" / "pharmacy.log")
    try:
        text = crash.crash_text(RuntimeError("boom"))
    finally:
        import sys

        sys.excepthook = sys.__excepthook__
    assert str(home / "logs" / "pharmacy.log") in text and "内部错误" in text and "boom" in text


def test_a_settings_change_is_a_journaled_staff_action(home):
    """Who changed which settings, in the store's chained journal; a secret option's value is not written."""
    from core.services.auth import Auth, Operator
    from core.store import staff_journal
    from core.store.db import open_store
    from core.store.desk import ensure_desk_schema
    from onewindow.root import journal_settings

    engine = open_store(f"sqlite:///{home / 'store.db'}")
    ensure_desk_schema(engine)
    try:
        process = start_process("pharmacy", logs=False)
        journal_settings(process, Auth(engine), lambda: Operator("zhang", "张主管", "supervisor"))
        process.save_settings({"ui.font_size": 16, "signing.secret": "s3cret-value"})
        (event,) = Auth(engine).events("settings_change")
        assert event["user_id"] == "zhang" and event["detail"]["shell"] == "pharmacy"
        assert event["detail"]["changes"] == {"signing.secret": "***", "ui.font_size": 16}
        assert staff_journal.verify(engine).ok
        with engine.connect() as conn:
            assert "s3cret-value" not in str(conn.exec_driver_sql("select detail from desk_event").all())
    finally:
        engine.dispose()


def test_the_site_setting_shows_the_customer_display_fed_by_the_desk(qtbot, home):
    SiteSettings.load().set_many({"display.customer": "window", "devices.camera.kind": "none",
                                  "devices.card_reader.kind": "none",
                                  "store.url": f"sqlite:///{home / 'store.db'}"}).save()
    process = start_process("pharmacy", logs=False)
    window, parts = build_pharmacy(process.desk_config(), process=process)
    qtbot.addWidget(window)
    try:
        shown = window.customer_display
        assert shown.isVisible() and shown.prompt.text() == "欢迎光临"
        window.state.operator = object()  # someone at the desk: step 1 asks the customer for the code
        window.go("identify")
        assert shown.prompt.text() == "请出示医保码"
    finally:
        window.stop()
        parts.close()
