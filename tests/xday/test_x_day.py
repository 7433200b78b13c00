"""A day under a real X server (#21 item 4): Xvfb at 1366x768, the real `onewindow demo` process (its own
embedded centre, the pharmacy shell), driven from outside with real key events (xdotool), as a pharmacist
with a keyboard and a keyboard-wedge scanner (fast typing + Return) would. Afterwards the desk's store and the
centre's database are read to check what the day did; screenshots of the real screen go to a temp folder.
The day: login, shift open, 王某's sale (e-voucher QR by wedge, e-prescription, a box, F12 F12), 钱某's sale held with a
box (F9), 赵某 refused that box and the one sold to 王某, 钱某 recalled and settled, 王某's box returned
(F3, the refund shown, F12 F12), 赵某 sold offline (the centre, a process apart, stopped after his prescription
came; 离线暂存) and received by the centre once restarted, X (F4 F6) and Z from the blind count.

Steps not yet scripted are xfail with the reason."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.services.pharmacy_demo import trace_code

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xdotool")), reason="Xvfb and xdotool (.ci/run installs them)")]
ONEWINDOW = Path(sys.executable).with_name("onewindow")
P01 = "420704195703121015"  # 王某 T0001: one box of D01 waiting as an e-prescription
P11 = "420704196410101939"  # 钱某 T0011: two boxes of D01 and one of D03
P03 = "420704195511021255"  # 赵某 T0003: D02 and D01


class Display:
    def __init__(self, tmp: Path) -> None:
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", os.environ.get("XDAY_SCREEN", "1366x768x24"),
                                      "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as fh:
            self.name = f":{fh.readline().strip()}"
        self.env = dict(os.environ, DISPLAY=self.name, QT_QPA_PLATFORM="xcb")
        self.shots = tmp / "screens"
        self.shots.mkdir()

    def xdo(self, *args: str, timeout: float = 60) -> str:
        return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout).stdout

    def window(self, name: str, timeout: float = 120) -> str:
        """Wait for a visible window whose title contains `name`; focus it."""
        # (a window that goes away while xdotool walks the tree ends its search with an X error: search again)
        out = wait_for(lambda: self.xdo("search", "--sync", "--onlyvisible", "--name", name, timeout=timeout).split(),
                       timeout=timeout, what=f"a window {name!r}")
        self.xdo("windowfocus", "--sync", out[-1])
        return out[-1]

    def type(self, text: str, *, scanner: bool = False) -> None:
        """Typed as a person (40 ms a key) or as a keyboard-wedge scanner (5 ms a key), then Return."""
        self.xdo("type", "--delay", "5" if scanner else "40", text)
        self.key("Return")

    def key(self, *keys: str) -> None:
        self.xdo("key", "--delay", "80", *keys)

    def shot(self, name: str) -> Path:
        """The real screen, grabbed by a separate Qt client of the same X server."""
        path = self.shots / f"{name}.png"
        code = ("import sys; from PySide6.QtGui import QGuiApplication; app = QGuiApplication([]); "
                "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)")
        subprocess.run([sys.executable, "-c", code, str(path)], env=self.env, check=True, timeout=60)
        return path

    def close(self) -> None:
        self.xvfb.terminate()
        self.xvfb.wait(10)


class Centre:
    """`onewindow server` on the demo's centre.db, a process apart, so that the day can stop and restart it."""

    def __init__(self, home: Path, log, env: dict) -> None:
        import socket

        from core.store.paths import sqlite_url

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        home.mkdir(parents=True, exist_ok=True)
        self.db_url = sqlite_url(home / "centre.db")
        self.cmd = [str(ONEWINDOW), "server", "--db", self.db_url, "--host", "127.0.0.1",
                    "--port", str(self.port), "--log-level", "warning"]
        self.log, self.env = log, env  # the same ONEWINDOW_HOME as the demo: its data key opens the secrets
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import socket

        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

        def listening() -> bool:
            assert self.proc.poll() is None, "the centre stopped at its start"
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0
        wait_for(listening, timeout=60, what="the centre to listen")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def settled(home: Path) -> list[tuple]:
    return rows(home / "desk.db", "SELECT receipt_no, status FROM desk_sale WHERE kind = 'sale' AND status = 'settled'")


