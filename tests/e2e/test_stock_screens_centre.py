"""The stock screens against the real centre over HTTP (issue 18): a delivery received by scanning on the 入库
screen, one box sent back to the supplier, the shelf counted and a box written off with the supervisor's
password checked by the desk's Auth (as Ctrl+K opens the window in onewindow.root) — each upload reaches the
centre once (3503, 3504, 3501, 3502: one document each for the batch), and the 库存报表 screen's reconciliation
(3508/3511) finds no difference — and names the batch once the centre's books are changed behind its back."""
from __future__ import annotations

from sqlalchemy import text

from core.services.stock import StockService
from desktop.pharmacy.stock.window import StockWindow
from desktop.qt import Qt, QtWidgets
from tests.server.helpers import PH1, trace_codes
from tests.ui.pharmacy.fixtures import USERS, centre, close_desks, desk  # noqa: F401 - fixtures


def scan(qtbot, win, box, code: str) -> None:
    box.setFocus()
    qtbot.keyClicks(box, code)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    win.runner.wait()


def click(qtbot, win, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    win.runner.wait()


def supervise(box) -> None:
    box.user.setText("zhang")
    box.secret.setText(USERS["zhang"][1])


def test_stock_screens_upload_once_and_reconcile_with_the_centre(qtbot, desk, centre):  # noqa: F811
    d = desk.desk
    d.start()  # recovery, the sender, the catalogue from the centre
    op = desk.auth.login("li", pin="2468")
    d.set_operator(op)

    def approve(user: str, secret: str) -> str:
        return desk.auth.approve(user, secret, permission="stock.confirm", operator=op, ref="stock").user_id

    win = StockWindow(StockService(d.terminal), operator=op.user_id, operator_name=op.name, approve=approve)
    qtbot.addWidget(win)
    win.show()
    codes = trace_codes("8100011", 5)

    r = win.receiving
    for code in codes:
        scan(qtbot, win, r.list.box, code)
    for w, v in ((r.supplier, "九州通医药"), (r.invoice, "INV-31"), (r.lot, "L2631"), (r.manu_date, "2026-02-01"),
                 (r.expiry, "2028-01-31")):
        w.setText(v)
    click(qtbot, win, r.post_button)
    assert "已入库 5 盒" in r.message.text(), r.message.text()

    sr = win.supplier_return
    win.setCurrentWidget(sr)
    scan(qtbot, win, sr.list.box, codes[4])
    sr.supplier.setText("九州通医药")
    click(qtbot, win, sr.post_button)
    assert "已退供应商" in sr.message.text(), sr.message.text()

    c = win.counting
    win.setCurrentWidget(c)
    for code in codes[:3]:
        scan(qtbot, win, c.list.box, code)
    click(qtbot, win, c.compare_button)
    assert c.missing.count() == 1 and c.extra.count() == 0  # codes[3] is not on the shelf
    supervise(c.supervisor)
    click(qtbot, win, c.confirm_button)
    assert "盘点已确认" in c.message.text(), c.message.text()

    ch = win.changes
    win.setCurrentWidget(ch)
    scan(qtbot, win, ch.list.box, codes[2])
    supervise(ch.supervisor)
    ch.note.setText("破损")
    click(qtbot, win, ch.post_button)
    assert "库存变更已记录" in ch.message.text(), ch.message.text()

    d.terminal.sender.drain(timeout_s=20)
    with centre.engine.connect() as conn:
        docs = dict(conn.execute(text(
            "SELECT infno, COUNT(*) FROM centre_stock_doc WHERE fixmedins_code = :c AND deleted_at IS NULL "
            "AND codes LIKE :p GROUP BY infno"), {"c": PH1, "p": f"%{codes[0][:15]}%"}).all())
        states = dict(conn.execute(text("SELECT code, state FROM centre_stock_code WHERE fixmedins_code = :c "
                                        "AND code LIKE :p"), {"c": PH1, "p": codes[0][:15] + "%"}).all())
    assert docs == {"3501": 1, "3502": 1, "3503": 1, "3504": 1}, docs
    assert states == {codes[0]: "in_stock", codes[1]: "in_stock", codes[2]: "written_off",
                      codes[3]: "written_off", codes[4]: "supplier_returned"}, states

    rep = win.reports
    win.setCurrentWidget(rep)
    reconcile = rep.findChild(QtWidgets.QPushButton, "reconcileStock")
    click(qtbot, win, reconcile)
    assert "差异 0 个批次" in rep.message.text(), rep.message.text()
    # the centre's view changed behind the pharmacy's back (one box more on its books): the difference is named
    with centre.engine.begin() as conn:
        (bchno,) = conn.execute(text("SELECT fixmedins_bchno FROM centre_stock_code WHERE code = :c"),
                                {"c": codes[0]}).one()
        conn.execute(text("UPDATE centre_stock_level SET qty = qty + 1 WHERE fixmedins_code = :c "
                          "AND fixmedins_bchno = :b"), {"c": PH1, "b": bchno})
    click(qtbot, win, reconcile)
    assert "差异 1 个批次" in rep.message.text() and rep.table.rowCount() == 1, rep.message.text()
    assert rep.table.item(0, 0).text() == bchno and rep.table.item(0, 2).text() == "2"
