"""审方 → 调配 → 核对 → 发药 at the desk over HTTP (issue 19, seed 003): strict mode with three people, the check
by scanning every box again, licence numbers from the staff profile; settling waits for the check; the 7206 the
centre receives names the reviewing and checking pharmacists; the record keeps the trail. Then a one-pharmacist
shop: the same person does every step, recorded as such."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from core.services.pharmacy_sale import apply_check
from core.services.ports import DeskError, Payment
from tests.server.helpers import trace_codes
from tests.ui.pharmacy.fixtures import (  # noqa: F401
    P01_CERTNO, P11_CERTNO, PH1, _data_key, _templates, centre, d01, desk,
)

pytestmark = [pytest.mark.slow]


def _scanned_sale(d, card, rx_id):
    sale = d.open_sale(card, rx_id)
    codes = []
    for line in sale.lines:
        for _ in range(line.codes_wanted):
            codes.append(trace_codes("8100011", 1)[0])
            sale = apply_check(sale, d.check_scan(sale, codes[-1]))
    return sale, codes


def test_strict_trail_recorded_sent_and_shown(centre, desk):  # noqa: F811 - fixtures
    d = desk.desk
    d.trail_mode, d.trail_check, d.trail_required = "strict", "scan", True
    d.set_operator(desk.auth.login("zhang", pin="135790"))  # at the till: not the reviewing pharmacist
    shift = desk.shifts.open(d.operator, Decimal("100"))
    d.set_licence("li", "YS4207001")
    d.set_licence("zhang", "YS4207009")  # the supervisor is the second licensed pharmacist of the shop
    rx = centre.upload_rx("T0001", [d01(1, 28)])
    card = d.identify(P01_CERTNO)
    sale, codes = _scanned_sale(d, card, rx["hi_rxno"])
    view = d.pre_settle(sale, card)
    trail = d.trail_start(sale, view)
    assert trail.verdict == view.verdict == "PASS"
    with pytest.raises(DeskError) as early:
        d.settle(sale, card, Payment(cash_tendered=Decimal("20")), shift)
    assert "结算前须完成" in early.value.message.zh
    with pytest.raises(DeskError) as unlicensed:
        d.trail_step(sale, "review", "wang")
    assert "没有执业药师注册证号" in unlicensed.value.message.zh
    d.trail_step(sale, "review", "li")
    d.trail_step(sale, "dispense", "wang")
    assert not d.trail_scan(sale, "81000119999999999999")  # not a box of this sale
    with pytest.raises(DeskError) as unchecked:
        d.trail_step(sale, "check", "zhang")
    assert "未核对" in unchecked.value.message.zh
    for code in codes:
        assert d.trail_scan(sale, code)
    with pytest.raises(DeskError) as same:
        d.trail_step(sale, "check", "wang")
    assert "核对人不能是调配人" in same.value.message.zh
    d.trail_step(sale, "check", "zhang")
    record = d.settle(sale, card, Payment(cash_tendered=Decimal("20")), shift)
    assert record.status == "settled"
    d.trail_step(sale, "hand_out", "wang", receipt_no=record.receipt_no)
    from core.services.receipts import build_receipt

    assert d.find_sale(record.receipt_no).pharmacists == (
        "审方药师 李药师（执业药师 YS4207001）", "调配 王营业员", "核对药师 张主管（执业药师 YS4207009）")
    printed = build_receipt(d.find_sale(record.receipt_no), pharmacy="康济大药房", institution=PH1, terminal="T01",
                            operator="张主管").text_lines(48)
    assert "审方药师 李药师（执业药师 YS4207001）" in printed and "核对药师 张主管（执业药师 YS4207009）" in printed
    kept = d.trail_of(record.receipt_no)
    assert kept is not None and kept.done
    assert kept.receipt_lines()[0].startswith("审方：李药师（执业药师 YS4207001）")
    assert kept.receipt_lines()[2].startswith("核对：张主管（执业药师 YS4207009）")
    assert kept.receipt_lines()[3].endswith("（与调配同一人）")
    d.drain()
    from sqlalchemy import text

    with centre.engine.connect() as conn:
        rows = conn.execute(text("SELECT payload FROM centre_journal WHERE kind = 'rx.dispense'")).all()
    assert any(json.loads(r[0]).get("phar") == "李药师" for r in rows), rows  # the reviewer, not the cashier
    d.terminal.sender.drain(timeout_s=20)  # the 3505 upload of the sale's box
    with centre.engine.connect() as conn:
        sales = [json.loads(r[0]) for r in conn.execute(text("SELECT payload FROM centre_journal WHERE kind = 'sale'"))]
    assert [(s["phar"], s["phar_cert"]) for s in sales] == [("李药师", "YS4207001")], sales


def test_single_pharmacist_shop(centre, desk):  # noqa: F811 - fixtures
    d = desk.desk
    d.trail_mode, d.trail_check, d.trail_required = "single", "confirm", True
    d.set_operator(desk.auth.login("li", pin="2468"))
    shift = desk.shifts.open(d.operator, Decimal("100"))
    d.set_licence("li", "YS4207001")
    rx = centre.upload_rx("T0011", [d01(1, 28)])
    card = d.identify(P11_CERTNO)
    sale, _codes = _scanned_sale(d, card, rx["hi_rxno"])
    d.trail_start(sale, d.pre_settle(sale, card))
    for step in ("review", "dispense"):
        d.trail_step(sale, step, "li")
    d.trail_confirm(sale, 1)
    d.trail_step(sale, "check", "li")
    record = d.settle(sale, card, Payment(cash_tendered=Decimal("100")), shift)
    d.trail_step(sale, "hand_out", "li", receipt_no=record.receipt_no)
    kept = d.trail_of(record.receipt_no)
    assert [s.same_person_as for s in kept.steps] == [(), ("review",), ("review", "dispense"),
                                                       ("review", "dispense", "check")]
