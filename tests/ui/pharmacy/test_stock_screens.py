"""The stock screens (进销存) driven as a user would: receive by scanning, a bad scan named, a delivery file with a
missing column refused, return to the supplier, count with a supervisor, write off, reports. The terminal has no
centre here: the uploads stay queued in the outbox (the e2e tests send them). Screenshots of every tab go to
tests/ui/screenshots/pharmacy_stock_*.png."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from core.domain import Drug
from core.services.stock import StockService
from core.store.catalogue import upsert_drugs
from core.store.crypto import DataCipher, generate_secret
from core.sync.models import SyncOutbox
from core.sync.terminal import Terminal
from desktop.common.fit import save_screenshot, show_fitted
from desktop.pharmacy.stock.window import StockWindow
from desktop.qt import Qt
from tests.sync.helpers import terminal_config
from tests import screenshots

D01 = Drug(key="D01", name="苯磺酸氨氯地平片", price=__import__("decimal").Decimal("28.00"), pack_size=28,
           nhsa_code="XC08CAA321A001010199901", spec="5mg", trace_prefix="8100011", barcode="6901234567892")
CODES = [f"8100011{n:013d}" for n in range(500, 506)]


@pytest.fixture
def stock_window(qtbot, tmp_path):
    t = Terminal.open(terminal_config("s", "http://127.0.0.1:9"), f"sqlite:///{tmp_path / 'term.db'}",
                      cipher=DataCipher.from_secret(generate_secret()))
    with t.write() as s, s.begin():
        upsert_drugs(s, [D01], catalogue_version=1)
    approved = []

    def approve(user: str, secret: str) -> str:
        if secret != "zhuguan123":
            from core.stock.domain import StockError

            raise StockError("主管密码错误", "wrong supervisor password", field="supervisor")
        approved.append(user)
        return user

    # The export folder is shown on screen: a name of fixed length (pytest's tmp_path grows with the run number and
    # the xdist worker, and a longer path wraps the message onto another line of the compared screenshot).
    export = Path(tempfile.mkdtemp(prefix="ow-stock-"))
    win = StockWindow(StockService(t), operator="li", operator_name="李药师", approve=approve, export_dir=export)
    qtbot.addWidget(win)
    show_fitted(win)
    win.approved = approved
    yield win
    win.runner.wait()
    t.close()
    t.engine.dispose()
    shutil.rmtree(export, ignore_errors=True)


def scan(qtbot, win, box, text: str) -> None:
    box.setFocus()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    win.runner.wait()


def uploads(win) -> list[str]:
    with win.svc.t.read() as s:
        return [o.infno for o in s.scalars(select(SyncOutbox).order_by(SyncOutbox.id))]


def test_stock_screens_end_to_end(qtbot, stock_window, tmp_path):
    win = stock_window
    r = win.receiving
    for code in CODES:
        scan(qtbot, win, r.list.box, code)
    scan(qtbot, win, r.list.box, CODES[0])
    assert "两次" in r.message.text() and r.list.table.rowCount() == 6
    scan(qtbot, win, r.list.box, "6901234567892")  # the commodity barcode is no box
    assert "追溯码" in r.message.text()
    for w, v in ((r.supplier, "九州通医药"), (r.invoice, "INV-7"), (r.lot, "L2612"), (r.manu_date, "2026-02-01"),
                 (r.expiry, "2026-01-01")):
        w.setText(v)
    qtbot.mouseClick(r.post_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "第 1 行" in r.message.text() and "有效期" in r.message.text() and uploads(win) == []  # nothing written
    screenshots.check_file(save_screenshot(win, screenshots.out_dir() / "pharmacy_stock_receiving.png"), "pharmacy_stock_receiving")
    r.expiry.setText("2028-01-31")
    qtbot.mouseClick(r.post_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "已入库 6 盒" in r.message.text() and uploads(win) == ["3503"]

    bad = tmp_path / "delivery.csv"
    bad.write_text("追溯码,药品编码,批号\n81000110000000000900,D01,L1\n", encoding="utf-8")
    win.import_file(str(bad))
    win.runner.wait()
    assert "缺少列" in r.message.text() and "生产日期" in r.message.text()

    win.setCurrentWidget(win.supplier_return)
    scan(qtbot, win, win.supplier_return.list.box, CODES[5])
    win.supplier_return.supplier.setText("九州通医药")
    qtbot.mouseClick(win.supplier_return.post_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "已退供应商" in win.supplier_return.message.text()
    screenshots.check_file(save_screenshot(win, screenshots.out_dir() / "pharmacy_stock_supplier_return.png"), "pharmacy_stock_supplier_return")

    win.setCurrentWidget(win.counting)
    c = win.counting
    for code in CODES[:4] + ["81000119999999999999"]:
        scan(qtbot, win, c.list.box, code)
    qtbot.mouseClick(c.compare_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert c.missing.count() == 1 and c.extra.count() == 1  # CODES[4] not on the shelf; a stranger on it
    c.supervisor.user.setText("zhang")
    c.supervisor.secret.setText("wrong")
    qtbot.mouseClick(c.confirm_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "密码错误" in c.message.text()
    screenshots.check_file(save_screenshot(win, screenshots.out_dir() / "pharmacy_stock_count.png"), "pharmacy_stock_count")
    c.supervisor.secret.setText("zhuguan123")
    qtbot.mouseClick(c.confirm_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "盘点已确认" in c.message.text() and win.approved == ["zhang"]

    win.setCurrentWidget(win.changes)
    ch = win.changes
    scan(qtbot, win, ch.list.box, CODES[4])  # written off at the count: not in stock any more
    assert ch.list.table.rowCount() == 0 and "不在库" in ch.message.text()
    scan(qtbot, win, ch.list.box, CODES[3])
    ch.supervisor.user.setText("zhang")
    ch.supervisor.secret.setText("zhuguan123")
    ch.note.setText("破损")
    qtbot.mouseClick(ch.post_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "库存变更已记录" in ch.message.text()
    screenshots.check_file(save_screenshot(win, screenshots.out_dir() / "pharmacy_stock_changes.png"), "pharmacy_stock_changes")
    assert uploads(win) == ["3503", "3504", "3501", "3502"]

    win.setCurrentWidget(win.reports)
    qtbot.mouseClick(win.reports.findChild(type(win.reports.export_button), "showOnHand"), Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert win.reports.table.rowCount() == 1 and win.reports.table.item(0, 6).text() == "3"
    win.reports.since.setText(str(win.svc.t.today()))
    win.reports.until.setText(str(win.svc.t.today()))
    qtbot.mouseClick(win.reports.export_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "已导出" in win.reports.message.text()
    screenshots.check_file(save_screenshot(win, screenshots.out_dir() / "pharmacy_stock_reports.png"), "pharmacy_stock_reports")


def test_transfer_in_from_another_branch(qtbot, stock_window):
    """调拨入库 on the receiving screen: the scanned boxes, the sending branch and its 调拨出库 document, a
    supervisor; refused without them (nothing written), then in stock and an inbound 3502 queued."""
    win = stock_window
    r = win.receiving
    for code in CODES[:2]:
        scan(qtbot, win, r.list.box, code)
    for w, v in ((r.lot, "L2612"), (r.manu_date, "2026-02-01"), (r.expiry, "2028-01-31"), (r.out_doc, "T02-C000007")):
        w.setText(v)
    qtbot.mouseClick(r.transfer_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "主管" in r.message.text() and uploads(win) == []
    r.transfer_supervisor.user.setText("SUP1")
    r.transfer_supervisor.secret.setText("wrong")
    qtbot.mouseClick(r.transfer_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "主管密码错误" in r.message.text() and uploads(win) == []
    r.transfer_supervisor.secret.setText("zhuguan123")
    qtbot.mouseClick(r.transfer_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "调出门店" in r.message.text() and uploads(win) == []
    r.from_branch.setText("P42070000002")
    qtbot.mouseClick(r.transfer_button, Qt.MouseButton.LeftButton)
    win.runner.wait()
    assert "已调拨入库 2 盒" in r.message.text() and uploads(win) == ["3502"]
    assert win.svc.on_hand("D01")[0].boxes == 2
