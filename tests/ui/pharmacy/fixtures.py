"""Fixtures of the pharmacy shell tests: a real centre over HTTP (uvicorn on a free port, the public world
seeded, SQLite), the desk's services on a temporary store, staff, and the window."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server.fixtures import _data_key, _templates, sqlite_centre_copy  # noqa: F401
from tests.server.helpers import Client, LiveServer, RequestsHttp
from tests import screenshots

PH1, H3 = "P42070000001", "H42070000031"
P01_CERTNO = "420704195703121015"  # 王某 T0001, 两病 HTN, resident
P11_CERTNO = "420704196410101939"  # 钱某 T0011, 两病 HTN, employee
USERS = {"li": ("pharmacist", "yaoshi123", "2468"), "zhang": ("supervisor", "zhuguan123", "135790"),
         "wang": ("clerk", "yingye123", "1111"), "admin": ("admin", "admin1234", "999999")}
NAMES = {"li": "李药师", "zhang": "张主管", "wang": "王营业员", "admin": "管理员"}
_rx = itertools.count(1)


@dataclass
class Centre:
    url: str
    secrets: dict
    client: Client
    engine: object

    def upload_rx(self, psn_no: str, lines: list[dict], *, med_type: str = "9901", diag: str = "I10.x00",
                  rx_type: str = "ordinary") -> dict:
        body = {"rxinfo": {
            "hosp_rxno": f"H3-{next(_rx):05d}-{psn_no}", "psn_no": psn_no, "med_type": med_type, "dise_codg": "HTN",
            "diag_codes": [diag], "prsc_dr_name": "张医生", "prsc_dept_name": "心内科", "valid_days": 3,
            "rx_type": rx_type}, "rxdrugdetail": lines}
        out = self.client.call("7101", body, code=H3)
        unacknowledged = ((out.get("output") or {}).get("preaudit") or {}).get("unacknowledged")
        if out["infcode"] != 0 and unacknowledged:  # the doctor acknowledges the pre-audit's warnings (7101)
            out = self.client.call("7101", {**body, "warn_ack": {"rules": unacknowledged, "by": "张医生"}}, code=H3)
        assert out["infcode"] == 0, out.get("err_msg")
        return out["output"]["data"]


def d01(cnt: int = 1, days: int = 28) -> dict:
    return {"medins_list_codg": "D01", "cnt": cnt, "prd_days": days, "sin_dos_dscr": "5mg", "used_frqu_dscr": "每日一次",
            "expContent": {"dose": "5", "times_per_day": "1"}}


@pytest.fixture
def centre(_templates, tmp_path):
    from server.app import create_app

    tpl = _templates("sqlite")
    engine = sqlite_centre_copy(tpl, tmp_path)
    with LiveServer(create_app(engine=engine)) as server:
        yield Centre(server.url, dict(tpl.secrets), Client(RequestsHttp(server.url), dict(tpl.secrets)), engine)
    engine.dispose()


@dataclass
class Desk:
    desk: object
    auth: object
    shifts: object
    config: object
    engine: object


_made: list[Desk] = []  # every desk of a test: the `desk` fixture stops their terminals (sender threads) after it


def make_desk(tmp_path: Path, url: str | None, secret: str | None, *, store: str = "store.db",
              sync_sections: dict | None = None, **terminal) -> Desk:
    """The desk's services as the shell builds them (onewindow.root: ONE Terminal on the desk's
    own store engine). `sync_sections` override the sync configuration (e.g. {"offline": {...}}); `terminal`
    goes to the Terminal (e.g. `clock`)."""
    from core.services.auth import Auth
    from core.services.pharmacy_config import DeskConfig
    from core.services.pharmacy_desk import PharmacyDesk
    from core.services.pharmacy_shift import ShiftService
    from core.store.db import open_store
    from core.store.desk import ensure_desk_schema

    engine = open_store(f"sqlite:///{tmp_path / store}")
    ensure_desk_schema(engine)
    config = DeskConfig(server_url=url or "", secret=secret or "", receipt_dir=str(tmp_path / "receipts"),
                        institution_name="康济大药房(慢特病定点,测试)")
    from core.services.sync_link import TerminalCentreLink

    if sync_sections:
        from core.services.sync_link import desk_sync_config

        terminal["sync"] = desk_sync_config(config, **sync_sections)
    link = TerminalCentreLink.for_desk(config, engine, **terminal) if url else None
    auth = Auth(engine)
    if not auth.has_users():
        for user, (role, password, pin) in USERS.items():
            auth.add_user(user, NAMES[user], role, password=password, pin=pin)
    d = Desk(PharmacyDesk(engine, link, config), auth, ShiftService(engine, link, config), config, engine)
    _made.append(d)
    return d


def close_desks() -> None:
    while _made:
        d = _made.pop()
        d.desk.close()
        d.engine.dispose()


@pytest.fixture
def desk(centre, tmp_path) -> Desk:
    _app_font()  # the QApplication may have been made after the autouse reset (tests/conftest.py)
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1])
    yield d
    close_desks()


@pytest.fixture
def window(qtbot, desk):
    from desktop.pharmacy.window import PharmacyWindow

    win = PharmacyWindow(desk.desk, desk.auth, desk.shifts, desk.config, status_interval_ms=60000)
    qtbot.addWidget(win)
    yield win
    win.status_timer.stop()
    win.runner.wait()


def d03(cnt: int = 1, days: int = 28) -> dict:
    return {"medins_list_codg": "D03", "cnt": cnt, "prd_days": days, "sin_dos_dscr": "150mg", "used_frqu_dscr": "每日一次",
            "expContent": {"dose": "150", "times_per_day": "1"}}


def type_in(qtbot, widget, text: str) -> None:
    from desktop.qt import Qt

    widget.setFocus()
    widget.clear()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def press(qtbot, win, key, modifier=None) -> None:
    """A key on the keyboard: it goes to whatever has focus."""
    from desktop.qt import Qt, QtWidgets

    QtWidgets.QApplication.processEvents()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, key, modifier or Qt.KeyboardModifier.NoModifier)


def login(qtbot, win, user: str = "li") -> None:
    """Log in through the dialog the window shows, with the user's PIN."""
    from desktop.qt import Qt

    qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
    dlg = win.dialog
    qtbot.keyClicks(dlg.user, user)
    qtbot.keyClicks(dlg.secret, USERS[user][2])
    qtbot.keyClick(dlg.secret, Qt.Key.Key_Return)
    idle(qtbot, win)


