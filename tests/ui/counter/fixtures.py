"""Fixtures of the counter shell tests: a real centre over HTTP (uvicorn on a free port, the public world seeded,
SQLite, an expert pool), the counter's service over a terminal's core.sync transport (TerminalCentreLink), staff, and the window."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server.fixtures import _data_key, _templates, sqlite_centre_copy  # noqa: F401
from tests.server.helpers import Client, LiveServer, RequestsHttp
from tests import screenshots

CTR, PH1, CL1 = "A42070000001", "P42070000001", "H42070000011"  # the counter runs as the agency (经办机构)
T14_CERTNO = "420704197507072219"  # 卫某 T0014: employee, no registration
P01_CERTNO = "420704195703121015"  # 王某 T0001: 两病 HTN, resident
EXPERTS = [{"code": "E001", "name": "陈心内", "specialty": "心血管"}, {"code": "E002", "name": "刘内分泌", "specialty": "内分泌"},
           {"code": "E003", "name": "周全科", "specialty": "全科"}, {"code": "E004", "name": "吴心内", "specialty": "心血管"}]
USERS = {"wang": ("clerk", "jingban123", "1111", "王经办"), "zhang": ("supervisor", "zhuguan123", "135790", "张主管")}


@dataclass
class Centre:
    url: str
    secrets: dict
    client: Client
    engine: object

    def call(self, infno: str, payload: dict, code: str = CTR) -> dict:
        out = self.client.call(infno, payload, code)
        assert out["infcode"] == 0, out["err_msg"]
        return out["output"]


@pytest.fixture
def centre(_templates, tmp_path):
    from server.app import create_app

    tpl = _templates("sqlite")
    engine = sqlite_centre_copy(tpl, tmp_path)
    with LiveServer(create_app(engine=engine)) as server:
        c = Centre(server.url, dict(tpl.secrets), Client(RequestsHttp(server.url), dict(tpl.secrets)), engine)
        c.call("2517", {"data": {"experts": EXPERTS}})
        yield c
    engine.dispose()


def make_service(centre: Centre, tmp_path: Path):
    from core.services.pharmacy_config import DeskConfig
    from core.services.registration import CounterService
    from core.services.sync_link import TerminalCentreLink

    config = DeskConfig(server_url=centre.url, institution=CTR, secret=centre.secrets[CTR],
                        institution_name="鄂州市医疗保障事务中心", receipt_dir=str(tmp_path / "receipts"),
                        store_url=f"sqlite:///{tmp_path / 'counter_link.db'}")
    link = TerminalCentreLink.for_desk(config)  # msgids from the stored sequence of its own store
    link.set_operator("wang", "王经办")
    # The forms folder is shown on screen (附件3 已生成: path): a name of fixed length, as pytest's tmp_path grows with
    # the run number and the xdist worker and a longer path wraps onto another line of the compared screenshot.
    forms = Path(tempfile.mkdtemp(prefix="ow-forms-"))
    return CounterService(link, forms_dir=forms, institution_name=config.institution_name), config


@pytest.fixture
def service(centre, tmp_path):
    svc, _config = make_service(centre, tmp_path)
    yield svc
    svc.link.close()
    shutil.rmtree(svc.forms_dir, ignore_errors=True)


@pytest.fixture
def auth(tmp_path):
    from core.services.auth import Auth
    from core.store.db import open_store
    from core.store.desk import ensure_desk_schema

    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    ensure_desk_schema(engine)
    a = Auth(engine)
    for user, (role, password, pin, name) in USERS.items():
        a.add_user(user, name, role, password=password, pin=pin)
    yield a
    engine.dispose()


@pytest.fixture
def window(qtbot, service, auth):
    from desktop.counter.window import CounterWindow

    win = CounterWindow(service, auth, title_name="鄂州市医疗保障事务中心")
    qtbot.addWidget(win)
    win.show()
    win.set_operator(auth.login("wang", pin="1111"))
    yield win
    win.runner.wait()


def wait_done(qtbot, win, what: str, timeout: int = 15000) -> None:
    """Wait for the window to report `what` (its `done` signal); a failure shows the notices."""
    with qtbot.waitSignal(win.done, timeout=timeout, check_params_cb=lambda w: w in (what, "failed")) as blocker:
        pass
    assert blocker.args == [what], _notices(win)


def _notices(win) -> str:
    return " | ".join(s.notice.text() for s in (win.apply, win.review, win.reminders_screen, win.discovery, win.exits,
                                                 win.reports, win.care, win.family))


DESK_SIZE = (1366, 820)


def shot(win, name: str) -> Path:
    from desktop.qt import QtWidgets

    if isinstance(win, QtWidgets.QMainWindow):
        # the designed size at every picture: a window that grew for a long text earlier in the test would
        # otherwise keep that size, and the same screen would come out in different sizes
        win.resize(*DESK_SIZE)
    QtWidgets.QApplication.processEvents()
    return screenshots.check(win, name)
