"""The pharmacy desk settles through the sync layer, end to end against a real centre over HTTP.

- The centre stops after the patient was identified: a sale outside the offline floor limits is refused with
  the limit that failed (on the sale screen and from the service); one inside them is settled provisionally —
  offline number, local figures, a receipt PDF that says so, the status line offline with what waits. When
  the centre is back the background sender delivers it, and the same desk record shows it settled with the
  centre's figures and setl_id; the upload (3505) and the e-prescription's 7206 follow.
- The desk's message ids come from the terminal's stored sequence: a restart of the desk (same clock second,
  same store) continues it, and the centre never sees an id twice.
"""
from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from decimal import Decimal

import pytest
from core.domain import fmt
from core.services.pharmacy_sale import apply_check
from core.services.ports import DeskError, Payment
from desktop.qt import Qt
from tests.ports import HeldPort
from tests.server.fixtures import sqlite_centre_copy
from tests.server.helpers import Client, RequestsHttp, trace_codes
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, P11_CERTNO, PH1, Centre, _data_key, _templates, centre, close_desks, d01, idle, login, make_desk,
    press, shot, type_in,
)
from tests.ui.pharmacy.pdftext import pdf_text

pytestmark = [pytest.mark.ui, pytest.mark.slow]
CST = dt.timezone(dt.timedelta(hours=8))


class RestartableCentre:
    """The centre's app under uvicorn on one fixed loopback port that can be stopped (connections refused: the
    centre is down) and started again on the same port."""

    def __init__(self, app) -> None:
        self.held = HeldPort()  # the port, bound once for the test: refused while down, never someone else's
        self.port = self.held.port
        self.app = app
        self.server = None
        self.thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False, lifespan="off"))
        self.listening = self.held.listeners()  # a fresh listener on the held port for each start
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": self.listening.sockets},
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.listening.close()
        with pytest.raises(OSError):  # really down: the port refuses connections
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()


@pytest.fixture
def gated(_templates, tmp_path):
    """A centre (public world seeded, SQLite) that the test stops and starts again."""
    from server.app import create_app

    tpl = _templates("sqlite")
    engine = sqlite_centre_copy(tpl, tmp_path)
    server = RestartableCentre(create_app(engine=engine))
    server.start()
    c = Centre(server.url, dict(tpl.secrets), Client(RequestsHttp(server.url), dict(tpl.secrets)), engine)
    c.server = server  # type: ignore[attr-defined]
    yield c
    close_desks()
    if server.server is not None and not server.server.should_exit:
        server.stop()
    server.held.close()
    engine.dispose()


def open_first_rx(qtbot, win, certno: str) -> None:
    type_in(qtbot, win.identify.box, certno)
    idle(qtbot, win)
    assert win.page() == "rx" and win.state.card.online, win.identify.message.text()
    win.rx.list.setFocus()
    qtbot.keyClick(win.rx.list, Qt.Key.Key_Return)
    idle(qtbot, win)
    assert win.page() == "sale", win.rx.message.text()