def approve(qtbot, win, user: str = "zhang") -> None:
    from desktop.qt import Qt

    qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
    dlg = win.dialog
    qtbot.keyClicks(dlg.user, user)
    qtbot.keyClicks(dlg.secret, USERS[user][2])
    qtbot.keyClick(dlg.secret, Qt.Key.Key_Return)
    idle(qtbot, win)


def idle(qtbot, win, timeout: int = 15000) -> None:
    qtbot.waitUntil(lambda: win.runner.busy == 0, timeout=timeout)


DESK_SIZE = (1366, 820)


def _app_font() -> None:
    """The application's font as the composition root sets it (onewindow.root: app.setFont(theme.font(0))), so that
    a panel pictured on its own does not take whatever font an earlier test left (screenshots compare)."""
    from desktop.common import theme
    from desktop.qt import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is not None:
        app.setFont(theme.font(0))


def shot(win, name: str) -> Path:
    from desktop.qt import QtWidgets

    if isinstance(win, QtWidgets.QMainWindow):
        # the designed size at every picture: a window that grew for a long text earlier in the test would
        # otherwise keep that size, and the same screen would come out in different sizes
        win.resize(*DESK_SIZE)
    _sent(win)
    QtWidgets.QApplication.processEvents()
    return screenshots.check(win, f"pharmacy_{name}")


def _sent(win) -> None:
    """Online, a message on its way to the centre shows 待上传 1 条 on the status line for a moment; whether a
    picture catches it depends on the sender thread. Wait for the online desk's sender to have sent it (a bound
    against a hang only: an offline desk, or one whose message stays, is pictured as it is)."""
    import time

    from desktop.common.status import StatusLine
    from desktop.qt import QtWidgets

    for line in win.findChildren(StatusLine):
        deadline = time.monotonic() + 20
        while line.status is not None and line.status.online and line.status.waiting and time.monotonic() < deadline:
            QtWidgets.QApplication.processEvents()
            time.sleep(0.02)
