"""Counter settlement end to end against the real centre: the outpatient chronic-disease settlement (med_type 14)
at the counter, through the pharmacy desk's own sale flow embedded in the counter shell (same audit, receipt,
returns), for a 门诊慢特病 patient with a circulated prescription."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.store.models import SettlementRow
from desktop.qt import Qt, QtWidgets
from tests.server.helpers import trace_codes
from tests.ui.counter.fixtures import CTR, _data_key, _templates, centre, shot  # noqa: F401
from tests.ui.pharmacy.pdftext import pdf_text

pytestmark = [pytest.mark.ui]
H3 = "H42070000031"
T03_CERTNO = "420704195511021255"  # 赵某 T0003: employee, 门诊慢特病 高血压病 + 糖尿病


def type_in(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.clear()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


@pytest.fixture
def counter(qtbot, centre, tmp_path):
    from core.services.pharmacy_config import DeskConfig
    from onewindow.root import build_counter

    config = DeskConfig(server_url=centre.url, institution=CTR, secret=centre.secrets[CTR], terminal="C01",
                        institution_name="门诊慢特病管理服务中心(测试)", receipt_dir=str(tmp_path / "receipts"),
                        store_url=f"sqlite:///{tmp_path / 'store.db'}")
    win, parts = build_counter(config, devices=False, forms_dir=tmp_path / "forms")
    win.auth.add_user("zhang", "张主管", "supervisor", password="zhuguan123", pin="135790")
    qtbot.addWidget(win)
    win.show()
    yield win
    win.runner.wait()
    win.settle.close_desk()
    parts.close()


def test_counter_settles_med_type_14_with_the_desk_flow(qtbot, counter, centre):
    rx = centre.call("7101", {"rxinfo": {
        "hosp_rxno": "H3-MT-0001", "psn_no": "T0003", "med_type": "14", "dise_codg": "M03900", "diag_codes": ["I10.x00"],
        "prsc_dr_name": "张医生", "prsc_dept_name": "心内科", "valid_days": 3, "rx_type": "ordinary"},
        "rxdrugdetail": [{"medins_list_codg": "D01", "cnt": 1, "prd_days": 28, "sin_dos_dscr": "5mg",
                          "used_frqu_dscr": "每日一次", "expContent": {"dose": "5", "times_per_day": "1"}}]}, H3)["data"]
    win = counter
    win.set_operator(win.auth.login("zhang", pin="135790"))
    win.go("settle")
    desk = win.settle.desk_window
    qtbot.waitUntil(lambda: desk.runner.busy == 0 and desk.page() == "shift", timeout=15000)
    type_in(qtbot, desk.shift.float_edit, "100.00")
    qtbot.waitUntil(lambda: desk.runner.busy == 0 and desk.page() == "identify", timeout=15000)
    win.route.submit(T03_CERTNO)  # a scan at the counter goes to the desk while 结算 is shown
    qtbot.waitUntil(lambda: desk.runner.busy == 0 and desk.page() == "rx", timeout=15000)
    assert desk.state.card.name == "赵某(测试)" and rx["hi_rxno"] in desk.rx.list.item(0).text()
    desk.rx.list.setFocus()
    qtbot.keyClick(desk.rx.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.runner.busy == 0 and desk.page() == "sale", timeout=15000)
    assert desk.state.sale.med_type == "14" and desk.state.sale.scheme == "MT"
    type_in(qtbot, desk.sale_screen.scan, trace_codes("8100011", 1)[0])
    qtbot.waitUntil(lambda: desk.state.view is not None and desk.state.view.source == "centre", timeout=15000)
    assert desk.state.view.verdict in ("PASS", "WARN"), desk.state.view
    shot(win, "counter_settle_sale")
    desk.sale_screen.settle_button.setFocus()
    QtWidgets.QApplication.processEvents()
    qtbot.keyClick(desk.sale_screen.settle_button, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: desk.page() == "pay", timeout=5000)
    type_in(qtbot, desk.pay.cash, "30")
    qtbot.waitUntil(lambda: desk.runner.busy == 0 and desk.page() == "done", timeout=15000)
    record = desk.state.record
    answer = record.answer["setlinfo"]
    assert answer["med_type"] == "14" and answer["expContent"]["scheme"] == "MT"
    assert record.fund == Decimal(answer["fund_pay_sumamt"])
    text = pdf_text(desk.state.receipt_path)
    assert answer["setl_id"] in text and answer["medfee_sumamt"] in text
    with centre.engine.connect() as conn:
        row = conn.execute(select(SettlementRow).where(SettlementRow.settlement_id == answer["setl_id"])).one()
    assert (row.facility_code, row.scheme, row.person_no) == (CTR, "MT", "T0003")
    shot(win, "counter_settle_receipt")