def centre_rows(centre, sql: str, **params) -> list:
    from sqlalchemy import text

    with centre.engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_centre_down_provisional_sale_then_confirmed_and_one_outside_the_limits(qtbot, gated, tmp_path):
    from desktop.pharmacy.window import PharmacyWindow

    centre = gated
    # floor limits of this terminal: 15 元 of fund per offline sale (王某, resident: 14.00; 钱某, employee: more)
    d = make_desk(tmp_path, centre.url, centre.secrets[PH1],
                  sync_sections={"offline": {"max_fund_per_transaction": "15.00"},
                                 "sender": {"offline_probe_s": 1.0, "backoff_max_s": 2.0}})
    rx11 = centre.upload_rx("T0011", [d01(1, 28)])
    rx01 = centre.upload_rx("T0001", [d01(1, 28)])
    win = PharmacyWindow(d.desk, d.auth, d.shifts, d.config, status_interval_ms=400)
    qtbot.addWidget(win)
    try:
        shift = d.shifts.open(d.auth.login("li", pin="2468"), Decimal("100"))
        win.start()
        login(qtbot, win)
        assert win.state.shift["shift_id"] == shift and win.page() == "identify"
        qtbot.waitUntil(lambda: win.status_line.link_label.text().endswith("在线"), timeout=10000)

        # --- outside the limits: identified online, then the centre goes down; refused with the limit that failed
        open_first_rx(qtbot, win, P11_CERTNO)
        assert win.state.sale.rx_id == rx11["hi_rxno"]
        centre.server.stop()
        type_in(qtbot, win.sale_screen.scan, trace_codes("8100011", 1)[0])
        idle(qtbot, win)
        qtbot.waitUntil(lambda: "离线单笔上限 15.00 元" in win.sale_screen.message.text(), timeout=10000)
        assert not win.sale_screen.settle_button.isEnabled()
        shot(win, "offline_over_limit")
        with pytest.raises(DeskError) as refused:
            d.desk.settle(win.state.sale, win.state.card, Payment(), shift)
        assert "中心无法连接" in refused.value.message.zh and "超过离线单笔上限 15.00 元" in refused.value.message.zh
        assert "exceeds the offline limit per transaction 15.00" in refused.value.message.en
        press(qtbot, win, Qt.Key.Key_F9)  # hold it: nothing was settled, nothing waits for the centre
        assert win.page() == "identify"
        assert d.desk.status().waiting == 0 and d.desk.status().provisional == 0

        # --- inside the limits: identified online, the centre goes down, the sale is provisional
        centre.server.start()
        open_first_rx(qtbot, win, P01_CERTNO)
        assert win.state.sale.rx_id == rx01["hi_rxno"]
        centre.server.stop()
        code = trace_codes("8100011", 1)[0]
        type_in(qtbot, win.sale_screen.scan, code)
        idle(qtbot, win)
        qtbot.waitUntil(lambda: win.state.view is not None and win.state.view.offline, timeout=10000)
        view = win.state.view
        assert view.verdict == "PASS" and view.figures.fund == Decimal("14.00"), view
        assert "离线预结算" in win.sale_screen.verdict.note.text()
        assert win.sale_screen.settle_button.isEnabled()
        shot(win, "offline_presettled")
        press(qtbot, win, Qt.Key.Key_F12)
        assert win.page() == "pay"
        type_in(qtbot, win.pay.cash, "20")
        idle(qtbot, win)
        assert win.page() == "done", win.pay.message.text()
        record = win.state.record
        assert record.status == "provisional" and record.offline_no == "T01-L000001", record
        assert (record.fund, record.personal, record.change) == (Decimal("14.00"), Decimal("14.00"), Decimal("6.00"))
        assert record.setl_id == "" and record.answer == {}
        text = pdf_text(win.state.receipt_path)
        for needle in ("离线暂存", "PROVISIONAL", "T01-L000001", code, record.receipt_no, "14.00"):
            assert needle in text, (needle, text)
        assert "离线暂存" in win.done.receipt.toPlainText()
        head = win.done.message.text()
        assert "T01-L000001" in head and "待中心确认" in head and "结算成功" not in head, head
        shot(win, "offline_receipt")
        qtbot.waitUntil(lambda: win.status_line.link_label.text().endswith("离线"), timeout=10000)
        status = d.desk.status()
        assert status.online is False and status.provisional == 1
        assert status.waiting == 2, status  # the 2102 in the outbox (its 3505 follows the answer), the 7206 at the desk
        assert "待上传 2 条" in win.status_line.waiting_label.text()
        x = d.shifts.report(shift)
        assert (x.sales, x.provisional, x.pending, x.fund) == (1, 1, 2, Decimal("14.00"))
        from core.services.pharmacy_shift import z_text_lines

        assert "离线暂存 1 笔（待中心确认，金额为本地计算）" in z_text_lines(x)
        with pytest.raises(DeskError) as closing:  # a supervisor must approve closing with it pending
            d.shifts.close(shift, Decimal("114.00"), d.auth.login("li", pin="2468"))
        assert closing.value.message.key == "desk.shift.pending"
        before = {r[0] for r in centre_rows(centre, "SELECT settlement_id FROM settlement WHERE person_no = 'T0001' "
                                                    "AND facility_code = :c", c=PH1)}

        # --- the centre is back: the background sender delivers; the same record now reads settled
        centre.server.start()
        qtbot.waitUntil(lambda: d.desk.find_sale(record.receipt_no).status == "settled", timeout=30000)
        after = d.desk.find_sale(record.receipt_no)
        row = [r for r in centre_rows(centre, "SELECT settlement_id, fund, personal, total FROM settlement "
                                              "WHERE person_no = 'T0001' AND facility_code = :c", c=PH1)
               if r[0] not in before]
        assert len(row) == 1, row  # settled once, under the msgid it was queued with
        setl_id, fund, personal, total = row[0]
        assert after.setl_id == setl_id and after.offline_no == "T01-L000001"
        assert (after.fund, after.personal, after.total) == (Decimal(str(fund)), Decimal(str(personal)),
                                                           Decimal(str(total)))
        assert after.answer["setlinfo"]["setl_id"] == setl_id
        assert after.answer["setlinfo"]["fund_pay_sumamt"] == fmt(after.fund)
        assert (after.account_pay, after.cash_pay, after.change) == (record.account_pay, record.cash_pay, record.change)
        # the upload (3505 with the box's code) and the 7206 follow, and nothing waits any more
        qtbot.waitUntil(lambda: d.desk.status().waiting == 0, timeout=30000)
        assert centre_rows(centre, "SELECT code FROM centre_trace_upload WHERE code = :c AND returned_at IS NULL",
                           c=code)
        assert centre_rows(centre, "SELECT status FROM centre_eprescription WHERE rx_id = :r",
                           r=rx01["hi_rxno"])[0][0] == "dispensed"
        qtbot.waitUntil(lambda: win.status_line.link_label.text().endswith("在线")
                        and "无待上传" in win.status_line.waiting_label.text(), timeout=10000)
        x = d.shifts.report(shift)
        assert (x.sales, x.provisional, x.pending, x.fund) == (1, 0, 0, after.fund)
        assert d.desk.checkout.sale(after.sale_id).state == "uploaded"
        shot(win, "offline_confirmed")
    finally:
        win.status_timer.stop()
        win.runner.wait()