def wait_for(check, timeout: float = 60.0, what: str = ""):
    """Poll the outside world (another process's files): there is no event to wait for across processes."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def x(tmp_path):
    d = Display(tmp_path)
    yield d
    d.close()


@pytest.mark.allow_child_errors
def test_a_pharmacists_day_on_a_real_x_display(x, tmp_path):
    home = tmp_path / "demo"
    log = (tmp_path / "demo.log").open("w")
    env = dict(x.env, ONEWINDOW_HOME=str(tmp_path / "app"))
    centre_log = (tmp_path / "centre.log").open("w")
    # the world seeded first (the centre reads its catalogue once, at its start), then the centre apart
    subprocess.run([str(ONEWINDOW), "demo", "--home", str(home), "--no-gui"], env=env, stdout=log,
                   stderr=subprocess.STDOUT, check=True, timeout=240)
    centre_proc = Centre(home, centre_log, env)
    centre_proc.start()
    voucher = subprocess.run([str(ONEWINDOW), "evoucher", "issue", "--db", centre_proc.db_url, "--certno", P01,
                              "--ttl", "3600"], env=env, capture_output=True, text=True, check=True,
                             timeout=120).stdout.split()[-1]  # 王某's 医保电子凭证 QR payload
    app = subprocess.Popen([str(ONEWINDOW), "demo", "--home", str(home), "--centre", centre_proc.url], env=env,
                           stdout=log, stderr=subprocess.STDOUT)
    try:
        # login (the dialog over the window), user then PIN
        x.window("登录", timeout=240)
        x.shot("01_login")
        x.type("li")
        x.type("2468")
        main = x.window("一窗通 · 药房")
        # shift open: the cursor is in the float field after login
        time.sleep(1.0)
        x.type("200.00")
        shift = wait_for(lambda: rows(home / "desk.db", "SELECT shift_id FROM desk_shift WHERE closed_at IS NULL"),
                         what="the shift to open")
        assert shift[0][0].endswith("-S1")  # a shift id, unlike a receipt number
        x.shot("02_shift_open")
        # customer 1: the e-voucher QR read by the wedge scanner, the e-prescription, a box scanned, cash
        time.sleep(1.0)
        x.type(voucher, scanner=True)
        time.sleep(3.0)
        x.shot("03_prescriptions")
        x.key("Return")  # download the prescription
        time.sleep(3.0)
        box = trace_code("D01")
        x.type(box, scanner=True)
        time.sleep(4.0)
        x.shot("04_scanned")
        # the whole window on the 1366x768 screen, verdict panel and 结算 button included (it had grown to 1870 px)
        geometry = x.xdo("getwindowgeometry", main)
        assert "Geometry: 1366x768" in geometry, geometry

        def pay() -> list:
            # F12 does nothing until the centre's settlement preview has arrived; on the pay page F12 confirms
            # with the cash field empty (= the exact amount). No digits typed blind: on the sale page they would
            # be taken as a scan.
            x.key("F12")
            time.sleep(3.0)
            return settled(home)
        # (F12 was dead here until #21: the PIN's Return closed the login dialog after the focus had been moved
        # to the main window, X re-announced nothing, Qt kept no active window and no shortcut fired)
        sale = wait_for(pay, timeout=30, what="the first sale (F12, F12)")
        x.shot("05_receipt")
        assert sale[0][1] == "settled"
        centre = rows(home / "centre.db", "SELECT count(*) FROM settlement WHERE person_no = 'T0001'")
        assert centre[0][0] >= 1
        x.key("Return")  # next customer
        # customer 2, 钱某 (two lines): one box scanned, then the sale is held (F9, 挂单 1)
        time.sleep(1.0)
        x.type(P11, scanner=True)
        time.sleep(3.0)
        x.key("Return")
        time.sleep(3.0)
        held_box = trace_code("D01")
        x.type(held_box, scanner=True)
        time.sleep(2.0)
        x.key("F9")
        time.sleep(1.5)
        x.shot("06_held")
        # customer 3, 赵某: the box held for 钱某 and the box sold to 王某 are both refused on screen
        x.type(P03, scanner=True)
        time.sleep(3.0)
        x.key("Return")
        time.sleep(3.0)
        x.type(held_box, scanner=True)
        time.sleep(2.0)
        x.shot("07_box_in_held_sale")
        x.type(box, scanner=True)
        time.sleep(2.0)
        x.shot("08_box_already_sold")
        x.key("Escape", "F2")  # back to the prescriptions, then the next customer (赵某's sale is dropped)
        time.sleep(1.5)
        # 钱某 recalled (F9 on step 1): the rest of her boxes, F12, F12
        x.key("F9")
        time.sleep(2.0)
        x.type(trace_code("D01"), scanner=True)
        time.sleep(1.5)
        x.type(trace_code("D03"), scanner=True)
        time.sleep(3.0)
        x.shot("09_recalled_and_scanned")
        wait_for(lambda: pay() and len(settled(home)) == 2, timeout=30, what="the recalled sale (F12, F12)")
        x.shot("10_recalled_receipt")
        assert rows(home / "centre.db", "SELECT count(*) FROM settlement WHERE person_no = 'T0011'")[0][0] == 1
        owners = rows(home / "desk.db", "SELECT s.person_no FROM desk_sale_code c JOIN desk_sale s USING (msgid) "
                                        f"WHERE c.code = '{held_box}'")
        assert owners == [("T0011",)]  # the held box went to 钱某's sale, and to no one else
        assert len(rows(home / "desk.db", "SELECT code FROM desk_sale_code c JOIN desk_sale s USING (msgid) "
                                          "WHERE s.person_no = 'T0011'")) == 3
        # a return: F3, 王某's box scanned (its sale found, its line ticked), F12 shows the refund, F12 returns
        x.key("Return", "F3")
        time.sleep(1.5)
        x.type(box, scanner=True)
        time.sleep(2.0)
        x.key("F12")
        time.sleep(1.5)
        x.shot("11_return_asked")
        x.key("F12")
        wait_for(lambda: rows(home / "desk.db", "SELECT receipt_no FROM desk_sale WHERE kind = 'return'"),
                 what="the return")
        time.sleep(1.0)
        x.shot("12_returned")
        assert rows(home / "desk.db", f"SELECT status FROM desk_sale WHERE receipt_no = '{sale[0][0]}'") == [("returned",)]
        wait_for(lambda: rows(home / "centre.db", "SELECT status, reversed_on FROM settlement WHERE person_no = 'T0001' "
                                                  "AND reversed_on IS NOT NULL"), what="the centre to reverse 王某's settlement")
        # customer 4, 赵某 offline: his prescription downloaded, then the centre stops; his boxes are scanned and
        # the sale is settled provisionally (offline floor limits); the centre restarts and receives it
        x.key("Escape")
        time.sleep(1.0)
        x.type(P03, scanner=True)
        time.sleep(3.0)
        x.key("Return")
        time.sleep(3.0)
        centre_proc.stop()
        x.type(trace_code("D02"), scanner=True)
        time.sleep(1.5)
        x.type(trace_code("D01"), scanner=True)
        time.sleep(3.0)
        x.shot("13_offline_scanned")
        offline = wait_for(lambda: pay() and rows(home / "desk.db", "SELECT receipt_no, status FROM desk_sale "
                                                                    "WHERE person_no = 'T0003' AND kind = 'sale'"),
                           timeout=40, what="the offline sale (F12, F12)")
        x.shot("14_offline_receipt")
        # handed out and paid (the desk's word); the centre has not seen it: the receipt says 离线暂存 (待中心确认)
        assert offline[0][1] == "settled", offline
        assert not rows(home / "centre.db", "SELECT settlement_id FROM settlement WHERE person_no = 'T0003'")
        centre_proc.start()
        wait_for(lambda: rows(home / "centre.db", "SELECT settlement_id FROM settlement WHERE person_no = 'T0003'"),
                 timeout=90, what="the offline sale to reach the restarted centre")
        # X report on the shift screen (F4, then F6)
        x.key("Escape", "F4")
        time.sleep(1.0)
        x.key("F6")
        time.sleep(2.0)
        x.shot("15_x_report")
        # Z: the blind count typed into the counted-cash field (focused on the shift screen), Return
        x.type("220.00")
        z = wait_for(lambda: rows(home / "desk.db", "SELECT z_no, body FROM desk_z_report"), what="the Z report")
        x.shot("16_z_report")
        body = json.loads(z[0][1])
        assert body["sales"] == 3 and body["returns"] == 1 and body["closed_at"] and body["counted_cash"] == "220.00"
        # the offline sale was confirmed before the close: nothing provisional, the centre's count matches
        assert body["provisional"] == 0 and body["reconciled"] and body["reconciliation"]["centre"]["count"] == 2
        assert not rows(home / "desk.db", "SELECT shift_id FROM desk_shift WHERE closed_at IS NULL")
    finally:
        keep = os.environ.get("ONEWINDOW_XDAY_SHOTS")  # to look at them: copied there
        if keep:
            for p in x.shots.glob("*.png"):
                shutil.copy(p, Path(keep) / p.name)
        app.terminate()
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            app.kill()
        centre_proc.stop()
        log.close()
        centre_log.close()
    shots = sorted(x.shots.glob("*.png"))
    assert len(shots) == 16 and all(p.stat().st_size > 10_000 for p in shots)  # a real screen, not a blank one


@pytest.mark.xfail(reason="not scripted yet: a BLOCK verdict in the audit panel (the refused boxes are scan "
                          "refusals, not an audit BLOCK)", strict=True)
def test_the_rest_of_the_day_block(x):
    raise AssertionError("not scripted yet: a BLOCK verdict")
