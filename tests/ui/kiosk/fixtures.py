"""Fixtures of the kiosk tests: a real centre over HTTP (uvicorn on a free port, the public world seeded,
SQLite), a few settlements made at a pharmacy so the person has a history, the kiosk's service, the camera
simulator showing an e-voucher QR, the card reader simulator, a simulated receipt printer, and touch helpers.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.server.fixtures import _data_key, _templates, sqlite_centre_copy  # noqa: F401
from tests.server.helpers import Client, LiveServer, RequestsHttp, settle_input
from tests import screenshots

PH1, KIOSK_INST = "P42070000001", "K42070000001"  # a kiosk institution (server.permissions)
P01_CERTNO = "420704195703121015"  # 王某(测试) T0001, 两病 HTN, resident
P01_NAME = "王某(测试)"
P14_CERTNO = "420704197507072219"  # 卫某(测试) T0014, no registration
SUPERVISOR_CODE = "24681357"
PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)


@dataclass
class Centre:
    url: str
    secrets: dict
    client: Client
    engine: object
    server: LiveServer

    def settle(self, psn_no: str = "T0001", packs: int = 1, days: int = 28) -> dict:
        out = self.client.call("2102", settle_input(psn_no, packs=packs, days=days), code=PH1)
        assert out["infcode"] == 0, out
        return out["output"]["setlinfo"]

    def evoucher(self, certno: str = P01_CERTNO) -> str:
        from server.transactions.evoucher import issue_for_certno

        return issue_for_certno(self.engine, certno)


@pytest.fixture
def centre(_templates, tmp_path):
    from server.app import create_app

    tpl = _templates("sqlite")
    engine = sqlite_centre_copy(tpl, tmp_path)
    with LiveServer(create_app(engine=engine)) as server:
        yield Centre(server.url, dict(tpl.secrets), Client(RequestsHttp(server.url), dict(tpl.secrets)), engine, server)
    engine.dispose()


@pytest.fixture
def history(centre):
    """王某's settlements at the pharmacy today: one (1 pack, 28 days) cancelled by the pharmacy (2103), then
    one that stands (2 packs, 56 days)."""
    first = centre.settle(packs=1, days=28)
    out = centre.client.call("2103", {"data": {"setl_id": first["setl_id"], "psn_no": "T0001"}}, code=PH1)
    assert out["infcode"] == 0, out
    second = centre.settle(packs=2, days=56)
    return [first, second]


def kiosk_config(tmp_path: Path, url: str, secret: str, **kw):
    from core.services.kiosk import KioskConfig, hash_code

    values = dict(server_url=url, secret=secret, window_no="3", statement_dir=str(tmp_path / "statements"),
                  supervisor_code_hash=hash_code(SUPERVISOR_CODE), idle_seconds=60, countdown_seconds=10,
                  recheck_seconds=2, connect_timeout_s=1.0, read_timeout_s=5.0)
    values.update(kw)
    return KioskConfig(**values)


@pytest.fixture
def kiosk_service(centre, tmp_path):
    from core.services.kiosk import KioskLink, KioskService

    config = kiosk_config(tmp_path, centre.url, centre.secrets[KIOSK_INST])
    link = KioskLink(config)
    yield KioskService(link, config)
    link.close()


def qr_frame(text: str, width: int = 1280, height: int = 720) -> np.ndarray:
    """A camera frame showing a phone screen with the QR of `text` in the middle (grey, uint8)."""
    import cv2

    from hardware.camera.synth import symbol

    sym = symbol("qr", text)
    size = int(height * 0.6)
    sym = cv2.resize(sym, (size, size), interpolation=cv2.INTER_NEAREST)
    frame = np.full((height, width), 90, np.uint8)
    y0, x0 = (height - size) // 2, (width - size) // 2
    frame[y0 - 20:y0 + size + 20, x0 - 20:x0 + size + 20] = 235
    frame[y0:y0 + size, x0:x0 + size] = sym
    return frame


class HeldCode:
    """Camera simulator: what the person holds up now (camera["qr"]: a QR's text, or None for an empty view),
    20 frames a second, as hardware.camera's FrameSource."""

    name, fps = "held code", 20.0

    def __init__(self, camera: dict) -> None:
        self.camera = camera
        self._cache: dict = {}

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        text = self.camera["qr"]
        if text not in self._cache:
            self._cache[text] = qr_frame(text) if text else np.full((720, 1280), 90, np.uint8)
        return self._cache[text]

    def close(self) -> None:
        pass


def touch_device():
    from PySide6.QtGui import QInputDevice
    from PySide6.QtTest import QTest

    if not hasattr(touch_device, "dev"):
        touch_device.dev = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    return touch_device.dev


def tap(qtbot, widget, window=None) -> None:
    """A finger on the touch screen: press and release at the widget's centre (QTest touch sequences on the
    top-level window, as the platform delivers them), then let the events run."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    assert widget.isVisible(), f"{widget.objectName() or widget} is not on screen"
    assert widget.isEnabled(), f"{widget.objectName() or widget} is disabled"
    top = window or widget.window()
    point = widget.mapTo(top, QPoint(widget.width() // 2, widget.height() // 2))
    dev = touch_device()
    QTest.touchEvent(top, dev).press(0, point, top).commit()
    QTest.touchEvent(top, dev).release(0, point, top).commit()
    QApplication.processEvents()


def shot(win, name: str, size: tuple[int, int]) -> Path:
    from PySide6.QtWidgets import QApplication

    orient = "portrait" if size[1] > size[0] else "landscape"
    win.resize(*size)
    for _ in range(3):
        QApplication.processEvents()
    assert (win.width(), win.height()) == size, f"{name}: the window needs {win.minimumSizeHint()}, more than {size}"
    from hardware.camera.preview import CameraPreview

    for preview in win.findChildren(CameraPreview):  # the white flash after a read fades with time: not in pictures
        preview._flash.invalidate()
        preview.update()
    QApplication.processEvents()
    return screenshots.check(win, f"kiosk_{name}_{orient}")


def today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


@dataclass
class Kiosk:
    window: object
    service: object
    config: object
    reader: object
    printer: object
    queue: object
    voice: object
    camera: dict


def _heard_voice():
    from desktop.kiosk.voice import Voice

    class HeardVoice(Voice):
        """A voice that can speak and plays nothing: the tests read what was said from `spoken`."""

        backend = "prerecorded"
        can_speak = True

    return HeardVoice


def make_kiosk(qtbot, tmp_path: Path, url: str, secret: str, *, qr: str | None = None, idle_ms: int = 600_000,
               size=PORTRAIT, **config_kw) -> Kiosk:
    from core.services.kiosk import KioskLink, KioskService
    from desktop.kiosk.window import KioskDevices, KioskWindow
    from hardware.cards import SimulatedCardReader
    from hardware.printing.queue import PrintQueue
    from hardware.printing.transports import SimulatedPrinter

    config = kiosk_config(tmp_path, url, secret, **config_kw)
    link = KioskLink(config)
    service = KioskService(link, config)
    printer = SimulatedPrinter(folder=tmp_path / "printer")
    queue = PrintQueue({"receipt": printer}, tmp_path / "print-queue.json", keep_done=0)
    reader = SimulatedCardReader()
    camera = {"qr": qr, "sources": []}

    def source():
        src = HeldCode(camera)
        camera["sources"].append(src)
        return src

    devices = KioskDevices(camera_source=source, card_reader=reader, print_queue=queue)
    voice = _heard_voice()("测试：提示音只记录，不播放")
    # the header clock shows a fixed time of today: screenshots are compared with their references
    half_past_nine = dt.datetime.combine(today(), dt.time(9, 30), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    win = KioskWindow(service, config, devices, voice=voice, idle_ms=idle_ms, countdown_s=3, tick_ms=150,
                      status_interval_ms=600000, now=lambda: half_past_nine)
    qtbot.addWidget(win)
    win.resize(*size)
    win.start()
    return Kiosk(win, service, config, reader, printer, queue, voice, camera)


def close_kiosk(k: Kiosk) -> None:
    k.window.lockdown.unlock()
    k.window.stop()
    k.queue.stop()
    k.service.link.close()


@pytest.fixture
def kiosk(qtbot, centre, tmp_path):
    k = make_kiosk(qtbot, tmp_path, centre.url, centre.secrets[KIOSK_INST])
    yield k
    close_kiosk(k)


def left_alone(k: Kiosk, idle_ms: int = 300) -> None:
    """From now on nobody touches the kiosk: the real idle watch starts counting with a short idle time. The
    fixture's own idle time is long, so that a loaded machine never wipes a screen before a test looked at it
    (seen: the message page had gone home before its screenshot at load 21)."""
    k.window.idle.idle_ms = idle_ms
    k.window.idle.poke()


def idle(qtbot, k: Kiosk, timeout: int = 15000) -> None:
    qtbot.waitUntil(lambda: k.window.runner.busy == 0, timeout=timeout)


def visible_texts(root) -> list[str]:
    """Every piece of text any widget under `root` holds (shown or not): labels, buttons, line edits, items,
    tool tips, window titles."""
    from PySide6 import QtWidgets

    out = []
    for w in [root, *root.findChildren(QtWidgets.QWidget)]:
        for attr in ("text", "toolTip", "windowTitle", "accessibleName", "placeholderText"):
            fn = getattr(w, attr, None)
            if callable(fn):
                try:
                    value = fn()
                except TypeError:
                    continue
                if isinstance(value, str) and value:
                    out.append(value)
        if isinstance(w, QtWidgets.QListWidget):
            out += [w.item(i).text() for i in range(w.count())]
        if isinstance(w, QtWidgets.QTableWidget):
            out += [w.item(r, c).text() for r in range(w.rowCount()) for c in range(w.columnCount()) if w.item(r, c)]
    return out


# Noto CJK's ToUnicode maps a few characters to their radical forms (⻔ for 门, ⼈ for 人): fold them back.
_RADICALS = str.maketrans({"⻔": "门", "⻓": "长", "⻅": "见", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食",
                           "⻢": "马", "⻰": "龙", "⻋": "车", "⻩": "黄", "⻥": "鱼", "⻦": "鸟", "⻆": "角"})


def a4_text(path: Path) -> str | None:
    """The text of a Qt-written A4 PDF as poppler's pdftotext reads it (None when poppler-utils is not
    installed). The pharmacy's small reader (tests/ui/pharmacy/pdftext.py) handles Qt's subset fonts of the
    receipt roll, not the whole embedded CJK fonts of this page."""
    import shutil
    import subprocess
    import unicodedata

    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    out = subprocess.run([tool, "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", out).translate(_RADICALS)