def _sell(desk, certno: str, rx_id: str, shift_id: str):
    card = desk.identify(certno)
    sale = desk.open_sale(card, rx_id)
    for line in sale.lines:
        for _ in range(line.codes_wanted):
            sale = apply_check(sale, desk.check_scan(sale, trace_codes("8100011", 1)[0]))
    assert sale.complete
    assert desk.pre_settle(sale, card).source == "centre"
    return desk.settle(sale, card, Payment(), shift_id)


def test_msgids_survive_a_restart_of_the_desk(centre, tmp_path):
    """Two lifetimes of one desk on one store, both in the same clock second: the second continues the stored
    sequence (no in-memory counter starting again), and the centre got every id once."""
    frozen = dt.datetime.now(CST).replace(microsecond=0)
    sent: list[str] = []
    kinds: dict[str, set[str]] = {}  # msgid -> the transactions it was sent for

    def lifetime(certno: str, psn_no: str) -> None:
        d = make_desk(tmp_path, centre.url, centre.secrets[PH1], clock=lambda: frozen)
        transport = d.desk.terminal.transport
        post = transport.post

        def spy(body: bytes, infno: str):
            sent.append(json.loads(body)["msgid"])
            kinds.setdefault(sent[-1], set()).add(infno)
            return post(body, infno)

        transport.post = spy
        try:
            d.desk.start()  # recovery, the sender, the catalogue
            d.desk.set_operator(d.auth.login("li", pin="2468"))
            shift = d.shifts.current()["shift_id"] if d.shifts.current() else d.shifts.open(d.desk.operator, Decimal("0"))
            rx = centre.upload_rx(psn_no, [d01(1, 28)])
            record = _sell(d.desk, certno, rx["hi_rxno"], shift)
            assert record.status == "settled" and record.setl_id
            d.desk.terminal.sender.drain(timeout_s=20)
            d.desk.drain()
            assert d.desk.status().waiting == 0
        finally:
            close_desks()

    lifetime(P01_CERTNO, "T0001")
    first = list(sent)
    lifetime(P11_CERTNO, "T0011")
    second = sent[len(first):]
    assert len(first) >= 8 and len(second) >= 6, (first, second)  # 9001 1301 1101 5301 5206 5205 7202 7203 2101 2102 3505 7206
    # A resend of the same message after a timeout (a loaded machine) is the protocol working, not reuse: what
    # must never happen is one msgid standing for two different messages.
    assert all(len(k) == 1 for k in kinds.values()), ("a msgid was used for two transactions", kinds)
    first_ids, second_ids = set(first), set(second)
    assert not first_ids & second_ids, "the restarted desk reused a msgid of its first lifetime"
    stamp = frozen.strftime("%Y%m%d%H%M%S")
    assert all(m.startswith(PH1 + stamp) for m in sent), sent  # one clock second: only the stored sequence differs
    assert min(second) > max(first), (first, second)  # the restart continued the sequence
    rows = centre_rows(centre, "SELECT msgid, infcode FROM centre_message WHERE fixmedins_code = :c", c=PH1)
    at_centre = {m: code for m, code in rows}
    assert set(sent) <= set(at_centre) and all(at_centre[m] == 0 for m in sent)
    from core.store.db import open_store
    from core.sync.models import SyncCounter
    from sqlalchemy.orm import Session

    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with Session(engine) as s:
            assert s.get(SyncCounter, "msgid").value >= len(set(sent))
    finally:
        engine.dispose()
